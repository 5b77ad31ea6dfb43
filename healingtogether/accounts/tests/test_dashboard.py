"""The moderators' dashboard: listings per province and per topic, and how fresh they are.

The figures are read back from the table under each chart, the version a screen reader gets,
and compared before and after adding groups, so the bundled real resources don't matter.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status, Topic
from healingtogether.places.models import Province
from healingtogether.test import (
    make_group,
    make_location,
    make_moderator,
    make_organiser,
    make_stranger,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/en/moderation/dashboard/"


@pytest.fixture
def team(client):
    client.force_login(make_moderator())
    return client


def dashboard(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def figures(html: str, title: str) -> dict[str, int]:
    """{label: figure} from the table under the chart called `title`."""
    table = re.search(rf"<caption>{re.escape(title)}</caption>(.*?)</table>", html, re.S)
    assert table, title
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td>', table.group(1))
    return {unescape(label): int(value) for label, value in rows}


def per_province(client) -> dict[str, int]:
    return figures(dashboard(client), "Published listings per province")


def province(code: str) -> str:
    with translation.override("en"):
        return Province.objects.get(code=code).name


def place(postcode: str):
    return listing.located(postcode)[0]


def group_in(*postcodes, **fields) -> Group:
    group = make_group(**fields)
    for postcode in postcodes:
        make_location(group, postcode=postcode, municipality=place(postcode))
    return group


NAMUR, LIEGE = "90000", "60000"


def test_a_group_in_namur_counts_for_the_province_of_namur(team):
    before = per_province(team)
    group_in("5000")
    after = per_province(team)
    assert after[province(NAMUR)] == before[province(NAMUR)] + 1
    assert after[province(LIEGE)] == before[province(LIEGE)]


@pytest.mark.usefixtures("without_real_groups")
def test_every_province_is_shown_even_without_any_group(team):
    group_in("5000")
    counts = per_province(team)
    assert len(counts) == 10 + 2  # the provinces, Brussels-Capital, online only
    empty = Province.objects.exclude(
        municipalities__location__group__status=Status.PUBLISHED
    ).first()
    assert empty is not None
    with translation.override("en"):
        assert counts[empty.name] == 0


def test_brussels_and_online_groups_have_their_own_bars(team):
    before = per_province(team)
    group_in("1000")
    group_in("5000", format=Group.Format.ONLINE)
    after = per_province(team)
    for label in ("Brussels-Capital Region", "Online only"):
        assert after[label] == before[label] + 1, label
    assert after[province(NAMUR)] == before[province(NAMUR)]


def unplaced(html: str) -> int:
    return int(re.search(r'<p class="unplaced">(\d+) published listing', html).group(1))


def test_listings_without_a_place_are_counted_in_words(team):
    before = unplaced(dashboard(team))
    make_group(format=Group.Format.IN_PERSON)
    group_in("5000")
    assert unplaced(dashboard(team)) == before + 1


def test_a_group_counts_once_per_province_it_meets_in(team):
    before = per_province(team)
    group_in("5000", "5100", "4000", format=Group.Format.HYBRID)
    after = per_province(team)
    assert after[province(NAMUR)] == before[province(NAMUR)] + 1
    assert after[province(LIEGE)] == before[province(LIEGE)] + 1


def test_only_published_listings_count(team):
    before = dashboard(team)
    group_in("5000", status=Status.PENDING, topics=[Topic.objects.get(slug="grief")])
    group_in("5000", status=Status.ARCHIVED)
    assert dashboard(team).split("<h1>")[1] == before.split("<h1>")[1]


def test_listings_per_topic_shows_every_topic(team):
    grief, anxiety = Topic.objects.get(slug="grief"), Topic.objects.get(slug="anxiety")
    title = "Published listings per topic"
    before = figures(dashboard(team), title)
    make_group(topics=[grief, anxiety])
    make_group(topics=[grief])
    after = figures(dashboard(team), title)
    assert after[grief.label_en] == before[grief.label_en] + 2
    assert after[anxiety.label_en] == before[anxiety.label_en] + 1
    assert len(after) == Topic.objects.count()


def test_freshness_sorts_listings_by_their_last_confirmation(team):
    title = "How fresh the published listings are"
    before = figures(dashboard(team), title)
    now = timezone.now()
    for days in (10, 160, 200, 200, 400):
        make_group(confirmed_at=now - timedelta(days=days))
    make_group(confirmed_at=None)
    after = figures(dashboard(team), title)
    added = {label: after[label] - before[label] for label in after}
    assert added == {
        "Confirmed in the last 150 days": 1,
        "150 to 180 days ago: organisers are reminded": 1,
        "180 to 365 days ago: “may be out of date”": 2,
        "More than 365 days ago: out of search results": 1,
        "Never confirmed": 1,
    }


def test_the_charts_are_pictures_with_a_name_and_their_figures_in_a_table(team):
    html = dashboard(team)
    assert html.count('role="img"') == 3
    for chart in ("chart-provinces", "chart-topics", "chart-freshness"):
        assert f'aria-labelledby="{chart}-title"' in html
        assert f'<title id="{chart}-title">' in html
    assert html.count('<table class="figures">') == 3
    assert html.count("<details>") == 3
    assert "style=" not in html and "<script" not in html


def test_the_charts_draw_valid_numbers_on_every_language(client):
    client.force_login(make_moderator())
    group_in("5000")
    make_group(confirmed_at=None)
    for language in ("fr", "nl", "de"):
        html = client.get(f"/{language}/moderation/dashboard/").content.decode()
        widths = re.findall(r'<rect class="chart-bar" x="0" y="(\d+)" width="([\d.]+)%"', html)
        assert widths, language
        assert max(float(width) for _y, width in widths) == 80


def test_the_dashboard_asks_the_database_the_same_questions_however_many_groups(team):
    group_in("5000")
    dashboard(team)  # the first page of a session also loads what later pages find cached
    with CaptureQueriesContext(connection) as few:
        dashboard(team)
    for postcode in ("1000", "4000", "9000", "8000", "3500", "6600", "2000"):
        group_in(postcode, topics=[Topic.objects.get(slug="grief")])
    with CaptureQueriesContext(connection) as many:
        dashboard(team)
    assert len(many) == len(few)


def test_the_dashboard_is_for_our_team_only(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/account/login/" in response.url
    for user in (make_stranger(), make_organiser()):
        client.force_login(user)
        assert client.get(DASHBOARD).status_code == 404
