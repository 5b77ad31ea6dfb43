"""Load the real Belgian group offers our team compiled from public pages (data/be-groups.json,
with the summaries and schedules translated in data/be-groups.translations.json).

Like the other loaders, the whole file is checked before anything is written, problems are named
as `record N (id): field: message`, and everything is written through the listing writer inside
one transaction. Every record becomes one Group under one Organisation per organiser: organisers
are recognised by their name (without case or accents) or their website's host, across records
and against the organisations our loaders created before (Similes, Al-Anon, AA…).

Loading is not confirming: `confirmed_at` stays empty, and freshness counts from `checked_on`,
the day our team read the sources. What the loader wrote last is kept on the group
(`loaded_data`); a re-run updates a group only while it still reads so, and keeps ("kept") any
group that a moderator or an organiser has changed, confirmed, claimed or proposed a change to.
"""

import re
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.loading import LoadError, read_json
from healingtogether.lib.text import fold
from healingtogether.places.models import Municipality, PostalCode, Region
from healingtogether.synthetic.generator import GERMAN_SPEAKING

from . import listing
from .loading import DATA_DIR, TAXONOMIES, is_date, is_email, is_url
from .loading import SOURCE as RESOURCES_SOURCE
from .models import Coverage, DatePrecision, Group, Organisation, Status

SOURCE = "be-groups"
ORGANISATION_SOURCE = f"{SOURCE}:org"

KINDS = (
    Group.Kind.SUPPORT_GROUP,
    Group.Kind.THERAPY_GROUP,
    Group.Kind.SPEECH_CIRCLE,
    Group.Kind.PSYCHOEDUCATION,
)
REGIONS = {"flanders": Region.FLANDERS, "wallonia": Region.WALLONIA, "brussels": Region.BRUSSELS}
REGION_COVERAGE = {
    Region.FLANDERS: Coverage.FLANDERS,
    Region.WALLONIA: Coverage.WALLONIA,
    Region.BRUSSELS: Coverage.BRUSSELS,
}
# The record's term lists, and the taxonomy each one's slugs come from.
TERM_LISTS = {
    "topics": "topics",
    "audiences": "audiences",
    "approaches": "approaches",
    "session_languages": "languages",
}
CONFIDENCE = {"high", "medium", "low"}
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PARTIAL_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def _limit(name: str) -> int:
    return listing.limit(Group, name)


# Checking ------------------------------------------------------------------------------------


class _Known:
    """What the records may refer to, read once from the database."""

    def __init__(self):
        self.municipalities = dict(Municipality.objects.values_list("code", "arrondissement_id"))
        self.provinces = set(
            Municipality.objects.exclude(province=None).values_list("province_id", flat=True)
        )
        self.arrondissements = set(self.municipalities.values())
        self.postcodes = set(PostalCode.objects.values_list("code", flat=True))
        self.terms = {
            name: set(TAXONOMIES[taxonomy].objects.values_list("slug", flat=True))
            for name, taxonomy in TERM_LISTS.items()
        }


def _text_or_none(value, limit: int | None = None) -> bool:
    return value is None or (
        isinstance(value, str) and value.strip() != "" and (limit is None or len(value) <= limit)
    )


def _four_languages(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(c), str) and value[c].strip() for c in CONTENT_LANGUAGES
    )


