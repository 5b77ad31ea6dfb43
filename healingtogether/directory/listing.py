"""The one writer of listings: every change to a Group or an Organisation goes through here.

An organiser's approved revision, a moderator's edit in the admin, the loaders, an HSDS import and
the workspace turn their data into rows with `save()`, and change a status with `set_status()`;
the synthetic generator (the `synthetic` app) bulk-creates its rows and announces them with
`changed()` in one batch.
A listing is plain data here: `data_of(obj)` gives everything an organiser may edit as a JSON-safe
dict, `save(obj, data)` writes such a dict back, and `diff()` lists what changed for a moderator.

Whoever writes also announces which groups changed, so nothing that shows or searches listings
has to be told by hand: `listing_changed` is sent once, with every group id the outermost
`changes()` block collected, at the end of that block and inside its transaction, so the search
index commits (or rolls back) together with the data. Changes that reach groups indirectly count
too: an organisation's names, a topic's labels and synonyms, a municipality's names (see the
receivers at the end).
"""

import threading
from contextlib import contextmanager
from datetime import date, datetime, time

from django.db import models, transaction
from django.db.models.signals import post_init, post_save
from django.dispatch import Signal, receiver
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from healingtogether.lib.i18n import translated_fields
from healingtogether.places.models import Municipality, PostalCode

