import re
from html import unescape

import pytest
import time_machine

from healingtogether.directory.models import Group, Language
from healingtogether.test import make_group, make_location, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed():
    """Two groups a referrer could print, one meeting in Namur and one online."""
    french = Language.objects.get(slug="fr")
    german = Language.objects.get(slug="de")
    namur = make_group(
        name_fr="Cercle Zanzibar de Namur",
        cost=Group.Cost.PAID,
        cost_amount="5 € par séance",
        phone="081 22 33 44",
        email="cercle@example.org",
        website="https://cercle.example.org/",
        languages=[french, german],
    )
    make_location(namur, address="Rue de Fer 1")
    make_schedule(namur, byday="TU")
    online = make_group(
        name_fr="Zanzibar en ligne",
        format=Group.Format.ONLINE,
        cost=Group.Cost.FREE,
        hours_en="Thursday evenings",
        email="online@example.org",
    )
    return namur, online


def printed(client, query, language="en", status=200):
    response = client.get(f"/{language}/search/print/{query}")
    assert response.status_code == status
    return response.content.decode()


@time_machine.travel("2026-11-28 10:00 +01:00")
def test_the_printed_list_gives_each_group_s_facts_and_contacts(client, listed):
    html = printed(client, "?q=zanzibar&near=5000")
    namur = html[html.index("Cercle Zanzibar de Namur") :]
    namur = namur[: namur.index("</li>")]
    assert "Every week on Tuesday, 19:00–21:00, from 6 January 2026" in namur
    assert "Rue de Fer 1, 5000" in namur
    assert "Paid (5 € par séance)" in namur
    assert re.search(r"Languages spoken</dt>\s*<dd>German, French</dd>", namur)
    assert "081 22 33 44" in namur
    assert "cercle@example.org" in namur
    assert "https://cercle.example.org/" in namur

    online = html[html.index('id="online-title"') :]
    assert "Zanzibar en ligne" in online
    assert "Thursday evenings" in online
    assert "online@example.org" in online
    assert 'Printed on <time datetime="2026-11-28">28 November 2026</time>' in html


def test_the_printed_list_ends_with_the_helplines_and_has_no_site_navigation(client, listed):
    html = printed(client, "?q=zanzibar", language="nl")
    helplines = html[html.index('id="helplines-title"') :]
    assert "1813" in helplines
    assert "<nav" not in html
    assert 'class="site-header"' not in html
    assert "/static/css/print.css" in html
    assert "/static/css/site.css" not in html


def test_the_printed_list_is_the_search_page_s_results(client, listed):
    html = printed(client, "?q=zanzibar&format=online")
    assert "Zanzibar en ligne" in html
    assert "Cercle Zanzibar de Namur" not in html


def test_the_search_results_link_to_the_printed_list_with_the_same_query(client, listed):
    html = client.get("/en/search/?q=zanzibar&near=5000&page=1").content.decode()
    assert 'href="/en/search/print/?q=zanzibar&amp;near=5000"' in html
    assert "Print this list" in html


def test_the_printed_list_holds_at_most_fifty_groups(client):
    for n in range(52):
        make_group(name_fr=f"Groupe Quokka {n}")
    html = printed(client, "?q=quokka&page_size=5&page=3")
    assert html.count('class="sheet-group"') == 50
    assert "52 results; this list shows the first 50." in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("?q=zanzibar&radius_km=900", "Choose a distance between 1 and 200 km."),
        ("?topic=no-such-topic", "Unknown value: no-such-topic."),
        ("?near=Atlantis", "We don't know the place “Atlantis”."),
        ("?sort=distance", "Sorting by distance needs a postcode or municipality."),
    ],
)
def test_bad_parameters_get_the_search_page_s_message_and_a_400(client, query, message):
    html = printed(client, query, status=400)
    assert message in unescape(html)
    assert 'class="sheet-group"' not in html
    assert 'href="/en/search/' in html