def _check_group(record: dict, translated, known: _Known) -> list[str]:
    """Every problem with one record, as 'field: message'."""
    problems = []

    def need(condition, field, message):
        if not condition:
            problems.append(f"{field}: {message}")

    need(record.get("kind") in KINDS, "kind", f"must be one of {', '.join(KINDS)}")
    name = record.get("name")
    need(
        isinstance(name, dict)
        and name
        and all(
            code in CONTENT_LANGUAGES
            and isinstance(v, str)
            and v.strip()
            and len(v) <= _limit("name_en")
            for code, v in name.items()
        ),
        "name",
        "must give the name in at least one of en, fr, nl, de",
    )
    organisation = record.get("organisation")
    need(
        isinstance(organisation, dict)
        and isinstance(organisation.get("name"), str)
        and organisation["name"].strip()
        and len(organisation["name"]) <= listing.limit(Organisation, "name_en")
        and (organisation.get("website") is None or is_url(organisation["website"])),
        "organisation",
        "needs a name and an http(s) website or null",
    )
    for field, check, message in (
        ("website", is_url, "must be an http(s) address"),
        ("email", is_email, "must be an email address"),
        ("phone", lambda v: _text_or_none(v, _limit("phone")), "must be a short text"),
        ("cost_amount", lambda v: _text_or_none(v, _limit("cost_amount")), "must be short text"),
        ("schedule", _text_or_none, "must be text"),
        (
            "source_date",
            lambda v: _partial_date(v) is not None,
            "must be YYYY, YYYY-MM or YYYY-MM-DD",
        ),
    ):
        value = record.get(field)
        need(value is None or check(value), field, message)
    for field, choices in (
        ("facilitation", Group.Facilitation.values),
        ("cohort", Group.Cohort.values),
        ("cost", Group.Cost.values),
    ):
        value = record.get(field)
        need(value is None or value in choices, field, f"must be one of {', '.join(choices)}")
    need(
        record.get("format") in Group.Format.values,
        "format",
        f"must be one of {', '.join(Group.Format.values)}",
    )
    ages = [record.get("age_min"), record.get("age_max")]
    need(
        all(a is None or (type(a) is int and 0 <= a <= 120) for a in ages)
        and (None in ages or ages[0] <= ages[1]),
        "age_min",
        "ages must be whole numbers from 0 to 120, the minimum first",
    )
    for field, slugs in known.terms.items():
        values = record.get(field)
        unknown = [v for v in values if v not in slugs] if isinstance(values, list) else values
        need(isinstance(values, list) and not unknown, field, f"unknown values {unknown}")
    problems += _check_locations(record.get("locations"), known)
    problems += _check_area(record.get("area"), known)
    need(isinstance(record.get("summary"), str) and record["summary"].strip(), "summary", "missing")
    sources = record.get("sources")
    need(
        isinstance(sources, list) and sources and all(is_url(s) for s in sources),
        "sources",
        "must be a list of http(s) addresses",
    )
    evidence = record.get("evidence")
    need(
        isinstance(evidence, list) and all(_text_or_none(e, 200) and e for e in evidence),
        "evidence",
        "must be a list of quotes of at most 200 characters",
    )
    need(record.get("confidence") in CONFIDENCE, "confidence", "must be high, medium or low")
    need(is_date(record.get("checked_on")), "checked_on", "must be a date (YYYY-MM-DD)")

    if not isinstance(translated, dict):
        problems.append("translations: missing from be-groups.translations.json")
        return problems
    need(_four_languages(translated.get("summary")), "translations.summary", "needs en, fr, nl, de")
    schedule = translated.get("schedule")
    need(
        (schedule is None) == (record.get("schedule") is None)
        and (
            schedule is None
            or (
                _four_languages(schedule)
                and all(len(schedule[c]) <= _limit("hours_en") for c in CONTENT_LANGUAGES)
            )
        ),
        "translations.schedule",
        "needs en, fr, nl and de when the record has a schedule, and nothing otherwise",
    )
    return problems


def _check_locations(locations, known: _Known) -> list[str]:
    if not isinstance(locations, list):
        return ["locations: must be a list"]
    problems = []
    for n, location in enumerate(locations):
        field = f"locations[{n}]"
        if not isinstance(location, dict):
            problems.append(f"{field}: must be an object")
            continue
        if location.get("municipality") not in known.municipalities:
            problems.append(f"{field}.municipality: unknown code {location.get('municipality')!r}")
        postcode = location.get("postcode")
        if postcode is not None and postcode not in known.postcodes:
            problems.append(f"{field}.postcode: unknown postcode {postcode!r}")
        for part in ("place", "street", "locality"):
            if not _text_or_none(location.get(part), listing.limit(listing.Location, "name")):
                problems.append(f"{field}.{part}: must be text or null")
    return problems


def _check_area(area, known: _Known) -> list[str]:
    if area is None:
        return []
    if not isinstance(area, dict) or not area:
        return ["area: must be an object or null"]
    allowed = {
        "provinces": known.provinces,
        "arrondissements": known.arrondissements,
        "municipalities": known.municipalities,
        "regions": REGIONS,
    }
    problems = []
    for part, codes in area.items():
        if part not in allowed:
            problems.append(f"area.{part}: must be one of {', '.join(allowed)}")
            continue
        unknown = [c for c in codes if c not in allowed[part]] if isinstance(codes, list) else codes
        if not isinstance(codes, list) or unknown:
            problems.append(f"area.{part}: unknown codes {unknown}")
    return problems


def _check_groups(records, translations) -> list[str]:
    if not isinstance(records, list):
        return ["the file must hold a list of records"]
    if not isinstance(translations, dict):
        return ["translations: the file must hold an object keyed by record id"]
    known = _Known()
    if not known.municipalities:
        return ["places are not loaded yet: run load_places first"]
    problems, seen = [], set()
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(f"record {position}: must be an object")
            continue
        ident = record.get("id")
        label = f"record {position} ({ident})" if ident else f"record {position}"
        if not isinstance(ident, str) or not ident.strip():
            problems.append(f"{label}: id: missing")
        elif not ID.fullmatch(ident) or len(ident) > listing.limit(Group, "slug"):
            problems.append(f"{label}: id: must be lowercase words joined by hyphens")
        elif ident in seen:
            problems.append(f"{label}: id: appears twice")
        seen.add(ident)
        translated = translations.get(ident) if isinstance(ident, str) else None
        problems += [f"{label}: {p}" for p in _check_group(record, translated, known)]
    return problems


