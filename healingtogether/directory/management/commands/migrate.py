"""Django's migrate, which also creates the SQLite file when there is none yet.

Ordinary connections never create it (see SQLITE_PATH in settings.py), so that a server started
without its database says so instead of serving an empty one; migrating is the moment a new
database is made on purpose.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections


class Command(migrate.Command):
    def execute(self, *args, **options):
        # Before Django's system checks, which already connect to the database.
        database = options.get("database") or "default"
        path = getattr(settings, "SQLITE_PATH", None)
        if database == "default" and path and connections[database].vendor == "sqlite":
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        return super().execute(*args, **options)
