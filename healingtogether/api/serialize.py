"""Groups, organisations, networks, terms and places as the API gives them: one function per
shape, used by every endpoint. Labels and texts are in the active language."""

from django.urls import reverse

from healingtogether.directory.models import Group, Organisation
from healingtogether.lib.i18n import CONTENT_LANGUAGES, localized

from .calendar import has_calendar


def location(group: Group) -> dict | None:
    located = [loc for loc in group.locations.all()]
    if not located:
        return None
    first = located[0]
    return {
        "postcode": first.postcode,
        "municipality": first.municipality.name if first.municipality else None,
        "latitude": first.latitude,
        "longitude": first.longitude,
    }


def group_summary(group: Group, request, distance_km: float | None = None) -> dict:
    return {
        "id": group.public_id,
        "slug": group.slug,
        "name": group.name,
        "kind": group.kind,
        "facilitation": group.facilitation or None,
        "format": group.format or None,
        "languages": [language.slug for language in group.session_languages.all()],
        "topics": [topic.slug for topic in group.topics.all()],
        "cost": group.cost or None,
        "organisation": {"id": group.organisation.public_id, "name": group.organisation.name},
        "location": location(group),
        "distance_km": distance_km,
        "url": request.build_absolute_uri(group.get_absolute_url()),
        "website": group.website or None,
    }


def group_detail(group: Group, request) -> dict:
    return {
        **group_summary(group, request),
        "description": group.description,
        "description_language": group.description_language,
        "audiences": [audience.slug for audience in group.audiences.all()],
        "approaches": [approach.slug for approach in group.approaches.all()],
        "age_min": group.age_min,
        "age_max": group.age_max,
        "cohort": group.cohort or None,
        "cost_amount": group.cost_amount,
        "referral_required": group.referral_required,
        "phone": group.phone or None,
        "email": group.email or None,
        "schedules": [
            {
                "freq": s.freq,
                "interval": s.interval,
                "byday": s.byday,
                "bymonthday": s.bymonthday,
                "dtstart": s.dtstart.isoformat(),
                "until": s.until.isoformat() if s.until else None,
                "opens_at": s.opens_at.strftime("%H:%M"),
                "closes_at": s.closes_at.strftime("%H:%M"),
                "note": s.note,
            }
            for s in group.schedules.all()
        ],
        "next_sessions": group.next_sessions(5),
        "confirmed_at": group.confirmed_at,
        "ics_url": (
            request.build_absolute_uri(reverse("calendar:group", args=[group.slug]))
            if has_calendar(group)
            else None
        ),
    }


def network(group: Group, request) -> dict:
    return {
        "id": group.public_id,
        "name": group.name,
        "url": request.build_absolute_uri(group.get_absolute_url()),
        "website": group.website or None,
    }


def organisation_summary(organisation: Organisation, request, group_count: int) -> dict:
    return {
        "id": organisation.public_id,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind or None,
        "website": organisation.website or None,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
        "group_count": group_count,
    }


def organisation_detail(organisation: Organisation, request, groups) -> dict:
    return {
        **organisation_summary(organisation, request, len(groups)),
        "description": organisation.description,
        "description_language": organisation.text_language("description"),
        "email": organisation.email or None,
        "phone": organisation.phone or None,
        "groups": [group_summary(g, request) for g in groups],
    }


def term(term) -> dict:
    synonyms = localized(term, "synonyms")[0]
    return {
        "slug": term.slug,
        "label": term.label,
        "synonyms": [s.strip() for s in synonyms.split(",") if s.strip()],
        "parent": term.parent.slug if term.parent_id else None,
    }


def municipality(place) -> dict:
    region = place.region
    return {
        "code": place.code,
        "name": place.name,
        "names": {
            code: getattr(place, f"name_{code}")
            for code in CONTENT_LANGUAGES
            if getattr(place, f"name_{code}", "")
        },
        "postcodes": sorted(p.code for p in place.postal_codes.all()),
        "province": place.province.name if place.province_id else None,
        "region": region.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
