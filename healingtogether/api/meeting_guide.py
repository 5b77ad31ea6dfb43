"""Our own 12-step listings as a Meeting Guide JSON feed (the specification in code4recovery/spec),
so that the Meeting Guide app and 12 Step Meeting List sites can show what organisers keep here.

One meeting per weekly schedule of each public group whose approach is `twelve_steps`: the
schedule's days and times, the group's first place, its session languages and what our fields
say in type codes. Texts are plain text in the group's own words (the feed is read by machines
in many languages, so it does not follow the page's language).
"""

from datetime import UTC

from django.http import JsonResponse
from django.utils import timezone

from healingtogether.directory.models import Group, Schedule
from healingtogether.lib.emails import absolute_url

from .http import open_data

DAYS = {"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
# Our session languages → Meeting Guide type codes (types.json of the specification).
LANGUAGE_TYPES = {
    "fr": "FR",
    "nl": "NL",
    "de": "DE",
    "en": "EN",
    "ar": "AR",
    "tr": "TUR",
    "es": "S",
    "it": "ITA",
    "pl": "POL",
    "uk": "UK",
    "ru": "RUS",
    "pt": "POR",
}
AUDIENCE_TYPES = {
    "women": "W",
    "men": "M",
    "young_adults": "Y",
    "seniors": "SEN",
    "newcomers": "BE",
    "lgbtqia": "LGBTQ",
    "professionals": "P",
}


def _types(group: Group) -> list[str]:
    types = []
    if group.cohort == Group.Cohort.DROP_IN:
        types.append("O")
    if group.step_free:
        types.append("X")
    if group.childcare:
        types.append("BA")
    types += [
        LANGUAGE_TYPES[lang.slug]
        for lang in group.session_languages.all()
        if lang.slug in LANGUAGE_TYPES
    ]
    types += [AUDIENCE_TYPES[a.slug] for a in group.audiences.all() if a.slug in AUDIENCE_TYPES]
    return sorted(set(types))


def _days(schedule: Schedule) -> list[int] | None:
    """Plain weekdays of a weekly schedule; None when it says more than Meeting Guide can hold
    (a second Tuesday, every other week, a single session)."""
    if schedule.freq != Schedule.Freq.WEEKLY or schedule.interval != 1 or schedule.count:
        return None
    tokens = [t.strip() for t in schedule.byday.split(",") if t.strip()]
    if not tokens:
        tokens = [list(DAYS)[(schedule.dtstart.weekday() + 1) % 7]]
    if any(token not in DAYS for token in tokens):
        return None
    return sorted(DAYS[token] for token in tokens)


def meeting(group: Group, schedule: Schedule, days: list[int], slug: str) -> dict:
    record = {
        "name": group.name,
        "slug": slug,
        "day": days if len(days) > 1 else days[0],
        "time": schedule.opens_at.strftime("%H:%M"),
        "end_time": schedule.closes_at.strftime("%H:%M"),
        "timezone": "Europe/Brussels",
        "types": _types(group),
        "url": absolute_url(group.get_absolute_url()),
        "updated": group.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "group": group.organisation.name,
        "notes": group.description,
    }
    place = group.locations.all()[0] if group.locations.all() else None
    if place is not None:
        record.update(
            {
                "location": place.name,
                "address": place.address,
                "city": place.municipality.name if place.municipality else "",
                "postal_code": place.postcode,
                "country": "BE",
                "approximate": "yes" if place.approximate or not place.address else "no",
            }
        )
        if place.latitude is not None and place.longitude is not None:
            record["latitude"] = round(place.latitude, 5)
            record["longitude"] = round(place.longitude, 5)
    if group.format in (Group.Format.ONLINE, Group.Format.HYBRID) and group.website:
        record["conference_url"] = group.website
    if group.phone and group.format == Group.Format.ONLINE:
        record["conference_phone"] = group.phone
    return {key: value for key, value in record.items() if value not in ("", None, [])}


def meetings() -> list[dict]:
    groups = (
        Group.objects.listed()
        .filter(approaches__slug="twelve_steps", schedules__freq=Schedule.Freq.WEEKLY)
        .distinct()
        .select_related("organisation")
        .prefetch_related("schedules", "session_languages", "audiences", "locations__municipality")
        .order_by("slug")
    )
    found = []
    for group in groups:
        weekly = [(s, _days(s)) for s in sorted(group.schedules.all(), key=lambda s: s.pk)]
        weekly = [(s, days) for s, days in weekly if days and not _ended(s)]
        for number, (schedule, days) in enumerate(weekly, start=1):
            slug = group.slug if number == 1 else f"{group.slug}-{number}"
            found.append(meeting(group, schedule, days, slug))
    return found


def _ended(schedule: Schedule) -> bool:
    today = timezone.localdate()
    return bool(
        (schedule.until and schedule.until < today)
        or (schedule.valid_to and schedule.valid_to < today)
    )


@open_data
def feed(request):
    """GET /api/meeting-guide.json: every public 12-step meeting, per the specification."""
    return JsonResponse(meetings(), safe=False, json_dumps_params={"ensure_ascii": False})
