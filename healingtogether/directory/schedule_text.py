"""A schedule in plain words, in the page's language: "Every second Tuesday of the month,
19:00–21:00, from 6 January 2026".

People read when a group meets, not RRULEs. Each sentence is one translatable string with named
placeholders, so a translator can reorder the parts; ordinals come from a small table of translated
phrases, and weekday and month names from Django's own translated catalogue.
"""

from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext, pgettext

from healingtogether.directory import listing
from healingtogether.directory.models import Schedule

# The order of the RRULE day codes matches Django's WEEKDAYS (0 is Monday).
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# The same date format the group pages use ("6 January 2026").
DATE_FORMAT = "DATE_FORMAT"  # each language's own, see healingtogether/formats


def describe(schedule) -> str:
    """When the schedule's sessions take place, as one sentence in the active language.

    `schedule` is a Schedule, saved or not (the schedule builder previews before anything is
    stored), or a dict of its fields as `listing.data_of()` gives them (a revision's data).
    The free-text note is not included: pages show it on its own.
    """
    schedule = as_schedule(schedule)
    sentence = {
        "rule": _rule(schedule),
        "start": schedule.opens_at.strftime("%H:%M"),
        "end": schedule.closes_at.strftime("%H:%M"),
        "first": date_format(schedule.dtstart, DATE_FORMAT),
    }
    if schedule.until:
        sentence["last"] = date_format(schedule.until, DATE_FORMAT)
        text = gettext("%(rule)s, %(start)s–%(end)s, from %(first)s until %(last)s") % sentence
    else:
        text = gettext("%(rule)s, %(start)s–%(end)s, from %(first)s") % sentence
    if schedule.count:
        text = ngettext(
            "%(text)s, %(count)d session", "%(text)s, %(count)d sessions", schedule.count
        ) % {"text": text, "count": schedule.count}
    return text


def as_schedule(value) -> Schedule:
    """A Schedule from a dict of its fields (ISO strings for dates and times), or as it is."""
    if isinstance(value, Schedule):
        return value
    return listing.schedule_from(value)


def weekday_name(code: str) -> str:
    """ "TU" -> "Tuesday", translated."""
    return str(WEEKDAYS[DAY_CODES.index(code)])


def ordinal_phrase(position: int) -> str:
    """The translated ordinal of an RRULE weekday position: 2 -> "second", -1 -> "last"."""
    phrases = {
        1: pgettext("weekday of the month", "first"),
        2: pgettext("weekday of the month", "second"),
        3: pgettext("weekday of the month", "third"),
        4: pgettext("weekday of the month", "fourth"),
        5: pgettext("weekday of the month", "fifth"),
        -1: pgettext("weekday of the month", "last"),
        -2: pgettext("weekday of the month", "second to last"),
    }
    return phrases.get(position) or str(position)


def day_of_month(day: int) -> str:
    """A day of the month as an ordinal: 1 -> "1st", 15 -> "15th" (translators set the suffix)."""
    if day == 1:
        # The first has its own message: French says "le 1er" but "le 21".
        text = pgettext("day of the month 1", "%(day)dst")
    elif day % 100 in (11, 12, 13):
        text = pgettext("day of the month 11, 12, 13", "%(day)dth")
    elif day % 10 == 1:
        text = pgettext("day of the month 21, 31", "%(day)dst")
    elif day % 10 == 2:
        text = pgettext("day of the month 2, 22", "%(day)dnd")
    elif day % 10 == 3:
        text = pgettext("day of the month 3, 23", "%(day)drd")
    else:
        text = pgettext("day of the month 4 to 20, 24 to 30", "%(day)dth")
    return text % {"day": day}


def parse_days(byday: str) -> list[tuple[int | None, str]]:
    """ "2TU,-1FR,MO" -> [(2, "TU"), (-1, "FR"), (None, "MO")]; unknown tokens are skipped."""
    days = []
    for token in (t.strip().upper() for t in byday.split(",")):
        code, position = token[-2:], token[:-2]
        if code not in DAY_CODES:
            continue
        try:
            days.append((int(position) if position else None, code))
        except ValueError:
            continue
    return days


def _and(items: list[str]) -> str:
    return str(get_text_list(items, pgettext("joining the last item of a list", "and")))


def _rule(schedule) -> str:
    if schedule.freq == "MONTHLY":
        return _monthly(schedule)
    return _weekly(schedule)


def _weekly(schedule) -> str:
    codes = [code for _position, code in parse_days(schedule.byday)]
    # Without days, the sessions fall on the first date's weekday (as in the RRULE).
    codes = codes or [DAY_CODES[schedule.dtstart.weekday()]]
    days = _and([weekday_name(code) for code in codes])
    interval = schedule.interval or 1
    if interval == 1:
        return gettext("Every week on %(days)s") % {"days": days}
    return ngettext(
        "Every %(count)d week on %(days)s", "Every %(count)d weeks on %(days)s", interval
    ) % {"count": interval, "days": days}


def _monthly(schedule) -> str:
    interval = schedule.interval or 1
    days = parse_days(schedule.byday)
    placed = [(position, code) for position, code in days if position]
    if placed:
        phrase = _and(
            [
                pgettext("nth weekday", "%(ordinal)s %(weekday)s")
                % {"ordinal": ordinal_phrase(position), "weekday": weekday_name(code)}
                for position, code in placed
            ]
        )
        if interval == 1:
            return gettext("Every %(days)s of the month") % {"days": phrase}
        return ngettext(
            "Every %(count)d month on the %(days)s",
            "Every %(count)d months on the %(days)s",
            interval,
        ) % {"count": interval, "days": phrase}
    if days:
        # Plain weekdays in a monthly rule: every such weekday, in every nth month.
        weekdays = _and([weekday_name(code) for _position, code in days])
        if interval == 1:
            return gettext("Every week on %(days)s") % {"days": weekdays}
        return ngettext(
            "Every %(days)s, every %(count)d month",
            "Every %(days)s, every %(count)d months",
            interval,
        ) % {"count": interval, "days": weekdays}
    month_days = [int(d) for d in schedule.bymonthday.split(",") if d.strip().isdigit()]
    # Without days, the sessions fall on the first date's day of the month (as in the RRULE).
    month_days = sorted(set(month_days)) or [schedule.dtstart.day]
    phrase = _and([day_of_month(day) for day in month_days])
    if interval == 1:
        return gettext("On the %(days)s of every month") % {"days": phrase}
    return ngettext(
        "On the %(days)s, every %(count)d month",
        "On the %(days)s, every %(count)d months",
        interval,
    ) % {"count": interval, "days": phrase}
