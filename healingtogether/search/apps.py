from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "healingtogether.search"
    verbose_name = _("Search")

    def ready(self):
        from healingtogether.directory.listing import listing_changed

        from . import meaning
        from .text import follow_listings

        listing_changed.connect(follow_listings, dispatch_uid="search.follow_listings")
        listing_changed.connect(meaning.follow_listings, dispatch_uid="search.follow_meaning")
