"""Load the taxonomy (data/taxonomy.json) and the bundled real Belgian resources
(data/be-resources.json with data/be-resources.translations.json).

Both loaders check the whole file before writing anything, and write inside one transaction: a
malformed file is reported record by record and field by field, and the database stays as it was.
Running a loader twice changes nothing the second time.
"""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone

from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.loading import LoadError, read_json
from healingtogether.places.models import Municipality

from . import listing
from .models import Approach, Audience, Coverage, Group, Language, Organisation, Status, Topic

DATA_DIR = Path(settings.BASE_DIR) / "data"
SOURCE = "be-resources"

TAXONOMIES = {"topics": Topic, "audiences": Audience, "approaches": Approach, "languages": Language}

KINDS = {
    "adult_network": (Group.Kind.ADULT_NETWORK, Organisation.Kind.PUBLIC_NETWORK),
    "youth_network": (Group.Kind.YOUTH_NETWORK, Organisation.Kind.PUBLIC_NETWORK),
    "association": (Group.Kind.ASSOCIATION, Organisation.Kind.ASSOCIATION),
    "platform": (Group.Kind.PLATFORM, Organisation.Kind.PLATFORM),
    "directory": (Group.Kind.DIRECTORY, Organisation.Kind.PLATFORM),
    # The file does not say who runs each line (an association, a public service): left blank.
    "crisis_line": (Group.Kind.HELPLINE, ""),
}

# The file's topic and audience words, mapped to our taxonomy. Words that describe what kind of
# service something is ("support_groups", "networks") rather than what it helps with map to
# nothing: the kind already says it. A word missing here is an error, so new data is looked at.
TOPICS = {
    "mental_health": ["mental_health"],
    "mental_health_services": ["mental_health"],
    "care_coordination": ["mental_health"],
    "mobile_teams": ["mental_health", "crisis"],
    "recovery": ["mental_health"],
    "first_line_psychological_care": ["first_line_psychology"],
    "low_cost_psychologist": ["first_line_psychology"],
    "child_and_adolescent_mental_health": ["youth_mental_health"],
    "youth_listening_line": ["youth_mental_health"],
    "family_support": ["caring_for_someone"],
    "listening_line": ["mental_health"],
    "crisis_listening": ["crisis"],
    "emergency": ["crisis"],
    "ambulance": ["crisis"],
    "fire": ["crisis"],
    "police": ["crisis"],
    "suicide_prevention": ["suicidal_thoughts"],
    "suicide_bereavement": ["suicide_bereavement"],
    "loneliness": ["loneliness"],
    "lieux_de_liens": ["loneliness"],
    "alcohol": ["alcohol"],
    "addiction": ["addiction"],
    "twelve_steps": ["addiction"],
    "bipolar_disorder": ["bipolar"],
    "depression": ["depression"],
    "support_groups": [],
    "peer_support": [],
    "group_sessions": [],
    "self_help_groups": [],
    "speech_circles": [],
    "psychoeducation": [],
    "service_directory": [],
    "networks": [],
    "mediation": [],
    "peer_information_line": [],
    "adult_mental_health_reform": [],
    "social_services": [],
    "health_services": [],
    "user_participation": [],
    "user_representation": [],
    "rights_information": [],
}

AUDIENCES = {
    "adults": ["adults"],
    "children": ["children"],
    "adolescents": ["adolescents"],
    "families": ["parents", "relatives"],
    "parents": ["parents"],
    "expectant_parents": ["parents"],
    "relatives": ["relatives"],
    "friends_of_people_with_alcohol_problems": ["relatives"],
    "professionals": ["professionals"],
    "young_adults": ["young_adults"],
    "young_adults_16_23": ["young_adults"],
    "young_adults_16_plus": ["young_adults"],
    "young_adults_18_23": ["young_adults"],
    "older_adults": ["seniors"],
    # Everyone, or people described by what they live through: the topics say that.
    "general_public": [],
    "service_users": [],
    "people_in_distress": [],
    "people_in_crisis": [],
    "people_in_danger": [],
    "people_with_suicidal_thoughts": [],
    "bereaved_by_suicide": [],
    "people_with_alcohol_problems": [],
    "people_with_bipolar_disorder": [],
    "people_with_chronic_depression": [],
    "people_with_psychological_vulnerability": [],
    "self_help_groups": [],
}

COVERAGE = {
    None: Coverage.NATIONAL,
    "national": Coverage.NATIONAL,
    "brussels": Coverage.BRUSSELS,
    "flanders": Coverage.FLANDERS,
    "wallonia": Coverage.WALLONIA,
    "german_speaking": Coverage.GERMAN_SPEAKING,
}

CONFIDENCE = {"high", "medium", "low"}


# Taxonomy ------------------------------------------------------------------------------------


