"""iCalendar (.ics) → listing data.

A recurring event (RRULE) is a group whose schedule is the rule; its EXDATEs and cancelled
occurrences (a RECURRENCE-ID with STATUS:CANCELLED) within the next HORIZON split the rule around
them, so the group's page never lists a session that will not happen; an RDATE or a moved
occurrence is a one-off session. Events without a rule are grouped by SUMMARY and LOCATION: each
group is one listing whose upcoming events are one-off sessions. The expansion is dateutil's.
"""

import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import icalendar
from dateutil import rrule
from django.utils.translation import gettext as _

from healingtogether.directory.models import BRUSSELS, Group, Topic
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.text import fold

from .entries import Entry, Parsed, belgian_postcode, plain_text, web_url

HORIZON = timedelta(days=366)
MAX_SEGMENTS = 24
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _local(value) -> datetime | None:
    """A DTSTART-like value as a naive Europe/Brussels datetime; None for an all-day date."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value  # floating time: read as Brussels time
        return value.astimezone(BRUSSELS).replace(tzinfo=None)
    return None


def _dates(component, name: str) -> list[datetime]:
    found = []
    values = component.get(name)
    if values is None:
        return found
    for value in values if isinstance(values, list) else [values]:
        for item in value.dts if hasattr(value, "dts") else [value]:
            moment = _local(item.dt)
            if moment is not None:
                found.append(moment)
            elif isinstance(item.dt, date):
                found.append(datetime.combine(item.dt, time()))
    return found


def _times(event) -> tuple[datetime, datetime] | None:
    start = _local(event.decoded("DTSTART")) if event.get("DTSTART") else None
    if start is None:
        return None
    if event.get("DTEND"):
        end = _local(event.decoded("DTEND")) or start + timedelta(hours=1)
    elif event.get("DURATION"):
        end = start + event.decoded("DURATION")
    else:
        end = start + timedelta(hours=1)
    if end <= start:
        end = start + timedelta(hours=1)
    if end.date() != start.date():
        end = datetime.combine(start.date(), time(23, 59))
    return start, end


def _one_off(start: datetime, end: datetime) -> dict:
    return {
        "freq": "WEEKLY",
        "interval": 1,
        "byday": "",
        "dtstart": start.date().isoformat(),
        "count": 1,
        "opens_at": start.time().isoformat("minutes"),
        "closes_at": end.time().isoformat("minutes"),
    }


def _rule_values(recur, start: datetime) -> dict | None:
    """Our schedule columns for an RRULE, or None when we cannot hold it."""
    freq = (recur.get("FREQ") or [""])[0]
    byday = [str(d) for d in recur.get("BYDAY") or []]
    values = {"interval": int((recur.get("INTERVAL") or [1])[0])}
    if freq == "DAILY" and values["interval"] == 1:
        freq, byday = "WEEKLY", DAYS
    if freq == "WEEKLY":
        values["freq"] = "WEEKLY"
        values["byday"] = ",".join(byday or [DAYS[start.weekday()]])
    elif freq == "MONTHLY":
        values["freq"] = "MONTHLY"
        positions = recur.get("BYSETPOS") or []
        if positions and len(byday) == 1:
            byday = [f"{positions[0]}{byday[0]}"]
        values["byday"] = ",".join(byday)
        values["bymonthday"] = ",".join(str(d) for d in recur.get("BYMONTHDAY") or [])
        if not byday and not values["bymonthday"]:
            values["bymonthday"] = str(start.day)
    else:
        return None
    if recur.get("UNTIL"):
        until = recur["UNTIL"][0]
        until = _local(until) or datetime.combine(until, time())
        values["until"] = until.date().isoformat()
    if recur.get("COUNT"):
        values["count"] = int(recur["COUNT"][0])
    return values


def _series(event, overrides: list, today: date, problem) -> list[dict] | None:
    times = _times(event)
    if times is None:
        problem(_("an all-day event has no time of day; left out"))
        return None
    start, end = times
    recur = event.get("RRULE")
    values = _rule_values(recur, start)
    if values is None:
        problem(
            _("this repetition (%(rule)s) cannot be shown; left out")
            % {"rule": recur.to_ical().decode()}
        )
        return None
    base = {
        **values,
        "dtstart": start.date().isoformat(),
        "opens_at": start.time().isoformat("minutes"),
        "closes_at": end.time().isoformat("minutes"),
    }
    rule = rrule.rrulestr(recur.to_ical().decode(), dtstart=start, ignoretz=True)
    if not isinstance(rule, rrule.rrule):
        return None
    now = datetime.combine(today, time())
    horizon = now + HORIZON
    cancelled = {d.date() for d in _dates(event, "EXDATE")}
    one_offs = [_one_off(d, d + (end - start)) for d in _dates(event, "RDATE") if d >= now]
    for override in overrides:
        original = _dates(override, "RECURRENCE-ID")
        if not original:
            continue
        cancelled.add(original[0].date())
        moved = _times(override)
        if str(override.get("STATUS", "")).upper() != "CANCELLED" and moved and moved[0] >= now:
            one_offs.append(_one_off(*moved))
    occurrences = [o.date() for o in rule.between(now, horizon, inc=True)]
    cancelled = sorted(d for d in cancelled if d in set(occurrences))[:MAX_SEGMENTS]
    if base.get("count"):
        # The rule ends after COUNT sessions: as a last date, so it can be split.
        last = list(rule)[-1]
        base["until"], base["count"] = last.date().isoformat(), None
    segments = []
    first = start.date()
    for day in cancelled:
        if first < day:
            segments.append(
                {
                    **base,
                    "dtstart": first.isoformat(),
                    "until": (day - timedelta(days=1)).isoformat(),
                }
            )
        following = rule.after(datetime.combine(day, start.time()), inc=False)
        if following is None:
            first = None
            break
        first = following.date()
    if first is not None:
        segments.append({**base, "dtstart": first.isoformat()})
    return [*segments, *one_offs]


class TopicMatcher:
    """Categories → topics, where a category is a topic's label or synonym in any language."""

    def __init__(self):
        self.words = {}
        for topic in Topic.objects.all():
            for language in CONTENT_LANGUAGES:
                self.words[fold(getattr(topic, f"label_{language}"))] = topic.slug
                for synonym in getattr(topic, f"synonyms_{language}").split(","):
                    if synonym.strip():
                        self.words.setdefault(fold(synonym), topic.slug)

    def match(self, categories) -> set[str]:
        return {self.words[fold(c)] for c in categories if fold(c) in self.words}


