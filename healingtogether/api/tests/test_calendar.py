"""Calendars: what a person's calendar app shows must be the sessions the group page lists."""

from datetime import date, datetime, time
from itertools import islice

import icalendar
import pytest
import time_machine
from dateutil.rrule import rrulestr
from django.utils import timezone, translation

from healingtogether.directory.models import Group, Schedule, Status
from healingtogether.directory.schedule_text import describe
from healingtogether.test import make_group, make_location, make_schedule

pytestmark = pytest.mark.django_db

# Before the switch to summer time (29 March 2026), so expansions cross it.
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.get_default_timezone())


def calendar_of(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def expand(event, after: datetime, n: int) -> list[datetime]:
    """The event's sessions after a moment, as a calendar app computes them."""
    start = event.decoded("dtstart")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return list(islice(rule.xafter(after, inc=True), n))


@pytest.fixture
def weekly():
    group = make_group(slug="weekly-circle", name_fr="Cercle du mardi", name_nl="Dinsdagkring")
    make_location(group, name="Salle Saint-Jean", address="Rue de Fer 1", postcode="5000")
    make_schedule(group)  # Tuesdays 19:00–21:00 from 6 January 2026
    return group


SCHEDULES = [
    {"freq": "WEEKLY", "byday": "TU"},
    {"freq": "WEEKLY", "interval": 2, "byday": "MO,TH"},
    {"freq": "MONTHLY", "byday": "2TU"},
    {"freq": "MONTHLY", "byday": "-1FR"},
    {"freq": "MONTHLY", "bymonthday": "15"},
    {"freq": "WEEKLY", "byday": "WE", "until": date(2026, 5, 13)},
    {"freq": "WEEKLY", "byday": "TH", "count": 12, "valid_from": date(2026, 2, 1)},
    {"freq": "WEEKLY", "byday": "FR", "valid_to": date(2026, 4, 30)},
    # A start date that is not a session day: the first session is the next Tuesday.
    {"freq": "WEEKLY", "byday": "TU", "dtstart": date(2026, 1, 1)},
]


@pytest.mark.parametrize(
    "rule", SCHEDULES, ids=lambda r: ";".join(f"{k}={v}" for k, v in r.items())
)
def test_the_calendar_gives_the_sessions_the_page_lists(client, rule):
    group = make_group(slug="rule-group")
    make_schedule(group, **{"dtstart": date(2026, 1, 6), **rule})
    with time_machine.travel(NOW, tick=False):
        calendar = calendar_of(client, "/en/groups/rule-group/calendar.ics")
        expected = group.next_sessions(25)
    (event,) = events(calendar)
    assert expand(event, NOW, 25) == expected
    assert all(start.hour == 19 for start in expected)


def test_several_schedules_together_give_the_groups_next_sessions(client):
    group = make_group(slug="two-rules")
    make_schedule(group, byday="TU")
    make_schedule(group, freq="MONTHLY", byday="1SA", opens_at=time(10), closes_at=time(12))
    with time_machine.travel(NOW, tick=False):
        calendar = calendar_of(client, "/en/groups/two-rules/calendar.ics")
        expected = group.next_sessions(8)
    found = sorted(start for event in events(calendar) for start in expand(event, NOW, 8))
    assert found[:8] == expected


def test_times_stay_brussels_times_with_the_zone_described(client, weekly):
    calendar = calendar_of(client, "/fr/groups/weekly-circle/calendar.ics")
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Brussels"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (event,) = events(calendar)
    assert event["dtstart"].params["TZID"] == "Europe/Brussels"
    summer = [s for s in expand(event, NOW, 10) if s.month == 4]
    assert summer and all((s.hour, s.utcoffset().seconds // 3600) == (19, 2) for s in summer)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_texts_and_links_are_in_the_language_of_the_address(client, weekly, lang):
    (event,) = events(calendar_of(client, f"/{lang}/groups/weekly-circle/calendar.ics"))
    with translation.override(lang):
        sentence = describe(weekly.schedules.get())
    assert str(event["summary"]) == {"fr": "Cercle du mardi", "nl": "Dinsdagkring"}[lang]
    assert str(event["url"]).endswith(f"/{lang}/groups/weekly-circle/")
    assert sentence in str(event["description"])
    assert str(event["location"]) == "Salle Saint-Jean, Rue de Fer 1, 5000"
    assert event["dtend"].dt.hour == 21


def test_a_group_without_schedule_or_not_listed_has_no_calendar(client, weekly):
    plain = make_group(slug="no-schedule")
    assert client.get(f"/en/groups/{plain.slug}/calendar.ics").status_code == 404
    Group.objects.filter(pk=weekly.pk).update(status=Status.PENDING)
    assert client.get("/en/groups/weekly-circle/calendar.ics").status_code == 404
    assert client.get("/en/groups/unknown/calendar.ics").status_code == 404


def test_a_schedule_that_never_meets_gives_no_calendar(client):
    group = make_group(slug="never")
    make_schedule(group, valid_from=date(2026, 2, 1), valid_to=date(2026, 2, 2))  # no Tuesday
    assert client.get("/en/groups/never/calendar.ics").status_code == 404


def test_a_search_is_a_feed_of_its_groups_sessions(client, weekly):
    other = make_group(slug="other", name_fr="Autre chose")
    make_schedule(other, byday="FR")
    calendar = calendar_of(client, "/fr/search/calendar.ics?q=mardi")
    assert [str(e["summary"]) for e in events(calendar)] == ["Cercle du mardi"]
    assert "mardi" in str(calendar["x-wr-calname"])
    everything = calendar_of(client, "/fr/search/calendar.ics")
    assert {"Cercle du mardi", "Autre chose"} <= {str(e["summary"]) for e in events(everything)}


def test_a_bad_search_is_a_400_in_words(client):
    response = client.get("/fr/search/calendar.ics", {"radius_km": "900"})
    assert response.status_code == 400
    assert response.content.decode().startswith("radius_km:")


def test_a_calendar_revalidates_with_its_etag(client, weekly):
    response = client.get("/en/groups/weekly-circle/calendar.ics")
    again = client.get("/en/groups/weekly-circle/calendar.ics", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    Schedule.objects.filter(group=weekly).update(opens_at=time(18))
    Group.objects.filter(pk=weekly.pk).update(updated_at=timezone.now())
    changed = client.get(
        "/en/groups/weekly-circle/calendar.ics", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert changed.status_code == 200
