"""Our listings as HSDS 3.0 records: one function per object type, nested as the HSDS API
serves them, and `flatten()` to turn nested records into the tables of an export.

Texts are in the active language (with the usual fallback, see lib.i18n): wrap calls in
`translation.override`. Fields we have no value for are left out rather than sent empty, except
where the schema requires them. Only what the public may see goes out: callers pass listed groups
and the organisations of listed groups.
"""

import uuid

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group, Location, Organisation, Schedule
from healingtogether.directory.schedule_text import describe
from healingtogether.lib.emails import absolute_url
from healingtogether.lib.i18n import current_language

from . import vocabulary
from .vocabulary import VOCABULARIES, child_id

GROUP_PREFETCH = [
    "topics__parent",
    "audiences__parent",
    "approaches__parent",
    "session_languages",
    # Positions give derived ids (see vocabulary.child_id): always in the same order.
    Prefetch("schedules", Schedule.objects.order_by("pk"), to_attr="schedule_list"),
    Prefetch(
        "locations",
        Location.objects.select_related("municipality__province", "municipality__region").order_by(
            "pk"
        ),
        to_attr="location_list",
    ),
    "service_area",
]


def listed_groups():
    """The groups the public may see, with everything a full record needs, in one go."""
    return (
        Group.objects.listed()
        .select_related("organisation")
        .prefetch_related(*GROUP_PREFETCH)
        .order_by("pk")
    )


def public_organisations():
    """Organisations with at least one listed group: the others are not public."""
    return Organisation.objects.filter(groups__in=Group.objects.listed()).distinct().order_by("pk")


def compact(record: dict, keep=()) -> dict:
    """The record without empty values, except the fields the schema requires (`keep`)."""
    return {k: v for k, v in record.items() if k in keep or v not in (None, "", [])}


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


# Taxonomies


def taxonomy(vocab) -> dict:
    return {
        "id": str(vocab.id),
        "name": str(vocab.name),
        "description": str(vocab.description),
        "uri": absolute_url(f"/api/hsds/taxonomies/{vocab.id}"),
        "version": "1",
    }


def taxonomy_term(vocab, value: str, term) -> dict:
    language = current_language()
    parent = getattr(term, "parent", None)
    return compact(
        {
            "id": str(vocab.term_id(value)),
            "code": value,
            "name": vocabulary.label(term, language),
            "description": vocabulary.synonyms(term, language),
            "parent_id": str(vocab.term_id(parent.slug)) if parent else None,
            "taxonomy": vocab.key,
            "taxonomy_id": str(vocab.id),
            "language": language,
            "term_uri": absolute_url(f"/api/hsds/taxonomy_terms/{vocab.term_id(value)}"),
        },
        keep=("id", "name", "description"),
    )


def all_taxonomy_terms() -> list[dict]:
    return [
        taxonomy_term(vocab, value, term)
        for vocab in VOCABULARIES
        for value, term in vocab.values()
    ]


def _attribute(
    owner_id: str, entity: str, vocab, value: str, term_record: dict | None, fact=None
) -> dict:
    record = {
        "id": child_id(uuid.UUID(owner_id), "attribute", f"{vocab.key}/{value}"),
        "link_id": owner_id,
        "link_type": vocab.key,
        "link_entity": entity,
        "taxonomy_term_id": str(vocab.term_id(value)),
    }
    if fact is not None:
        record["value"] = fact
    if term_record is not None:
        record["taxonomy_term"] = term_record
    return record


def term_records() -> dict:
    """(vocabulary key, value) -> taxonomy_term record, in the active language. A few queries:
    build it once per answer and pass it to every record."""
    return {
        (vocab.key, value): taxonomy_term(vocab, value, term)
        for vocab in VOCABULARIES
        for value, term in vocab.values()
    }


_term_records = term_records


# Organisations


