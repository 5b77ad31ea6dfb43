"""A page per topic: what search engines may index of our search, and a way in by topic."""

import re
import urllib.robotparser
from html import unescape

import pytest

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group, Status, Topic
from healingtogether.lib.emails import absolute_url
from healingtogether.lib.text import fold
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def grief_groups():
    grief = Topic.objects.get(slug="grief")
    anxiety = Topic.objects.get(slug="anxiety")
    listed = [make_group(name_fr=f"Rouwgroep Zanzibar {n}", topics=[grief]) for n in range(23)]
    make_group(name_fr="Angoisse Zanzibar", topics=[anxiety])
    make_group(name_fr="Deuil en attente", topics=[grief], status=Status.PENDING)
    return listed


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def test_a_topic_page_shows_the_first_twenty_groups_for_that_topic_only(client, grief_groups):
    response = client.get("/fr/search/topics/grief/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Rouwgroep Zanzibar") == 20
    assert "Angoisse Zanzibar" not in html
    assert "Deuil en attente" not in html
    label = Topic.objects.get(slug="grief").label_fr
    assert re.search(rf"<h1>{re.escape(label)}\W", html)
    assert f"<title>{label}" in html
    # Link previews say the same as the page.
    assert f'<meta property="og:title" content="{label} : groupes en Belgique">' in html
    assert f'<meta property="og:description" content="{label} : groupes de soutien' in html
    canonical = absolute_url("/fr/search/topics/grief/")
    assert f'<link rel="canonical" href="{canonical}">' in html


def test_every_link_that_changes_the_search_leads_to_the_search_page(client, grief_groups):
    html = client.get("/en/search/topics/grief/").content.decode()
    found = links(html)
    assert "/en/search/?topic=grief&page=2" in found
    assert "/en/search/print/?topic=grief" in found
    assert "/en/search/calendar.ics?topic=grief" in found
    assert 'action="/en/search/"' in html
    # The topic stays chosen in the form, so adding a postcode keeps it.
    assert re.search(r'name="topic" value="grief" checked', html)
    # Nothing on it points at the topic page with parameters: its address space is one page.
    assert not [href for href in found if href.startswith("/en/search/topics/grief/?")]


def test_the_next_page_of_a_topic_continues_on_the_search_page(client, grief_groups):
    html = client.get("/en/search/?topic=grief&page=2").content.decode()
    assert html.count("Rouwgroep Zanzibar") == 3


def test_crawlers_may_read_topic_pages_but_not_searches(client):
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    assert robots.can_fetch("*", "http://testserver/nl/search/topics/grief/")
    assert robots.can_fetch("*", "http://testserver/nl/search/topics/")
    assert not robots.can_fetch("*", "http://testserver/nl/search/?topic=grief&page=2")


@pytest.mark.usefixtures("without_real_groups")
def test_topic_pages_with_groups_are_in_the_sitemap_in_every_language(client, grief_groups):
    sitemap = client.get("/sitemap.xml").content.decode()
    for code in ("en", "fr", "nl", "de"):
        assert f"<loc>{absolute_url('')}/{code}/search/topics/grief/</loc>" in sitemap
        assert f"<loc>{absolute_url('')}/{code}/search/topics/</loc>" in sitemap
    # A topic no listed group helps with has nothing to show a search engine.
    empty = Topic.objects.exclude(groups__status=Status.PUBLISHED).first()
    assert f"/search/topics/{empty.slug}/" not in sitemap


@pytest.mark.usefixtures("without_real_groups")
def test_a_topic_nobody_helps_with_yet_offers_other_ways(client, grief_groups):
    empty = Topic.objects.exclude(groups__status=Status.PUBLISHED).first()
    html = client.get(f"/en/search/topics/{empty.slug}/").content.decode()
    assert "0 groups" in html
    assert "/en/helplines/" in links(html)


def test_an_unknown_topic_is_a_plain_404(client):
    response = client.get("/de/search/topics/no-such-topic/")
    assert response.status_code == 404


