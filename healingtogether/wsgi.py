"""WSGI entry point, used by gunicorn in `make serve` and in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healingtogether.settings")

application = get_wsgi_application()