def organization(org, terms: dict | None = None) -> dict:
    """An organisation without its services (the `organization_list` shape plus its phones
    and the attribute giving its kind)."""
    org_id = str(org.public_id)
    record = compact(
        {
            "id": org_id,
            "name": org.name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
            "uri": absolute_url(org.get_absolute_url()),
        },
        keep=("id", "name", "description"),
    )
    if org.phone:
        record["phones"] = [
            {
                "id": child_id(org.public_id, "phone", 0),
                "organization_id": org_id,
                "number": org.phone,
            }
        ]
    attributes = [
        _attribute(org_id, "organization", vocab, value, (terms or {}).get((vocab.key, value)))
        for vocab, value in vocabulary.organisation_terms(org)
    ]
    if attributes:
        record["attributes"] = attributes
    return record


def organization_summary(org) -> dict:
    """Only the organisation's own fields, as in the `organization_list` shape."""
    return {k: v for k, v in organization(org).items() if not isinstance(v, list)}


# Services


def _fees(group) -> str:
    if not group.cost:
        return group.cost_amount
    label = str(group.get_cost_display())
    return f"{label}: {group.cost_amount}" if group.cost_amount else label


def _application(group) -> str:
    parts = []
    if group.cohort:
        parts.append(str(group.get_cohort_display()))
    if group.next_start:
        parts.append(
            _("Next start: %(date)s") % {"date": date_format(group.next_start, "DATE_FORMAT")}
        )
    if group.seats_left is not None:
        parts.append(_("Seats left: %(count)d") % {"count": group.seats_left})
    if group.referral_required is not None:
        parts.append(
            str(vocabulary.REFERRAL["required" if group.referral_required else "not_required"])
        )
    return ". ".join(parts)


def _eligibility(group) -> str:
    return ", ".join(a.label for a in group.audiences.all())


def _alert(group) -> str:
    if not group.is_stale:
        return ""
    if group.confirmed_at is None:
        return _("These details have not been confirmed and may be out of date.")
    return _("These details were last confirmed on %(date)s and may be out of date.") % {
        "date": date_format(timezone.localtime(group.confirmed_at), "DATE_FORMAT")
    }


def _accreditations(group) -> str:
    if not (group.credential_kind and group.credential_checked_at):
        return ""
    return _("%(credential)s, checked by Healing Together on %(date)s") % {
        "credential": group.get_credential_kind_display(),
        "date": date_format(timezone.localtime(group.credential_checked_at), "DATE_FORMAT"),
    }


def _schedules(group, service_id: str) -> list[dict]:
    found = []
    for index, schedule in enumerate(_schedule_list(group)):
        found.append(
            compact(
                {
                    "id": child_id(group.public_id, "schedule", index),
                    "service_id": service_id,
                    "valid_from": iso(schedule.valid_from),
                    "valid_to": iso(schedule.valid_to),
                    "dtstart": iso(schedule.dtstart),
                    "until": iso(schedule.until),
                    "count": schedule.count,
                    "wkst": "MO",
                    "freq": schedule.freq,
                    "interval": schedule.interval,
                    "byday": schedule.byday,
                    "bymonthday": schedule.bymonthday,
                    "description": describe(schedule),
                    "opens_at": schedule.opens_at.isoformat(),
                    "closes_at": schedule.closes_at.isoformat(),
                    "attending_type": str(group.get_format_display()) if group.format else "",
                    "notes": schedule.note,
                }
            )
        )
    if group.hours:
        # Hours in words ("24/7") have no rule: a schedule with only a description.
        found.append(
            {
                "id": child_id(group.public_id, "hours", 0),
                "service_id": service_id,
                "description": group.hours,
            }
        )
    return found


def _schedule_list(group):
    if hasattr(group, "schedule_list"):
        return group.schedule_list
    return list(group.schedules.order_by("pk"))


def _location_list(group):
    if hasattr(group, "location_list"):
        return group.location_list
    return list(
        group.locations.select_related("municipality__province", "municipality__region").order_by(
            "pk"
        )
    )


def _state_province(municipality) -> str:
    """HSDS requires a state or province: the province, or the region for Brussels."""
    if municipality is None:
        return ""
    return (municipality.province or municipality.region).name