def _check_taxonomy(data) -> list[str]:
    if not isinstance(data, dict):
        return ["the file must hold an object with topics, audiences, approaches and languages"]
    problems = []
    for name in TAXONOMIES:
        terms = data.get(name)
        if not isinstance(terms, list):
            problems.append(f"{name}: missing or not a list")
            continue
        slugs = [t.get("slug") if isinstance(t, dict) else None for t in terms]
        for position, term in enumerate(terms):
            where = f"{name}[{position}] {slugs[position] or ''}".strip()
            if not isinstance(term, dict) or not isinstance(term.get("slug"), str):
                problems.append(f"{where}: slug: missing")
                continue
            label = term.get("label")
            if not isinstance(label, dict) or not all(
                isinstance(label.get(c), str) and label[c].strip() for c in CONTENT_LANGUAGES
            ):
                problems.append(f"{where}: label: needs en, fr, nl and de")
            synonyms = term.get("synonyms", {})
            if not isinstance(synonyms, dict) or not all(
                isinstance(words, list) and all(isinstance(w, str) for w in words)
                for words in synonyms.values()
            ):
                problems.append(f"{where}: synonyms: must map languages to lists of words")
            if term.get("parent") is not None and term["parent"] not in slugs:
                problems.append(f"{where}: parent: unknown slug {term['parent']!r}")
        if len(set(slugs)) != len(slugs):
            problems.append(f"{name}: slugs must be unique")
    return problems


def load_taxonomy(path: Path | None = None) -> dict[str, int]:
    path = path or DATA_DIR / "taxonomy.json"
    data = read_json(path)
    problems = _check_taxonomy(data)
    if problems:
        raise LoadError(path, problems)
    with listing.changes():  # a label or synonym that changed reaches its groups' index rows
        _write_taxonomy(data)
    return {name: model.objects.count() for name, model in TAXONOMIES.items()}


def _write_taxonomy(data) -> None:
    for name, model in TAXONOMIES.items():
        for term in data[name]:
            defaults = {f"label_{c}": term["label"][c].strip() for c in CONTENT_LANGUAGES}
            for code in CONTENT_LANGUAGES:
                defaults[f"synonyms_{code}"] = ", ".join(term.get("synonyms", {}).get(code, []))
            model.objects.update_or_create(slug=term["slug"], defaults=defaults)
        for term in data[name]:
            parent = model.objects.filter(slug=term.get("parent")).first()
            model.objects.filter(slug=term["slug"]).update(parent=parent)


# Resources -----------------------------------------------------------------------------------


def is_url(value) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


def is_date(value) -> bool:
    """An ISO date (YYYY-MM-DD) given as text."""
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def is_email(value) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


def _check_record(record, translations, known_municipalities, area_codes, languages) -> list[str]:
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
            code in CONTENT_LANGUAGES and isinstance(v, str) and v.strip()
            for code, v in name.items()
        ),
        "name",
        "must give the name in at least one of en, fr, nl, de",
    )
    for field, check, message in (
        ("website", is_url, "must be an http(s) address"),
        ("email", is_email, "must be an email address"),
        ("phone", lambda v: isinstance(v, str) and v.strip(), "must be text"),
        ("hours", lambda v: isinstance(v, str) and v.strip(), "must be text"),
    ):
        value = record.get(field)
        need(value is None or check(value), field, message)
    need(
        isinstance(record.get("languages"), list)
        and all(code in languages for code in record["languages"]),
        "languages",
        "must list known language codes",
    )
    need(
        record.get("region") in COVERAGE,
        "region",
        f"must be one of {', '.join(map(str, COVERAGE))}",
    )
    area = record.get("area")
    if area is not None:
        if not isinstance(area, dict):
            problems.append("area: must be an object or null")
        else:
            for part in ("provinces", "arrondissements", "municipalities"):
                codes = area.get(part, [])
                known = known_municipalities if part == "municipalities" else area_codes[part]
                unknown = [c for c in codes if c not in known] if isinstance(codes, list) else codes
                need(
                    isinstance(codes, list) and not unknown,
                    f"area.{part}",
                    f"unknown codes {unknown}",
                )
    for field, mapping in (("topics", TOPICS), ("audience", AUDIENCES)):
        values = record.get(field)
        unknown = [v for v in values if v not in mapping] if isinstance(values, list) else values
        need(isinstance(values, list) and not unknown, field, f"unknown values {unknown}")
    need(isinstance(record.get("summary"), str) and record["summary"].strip(), "summary", "missing")
    sources = record.get("sources")
    need(
        isinstance(sources, list) and all(is_url(s) for s in sources),
        "sources",
        "must be a list of http(s) addresses",
    )
    need(record.get("confidence") in CONFIDENCE, "confidence", "must be high, medium or low")
    need(is_date(record.get("checked_on")), "checked_on", "must be a date (YYYY-MM-DD)")

    translated = translations.get(record.get("id"))
    if not isinstance(translated, dict):
        problems.append("translations: missing from be-resources.translations.json")
    else:
        summary = translated.get("summary")
        need(
            isinstance(summary, dict)
            and all(
                isinstance(summary.get(c), str) and summary[c].strip() for c in CONTENT_LANGUAGES
            ),
            "translations.summary",
            "needs en, fr, nl and de",
        )
        hours = translated.get("hours")
        need(
            (hours is None) == (record.get("hours") is None)
            and (
                hours is None
                or all(
                    isinstance(hours.get(c), str) and hours[c].strip() for c in CONTENT_LANGUAGES
                )
            ),
            "translations.hours",
            "needs en, fr, nl and de when the record has hours, and nothing otherwise",
        )
    return problems


