"""Meeting Guide JSON (the specification in code4recovery/spec) → listing data.

Each meeting is a group of its own: `slug` is its stable key; `day`, `time`, `end_time` and
`timezone` give a weekly schedule; the address gives a place when it is Belgian; `types` give
languages, drop-in, step-free access and childcare, audiences, and words for the page in each
of our languages where types.json names them. Meeting Guide groups are peer-led 12-step
support groups.
"""

import json
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import translation
from django.utils.translation import gettext as _

from healingtogether.directory.models import BRUSSELS, Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES

from ..entries import (
    Entry,
    Parsed,
    belgian_postcode,
    in_belgium,
    is_belgian_country,
    plain_text,
    web_url,
)

TYPES_FILE = Path(__file__).with_name("types.json")
# day 0 is Sunday in the specification.
DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
# Meeting type codes that are languages → our session languages (data/taxonomy.json).
LANGUAGES = {
    "FR": "fr",
    "NL": "nl",
    "DE": "de",
    "EN": "en",
    "AR": "ar",
    "TUR": "tr",
    "S": "es",
    "ITA": "it",
    "POL": "pl",
    "UK": "uk",
    "RUS": "ru",
    "POR": "pt",
}
AUDIENCES = {
    "W": "women",
    "M": "men",
    "Y": "young_adults",
    "SEN": "seniors",
    "BE": "newcomers",
    "LGBTQ": "lgbtqia",
    "G": "lgbtqia",
    "L": "lgbtqia",
    "BI": "lgbtqia",
    "T": "lgbtqia",
    "NB": "lgbtqia",
    "P": "professionals",
}
# Said in other ways than words: open (drop in), closed (a sentence), temporarily closed,
# step-free access, childcare, and the codes above.
HANDLED = {"O", "C", "TC", "X", "BA", *LANGUAGES, *AUDIENCES}


@cache
def type_names() -> dict:
    return json.loads(TYPES_FILE.read_text(encoding="utf-8"))


def type_name(code: str, language: str) -> str:
    names = type_names().get(code) or {}
    return names.get(language) or names.get("en") or ""


def _clock(value) -> tuple[int, int] | None:
    text = str(value or "").strip()
    try:
        moment = datetime.strptime(text[:5], "%H:%M")
    except ValueError:
        return None
    return moment.hour, moment.minute


def _days(value) -> list[int] | None:
    values = value if isinstance(value, list) else [value]
    days = []
    for item in values:
        if isinstance(item, bool):
            return None
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if not isinstance(item, int) or not 0 <= item <= 6:
            return None
        if item not in days:
            days.append(item)
    return days or None


def _next(day: int, today: date) -> date:
    """The next date on or after `today` that falls on Meeting Guide `day` (0 = Sunday)."""
    wanted = (day - 1) % 7  # Python: Monday is 0
    return today + timedelta(days=(wanted - today.weekday()) % 7)


def _schedules(record: dict, zone, today: date, problem) -> list[dict] | None:
    days = _days(record.get("day"))
    start = _clock(record.get("time"))
    if days is None or start is None:
        problem(_("no weekly day and time (a meeting by appointment is left out)"))
        return None
    end = _clock(record.get("end_time")) if record.get("end_time") else None
    schedules: dict[tuple, dict] = {}
    for day in days:
        first = _next(day, today)
        opens = datetime(first.year, first.month, first.day, *start, tzinfo=zone)
        closes = (
            datetime(first.year, first.month, first.day, *end, tzinfo=zone)
            if end
            else opens + timedelta(hours=1)
        )
        if closes <= opens:
            closes = opens + timedelta(hours=1)
        opens, closes = opens.astimezone(BRUSSELS), closes.astimezone(BRUSSELS)
        if closes.date() != opens.date():
            closes = opens.replace(hour=23, minute=59)
        when = (opens.time().isoformat("minutes"), closes.time().isoformat("minutes"))
        schedule = schedules.setdefault(
            when,
            {
                "freq": "WEEKLY",
                "interval": 1,
                "byday": [],
                "dtstart": opens.date().isoformat(),
                "opens_at": when[0],
                "closes_at": when[1],
            },
        )
        schedule["byday"].append(DAYS[(opens.weekday() + 1) % 7])
        schedule["dtstart"] = min(schedule["dtstart"], opens.date().isoformat())
    for schedule in schedules.values():
        schedule["byday"] = ",".join(schedule["byday"])
    return list(schedules.values())


def _description(notes: str, types: list[str]) -> dict:
    """The notes, and what the types say, in each of our languages."""
    words = [code for code in types if code not in HANDLED and code in type_names()]
    texts = {}
    for language in CONTENT_LANGUAGES:
        with translation.override(language):
            parts = [notes] if notes else []
            if "C" in types:
                parts.append(
                    _(
                        "Closed meeting: for people who have a desire to stop drinking "
                        "(or to stop the addiction the fellowship is about)."
                    )
                )
            if "O" in types:
                parts.append(_("Open meeting: anyone may come, relatives and friends included."))
            if words:
                names = ", ".join(type_name(code, language) for code in words)
                parts.append(_("Meeting types: %(types)s.") % {"types": names})
        texts[f"description_{language}"] = "\n\n".join(parts)
    return texts