def location(group, index: int, loc) -> dict:
    location_id = child_id(group.public_id, "location", index)
    record = compact(
        {
            "id": location_id,
            "location_type": "physical",
            "organization_id": str(group.organisation.public_id),
            "name": loc.name,
            "latitude": loc.latitude,
            "longitude": loc.longitude,
        },
        keep=("id", "location_type"),
    )
    if loc.address or loc.postcode:
        record["addresses"] = [
            {
                "id": child_id(group.public_id, "address", index),
                "location_id": location_id,
                "address_1": loc.address,
                "city": loc.municipality.name if loc.municipality else "",
                "state_province": _state_province(loc.municipality),
                "postal_code": loc.postcode,
                "country": "BE",
                "address_type": "physical",
            }
        ]
    if loc.access_notes:
        record["accessibility"] = [
            {
                "id": child_id(group.public_id, "accessibility", index),
                "location_id": location_id,
                "description": loc.access_notes,
            }
        ]
    return record


def service_at_location(group, index: int, loc, *, nested: bool = True) -> dict:
    record = {
        "id": child_id(group.public_id, "service_at_location", index),
        "service_id": str(group.public_id),
        "location_id": child_id(group.public_id, "location", index),
    }
    if nested:
        record["location"] = location(group, index, loc)
    return record


def service_at_locations(group) -> list[tuple[int, object]]:
    return list(enumerate(_location_list(group)))


def service_areas(group, service_id: str) -> list[dict]:
    areas = sorted(group.service_area.all(), key=lambda m: m.code)
    if areas:
        return [
            {
                "id": child_id(group.public_id, "service_area", m.code),
                "service_id": service_id,
                "name": m.name,
                "description": _("Municipality with NIS code %(code)s") % {"code": m.code},
            }
            for m in areas
        ]
    if group.coverage:
        return [
            {
                "id": child_id(group.public_id, "service_area", group.coverage),
                "service_id": service_id,
                "name": str(group.get_coverage_display()),
            }
        ]
    return []


def service_fields(group) -> dict:
    """The service's own fields (the `service_list` shape, without nested objects)."""
    return compact(
        {
            "id": str(group.public_id),
            "organization_id": str(group.organisation.public_id),
            "name": group.name,
            "description": group.description,
            "url": group.website,
            "email": group.email,
            "status": "active",
            "application_process": _application(group),
            "fees_description": _fees(group),
            "accreditations": _accreditations(group),
            "eligibility_description": _eligibility(group),
            "minimum_age": group.age_min,
            "maximum_age": group.age_max,
            "assured_date": iso(timezone.localtime(group.confirmed_at).date())
            if group.confirmed_at
            else None,
            "alert": _alert(group),
            "last_modified": iso(group.updated_at),
        },
        keep=("id", "name", "status"),
    )


def service_summary(group) -> dict:
    """A service as HSDS lists them: its own fields and its organisation's."""
    return {**service_fields(group), "organization": organization_summary(group.organisation)}


def service(group, terms: dict | None = None, *, with_organization: bool = True) -> dict:
    """A service with everything related to it, as `GET /services/{id}` serves it."""
    terms = terms if terms is not None else _term_records()
    record = service_fields(group)
    service_id = record["id"]
    if group.phone:
        record["phones"] = [
            {
                "id": child_id(group.public_id, "phone", 0),
                "service_id": service_id,
                "number": group.phone,
            }
        ]
    record["schedules"] = _schedules(group, service_id)
    record["service_areas"] = service_areas(group, service_id)
    record["service_at_locations"] = [
        service_at_location(group, index, loc) for index, loc in service_at_locations(group)
    ]
    record["languages"] = [
        {
            "id": child_id(group.public_id, "language", language.slug),
            "service_id": service_id,
            "name": language.label,
            "code": vocabulary.language_code(language.slug),
        }
        for language in group.session_languages.all()
    ]
    if with_organization:
        record["organization"] = organization(group.organisation, terms)
    if group.cost:
        record["cost_options"] = [
            compact(
                {
                    "id": child_id(group.public_id, "cost_option", 0),
                    "service_id": service_id,
                    "option": str(group.get_cost_display()),
                    "amount_description": group.cost_amount,
                }
            )
        ]
    if group.contact_person:
        record["contacts"] = [
            {
                "id": child_id(group.public_id, "contact", 0),
                "service_id": service_id,
                "name": group.contact_person,
            }
        ]
    record["attributes"] = [
        _attribute(
            service_id,
            "service",
            vocab,
            value,
            terms.get((vocab.key, value)),
            vocabulary.attribute_value(group, vocab, value),
        )
        for vocab, value in vocabulary.group_terms(group)
    ]
    return compact(record, keep=("id", "name", "status"))


