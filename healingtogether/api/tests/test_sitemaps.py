"""/sitemap.xml and /robots.txt: search engines find every public page, in every language,
and nothing of the organiser and moderator pages."""

from datetime import date
from xml.etree import ElementTree

import pytest

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group, Organisation, Status, Topic
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def entries(client, url="/sitemap.xml") -> dict[str, dict[str, str]]:
    """Each address in the sitemap, with its alternates by language."""
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap
    return {
        u.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in u.findall("x:link", NS)
        }
        for u in root.findall("s:url", NS)
    }


@pytest.fixture
def guide():
    return Article.objects.create(
        slug="test-guide",
        title_en="Your first session",
        body_en="What happens.",
        author="The Healing Together team",
        published=date(2026, 1, 5),
        status=Article.Status.PUBLISHED,
    )


def public_pages() -> int:
    """Eight pages of our own, and a page per listed group, organisation with a listed group,
    topic of a listed group and published guide."""
    listed = Group.objects.listed()
    return (
        8
        + listed.count()
        + Organisation.objects.filter(groups__in=listed).distinct().count()
        + Topic.objects.filter(groups__in=listed).distinct().count()
        + Article.objects.published().count()
    )


def test_every_public_page_is_there_in_four_languages_with_its_alternates(
    client, rich_group, guide
):
    found = entries(client)
    paths = {
        "/groups/deuil-namur/",
        "/organisations/cercle-namurois/",
        "/guides/test-guide/",
        "/networks/reseau-sante-namur/",
        "/",
        "/search/",
        "/search/topics/",
        "/search/topics/grief/",
        "/helplines/",
        "/about/",
    }
    for path in paths:
        for code in ("en", "fr", "nl", "de"):
            address = f"http://127.0.0.1:8000/{code}{path}"
            assert address in found, address
            assert found[address] == {
                other: f"http://127.0.0.1:8000/{other}{path}" for other in ("en", "fr", "nl", "de")
            } | ({"x-default": "http://127.0.0.1:8000/"} if path == "/" else {})
    assert len(found) == 4 * public_pages()


def test_what_the_public_cannot_see_is_not_listed(client, guide):
    hidden = make_group(slug="hidden-group", status=Status.PENDING)
    Article.objects.filter(pk=guide.pk).update(status=Article.Status.DRAFT)
    addresses = " ".join(entries(client))
    assert "hidden-group" not in addresses and hidden.organisation.slug not in addresses
    assert "test-guide" not in addresses
    assert "/workspace/" not in addresses and "/moderation/" not in addresses


def test_a_large_directory_gets_a_sitemap_index(client, rich_group, settings):
    settings.SITEMAP_PAGES_PER_FILE = 20
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - ours
    parts = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert parts[0].endswith("/sitemap.xml?page=1") and len(parts) > 1
    pages = [entries(client, part.removeprefix("http://127.0.0.1:8000")) for part in parts]
    assert sum(len(p) for p in pages) == 4 * public_pages()
    assert client.get("/sitemap.xml", {"page": len(parts) + 1}).status_code == 404


def test_robots_points_to_the_sitemap_and_keeps_out_of_private_pages(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    for code in ("en", "fr", "nl", "de"):
        for private in ("account", "workspace", "moderation", "invitations"):
            assert f"Disallow: /{code}/{private}/\n" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /en/groups/" not in text and "Disallow: /en/\n" not in text