def test_the_guides_on_a_topic_are_offered_beside_its_groups(client, grief_groups):
    # The bundled guides are loaded in every test database; one of them is about loneliness.
    guide = Article.objects.published().get(topics__slug="loneliness")
    html = client.get("/nl/search/topics/loneliness/").content.decode()
    assert guide.get_absolute_url() in links(html)
    assert guide.get_absolute_url() not in links(
        client.get("/nl/search/topics/grief/").content.decode()
    )


@pytest.mark.usefixtures("without_real_groups")
def test_the_topic_index_lists_topics_with_their_groups(client, grief_groups):
    html = client.get("/fr/search/topics/").content.decode()
    grief = Topic.objects.get(slug="grief")
    anxiety = Topic.objects.get(slug="anxiety")
    assert re.search(
        rf'<a href="/fr/search/topics/grief/">{re.escape(grief.label_fr)}</a> '
        r'<span class="count">\(23 groupes\)</span>',
        html,
    )
    assert f'<a href="/fr/search/topics/anxiety/">{anxiety.label_fr}</a>' in html
    # In the order of the alphabet, accented letters among the others ("Épuisement" under E).
    shown = re.findall(r'<a href="/fr/search/topics/[^/]+/">([^<]+)</a>', html)
    assert shown == sorted(shown, key=fold) and len(shown) >= 2


def test_the_home_page_and_guides_lead_to_the_topics(client):
    assert "/en/search/topics/" in links(client.get("/en/").content.decode())


COUNTED_APART = {
    "en": "3 groups · 2 services",
    "fr": "3 groupes · 2 services",
    "nl": "3 groepen · 2 diensten",
    "de": "3 Gruppen · 2 Hilfsangebote",
}


@pytest.mark.usefixtures("without_real_groups")
@pytest.mark.parametrize("lang", COUNTED_APART)
def test_a_topic_page_counts_helplines_and_networks_as_services_not_groups(client, lang):
    # Issue 15, item 6: "groups" only for groups a person joins.
    grief = Topic.objects.get(slug="grief")
    for n in range(3):
        make_group(name_fr=f"Deuil Zanzibar {n}", topics=[grief])
    make_group(name_fr="Ligne Zanzibar", kind=Group.Kind.HELPLINE, topics=[grief])
    make_group(name_fr="Réseau Zanzibar", kind=Group.Kind.ADULT_NETWORK, topics=[grief])
    html = client.get(f"/{lang}/search/topics/grief/").content.decode()
    assert re.search(rf'<h2 id="results-title">{COUNTED_APART[lang]}</h2>', html), html


@pytest.mark.usefixtures("without_real_groups")
def test_the_topic_index_lists_every_topic_and_says_where_there_is_no_group_yet(client):
    grief = Topic.objects.get(slug="grief")
    anxiety = Topic.objects.get(slug="anxiety")
    make_group(name_fr="Deuil Zanzibar", topics=[grief])
    make_group(name_fr="Ligne Zanzibar", kind=Group.Kind.HELPLINE, topics=[anxiety])
    html = client.get("/en/search/topics/").content.decode()
    shown = re.findall(r'<a href="/en/search/topics/([^/]+)/">', html)
    assert sorted(shown) == sorted(Topic.objects.values_list("slug", flat=True))
    assert re.search(rf">{re.escape(grief.label_en)}</a> <span class=\"count\">\(1 group\)", html)
    # A helpline is not a group: its topic has none yet, and says so.
    assert re.search(
        rf">{re.escape(anxiety.label_en)}</a> <span class=\"count none\">"
        r"\(no group yet · 1 service\)",
        html,
    )
    empty = Topic.objects.exclude(groups__status=Status.PUBLISHED).first()
    assert re.search(
        rf">{re.escape(empty.label_en)}</a> <span class=\"count none\">\(no group yet\)", html
    )
    # Organisers are invited to fill the gaps.
    assert "/en/account/signup/" in links(html)
    assert "/en/where-groups-are-missing/" in links(html)
    # In German too, with the organisers' invitation in their words.
    german = client.get("/de/search/topics/").content.decode()
    assert "(noch keine Gruppe)" in german and "Tragen Sie Ihre Gruppe ein" in german
