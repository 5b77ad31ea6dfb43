import xml.etree.ElementTree as ET

import pytest

from healingtogether.articles.models import Article
from healingtogether.directory.models import Topic

from .factory import make_article

pytestmark = pytest.mark.django_db

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def feed_of(client, language):
    response = client.get(f"/{language}/guides/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test


def test_the_feed_lists_published_guides_in_the_page_language(client):
    guide = make_article(topics=["grief"])
    draft = make_article(status=Article.Status.DRAFT)
    feed = feed_of(client, "fr")
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    entries = {
        e.findtext("atom:title", namespaces=ATOM): e for e in feed.findall("atom:entry", ATOM)
    }
    assert guide.title_fr in entries
    assert draft.title_fr not in entries
    entry = entries[guide.title_fr]
    link = entry.find("atom:link", ATOM).get("href")
    assert link.endswith(f"/fr/guides/{guide.slug}/")
    assert entry.findtext("atom:summary", namespaces=ATOM) == guide.summary_fr
    # Our team signs in the feed's language.
    assert (
        entry.findtext("atom:author/atom:name", namespaces=ATOM) == "L’équipe de Healing Together"
    )
    assert entry.findtext("atom:published", namespaces=ATOM).startswith("2026-03-01")
    assert [c.get("term") for c in entry.findall("atom:category", ATOM)] == [
        Topic.objects.get(slug="grief").label_fr
    ]


def test_the_feed_puts_the_newest_guide_first(client):
    Article.objects.all().delete()
    older = make_article(published="2026-01-10")
    newer = make_article(published="2026-04-10")
    feed = feed_of(client, "en")
    titles = [e.findtext("atom:title", namespaces=ATOM) for e in feed.findall("atom:entry", ATOM)]
    assert titles == [newer.title_en, older.title_en]
    assert feed.findtext("atom:title", namespaces=ATOM) == "Guides from Healing Together"
