"""A listing as data: what an organiser proposes, what a moderator compares and approves.

`data_of(obj)` turns a group or an organisation into a plain, JSON-safe dict of everything an
organiser may edit; `apply(obj, data)` writes such a dict back; `diff(before, after)` lists what
changed, field by field, for the moderator. A Revision stores the dict, so every path (a new
listing, an edit, an approval) goes through these three functions.
"""

from datetime import date, datetime, time

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import (
    Approach,
    Audience,
    Group,
    Language,
    Location,
    Organisation,
    Schedule,
    Status,
    Topic,
)
from healingtogether.lib import emails
from healingtogether.lib.i18n import translated_fields
from healingtogether.places.models import PostalCode

ORGANISATION_FIELDS = [
    *translated_fields("name"),
    *translated_fields("description"),
    "kind",
    "website",
    "email",
    "phone",
]
GROUP_FIELDS = [
    *translated_fields("name"),
    *translated_fields("description"),
    *translated_fields("hours"),
    "kind",
    "facilitation",
    "format",
    "age_min",
    "age_max",
    "cohort",
    "next_start",
    "seats_left",
    "cost",
    "cost_amount",
    "referral_required",
    "step_free",
    "hearing_loop",
    "childcare",
    "evening",
    "credential_kind",
    "credential_number",
    "website",
    "email",
    "phone",
    "contact_person",
]
TERMS = {"topics": Topic, "audiences": Audience, "approaches": Approach}
TERMS_AND_LANGUAGES = {**TERMS, "session_languages": Language}
LOCATION_FIELDS = ["name", "address", "postcode", "access_notes", "latitude", "longitude"]
SCHEDULE_FIELDS = [
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "dtstart",
    "until",
    "count",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "note",
]


def _plain(value):
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    return value