def organization_full(org, groups, *, full_services: bool, terms: dict | None = None) -> dict:
    """An organisation with its services: full services, or only their own fields."""
    terms = terms if terms is not None else _term_records()
    record = organization(org, terms)
    if full_services:
        record["services"] = [service(g, terms, with_organization=False) for g in groups]
    else:
        record["services"] = [service_fields(g) for g in groups]
    return record


def organization_records(organisations, *, full_services: bool, terms=None) -> list[dict]:
    """Organisations with their listed services, the groups of all of them read in one go
    (with everything a full service needs), not a query set per organisation."""
    organisations = list(organisations)
    terms = terms if terms is not None else term_records()
    groups = {}
    for group in (
        listed_groups().filter(organisation__in=[org.pk for org in organisations]).order_by("slug")
    ):
        groups.setdefault(group.organisation_id, []).append(group)
    return [
        organization_full(org, groups.get(org.pk, []), full_services=full_services, terms=terms)
        for org in organisations
    ]


def meta_table_description() -> dict:
    """Says which language the texts of an export are in, for whoever reads it back."""
    return {
        "id": str(uuid.uuid5(vocabulary.NAMESPACE, f"export/{current_language()}")),
        "name": "Healing Together",
        "language": current_language(),
        "character_set": "UTF-8",
    }


# Flattening: nested records -> one table per object type

# For each object type: its arrays of children, with the child's type and the field that points
# back to the parent.
CHILDREN = {
    "organization": {
        "services": ("service", "organization_id"),
        "phones": ("phone", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "funding": ("funding", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
# Single nested objects: their type and the parent's field that holds their id.
SINGLE = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
LINK_ENTITY = {"organization": "organization", "service": "service", "location": "location"}


class Tables(dict):
    """object type -> {id: flat record}, merging records met more than once."""

    # When a list, every (type, key) added is appended to it: readers use it to say which
    # record a nested one came from.
    added: list | None = None

    def add(self, object_type: str, record: dict) -> None:
        table = self.setdefault(object_type, {})
        key = record.get("id") or f"#{len(table)}"
        if key in table:
            for name, value in record.items():
                table[key].setdefault(name, value)
        else:
            table[key] = record
            if self.added is not None:
                self.added.append((object_type, key))

    def rows(self, object_type: str) -> list[dict]:
        return list(self.get(object_type, {}).values())


def flatten(object_type: str, record: dict, tables: Tables) -> None:
    """Put a nested record and everything inside it into `tables`, one flat row each, with
    the foreign keys a nested form leaves implicit filled in."""
    flat = {}
    children = CHILDREN.get(object_type, {})
    singles = SINGLE.get(object_type, {})
    for name, value in record.items():
        if name in children and isinstance(value, list):
            child_type, back = children[name]
            for child in value:
                if not isinstance(child, dict):
                    continue
                child = dict(child)
                if record.get("id") is not None:
                    child.setdefault(back, record["id"])
                    if child_type == "attribute":
                        child.setdefault("link_entity", LINK_ENTITY.get(object_type, object_type))
                flatten(child_type, child, tables)
        elif name in singles and isinstance(value, dict):
            child_type, field = singles[name]
            if value.get("id") is not None:
                flat.setdefault(field, value["id"])
            flatten(child_type, value, tables)
        elif not isinstance(value, list | dict):
            flat[name] = value
    tables.add(object_type, flat)


def export_tables(groups, organisations) -> Tables:
    """The whole export, one table per object type, texts in the active language."""
    terms = _term_records()
    tables = Tables()
    for org in organisations:
        flatten("organization", organization(org, terms), tables)
    for group in groups:
        flatten("service", service(group, terms, with_organization=False), tables)
    for vocab in VOCABULARIES:
        tables.add("taxonomy", taxonomy(vocab))
    for record in terms.values():
        tables.add("taxonomy_term", record)
    tables.add("meta_table_description", meta_table_description())
    return tables
