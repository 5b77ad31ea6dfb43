from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from healingtogether.directory.models import Group
from healingtogether.test import make_group, make_schedule

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_it_stores_the_next_session_and_moves_it_as_days_pass():
    group = make_group()
    make_schedule(group, byday="TU", dtstart=date(2026, 1, 6))
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=BRUSSELS), tick=False):
        call_command("refresh_next_sessions", verbosity=0)
    group.refresh_from_db()
    assert group.next_session_at == datetime(2026, 3, 3, 19, 0, tzinfo=BRUSSELS)
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=BRUSSELS), tick=False):
        call_command("refresh_next_sessions", verbosity=0)
    group.refresh_from_db()
    assert group.next_session_at == datetime(2026, 3, 10, 19, 0, tzinfo=BRUSSELS)


def test_a_group_without_schedule_has_no_next_session():
    group = make_group()
    call_command("refresh_next_sessions", verbosity=0)
    assert Group.objects.get(pk=group.pk).next_session_at is None
