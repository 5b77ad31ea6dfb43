from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "healingtogether.directory"
    verbose_name = _("Directory")

    def ready(self):
        from . import listing  # noqa: F401  (connects the receivers of indirect changes)