def _categories(event) -> list[str]:
    values = event.get("CATEGORIES")
    if values is None:
        return []
    found = []
    for value in values if isinstance(values, list) else [values]:
        found.extend(str(c) for c in value.cats)
    return found


def _data(event, language: str, defaults: dict, matcher: TopicMatcher, schedules: list) -> dict:
    where = plain_text(event.get("LOCATION"), 200)
    postcode = belgian_postcode(where)
    online = where.lower().startswith(("http://", "https://"))
    return {
        f"name_{language}": plain_text(event.get("SUMMARY"), 200),
        f"description_{language}": plain_text(event.get("DESCRIPTION"), 3000),
        "kind": Group.Kind.SUPPORT_GROUP,
        "format": Group.Format.ONLINE if online else Group.Format.IN_PERSON,
        "website": web_url(event.get("URL")) or (web_url(where) if online else ""),
        "topics": sorted({*defaults.get("topics", []), *matcher.match(_categories(event))}),
        "audiences": sorted(defaults.get("audiences", [])),
        "approaches": sorted(defaults.get("approaches", [])),
        "session_languages": [language],
        "evening": any(s["opens_at"] >= "18:00" for s in schedules),
        "locations": [{"address": where, "postcode": postcode}] if postcode else [],
        "schedules": schedules,
    }


def parse(body: bytes, language: str, defaults: dict, today: date) -> Parsed:
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except ValueError as error:
        raise ValueError(
            _("The feed is not a valid iCalendar file (%(error)s).") % {"error": error}
        ) from error
    parsed = Parsed()
    matcher = TopicMatcher()
    masters, overrides, singles = {}, defaultdict(list), defaultdict(list)
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID") or "").strip()[:200]
        if event.get("RECURRENCE-ID") is not None:
            overrides[uid].append(event)
        elif event.get("RRULE") is not None and uid:
            masters[uid] = event
        elif event.get("SUMMARY"):
            where = fold(plain_text(event.get("LOCATION")))
            singles[(fold(plain_text(event.get("SUMMARY"))), where)].append(event)
    for uid, event in masters.items():

        def problem(message, uid=uid):
            parsed.errors.append(f"{uid}: {message}")

        if not plain_text(event.get("SUMMARY")):
            problem(_("an event needs a SUMMARY"))
            continue
        schedules = _series(event, overrides.get(uid, []), today, problem)
        if schedules is None:
            continue
        entry = Entry(key=uid, data=_data(event, language, defaults, matcher, schedules))
        entry.hidden = str(event.get("STATUS", "")).upper() == "CANCELLED" or not schedules
        parsed.entries.append(entry)
    now = datetime.combine(today, time())
    for (summary, where), events in singles.items():
        schedules = []
        for event in events:
            times = _times(event)
            if times and times[0] >= now and str(event.get("STATUS", "")).upper() != "CANCELLED":
                schedules.append(_one_off(*times))
        if not schedules:
            continue  # over: it leaves the listings like a meeting the feed no longer has
        schedules.sort(key=lambda s: (s["dtstart"], s["opens_at"]))
        key = "events:" + hashlib.sha256(f"{summary}\n{where}".encode()).hexdigest()[:32]
        parsed.entries.append(
            Entry(key=key, data=_data(events[0], language, defaults, matcher, schedules))
        )
    return parsed
