from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "healingtogether.articles"
    verbose_name = _("Guides")
