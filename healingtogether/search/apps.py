from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "healingtogether.search"
    verbose_name = _("Search")

    def ready(self):
        from django.db.models.signals import post_delete

        from healingtogether.directory.listing import listing_changed
        from healingtogether.directory.models import Group

        from . import meaning
        from .snapshot import note_changes, note_deleted
        from .text import follow_listings

        # In this order: the words' index and the vectors are written, then the snapshot notes
        # which groups to re-read.
        listing_changed.connect(follow_listings, dispatch_uid="search.follow_listings")
        listing_changed.connect(meaning.follow_listings, dispatch_uid="search.follow_meaning")
        listing_changed.connect(note_changes, dispatch_uid="search.snapshot")
        post_delete.connect(note_deleted, sender=Group, dispatch_uid="search.snapshot.deleted")