def _values(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def data_of(obj) -> dict:
    """Everything an organiser may edit on this group or organisation, as JSON-safe data."""
    if isinstance(obj, Organisation):
        return _values(obj, ORGANISATION_FIELDS)
    data = _values(obj, GROUP_FIELDS)
    for name in TERMS_AND_LANGUAGES:
        data[name] = sorted(term.slug for term in getattr(obj, name).all())
    data["locations"] = [_values(loc, LOCATION_FIELDS) for loc in obj.locations.order_by("pk")]
    data["schedules"] = [_values(s, SCHEDULE_FIELDS) for s in obj.schedules.order_by("pk")]
    return data


def _set_fields(obj, data: dict, names) -> None:
    for name in names:
        if name in data:
            field = obj._meta.get_field(name)
            value = data[name]
            if value is None and not field.null:
                value = "" if isinstance(field, models.CharField | models.TextField) else False
            setattr(obj, name, field.to_python(value))


def located(postcode: str) -> tuple:
    """(municipality, latitude, longitude) of a Belgian postcode; Nones when unknown."""
    place = PostalCode.objects.filter(code=postcode).prefetch_related("municipalities").first()
    if place is None:
        return None, None, None
    municipalities = list(place.municipalities.all())
    return (municipalities[0] if municipalities else None), place.latitude, place.longitude


@transaction.atomic
def apply(obj, data: dict) -> None:
    """Write proposed data onto a group or organisation (not its status or confirmation)."""
    if isinstance(obj, Organisation):
        _set_fields(obj, data, ORGANISATION_FIELDS)
        obj.save()
        return
    checked = (obj.credential_kind, obj.credential_number)
    _set_fields(obj, data, GROUP_FIELDS)
    if (obj.credential_kind, obj.credential_number) != checked:
        obj.credential_checked_at = None  # a new number is checked again before the page says so
    obj.save()
    for name, model in TERMS_AND_LANGUAGES.items():
        if name in data:
            getattr(obj, name).set(model.objects.filter(slug__in=data[name]))
    if "locations" in data:
        obj.locations.all().delete()
        for values in data["locations"]:
            location = Location(group=obj)
            _set_fields(location, values, LOCATION_FIELDS)
            municipality, latitude, longitude = located(location.postcode)
            location.municipality = municipality
            if location.latitude is None or location.longitude is None:
                location.latitude, location.longitude = latitude, longitude
            location.save()
    if "schedules" in data:
        obj.schedules.all().delete()
        for values in data["schedules"]:
            schedule = Schedule(group=obj)
            _set_fields(schedule, values, SCHEDULE_FIELDS)
            schedule.save()
        Group.objects.filter(pk=obj.pk).refresh_next_sessions()


def confirm(group, actor, note: str = "") -> None:
    """The organiser or a moderator says the facts are still right: the only way, besides an
    approval, that `confirmed_at` moves. `actor` is None for a signed link from an email."""
    from .models import AuditEntry

    now = timezone.now()
    Group.objects.filter(pk=group.pk).update(confirmed_at=now, updated_at=now)
    group.confirmed_at = now
    AuditEntry.record(actor, AuditEntry.Action.CONFIRMED, group, note=note)


def reindex(group_id: int) -> None:
    """Rebuild the search index row of one group after its text or terms changed."""
    from healingtogether.search.text import index_groups

    index_groups(Group.objects.filter(pk=group_id))


def _label(model, name: str) -> str:
    if name in ("locations", "schedules"):
        return {"locations": _("Where"), "schedules": _("When")}[name]
    field = model._meta.get_field(name)
    return str(field.verbose_name) if hasattr(field, "verbose_name") else name


def diff(model, before: dict, after: dict) -> list[tuple[str, str, object, object]]:
    """What changed from `before` to `after`: (field, label, before, after), in form order.
    A new listing is a diff from {}."""
    changes = []
    for name in after:
        old, new = before.get(name), after[name]
        if (old or None) != (new or None):
            changes.append((name, _label(model, name), old, new))
    return changes


def submit(obj, data: dict, author):
    """An organiser proposes `data` for `obj`, which already exists.

    A listing nobody has seen yet (draft or pending) takes the data at once and waits for review
    as new; a published listing keeps what the public sees until a moderator approves. A second
    edit before review replaces the first, so the moderator always sees one proposal.
    """
    from .models import AuditEntry, Revision

    with transaction.atomic():
        is_group = isinstance(obj, Group)
        published = (
            obj.status == Status.PUBLISHED
            if is_group
            else obj.groups.filter(status=Status.PUBLISHED).exists()
        )
        obj.revisions.pending().update(state=Revision.State.WITHDRAWN)
        if not published:
            apply(obj, data)
            if is_group and obj.status != Status.PENDING:
                Group.objects.filter(pk=obj.pk).update(
                    status=Status.PENDING, updated_at=timezone.now()
                )
                obj.status = Status.PENDING
        revision = obj.revisions.create(data=data, is_new=not published, author=author)
        AuditEntry.record(author, AuditEntry.Action.SUBMITTED, obj, revision=revision)
    return revision


def free_slug(model, name: str) -> str:
    """A slug from `name` that no other row of `model` has yet."""
    base = (slugify(name) or model._meta.model_name)[:100]
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _first_name(data: dict) -> str:
    return next((data.get(f) for f in translated_fields("name") if data.get(f)), "")


def create_organisation(data: dict, author) -> Organisation:
    """A new organisation, its author its first member, waiting for review."""
    from .models import Membership

    with transaction.atomic():
        organisation = Organisation(slug=free_slug(Organisation, _first_name(data)))
        _set_fields(organisation, data, ORGANISATION_FIELDS)
        organisation.save()
        Membership.objects.create(user=author, organisation=organisation)
        submit(organisation, data, author)
    return organisation


def create_group(organisation, data: dict, author) -> Group:
    """A new group of `organisation`, pending review and invisible to the public."""
    with transaction.atomic():
        group = Group(
            organisation=organisation,
            slug=free_slug(Group, _first_name(data)),
            status=Status.DRAFT,
        )
        _set_fields(group, data, GROUP_FIELDS)
        group.save()
        submit(group, data, author)
    return group


def tell_author(revision) -> None:
    """Email the organiser who submitted a revision about the moderator's decision."""
    from .models import language_of

    author = revision.author
    if author is None or not author.email:
        return
    language = language_of(author)
    target = revision.target
    with translation.override(language):
        public_url = emails.absolute_url(target.get_absolute_url())
    emails.send(
        "decision",
        author.email,
        language,
        {
            "revision": revision,
            "approved": revision.state == revision.State.APPROVED,
            "name": target.name,
            "workspace_url": emails.localized_url(language, "accounts:workspace"),
            "public_url": public_url,
        },
    )