def _check_resources(records, translations) -> list[str]:
    if not isinstance(records, list):
        return ["the file must hold a list of records"]
    if not isinstance(translations, dict):
        return ["translations: the file must hold an object keyed by record id"]
    municipalities = dict(Municipality.objects.values_list("code", "arrondissement_id"))
    area_codes = {
        "provinces": set(
            Municipality.objects.exclude(province=None).values_list("province_id", flat=True)
        ),
        "arrondissements": set(municipalities.values()),
    }
    languages = set(Language.objects.values_list("slug", flat=True))
    if not municipalities:
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
        elif ident in seen:
            problems.append(f"{label}: id: appears twice")
        seen.add(ident)
        problems += [
            f"{label}: {p}"
            for p in _check_record(record, translations, municipalities, area_codes, languages)
        ]
    return problems


def _service_area(area) -> set[str]:
    if not area:
        return set()
    return (
        set(
            Municipality.objects.filter(province_id__in=area.get("provinces", [])).values_list(
                "code", flat=True
            )
        )
        | set(
            Municipality.objects.filter(
                arrondissement_id__in=area.get("arrondissements", [])
            ).values_list("code", flat=True)
        )
        | set(area.get("municipalities", []))
    )


def _names(record) -> dict[str, str]:
    return {f"name_{code}": record["name"].get(code, "").strip() for code in CONTENT_LANGUAGES}


def _differs(obj, values: dict) -> bool:
    return obj.pk is None or any(getattr(obj, k) != v for k, v in values.items())


def _terms_differ(group, terms: dict) -> bool:
    return any(
        set(getattr(group, name).values_list("slug", flat=True)) != set(slugs)
        for name, slugs in terms.items()
    )


def load_resources(path: Path | None = None, translations_path: Path | None = None) -> dict:
    """Create or update one Organisation and one Group for every record of the file."""
    path = path or DATA_DIR / "be-resources.json"
    translations_path = translations_path or DATA_DIR / "be-resources.translations.json"
    records = read_json(path)
    translations = read_json(translations_path)
    problems = _check_resources(records, translations)
    if problems:
        raise LoadError(path, problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with listing.changes():  # all or nothing, and the search index follows in one batch
        for record in records:
            counts[_load_resource(record, translations[record["id"]])] += 1
    return counts


def _load_resource(record, translated) -> str:
    """Write one record through the listing writer; says whether it was created, updated or
    unchanged."""
    now = timezone.now()
    key = f"{SOURCE}:{record['id']}"
    group_kind, organisation_kind = KINDS[record["kind"]]
    organisation = Organisation.objects.filter(source_key=key).first()
    organisation_values = {
        "slug": record["id"],
        "kind": organisation_kind,
        "website": record["website"] or "",
        "email": record["email"] or "",
        "phone": record["phone"] or "",
        **_names(record),
    }
    org_changed = organisation is None or _differs(organisation, organisation_values)
    if org_changed:
        # Ours, so approved from the start: these records are the directory's own.
        organisation = listing.save(
            organisation or Organisation(source_key=key, approved_at=now), **organisation_values
        )
    values = {
        "slug": record["id"],
        "organisation": organisation,
        "kind": group_kind,
        "coverage": COVERAGE[record["region"]],
        "website": record["website"] or "",
        "email": record["email"] or "",
        "phone": record["phone"] or "",
        "sources": record["sources"],
        # Compiled by our team on that day; nobody has confirmed it yet (see Group.is_compiled).
        "checked_on": date.fromisoformat(record["checked_on"]),
        "confidence": record["confidence"],
        **_names(record),
    }
    for code in CONTENT_LANGUAGES:
        values[f"description_{code}"] = translated["summary"][code].strip()
        values[f"hours_{code}"] = (translated["hours"] or {}).get(code, "").strip()
    terms = {
        "topics": sorted({s for v in record["topics"] for s in TOPICS[v]}),
        "audiences": sorted({s for v in record["audience"] for s in AUDIENCES[v]}),
        "session_languages": sorted(set(record["languages"])),
    }
    area = _service_area(record["area"])
    group = Group.objects.filter(source_key=key).first()
    if group is None:
        # Records the file is not sure of wait for a moderator; the others are published.
        values["status"] = Status.PENDING if record["confidence"] == "low" else Status.PUBLISHED
        listing.save(Group(source_key=key), terms, service_area=area, **values)
        return "created"
    changed = (
        _differs(group, values)
        or _terms_differ(group, terms)
        or set(group.service_area.values_list("code", flat=True)) != area
    )
    if changed:
        listing.save(group, terms, service_area=area, **values)
    return "updated" if changed or org_changed else "unchanged"
