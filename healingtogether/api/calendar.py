"""Calendars: every group with a schedule as an iCalendar file a person adds to their own
calendar, and any search as a feed a calendar app subscribes to.

Each schedule becomes one recurring event (RRULE) in Europe/Brussels time, with that zone's
VTIMEZONE, so calendars show 19:00 in winter and in summer alike. The event starts on the
schedule's first real session (a schedule's own start date need not be one), and the validity
window of the schedule becomes the rule's end, so a calendar shows exactly the sessions the group
page lists (`Group.next_sessions`).
"""

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group
from healingtogether.directory.schedule_text import describe
from healingtogether.lib.emails import absolute_url
from healingtogether.search import engine

from .hsds.vocabulary import child_id
from .http import open_data

BRUSSELS = ZoneInfo("Europe/Brussels")
TZID = "Europe/Brussels"
# A feed for a search carries this many groups at most: a calendar, not a database dump.
FEED_GROUPS = 100


def _vtimezone() -> icalendar.Timezone:
    """Europe/Brussels as the EU's summer-time rule (since 1996): two recurring transitions,
    valid for every year, instead of a list of dates that runs out."""
    zone = icalendar.Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    for kind, name, month, offset_from, offset_to, hour in (
        (icalendar.TimezoneDaylight, "CEST", 3, 1, 2, 2),
        (icalendar.TimezoneStandard, "CET", 10, 2, 1, 3),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("tzoffsetfrom", timedelta(hours=offset_from))
        part.add("tzoffsetto", timedelta(hours=offset_to))
        part.add("dtstart", datetime(1996, month, 31 if month == 3 else 27, hour))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        zone.add_component(part)
    return zone


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Healing Together//Group calendars//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    # Subscribed calendars check for changes twice a day.
    calendar.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    calendar.add_component(_vtimezone())
    return calendar


def _where(group) -> str:
    places = []
    for location in group.locations.all():
        municipality = location.municipality.name if location.municipality else ""
        town = " ".join(filter(None, (location.postcode, municipality)))
        places.append(", ".join(filter(None, (location.name, location.address, town))))
    if group.format == Group.Format.ONLINE or (not places and group.format):
        places.append(_("Online"))
    return "; ".join(places)


def _rule(schedule, first: datetime) -> dict | None:
    """The RRULE that, starting at `first`, gives the same sessions as the schedule."""
    rule = {"freq": schedule.freq.lower(), "interval": schedule.interval, "wkst": "MO"}
    days = [d.strip() for d in schedule.byday.split(",") if d.strip()]
    if days:
        rule["byday"] = days
    monthdays = [int(d) for d in schedule.bymonthday.split(",") if d.strip()]
    if monthdays:
        rule["bymonthday"] = monthdays
    last = min(filter(None, (schedule.until, schedule.valid_to)), default=None)
    if schedule.count:
        # Sessions before valid_from use up the count without taking place: count what is left.
        rule["count"] = len(schedule.upcoming(schedule.count, after=first - timedelta(seconds=1)))
    elif last:
        end = timezone.make_aware(datetime.combine(last, time(23, 59, 59)), BRUSSELS)
        rule["until"] = end.astimezone(ZoneInfo("UTC"))
    return rule


def first_session(schedule) -> datetime | None:
    """The schedule's first real session, past or future (its start date need not be one)."""
    start_of_rule = timezone.make_aware(datetime.combine(schedule.dtstart, time.min), BRUSSELS)
    found = schedule.upcoming(1, after=start_of_rule)
    return found[0].astimezone(BRUSSELS) if found else None


def has_calendar(group) -> bool:
    """Whether the group's calendar has any session: it has a schedule that ever meets."""
    return any(first_session(schedule) for schedule in group.schedules.all())


def _event(group, index: int, schedule, url: str) -> icalendar.Event | None:
    start = first_session(schedule)
    if start is None:
        return None
    end = start.replace(
        hour=schedule.closes_at.hour,
        minute=schedule.closes_at.minute,
        second=schedule.closes_at.second,
    )
    event = icalendar.Event()
    host = urlsplit(settings.SITE_URL).hostname or "healingtogether"
    event.add("uid", f"{child_id(group.public_id, 'schedule', index)}@{host}")
    event.add("dtstamp", group.updated_at)
    event.add("last-modified", group.updated_at)
    event.add("summary", group.name)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("rrule", _rule(schedule, start))
    location = _where(group)
    if location:
        event.add("location", location)
    event.add("url", url)
    lines = [describe(schedule)]
    if schedule.note:
        lines.append(schedule.note)
    if group.description:
        lines += ["", group.description]
    lines += ["", url]
    event.add("description", "\n".join(lines))
    return event


def add_group(calendar: icalendar.Calendar, group) -> int:
    """Add a group's schedules as events; returns how many."""
    url = absolute_url(group.get_absolute_url())
    added = 0
    for index, schedule in enumerate(sorted(group.schedules.all(), key=lambda s: s.pk)):
        event = _event(group, index, schedule, url)
        if event is not None:
            calendar.add_component(event)
            added += 1
    return added


def _ics(calendar: icalendar.Calendar, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _with_schedules(groups):
    return groups.select_related("organisation").prefetch_related(
        "schedules", "locations__municipality"
    )


@open_data
def group_calendar(request, slug):
    """The sessions of one listed group; 404 when it has no schedule."""
    group = get_object_or_404(_with_schedules(Group.objects.listed()), slug=slug)
    calendar = _calendar(group.name)
    if not add_group(calendar, group):
        raise Http404
    return _ics(calendar, f"{group.slug}.ics", attachment=True)


@open_data
def search_calendar(request):
    """The sessions of the groups a search finds (its first 100), to subscribe to."""
    data = engine.from_querydict(request.GET)
    data.update(page="1", page_size=str(FEED_GROUPS), sort="next_session")
    try:
        results = engine.run(engine.parse(data))
    except engine.SearchError as error:
        text = "\n".join(f"{name}: {message}" for name, message in error.errors.items())
        return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    words = " · ".join(filter(None, (results.params.q, results.params.near)))
    title = (
        _("Healing Together: %(search)s") % {"search": words}
        if words
        else _("Healing Together: groups")
    )
    calendar = _calendar(title)
    groups = _with_schedules(Group.objects.filter(pk__in=[g.pk for g in results.groups]))
    for group in sorted(groups, key=lambda g: g.slug):
        add_group(calendar, group)
    return _ics(calendar, "healing-together.ics", attachment=False)