# Organisations -------------------------------------------------------------------------------


def _host(url) -> str:
    if not url:
        return ""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _organisers(records) -> list[list[dict]]:
    """The records grouped by organiser: two records share one when their organisations have the
    same name (folded) or websites on the same host."""
    parent = list(range(len(records)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key = {}
    for i, record in enumerate(records):
        organisation = record["organisation"]
        keys = [("name", fold(organisation["name"]))]
        if _host(organisation.get("website")):
            keys.append(("host", _host(organisation["website"])))
        for key in keys:
            if key in first_by_key:
                parent[root(i)] = root(first_by_key[key])
            else:
                first_by_key[key] = i
    clusters = {}
    for i, record in enumerate(records):
        clusters.setdefault(root(i), []).append(record)
    return list(clusters.values())


class _Organisations:
    """The organisations our loaders created, found by folded name or website host."""

    def __init__(self):
        ours = Organisation.objects.filter(
            Q(source_key__startswith=f"{RESOURCES_SOURCE}:")
            | Q(source_key__startswith=f"{ORGANISATION_SOURCE}:")
        ).order_by("pk")
        self.by_key, self.by_name, self.by_host = {}, {}, {}
        for organisation in ours:
            self._remember(organisation)

    def _remember(self, organisation):
        self.by_key[organisation.source_key] = organisation
        for code in CONTENT_LANGUAGES:
            name = getattr(organisation, f"name_{code}")
            if name:
                self.by_name.setdefault(fold(name), organisation)
        if _host(organisation.website):
            self.by_host.setdefault(_host(organisation.website), organisation)

    def find_or_create(self, records) -> tuple[Organisation, bool]:
        names = Counter(r["organisation"]["name"].strip() for r in records)
        # The name most records use, the shortest on a tie (it is usually the plainest).
        name = min(names, key=lambda n: (-names[n], len(n), n))
        key = f"{ORGANISATION_SOURCE}:{slugify(name)[:90]}"
        found = (
            self.by_key.get(key)
            or next((self.by_name[fold(n)] for n in names if fold(n) in self.by_name), None)
            or next(
                (
                    self.by_host[_host(r["organisation"]["website"])]
                    for r in records
                    if _host(r["organisation"]["website"]) in self.by_host
                ),
                None,
            )
        )
        if found:
            return found, False
        example = next(r for r in records if r["organisation"]["name"].strip() == name)
        language = next(iter(example["name"]))  # the language the organiser writes in
        website = next(
            (r["organisation"]["website"] for r in records if r["organisation"]["website"]), None
        )
        # Ours, so approved from the start: the directory's own compiled data.
        organisation = listing.create_organisation(
            {f"name_{language}": name, "website": website or ""},
            source_key=key,
            approved_at=timezone.now(),
        )
        self._remember(organisation)
        return organisation, True


# Groups --------------------------------------------------------------------------------------


def _municipality_codes(area) -> set[str]:
    if not area:
        return set()
    return set(
        Municipality.objects.filter(
            Q(province_id__in=area.get("provinces", []))
            | Q(arrondissement_id__in=area.get("arrondissements", []))
            | Q(region_id__in=[REGIONS[r] for r in area.get("regions", [])])
            | Q(code__in=area.get("municipalities", []))
        ).values_list("code", flat=True)
    )


def _coverage(codes: set[str]) -> str:
    """The one region (or the German-speaking Community) all these municipalities lie in."""
    if not codes:
        return ""
    regions = {
        Coverage.GERMAN_SPEAKING if code in GERMAN_SPEAKING else REGION_COVERAGE[region]
        for code, region in Municipality.objects.filter(code__in=codes).values_list(
            "code", "region_id"
        )
    }
    return regions.pop() if len(regions) == 1 else ""


def _location(values: dict) -> dict:
    """A record's place as listing data: the postcode's point, or the municipality's centre
    marked approximate when the source names no postcode."""
    postcode = values.get("postcode") or ""
    _municipality, latitude, longitude = listing.located(postcode) if postcode else (None,) * 3
    approximate = latitude is None or longitude is None
    if approximate:
        centre = Municipality.objects.get(code=values["municipality"])
        latitude, longitude = centre.latitude, centre.longitude
    street = ", ".join(p.strip() for p in (values.get("street"), values.get("locality")) if p)
    return {
        "name": (values.get("place") or "").strip(),
        "address": street[: listing.limit(listing.Location, "address")],
        "postcode": postcode,
        "access_notes": "",
        "latitude": latitude,
        "longitude": longitude,
        "municipality_id": values["municipality"],
        "approximate": approximate,
    }


def _listing_data(record: dict, translated: dict) -> dict:
    """The record as listing data (the shape of `listing.data_of`)."""
    data = {f"name_{code}": record["name"].get(code, "").strip() for code in CONTENT_LANGUAGES}
    schedule = translated.get("schedule") or {}
    for code in CONTENT_LANGUAGES:
        data[f"description_{code}"] = translated["summary"][code].strip()
        # Shown as written under "When it meets": never turned into dates.
        data[f"hours_{code}"] = schedule.get(code, "").strip()
    for name in ("kind", "facilitation", "format", "cohort", "cost", "cost_amount"):
        data[name] = record[name] or ""
    for name in ("website", "email", "phone"):
        data[name] = (record[name] or "").strip()
    data["age_min"], data["age_max"] = record["age_min"], record["age_max"]
    for name in TERM_LISTS:
        data[name] = sorted(set(record[name]))
    data["locations"] = [_location(values) for values in record["locations"]]
    data["schedules"] = []
    return data


def _partial_date(value) -> tuple[date, str] | None:
    """A date given as "2023", "2023-10" or "2023-10-11": (its first day, its precision)."""
    if not isinstance(value, str) or not PARTIAL_DATE.fullmatch(value):
        return None
    parts = [int(p) for p in value.split("-")]
    try:
        first = date(parts[0], *(parts[1:] + [1, 1])[:2])
    except ValueError:
        return None
    return first, [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY][len(parts) - 1]


def _record_fields(record: dict) -> dict:
    source_date, precision = _partial_date(record["source_date"]) or (None, "")
    return {
        "sources": record["sources"],
        "evidence": record["evidence"],
        "source_date": source_date,
        "source_date_precision": precision,
        "confidence": record["confidence"],
        "checked_on": date.fromisoformat(record["checked_on"]),
    }


def _changed_since_loading(group: Group) -> bool:
    """Someone other than this loader has had a hand in the group since it was loaded."""
    ours = (f"{RESOURCES_SOURCE}:", f"{ORGANISATION_SOURCE}:")
    return (
        group.loaded_data is None
        or group.confirmed_at is not None
        or not group.organisation.source_key.startswith(ours)  # claimed by its organiser
        or group.revisions.exists()
        or listing.data_of(group) != group.loaded_data
    )


def _load_group(record: dict, translated: dict, organisation: Organisation) -> str:
    """Write one record through the listing writer; says whether it was created, updated,
    unchanged or kept."""
    key = f"{SOURCE}:{record['id']}"
    data = _listing_data(record, translated)
    area = _municipality_codes(record["area"])
    located = {values["municipality"] for values in record["locations"]}
    fields = {**_record_fields(record), "coverage": _coverage(area or located)}
    group = Group.objects.filter(source_key=key).select_related("organisation").first()
    if group is None:
        slug = record["id"]
        if Group.objects.filter(slug=slug).exists():
            slug = listing.free_slug(Group, slug)
        group = listing.create_group(
            organisation,
            data,
            service_area=area,
            source_key=key,
            slug=slug,
            # Records our team is not sure of wait for a moderator; the others are published.
            status=Status.PENDING if record["confidence"] == "low" else Status.PUBLISHED,
            **fields,
        )
        listing.update(Group.objects.filter(pk=group.pk), loaded_data=listing.data_of(group))
        return "created"
    if _changed_since_loading(group):
        return "kept"
    same = (
        {**group.loaded_data, **data} == group.loaded_data
        and all(getattr(group, name) == value for name, value in fields.items())
        and set(group.service_area.values_list("code", flat=True)) == area
    )
    if same:
        return "unchanged"
    listing.save(group, data, service_area=area, **fields)
    listing.update(Group.objects.filter(pk=group.pk), loaded_data=listing.data_of(group))
    return "updated"


def load_groups(path: Path | None = None, translations_path: Path | None = None) -> dict:
    """Create or update one Group per record of the file, under one Organisation per organiser."""
    path = path or DATA_DIR / "be-groups.json"
    translations_path = translations_path or DATA_DIR / "be-groups.translations.json"
    records = read_json(path)
    translations = read_json(translations_path)
    problems = _check_groups(records, translations)
    if problems:
        raise LoadError(path, problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0, "organisations created": 0}
    with listing.changes():  # all or nothing, and the search index follows in one batch
        organisations = _Organisations()
        for cluster in _organisers(records):
            organisation, created = organisations.find_or_create(cluster)
            counts["organisations created"] += created
            for record in cluster:
                counts[_load_group(record, translations[record["id"]], organisation)] += 1
    return counts
