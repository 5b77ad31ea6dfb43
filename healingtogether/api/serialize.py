"""Groups and networks as the API gives them: one function per shape, used by every endpoint."""

from healingtogether.directory.models import Group


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
    }


def network(group: Group, request) -> dict:
    return {
        "id": group.public_id,
        "name": group.name,
        "url": request.build_absolute_uri(group.get_absolute_url()),
        "website": group.website or None,
    }