from .models import (
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

# Sent with `group_ids` (a frozenset of Group pks) whenever listings changed.
listing_changed = Signal()

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
# `municipality_id` (a REFNIS code) and `approximate` tell a place known only by its municipality
# (its point is the municipality's centre) from an address; the writer fills both from the
# postcode when they are not given.
LOCATION_FIELDS = [
    "name",
    "address",
    "postcode",
    "access_notes",
    "latitude",
    "longitude",
    "municipality_id",
    "approximate",
]
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


def limit(model, name: str) -> int | None:
    """The longest text the model's field `name` holds: forms and importers read it here."""
    return model._meta.get_field(name).max_length


# Listings as data ----------------------------------------------------------------------------


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


def schedule_from(values: dict, group=None) -> Schedule:
    """A Schedule (unsaved) from listing data: the one dict → Schedule conversion."""
    schedule = Schedule(group=group)
    _set_fields(schedule, values, SCHEDULE_FIELDS)
    return schedule


def field_label(model, name: str) -> str:
    """A field of listing data as a moderator reads it: "Where", "When" or its verbose name."""
    if name in ("locations", "schedules"):
        return {"locations": _("Where"), "schedules": _("When")}[name]
    field = model._meta.get_field(name)
    return str(field.verbose_name) if hasattr(field, "verbose_name") else name


def _given(value):
    """A value as the public page tells it: empty text and lists are not given (None), but
    False and 0 are ("No referral needed", "No places left")."""
    return None if value in (None, "", []) else value


def diff(model, before: dict, after: dict) -> list[tuple[str, str, object, object]]:
    """What changed from `before` to `after`: (field, label, before, after), in form order.
    A new listing is a diff from {}."""
    changes = []
    for name in after:
        old, new = before.get(name), after[name]
        if _given(old) != _given(new):
            changes.append((name, field_label(model, name), old, new))
    return changes


def first_name(data: dict) -> str:
    return next((data.get(f) for f in translated_fields("name") if data.get(f)), "")


def free_slug(model, name: str) -> str:
    """A slug from `name` that no other row of `model` has yet."""
    base = (slugify(name) or model._meta.model_name)[:100]
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def located(postcode: str) -> tuple:
    """(municipality, latitude, longitude) of a Belgian postcode; Nones when unknown."""
    place = PostalCode.objects.filter(code=postcode).prefetch_related("municipalities").first()
    if place is None:
        return None, None, None
    municipalities = list(place.municipalities.all())
    return (municipalities[0] if municipalities else None), place.latitude, place.longitude


# Announcing changes --------------------------------------------------------------------------


class _Collected(threading.local):
    depth = 0
    ids: set

    def __init__(self):
        self.ids = set()


_collected = _Collected()


@contextmanager
def changes():
    """Collect the ids of the groups changed inside this block; the outermost block announces
    them once, at its end, inside its transaction. A loader wraps a whole run in one block, so
    the index is updated in one batch."""
    _collected.depth += 1
    try:
        with transaction.atomic():
            yield
            if _collected.depth == 1 and _collected.ids:
                ids = frozenset(_collected.ids)
                _collected.ids.clear()
                listing_changed.send(sender=Group, group_ids=ids)
    finally:
        _collected.depth -= 1
        if _collected.depth == 0:
            _collected.ids.clear()  # a block that failed announces nothing


def changed(group_ids) -> None:
    """These groups changed (their own rows or what their pages and index show)."""
    with changes():
        _collected.ids.update(group_ids)


def touch(groups) -> None:
    """Groups whose public record changed without a write to their own row: their `updated_at`
    moves (Last-Modified, search snapshots) and they are announced."""
    ids = list(groups.values_list("pk", flat=True))
    if ids:
        Group.objects.filter(pk__in=ids).update(updated_at=timezone.now())
        changed(ids)


# Writing -------------------------------------------------------------------------------------


def _set_fields(obj, data: dict, names) -> None:
    for name in names:
        if name in data:
            field = obj._meta.get_field(name)
            value = data[name]
            if value is None and not field.null:
                value = field.get_default()  # "" for text, the declared default otherwise
            setattr(obj, name, field.to_python(value))


def save(obj, data: dict | None = None, *, service_area=None, **record):
    """Write listing `data` (fields an organiser edits, terms, locations, schedules) and `record`
    fields (status, slug, source_key, sources, coverage, confirmed_at…) onto a group or an
    organisation, new or existing, and announce the groups that changed.

    `service_area`, when given, is the municipality codes a group covers. Keys missing from
    `data` are left as they are.
    """
    data = data or {}
    with changes():
        for name, value in record.items():
            setattr(obj, name, value)
        if isinstance(obj, Organisation):
            _set_fields(obj, data, ORGANISATION_FIELDS)
            obj.save()  # a new name reaches its groups through _organisation_saved below
            return obj
        checked = (obj.credential_kind, obj.credential_number)
        _set_fields(obj, data, GROUP_FIELDS)
        if obj.pk and (obj.credential_kind, obj.credential_number) != checked:
            obj.credential_checked_at = (
                None  # a new number is checked again before the page says so
            )
        obj.fresh_at = obj.compute_fresh_at()
        obj.save()
        for name, model in TERMS_AND_LANGUAGES.items():
            if name in data:
                getattr(obj, name).set(model.objects.filter(slug__in=data[name]))
        if service_area is not None:
            obj.service_area.set(Municipality.objects.filter(code__in=service_area))
        if "locations" in data:
            obj.locations.all().delete()
            for values in data["locations"]:
                location = Location(group=obj)
                _set_fields(location, values, LOCATION_FIELDS)
                municipality, latitude, longitude = located(location.postcode)
                location.municipality = location.municipality or municipality
                if location.latitude is None or location.longitude is None:
                    location.latitude, location.longitude = latitude, longitude
                location.save()
        if "schedules" in data:
            obj.schedules.all().delete()
            for values in data["schedules"]:
                schedule_from(values, obj).save()
            Group.objects.filter(pk=obj.pk).refresh_next_sessions()
        changed([obj.pk])
    return obj


def create_group(organisation, data: dict, **record) -> Group:
    """A new group of `organisation` (a draft unless `record` says otherwise)."""
    record.setdefault("status", Status.DRAFT)
    record.setdefault("slug", free_slug(Group, first_name(data)))
    return save(Group(organisation=organisation), data, **record)


def create_organisation(data: dict, **record) -> Organisation:
    record.setdefault("slug", free_slug(Organisation, first_name(data)))
    return save(Organisation(), data, **record)


def update(groups, **values) -> int:
    """Set record fields (a status, `confirmed_at`…) on a set of groups (a queryset) in one
    statement, and announce them; returns how many."""
    with changes():
        ids = list(groups.values_list("pk", flat=True))
        Group.objects.filter(pk__in=ids).update(updated_at=timezone.now(), **values)
        if {"confirmed_at", "checked_on"} & set(values):
            _refresh_fresh_at(ids)
        changed(ids)
    return len(ids)


def _refresh_fresh_at(ids) -> None:
    rows = Group.objects.filter(pk__in=ids).only("confirmed_at", "checked_on", "fresh_at")
    for group in rows:
        group.fresh_at = group.compute_fresh_at()
    Group.objects.bulk_update(rows, ["fresh_at"], batch_size=1000)


def set_status(groups, status: str) -> int:
    """Publish, archive or send back a set of groups (a queryset); returns how many changed.

    A group is published only when our team has approved its organisation, so nothing an
    organisation says reaches the public unreviewed."""
    if status == Status.PUBLISHED:
        groups = groups.filter(organisation__approved_at__isnull=False)
    return update(groups, status=status)


def saved_elsewhere(obj) -> None:
    """A group the admin has just saved through its own forms (fields, inlines and many-to-many
    rows are written): its next sessions follow, and it is announced."""
    with changes():
        Group.objects.filter(pk=obj.pk).refresh_next_sessions()
        changed([obj.pk])


# Indirect changes: what a group's page and index show from other rows --------------------------

# The fields of other rows that groups show. A save that leaves them as they were (the loaders
# save every term and municipality on each run) announces nothing.
SHOWN = {
    Topic: [*translated_fields("label"), *translated_fields("synonyms"), "parent_id"],
    Audience: [*translated_fields("label"), *translated_fields("synonyms"), "parent_id"],
    Approach: [*translated_fields("label"), *translated_fields("synonyms"), "parent_id"],
    Organisation: translated_fields("name"),
    Municipality: ["name_fr", "name_nl", "name_de"],
}


def _shown(instance) -> tuple:
    return tuple(getattr(instance, name, None) for name in SHOWN[type(instance)])


def _remember_shown(sender, instance, **kwargs):
    instance._shown = _shown(instance)


for _model in SHOWN:
    post_init.connect(_remember_shown, sender=_model, dispatch_uid=f"shown-{_model.__name__}")


def _shown_changed(instance, created: bool, raw: bool) -> bool:
    before = getattr(instance, "_shown", None)
    instance._shown = _shown(instance)
    return not created and not raw and before != instance._shown


@receiver(post_save, sender=Topic)
@receiver(post_save, sender=Audience)
@receiver(post_save, sender=Approach)
def _term_saved(sender, instance, created, raw=False, **kwargs):
    """A term's labels and synonyms (and its children's, whose index rows include their
    parents') are part of its groups' index rows."""
    if not _shown_changed(instance, created, raw):
        return
    terms, wave = {instance.pk}, {instance.pk}
    while wave:
        wave = set(sender.objects.filter(parent__in=wave).values_list("pk", flat=True)) - terms
        terms |= wave
    field = {Topic: "topics", Audience: "audiences", Approach: "approaches"}[sender]
    touch(Group.objects.filter(**{f"{field}__in": terms}).distinct())


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender, instance, created, raw=False, **kwargs):
    """An organisation renamed anywhere (the admin included): its groups show its names."""
    if _shown_changed(instance, created, raw):
        touch(instance.groups.all())


@receiver(post_save, sender=Municipality)
def _municipality_saved(sender, instance, created, raw=False, **kwargs):
    if _shown_changed(instance, created, raw):
        touch(
            Group.objects.filter(
                models.Q(locations__municipality=instance) | models.Q(service_area=instance)
            ).distinct()
        )
