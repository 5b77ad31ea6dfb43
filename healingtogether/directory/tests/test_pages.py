import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from healingtogether.directory import listing
from healingtogether.directory.models import STALE_AFTER, Group, Status
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location, make_organisation, make_organiser, said

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "nl", "de"]
PAGES = [
    "/{lang}/",
    "/{lang}/networks/",
    "/{lang}/networks/brumenta/",
    "/{lang}/groups/zelfmoordlijn-1813/",
    "/{lang}/organisations/brumenta/",
    "/{lang}/helplines/",
    "/{lang}/about/",
    "/{lang}/where-groups-are-missing/",
    "/{lang}/search/?q=rouw&near=5000",
    "/{lang}/search/?near=Namen&radius_km=50&kind=support_group&sort=distance",
    "/{lang}/search/?q=zzzzqqq",
    "/{lang}/networks/for/?place=1050",
    "/{lang}/search/finder/",
    "/{lang}/search/finder/?who=me&topic=grief&step=2",
    "/{lang}/search/finder/?who=close&topic=grief&meet=either&postcode=5000&step=5",
    "/{lang}/search/print/?q=rouw&near=5000",
    "/{lang}/search/topics/",
    "/{lang}/search/topics/mental_health/",
    "/{lang}/guides/",
    "/{lang}/guides/mental-health-networks-107/",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_type_answers_in_every_language(client, page, lang):
    response = client.get(page.format(lang=lang))
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


@pytest.mark.parametrize(
    "accept, expected",
    [("nl-BE,nl;q=0.9", "/nl/"), ("fr-BE", "/fr/"), ("de", "/de/"), ("ja", "/en/")],
)
def test_the_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize(
    "path, words",
    [
        ("/fr/groups/no-such-group/", "Nous n"),
        ("/nl/networks/no-such-network/", "niet vinden"),
        ("/de/organisations/nobody/", "nicht finden"),
        ("/en/groups/no-such-group/", "We couldn't find this page"),
    ],
)
def test_an_unknown_slug_gives_a_translated_404(client, path, words):
    response = client.get(path)
    assert response.status_code == 404
    assert words in response.content.decode()


def test_an_unknown_language_prefix_is_a_404(client):
    response = client.get("/xx/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    assert "niet vinden" in response.content.decode()


def test_a_pending_listing_is_not_shown(client):
    group = make_group(status=Status.PENDING)
    assert client.get(f"/en/groups/{group.slug}/").status_code == 404
    assert client.get("/en/groups/kalima/").status_code == 404


def test_a_network_is_not_served_as_a_group_and_the_reverse(client):
    assert client.get("/en/groups/brumenta/").status_code == 404
    assert client.get("/en/networks/zelfmoordlijn-1813/").status_code == 404


def test_the_language_switcher_keeps_the_current_page(client):
    html = client.get("/fr/networks/brumenta/").content.decode()
    for lang in LANGUAGES:
        assert f'href="/{lang}/networks/brumenta/"' in html


def language_hrefs(html: str) -> dict[str, str]:
    """The language switcher's links: {language: href}."""
    return {
        code: href for href, code in re.findall(r'<a href="([^"]*)" lang="(\w\w)" hreflang', html)
    }


@pytest.mark.parametrize(
    "path",
    ["//evil.example/x", "/\\evil.example/x", "///evil.example/x", "/en/no-such-page/"],
)
def test_the_404_language_switcher_never_links_off_site(client, path):
    # The test client would read "//evil.example" as a host: the path goes in as the server
    # receives it.
    response = client.get("/", PATH_INFO=path, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    hrefs = language_hrefs(response.content.decode())
    assert hrefs == {lang: f"/{lang}/" for lang in LANGUAGES}


def test_outside_links_carry_noreferrer(client):
    html = client.get("/en/groups/zelfmoordlijn-1813/").content.decode()
    external = re.findall(r'<a href="https?://[^"]+"[^>]*>', html)
    assert external
    assert all('rel="noreferrer"' in link for link in external)


def test_a_resource_page_shows_its_sources_and_confirmation_date(client):
    group = Group.objects.get(slug="brumenta")
    # Loading is not confirming: the network confirms its details first.
    listing.update(Group.objects.filter(pk=group.pk), confirmed_at=timezone.now())
    html = client.get("/en/networks/brumenta/").content.decode()
    for source in group.sources:
        assert source in html
    assert "Confirmed by the organiser on" in html
    assert "Compiled by our team" not in html


def test_a_network_page_lists_the_municipalities_it_covers(client):
    html = client.get("/nl/networks/brumenta/").content.decode()
    assert "Elsene" in html and "Schaarbeek" in html
    html = client.get("/fr/networks/brumenta/").content.decode()
    assert "Ixelles" in html and "Schaerbeek" in html


def test_the_networks_page_lists_every_public_network(client):
    html = client.get("/en/networks/").content.decode()
    for network in Group.objects.listed().networks():
        assert network.get_absolute_url() in html


def test_a_group_looks_the_same_on_its_organisations_page_as_in_search_results(client):
    group = make_group(
        organisation=make_organisation(slug="les-amis"),
        name_fr="Cercle du mardi",
        description_fr="On se retrouve le mardi soir pour parler du deuil.",
        confirmed_at=timezone.now() - STALE_AFTER - timedelta(days=1),
    )
    municipality = Municipality.objects.get(code="92094")  # Namur
    make_location(group, municipality=municipality)

    def card(html):
        url = re.escape(group.get_absolute_url())
        found = re.search(rf'<li class="card">\s*<h3><a href="{url}">.*?</p>\s*</li>', html, re.S)
        assert found, html
        return found.group(0)

    on_organisation = card(client.get("/en/organisations/les-amis/").content.decode())
    in_search = card(client.get("/en/search/?q=cercle+mardi").content.decode())
    assert on_organisation == in_search
    assert "May be out of date: last confirmed on" in on_organisation
    assert f"<li>{municipality.name}</li>" in on_organisation


def test_the_networks_page_fetches_its_cards_details_once_for_all(client):
    def card_queries():
        """Queries for what a card shows beyond the group: its place and its languages."""
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/networks/").status_code == 200
        tables = ("directory_location", "session_languages", "places_municipality")
        return sum(any(t in q["sql"] for t in tables) for q in captured)

    before = card_queries()
    for _ in range(3):
        network = make_group(kind=Group.Kind.ADULT_NETWORK, coverage="brussels")
        make_location(network, municipality=Municipality.objects.get(code="21004"))
    assert card_queries() == before == 2


def test_a_listing_written_in_one_language_says_so(client):
    group = make_group(
        name_fr="Groupe deuil Namur", description_fr="Un groupe pour parler du deuil."
    )
    html = client.get(f"/nl/groups/{group.slug}/").content.decode()
    assert "Un groupe pour parler du deuil." in html
    assert 'lang="fr"' in html
    assert "Deze beschrijving is in het Frans geschreven." in html


@pytest.mark.parametrize(
    "lang, present, absent",
    [
        ("fr", ["112", "0800 32 123", "107"], ["1813", "106", "108"]),
        ("nl", ["112", "1813", "106"], ["0800 32 123", "108"]),
        ("de", ["112", "108"], ["1813", "0800 32 123"]),
        ("en", ["112", "0800 32 123", "107", "1813", "106", "108"], []),
    ],
)
def test_every_page_shows_the_helplines_of_its_language(client, lang, present, absent):
    for page in PAGES:
        html = client.get(page.format(lang=lang)).content.decode()
        block = html.split('class="help-now"')[1].split("</aside>")[0]
        numbers = re.findall(r'class="phone" href="tel:[^"]+">([^<]+)<', block)
        assert set(present) <= set(numbers)
        assert not set(absent) & set(numbers)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_with_tele_accueil_say_107_is_not_the_networks(client, lang):
    html = client.get(f"/{lang}/").content.decode()
    assert "107" in html
    assert {"fr": "À ne pas confondre", "en": "It is not the same as"}[lang] in html


def test_the_header_and_footer_speak_the_pages_language_and_fit_whoever_reads(client):
    """The header's links and the footer are kept in memory per language, and the footer also
    by signed in or not (templates/base.html): each page still says what fits its reader."""

    def page(language):
        return unescape(client.get(f"/{language}/about/").content.decode())

    def footer(language):
        html = page(language)
        return html[html.index('<footer class="site-footer">') :]

    for language in LANGUAGES:
        html = page(language)
        assert f'<a href="/{language}/search/">{said("Find a group", language)}</a>' in html
        assert said("For organisers: list your group", language) in html
        assert said("Your workspace", language) not in html
    client.force_login(make_organiser())
    for language in LANGUAGES:
        html = footer(language)
        assert f'<a href="/{language}/workspace/">{said("Your workspace", language)}</a>' in html
        assert said("For organisers: list your group", language) not in html
    client.logout()
    assert said("For organisers: list your group", "nl") in footer("nl")
