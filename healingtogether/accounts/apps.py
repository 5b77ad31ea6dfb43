from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "healingtogether.accounts"
    verbose_name = _("Organisers and moderation")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import claims
        from .models import Membership

        post_save.connect(claims.membership_changed, sender=Membership)
        post_delete.connect(claims.membership_changed, sender=Membership)
