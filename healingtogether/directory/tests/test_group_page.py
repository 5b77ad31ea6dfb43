"""The public page of a group: every fact a seeker needs, said plainly, and how fresh it is."""

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from healingtogether.directory.models import Approach, Audience, Group, Language, Schedule, Topic
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location, make_schedule

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Wednesday. Groups in these tests were last confirmed then, unless a test says otherwise.
CONFIRMED = datetime(2027, 3, 3, 12, 0, tzinfo=BRUSSELS)


def page(client, group, lang="en"):
    response = client.get(f"/{lang}/groups/{group.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page as a person reads it: tags dropped, spaces tidied."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def complete():
    """A group with every fact filled in, meeting in Namur every Tuesday evening."""
    group = make_group(
        name_en="Grief circle Namur",
        description_en="A group for people who **lost someone**.\n\n- we talk\n- we listen",
        facilitation=Group.Facilitation.CO_FACILITATED,
        format=Group.Format.IN_PERSON,
        age_min=18,
        age_max=65,
        cohort=Group.Cohort.CLOSED,
        next_start=date(2027, 4, 6),
        seats_left=3,
        cost=Group.Cost.PAID,
        cost_amount="€12 per session",
        referral_required=False,
        step_free=True,
        hearing_loop=True,
        childcare=True,
        evening=True,
        contact_person="Marie Dupont",
        phone="+32 81 00 00 00",
        hours_en="Call on weekdays between 9:00 and 12:00",
        confirmed_at=CONFIRMED,
        topics=[Topic.objects.get(slug="grief")],
        audiences=Audience.objects.filter(slug="adults"),
        languages=Language.objects.filter(slug="fr"),
    )
    group.approaches.set(Approach.objects.all()[:1])
    make_location(
        group,
        name="Maison des associations",
        address="Rue de Fer 1",
        postcode="5000",
        municipality=Municipality.objects.get(name_fr="Namur"),
        access_notes="Lift at the back entrance",
    )
    make_schedule(group, note="Bring something to drink")
    return group


def test_the_page_shows_every_fact_a_seeker_needs(client, complete):
    with time_machine.travel(CONFIRMED, tick=False):
        html = page(client, complete)
    text = text_of(html)
    approach = complete.approaches.get()
    for fact in [
        "Support group",
        "Co-led by a professional and a peer",
        "Maison des associations",
        "Rue de Fer 1",
        "5000 Namur",
        "Lift at the back entrance",
        "Every week on Tuesday, 19:00–21:00, from 6 January 2026",
        "Bring something to drink",
        "Call on weekdays between 9:00 and 12:00",
        "Closed group, next start date announced",
        "The next group starts on 6 April 2027.",
        "3 places left.",
        "Paid: €12 per session",
        "No referral needed.",
        "Step-free access",
        "Hearing loop",
        "Childcare during the sessions",
        "Meets in the evening",
        "From 18 to 65 years old",
        "Adults",
        "Grief",
        approach.label_en,
        "French",
        "Contact person: Marie Dupont",
        "+32 81 00 00 00",
        "Confirmed by the organiser on 3 March 2027",
    ]:
        assert fact in text, fact


def test_each_term_is_under_its_own_heading_in_order_and_read_in_one_query(client):
    """A group's topics, audiences, approaches and session languages each show under their own
    heading, in the terms' order, in the page's language; the four are read in one query."""
    group = make_group(
        topics=Topic.objects.filter(slug__in=["grief", "anxiety"]),
        audiences=Audience.objects.filter(slug="adults"),
        languages=Language.objects.filter(slug__in=["nl", "fr"]),
    )
    group.approaches.set(Approach.objects.order_by("slug")[:1])
    approach = Approach.objects.order_by("slug").first()
    page(client, group, "en")  # the search snapshot is made, for similar groups
    with CaptureQueriesContext(connection) as queries:
        text = text_of(page(client, group, "fr"))
    assert (
        f"Approche {approach.label_fr} Thèmes abordés Anxiété et panique, Deuil et perte"
        " S’adresse à Adultes Langues parlées Français, Néerlandais"
    ) in text
    links = [q for q in queries.captured_queries if "directory_group_topics" in q["sql"]]
    assert len(links) == 1 and "directory_group_session_languages" in links[0]["sql"]


def test_the_next_five_dates_are_listed_in_local_time_across_the_clock_change(client, complete):
    # Belgium moves to summer time on 28 March 2027; sessions stay at 19:00 local time.
    with time_machine.travel(CONFIRMED, tick=False):
        text = text_of(page(client, complete))
    dates = re.findall(r"Tuesday \d+ \w+ 2027, 19:00", text)
    assert dates == [
        "Tuesday 9 March 2027, 19:00",
        "Tuesday 16 March 2027, 19:00",
        "Tuesday 23 March 2027, 19:00",
        "Tuesday 30 March 2027, 19:00",
        "Tuesday 6 April 2027, 19:00",
    ]


def test_a_monthly_schedule_is_described_in_words(client):
    group = make_group()
    make_schedule(group, freq=Schedule.Freq.MONTHLY, byday="2TU", opens_at=time(18, 30))
    assert "Every second Tuesday of the month, 18:30–21:00" in text_of(page(client, group))


def test_an_online_group_says_it_can_be_joined_from_anywhere(client):
    group = make_group(format=Group.Format.ONLINE)
    assert "Online, from anywhere in Belgium." in text_of(page(client, group))


def test_a_hybrid_group_gives_its_address_and_says_it_is_also_online(client):
    group = make_group(format=Group.Format.HYBRID)
    make_location(group, address="Place d'Armes 1")
    text = text_of(page(client, group))
    assert "Place d'Armes 1" in text
    assert "You can also join online, from anywhere in Belgium." in text


def test_a_group_with_no_seat_left_says_so(client):
    group = make_group(seats_left=0, cohort=Group.Cohort.WAITING_LIST)
    text = text_of(page(client, group))
    assert "No places left at the moment." in text
    assert "Waiting list" in text


@pytest.mark.parametrize(
    "facilitation, words",
    [
        (
            Group.Facilitation.PEER,
            "Peer-led. The people who lead it have lived through the same thing themselves",
        ),
        (Group.Facilitation.PROFESSIONAL, "Led by a professional. A qualified professional"),
    ],
)
def test_who_leads_the_group_is_said_plainly(client, facilitation, words):
    group = make_group(facilitation=facilitation)
    text = text_of(page(client, group))
    assert words in text
    assert "Who leads it" in text


def test_peer_led_is_never_put_as_something_lesser(client):
    text = text_of(page(client, make_group(facilitation=Group.Facilitation.PEER)))
    for belittling in ["only peer", "not a professional", "unqualified", "no professional"]:
        assert belittling not in text.lower()


def test_the_description_is_rendered_from_markdown_and_raw_html_is_escaped(client):
    group = make_group(
        description_en="We **listen**.\n\n<script>alert('x')</script> <img src=x onerror=alert(1)>"
    )
    html = page(client, group)
    assert "<strong>listen</strong>" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


def test_an_unchecked_credential_is_never_shown(client):
    group = make_group(credential_kind="inami", credential_number="1-23456-78-901")
    html = page(client, group)
    assert "1-23456-78-901" not in html
    assert "Credentials checked" not in html


def test_a_checked_credential_says_when_our_team_checked_it(client):
    group = make_group(
        credential_kind="inami",
        credential_number="1-23456-78-901",
        credential_checked_at=datetime(2027, 2, 10, 9, 0, tzinfo=BRUSSELS),
    )
    assert "Credentials checked by our team on 10 February 2027." in text_of(page(client, group))


@pytest.mark.parametrize(
    "days, stale, expired",
    [(179, False, False), (181, True, False), (364, True, False), (366, True, True)],
)
def test_the_page_warns_when_the_details_may_be_out_of_date(client, days, stale, expired):
    group = make_group(confirmed_at=CONFIRMED)
    with time_machine.travel(CONFIRMED + timedelta(days=days), tick=False):
        text = text_of(page(client, group))
    assert "Confirmed by the organiser on 3 March 2027" in text
    gentle = (
        "These details may be out of date: the organiser last confirmed them on 3 March 2027. "
        "Check with them before you go."
    )
    assert (gentle in text) is (stale and not expired)
    assert ("no longer appears in search results" in text) is expired


def test_the_page_answers_without_a_cookie_and_offers_to_report_a_problem(client):
    group = make_group()
    response = client.get(f"/en/groups/{group.slug}/")
    assert "Set-Cookie" not in response.headers
    html = response.content.decode()
    assert "Something wrong on this page? Tell us" in html
    assert f'action="/en/groups/{group.slug}/report/"' in html
    assert "csrfmiddlewaretoken" not in html


def test_the_robot_trap_is_out_of_sight_and_out_of_reach(client):
    html = page(client, make_group())
    trap = re.search(r'<div class="trap">(.*?)</div>', html, re.S).group(1)
    assert "Leave this field empty" in trap
    field = re.search(r"<input[^>]*>", trap).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert '<label for="report-message">' in html


def test_a_network_page_offers_to_report_a_problem_too(client):
    html = client.get("/en/networks/brumenta/").content.decode()
    assert 'action="/en/groups/brumenta/report/"' in html


def test_a_group_confirmed_just_now_has_no_warning(client):
    group = make_group(confirmed_at=timezone.now())
    html = page(client, group)
    assert "notice" not in html


def test_a_kept_page_costs_no_query_and_a_change_shows_at_once(
    client, django_assert_max_num_queries
):
    """Group pages are kept in memory for visitors (healingtogether/views.py), under the search
    snapshot's version: the second visit reads nothing but that version, and a change written
    through the listing writer is on the next visit."""
    from healingtogether.directory import listing

    group = make_group(name_en="Tuesday circle")
    assert "Tuesday circle" in page(client, group)
    with django_assert_max_num_queries(2):  # the snapshot's check for changes
        assert "Tuesday circle" in page(client, group)
    listing.save(group, {"name_en": "Wednesday circle"})
    html = page(client, group)
    assert "Wednesday circle" in html and "Tuesday circle" not in html
    # Someone signed in (an organiser looking at their own group) gets the page made afresh.
    client.cookies["sessionid"] = "anything"
    with django_assert_max_num_queries(30) as queries:
        page(client, group)
    assert len(queries) > 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL server")
def test_postgresql_plans_a_group_page_query_once_for_the_next_pages(client):
    """Each group's page made for the first time runs the same few queries: from the sixth
    page on, PostgreSQL runs them as statements prepared on the connection instead of planning
    them again (settings.DB_PREPARED_STATEMENTS)."""
    groups = [make_group(name_en=f"Circle {n}") for n in range(7)]
    for n, group in enumerate(groups):
        assert f"Circle {n}" in page(client, group)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("directory_location" in statement for statement in prepared), prepared
