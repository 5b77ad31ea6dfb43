from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone, translation

from healingtogether.directory.models import STALE_AFTER, Group
from healingtogether.test import make_group, make_schedule

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_group_speaks_the_pages_language_when_it_can():
    group = make_group(name_fr="Groupe", name_nl="Groep", description_fr="Texte")
    with translation.override("nl"):
        assert group.name == "Groep"
        assert group.description == "Texte"
        assert group.description_language == "fr"
    with translation.override("de"):
        assert group.name == "Groupe"


def test_a_groups_kind_and_format_are_said_in_the_pages_language():
    """The labels of a group's fixed choices, in each language a page asks in; a value that is
    not one of the choices (an old row) is shown as it is."""
    group = make_group(kind=Group.Kind.SUPPORT_GROUP, format=Group.Format.ONLINE)
    with translation.override("nl"):
        assert group.get_kind_display() == "Steungroep"
    with translation.override("fr"):
        assert group.get_kind_display() == "Groupe de soutien"
        assert group.get_format_display() == "En ligne"
    with translation.override("de"):
        assert group.get_kind_display() == "Selbsthilfegruppe"
    group.kind = "retired_kind"
    assert group.get_kind_display() == "retired_kind"


def test_a_group_needs_a_name_in_some_language():
    with pytest.raises(IntegrityError):
        make_group(name_fr="")


def test_the_age_range_must_be_in_order():
    with pytest.raises(IntegrityError):
        make_group(age_min=30, age_max=18)


def test_a_weekly_schedule_gives_the_next_sessions_in_brussels_time():
    schedule = make_schedule(make_group(), byday="TU", interval=2, dtstart=date(2026, 1, 6))
    after = datetime(2026, 3, 20, 12, 0, tzinfo=BRUSSELS)
    sessions = schedule.upcoming(3, after=after)
    assert [s.date() for s in sessions] == [date(2026, 3, 31), date(2026, 4, 14), date(2026, 4, 28)]
    # 31 March is after the switch to summer time: still 19:00 on the clock.
    assert sessions[0].astimezone(BRUSSELS).time() == time(19, 0)


def test_a_monthly_schedule_on_the_second_tuesday():
    schedule = make_schedule(make_group(), freq="MONTHLY", byday="2TU", dtstart=date(2026, 1, 1))
    sessions = schedule.upcoming(2, after=datetime(2026, 1, 1, tzinfo=BRUSSELS))
    assert [s.date() for s in sessions] == [date(2026, 1, 13), date(2026, 2, 10)]


def test_a_schedule_stops_after_its_last_date():
    schedule = make_schedule(make_group(), dtstart=date(2026, 1, 6), until=date(2026, 1, 20))
    sessions = schedule.upcoming(5, after=datetime(2026, 1, 1, tzinfo=BRUSSELS))
    assert [s.date() for s in sessions] == [date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20)]


def test_the_stale_queryset_and_is_stale_agree_around_the_limit():
    now = timezone.now()
    groups = {
        "just inside": make_group(confirmed_at=now - STALE_AFTER + timedelta(seconds=1)),
        "on the limit": make_group(confirmed_at=now - STALE_AFTER),
        "just outside": make_group(confirmed_at=now - STALE_AFTER - timedelta(seconds=1)),
        "never confirmed": make_group(confirmed_at=None),
    }
    with time_machine.travel(now, tick=False):
        stale = set(Group.objects.stale().values_list("pk", flat=True))
        for label, group in groups.items():
            group.refresh_from_db()
            assert (group.pk in stale) == group.is_stale, label
    assert {label for label, group in groups.items() if group.pk in stale} == {
        "just outside",
        "never confirmed",
    }
