"""An Atom feed of the guides, one per language, at /<lang>/guides/feed/."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Article

FEED_LENGTH = 20


class LatestGuides(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Guides from Healing Together")

    def subtitle(self):
        return _("Plain guides to group therapy, support groups and help in Belgium.")

    def link(self):
        return reverse("articles:list")

    def feed_url(self):
        return reverse("articles:feed")

    def items(self):
        return Article.objects.published().newest_first().prefetch_related("topics")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.byline

    def item_categories(self, item):
        return [topic.label for topic in item.topics.all()]