def _location(record: dict, entry: Entry) -> dict | None:
    if str(record.get("approximate") or "").lower() == "yes":
        return None
    country = record.get("country")
    postcode = ""
    if is_belgian_country(country):
        postcode = belgian_postcode(
            record.get("postal_code"), record.get("formatted_address"), record.get("address")
        )
    described = ", ".join(
        plain_text(record.get(name))
        for name in ("address", "postal_code", "city", "country", "formatted_address")
        if record.get(name)
    )
    if not postcode:
        if described:
            entry.flags.append(
                _("The address is not a Belgian one we know, so it has no place: %(address)s")
                % {"address": described[:200]}
            )
        return None
    location = {
        "name": plain_text(record.get("location"), 200),
        "address": plain_text(record.get("address") or record.get("formatted_address"), 200),
        "postcode": postcode,
    }
    try:
        latitude, longitude = float(record["latitude"]), float(record["longitude"])
    except (KeyError, TypeError, ValueError):
        latitude = longitude = None
    if latitude is not None and in_belgium(latitude, longitude):
        location["latitude"], location["longitude"] = latitude, longitude
    return location


def _updated(value) -> date | None:
    try:
        return datetime.strptime(str(value or "")[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def parse(body: bytes, language: str, defaults: dict, today: date) -> Parsed:
    """Meetings → entries. `defaults`: the source's topics, audiences and approaches (slugs)."""
    parsed = Parsed()
    try:
        meetings = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(_("The feed is not valid JSON (%(error)s).") % {"error": error}) from error
    if not isinstance(meetings, list):
        raise ValueError(_("A Meeting Guide feed is a list of meetings."))
    seen = set()
    for number, record in enumerate(meetings, start=1):
        if not isinstance(record, dict):
            parsed.errors.append(_("Meeting %(n)d is not an object.") % {"n": number})
            continue
        key = str(record.get("slug") or "").strip()[:200]
        name = plain_text(record.get("name"), 200)
        label = key or f"#{number}"

        def problem(message, label=label):
            parsed.errors.append(f"{label}: {message}")

        if not key or not name:
            problem(_("a meeting needs a slug and a name"))
            continue
        if key in seen:
            problem(_("this slug is used twice; the second meeting is left out"))
            continue
        seen.add(key)
        try:
            zone = ZoneInfo(str(record.get("timezone") or "Europe/Brussels"))
        except (ZoneInfoNotFoundError, ValueError):
            problem(_("unknown time zone %(zone)s") % {"zone": record.get("timezone")})
            continue
        schedules = _schedules(record, zone, today, problem)
        if schedules is None:
            continue
        types = [str(code) for code in record.get("types") or [] if isinstance(code, str | int)]
        entry = Entry(key=key, data={}, source_date=_updated(record.get("updated")))
        location = _location(record, entry)
        conference = record.get("conference_url") or record.get("conference_phone")
        if "TC" in types:
            location = None  # the place is temporarily closed
            entry.hidden = not conference
        website = web_url(record.get("url")) or web_url(record.get("conference_url"))
        languages = sorted({LANGUAGES[code] for code in types if code in LANGUAGES})
        # A meeting held in one of our languages has its texts in it, whatever the source's.
        spoken = [LANGUAGES[code] for code in types if LANGUAGES.get(code) in CONTENT_LANGUAGES]
        data = {
            f"name_{spoken[0] if len(spoken) == 1 else language}": name,
            **_description(plain_text(record.get("notes"), 3000), types),
            "kind": Group.Kind.SUPPORT_GROUP,
            "facilitation": Group.Facilitation.PEER,
            "format": (
                (Group.Format.HYBRID if location else Group.Format.ONLINE)
                if conference
                else Group.Format.IN_PERSON
            ),
            "cohort": Group.Cohort.DROP_IN if "O" in types else "",
            "cost": Group.Cost.DONATION,
            "step_free": "X" in types,
            "childcare": "BA" in types,
            "evening": any(s["opens_at"] >= "18:00" for s in schedules),
            "website": website,
            "topics": sorted(defaults.get("topics", [])),
            "audiences": sorted(
                {*defaults.get("audiences", []), *(AUDIENCES[c] for c in types if c in AUDIENCES)}
            ),
            "approaches": sorted({*defaults.get("approaches", []), "twelve_steps"}),
            "session_languages": languages or [language],
            "locations": [location] if location else [],
            "schedules": schedules,
        }
        entry.data = data
        entry.stable = {
            **data,
            "schedules": [{k: v for k, v in s.items() if k != "dtstart"} for s in schedules],
        }
        parsed.entries.append(entry)
    return parsed
