"""Synthetic groups for benchmarks and demos: realistic, deterministic, and marked as such.

`generate_groups(count, seed)` writes `count` published groups of the four group kinds, spread
over real Belgian postcodes, named and described in the language of their region, under one
organisation for about every five groups. Everything it writes says where it came from:
`Group.synthetic` is true, and source keys and slugs start with "synthetic" and carry the seed, so
`delete_synthetic()` finds every row again and runs with different seeds never collide.

The same count and seed give the same groups. Dates (schedules, confirmations, next starts) are
placed relative to the day of the run, so that some listings are always fresh and some stale.

No contact detail is invented: websites and phone numbers stay empty, and the only emails use the
reserved domain example.org. Importing this module only reads its phrases (phrases.json); `make
run` never calls it, and it lives in its own app, `synthetic`, beside the production ones: only
the `generate_groups` command, the benchmarks (bench/) and tests use it. It writes Groups in bulk
inside `listing.changes()` and announces them with `listing.changed()`, so search indexes them in
one batch.
"""

import json
import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path

from django.db import connection, reset_queries
from django.utils import timezone

from healingtogether.directory import listing
from healingtogether.directory.models import (
    Approach,
    Audience,
    Coverage,
    Group,
    Language,
    Location,
    Organisation,
    Schedule,
    Status,
    Topic,
)
from healingtogether.places.models import GERMAN_SPEAKING, Municipality, PostalCode, Region

MAX_COUNT = 1_000_000
CHUNK_SIZE = 2000

# The German-speaking Community (REFNIS codes); the rest of Wallonia writes in French.

Kind = Group.Kind
Facilitation = Group.Facilitation
Format = Group.Format
Cohort = Group.Cohort
Cost = Group.Cost
OrgKind = Organisation.Kind

# Topics a group can plausibly be about: crises and "find a cheap psychologist" are what helplines
# and directories are for, not groups.
NOT_GROUP_TOPICS = {"crisis", "first_line_psychology"}

# (choice, weight) tables. Weights are relative; they need not add up to 100.
ORGANISATION_KINDS = [
    (OrgKind.ASSOCIATION, 55),
    (OrgKind.PRIVATE_PRACTICE, 25),
    (OrgKind.HOSPITAL_SERVICE, 20),
]
KINDS_BY_ORGANISATION = {
    OrgKind.ASSOCIATION: [
        (Kind.SUPPORT_GROUP, 40),
        (Kind.SPEECH_CIRCLE, 35),
        (Kind.PSYCHOEDUCATION, 15),
        (Kind.THERAPY_GROUP, 10),
    ],
    OrgKind.PRIVATE_PRACTICE: [
        (Kind.THERAPY_GROUP, 65),
        (Kind.PSYCHOEDUCATION, 20),
        (Kind.SPEECH_CIRCLE, 15),
    ],
    OrgKind.HOSPITAL_SERVICE: [
        (Kind.THERAPY_GROUP, 45),
        (Kind.PSYCHOEDUCATION, 40),
        (Kind.SUPPORT_GROUP, 15),
    ],
}
FACILITATION_BY_KIND = {
    Kind.THERAPY_GROUP: [(Facilitation.PROFESSIONAL, 90), (Facilitation.CO_FACILITATED, 10)],
    Kind.PSYCHOEDUCATION: [(Facilitation.PROFESSIONAL, 80), (Facilitation.CO_FACILITATED, 20)],
    Kind.SUPPORT_GROUP: [(Facilitation.PEER, 60), (Facilitation.CO_FACILITATED, 40)],
    Kind.SPEECH_CIRCLE: [
        (Facilitation.PEER, 80),
        (Facilitation.CO_FACILITATED, 15),
        (Facilitation.PROFESSIONAL, 5),
    ],
}
FORMATS = [(Format.IN_PERSON, 70), (Format.HYBRID, 15), (Format.ONLINE, 15)]
COHORTS_BY_KIND = {
    Kind.THERAPY_GROUP: [
        (Cohort.DROP_IN, 2),
        (Cohort.OPEN, 20),
        (Cohort.CLOSED, 30),
        (Cohort.INTAKE, 33),
        (Cohort.WAITING_LIST, 15),
    ],
    Kind.PSYCHOEDUCATION: [
        (Cohort.DROP_IN, 5),
        (Cohort.OPEN, 45),
        (Cohort.CLOSED, 35),
        (Cohort.INTAKE, 10),
        (Cohort.WAITING_LIST, 5),
    ],
    Kind.SUPPORT_GROUP: [
        (Cohort.DROP_IN, 45),
        (Cohort.OPEN, 35),
        (Cohort.CLOSED, 5),
        (Cohort.INTAKE, 10),
        (Cohort.WAITING_LIST, 5),
    ],
    Kind.SPEECH_CIRCLE: [(Cohort.DROP_IN, 60), (Cohort.OPEN, 30), (Cohort.CLOSED, 5)],
}
COSTS_BY_KIND = {
    Kind.THERAPY_GROUP: [
        (Cost.REIMBURSED, 40),
        (Cost.PAID, 45),
        (Cost.FREE, 10),
        (Cost.DONATION, 5),
    ],
    Kind.PSYCHOEDUCATION: [
        (Cost.FREE, 40),
        (Cost.REIMBURSED, 30),
        (Cost.PAID, 25),
        (Cost.DONATION, 5),
    ],
    Kind.SUPPORT_GROUP: [(Cost.FREE, 55), (Cost.DONATION, 30), (Cost.PAID, 15)],
    Kind.SPEECH_CIRCLE: [(Cost.FREE, 60), (Cost.DONATION, 30), (Cost.PAID, 10)],
}
REFERRAL_BY_KIND = {
    Kind.THERAPY_GROUP: [(True, 30), (False, 45), (None, 25)],
    Kind.PSYCHOEDUCATION: [(True, 15), (False, 60), (None, 25)],
}
REFERRAL_OTHERWISE = [(True, 2), (False, 68), (None, 30)]

# Which languages a listing is written in, by region. Brussels writes in French, Dutch or both,
# and sometimes English; the German-speaking Community often adds French.
TEXT_LANGUAGES = {
    Coverage.FLANDERS: [(("nl",), 90), (("nl", "en"), 6), (("nl", "fr"), 4)],
    Coverage.WALLONIA: [(("fr",), 92), (("fr", "en"), 4), (("fr", "nl"), 4)],
    Coverage.BRUSSELS: [
        (("fr",), 40),
        (("nl",), 18),
        (("fr", "nl"), 25),
        (("en",), 10),
        (("fr", "en"), 7),
    ],
    Coverage.GERMAN_SPEAKING: [(("de",), 75), (("de", "fr"), 25)],
}
# Languages other than the listing's own that some groups also hold sessions in.
EXTRA_SESSION_LANGUAGES = [
    ("en", 30),
    ("ar", 20),
    ("tr", 15),
    ("sign", 15),
    ("es", 4),
    ("it", 4),
    ("pl", 4),
    ("ro", 3),
    ("uk", 3),
    ("ru", 1),
    ("pt", 1),
]
AUDIENCES = [
    ("adults", 35),
    ("young_adults", 10),
    ("relatives", 10),
    ("parents", 8),
    ("adolescents", 6),
    ("seniors", 6),
    ("women", 5),
    ("students", 4),
    ("newcomers", 4),
    ("lgbtqia", 4),
    ("children", 3),
    ("men", 3),
    ("professionals", 2),
]
SECOND_AUDIENCES = ["parents", "relatives", "women", "men", "lgbtqia", "newcomers"]
# The ages an audience implies; None leaves that end open.
AGE_RANGES = {
    "children": (6, 12),
    "adolescents": (12, 18),
    "young_adults": (18, 30),
    "students": (18, 30),
    "adults": (18, None),
    "seniors": (65, None),
}
THERAPY_APPROACHES = ["cbt", "psychodynamic", "mindfulness", "art_expression", "psychodrama"]
THERAPY_APPROACHES += ["systemic", "act", "humanistic"]

OPENING_TIMES = [(time(10, 0), 15), (time(14, 0), 15), (time(18, 30), 20)]
OPENING_TIMES += [(time(19, 0), 30), (time(19, 30), 20)]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
EVENING = time(18, 0)

# Postcodes have no population, so weigh them roughly: the nine "x000" postcodes are the big
# cities, Brussels has many people per postcode, and "xx00" postcodes are municipality centres.
BIG_CITY_WEIGHT = 8
BRUSSELS_WEIGHT = 4
CENTRE_WEIGHT = 2

# --- Text, written for this generator, in phrases.json: what each kind, facilitation, cohort and
# format is called or says in fr, nl, de and en, the patterns of names (German keeps a topic
# label's capital, nouns; the others read it in lower case after the kind), description sentences
# ("{topic}" is the topic's label), costs, street names found in most Belgian municipalities (so
# no address points anywhere in particular), rooms and organisation names. Keys are the model's
# choice values. Topic labels come from the taxonomy. Read once, when this module is imported. ---

PHRASES = json.loads((Path(__file__).parent / "phrases.json").read_text(encoding="utf-8"))
KIND_WORDS = PHRASES["KIND_WORDS"]
NAME_PATTERNS = PHRASES["NAME_PATTERNS"]
ONLINE_PLACE = PHRASES["ONLINE_PLACE"]
# The first sentence of a description: to share (most kinds) or to learn (psycho-education).
SHARE_OPENINGS = PHRASES["SHARE_OPENINGS"]
LEARN_OPENINGS = PHRASES["LEARN_OPENINGS"]
FACILITATION_SENTENCES = PHRASES["FACILITATION_SENTENCES"]
COHORT_SENTENCES = PHRASES["COHORT_SENTENCES"]
FORMAT_SENTENCES = PHRASES["FORMAT_SENTENCES"]
COST_AMOUNTS = PHRASES["COST_AMOUNTS"]
STREETS = PHRASES["STREETS"]
ROOMS = PHRASES["ROOMS"]
ORGANISATION_PATTERNS = PHRASES["ORGANISATION_PATTERNS"]
ORGANISATION_WORDS = PHRASES["ORGANISATION_WORDS"]


class SyntheticError(Exception):
    """Something the person running the generator must fix; nothing was written."""


@dataclass
class Place:
    """A postcode with its first municipality, and the region that sets the language."""

    postcode: str
    latitude: float
    longitude: float
    municipality_id: str
    names: dict[str, str]
    region: str

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names[REGION_LANGUAGE[self.region]]


REGION_LANGUAGE = {
    Coverage.FLANDERS: "nl",
    Coverage.WALLONIA: "fr",
    Coverage.BRUSSELS: "fr",
    Coverage.GERMAN_SPEAKING: "de",
}


@dataclass
class Term:
    id: int
    labels: dict[str, str]


@dataclass
class Catalogue:
    """What the generator picks from, read once: places and the taxonomy."""

    # Places with cumulative weights, so that a weighted choice needs no addition each time.
    places: list[Place]
    cum_weights: list[int]
    places_by_region: dict[str, tuple[list[Place], list[int]]]
    topics: list[Term]
    # Slug -> id.
    audiences: dict[str, int]
    approaches: dict[str, int]
    languages: dict[str, int]


@dataclass
class Draft:
    """One group about to be written, with the rows that hang off it."""

    group: Group
    topic_ids: list[int]
    audience_ids: list[int]
    approach_ids: list[int]
    language_ids: list[int]
    location: Location | None = None
    schedule: Schedule | None = None


@dataclass
class Home:
    """An organisation, where it works, and how many more groups it runs."""

    organisation: Organisation
    place: Place
    groups_left: int


@dataclass
class Summary:
    groups: int = 0
    organisations: int = 0
    locations: int = 0
    schedules: int = 0


# --- Reading what we pick from ---


def _region(municipality: Municipality) -> str:
    if municipality.code in GERMAN_SPEAKING:
        return Coverage.GERMAN_SPEAKING
    return {
        Region.FLANDERS: Coverage.FLANDERS,
        Region.WALLONIA: Coverage.WALLONIA,
        Region.BRUSSELS: Coverage.BRUSSELS,
    }[municipality.region_id]


def _weight(place: Place) -> int:
    if place.postcode.endswith("000"):
        return BIG_CITY_WEIGHT
    if place.region == Coverage.BRUSSELS:
        return BRUSSELS_WEIGHT
    return CENTRE_WEIGHT if place.postcode.endswith("00") else 1


def _terms(model, exclude=()) -> list[Term]:
    return [
        Term(t.id, {code: getattr(t, f"label_{code}") for code in ("fr", "nl", "de", "en")})
        for t in model.objects.exclude(slug__in=exclude).order_by("slug")
    ]


def load_catalogue() -> Catalogue:
    """Places and taxonomy in a fixed order, so that a seed always picks the same ones."""
    municipalities = {m.code: m for m in Municipality.objects.all()}
    # A postcode shared by several municipalities belongs to the one with the lowest code:
    # a choice that does not depend on how the database sorts names.
    first_municipality = {}
    links = PostalCode.municipalities.through.objects.values_list(
        "postalcode_id", "municipality_id"
    )
    for postcode, code in links:
        if postcode not in first_municipality or code < first_municipality[postcode]:
            first_municipality[postcode] = code
    places = []
    postcodes = PostalCode.objects.exclude(latitude=None).exclude(longitude=None).order_by("code")
    for postcode in postcodes:
        municipality = municipalities.get(first_municipality.get(postcode.code))
        if municipality is None:
            continue
        names = {"nl": municipality.name_nl, "fr": municipality.name_fr, "de": municipality.name_de}
        places.append(
            Place(
                postcode.code,
                postcode.latitude,
                postcode.longitude,
                municipality.code,
                {code: name for code, name in names.items() if name},
                _region(municipality),
            )
        )
    weights = [_weight(place) for place in places]
    places_by_region = {}
    for region in REGION_LANGUAGE:
        pairs = [(p, w) for p, w in zip(places, weights, strict=True) if p.region == region]
        places_by_region[region] = ([p for p, _ in pairs], list(accumulate(w for _, w in pairs)))
    topics = _terms(Topic, exclude=NOT_GROUP_TOPICS)
    if not places or not topics:
        raise SyntheticError(
            "There are no places or no topics yet: run load_places and load_resources first."
        )
    return Catalogue(
        places=places,
        cum_weights=list(accumulate(weights)),
        places_by_region=places_by_region,
        topics=topics,
        audiences=dict(Audience.objects.values_list("slug", "id")),
        approaches=dict(Approach.objects.values_list("slug", "id")),
        languages=dict(Language.objects.values_list("slug", "id")),
    )


# --- Picking ---


def _pick(rng: random.Random, table):
    choices, weights = zip(*table, strict=True)
    return rng.choices(choices, weights)[0]


def _lower_first(label: str) -> str:
    """Lower-case the first letter, as the label now sits inside a sentence, unless it starts an
    acronym: "Deuil et perte" -> "deuil et perte", "LGBTQIA+" stays."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _jitter(rng: random.Random, latitude: float, longitude: float) -> tuple[float, float]:
    """A point at most 1 km from the given one, spread evenly over the disc."""
    distance_km = math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = distance_km * math.cos(angle) / 111.2
    dlon = distance_km * math.sin(angle) / (111.2 * math.cos(math.radians(latitude)))
    return round(latitude + dlat, 6), round(longitude + dlon, 6)


def _organisation(rng, catalogue: Catalogue, seed: int, k: int) -> Home:
    place = rng.choices(catalogue.places, cum_weights=catalogue.cum_weights)[0]
    language = REGION_LANGUAGE[place.region]
    if place.region == Coverage.BRUSSELS and rng.random() < 0.35:
        language = "nl"
    kind = _pick(rng, ORGANISATION_KINDS)
    pattern = rng.choice(ORGANISATION_PATTERNS[language][kind])
    name = pattern.format(word=rng.choice(ORGANISATION_WORDS[language]))
    organisation = Organisation(
        public_id=_uuid(rng),
        slug=f"synthetic-{seed}-org-{k}",
        kind=kind,
        source_key=f"synthetic:{seed}:org:{k}",
        approved_at=timezone.now(),
        **{f"name_{language}": f"{name} – {place.name_in(language)}"},
    )
    return Home(organisation, place, groups_left=rng.randint(1, 9))


def _session_languages(rng, catalogue: Catalogue, text_languages, region) -> list[int]:
    wanted = [text_languages[0]]
    if len(text_languages) > 1 and rng.random() < 0.6:
        wanted.append(text_languages[1])
    elif rng.random() < 0.12:
        extra = _pick(rng, EXTRA_SESSION_LANGUAGES)
        if extra == "sign":
            extra = "vgt" if region == Coverage.FLANDERS else "lsfb"
        if extra not in wanted:
            wanted.append(extra)
    return [catalogue.languages[code] for code in wanted if code in catalogue.languages]


def _audiences(rng, catalogue: Catalogue) -> tuple[list[int], tuple]:
    """1–2 audiences, and the age range the first one implies (sometimes left unsaid)."""
    slugs = [_pick(rng, AUDIENCES)]
    if rng.random() < 0.3:
        # Children and teenagers come with their parents, not with "women" or "professionals".
        young = slugs[0] in ("children", "adolescents")
        second = "parents" if young else rng.choice(SECOND_AUDIENCES)
        if second != slugs[0]:
            slugs.append(second)
    ages = AGE_RANGES.get(slugs[0], (None, None))
    if rng.random() < 0.4:
        ages = (None, None)
    return [catalogue.audiences[s] for s in slugs if s in catalogue.audiences], ages


def _approaches(rng, catalogue: Catalogue, kind: str) -> list[int]:
    slugs = []
    if kind == Kind.THERAPY_GROUP:
        slugs = rng.sample(THERAPY_APPROACHES, rng.choice([0, 1, 1, 2]))
    elif kind == Kind.PSYCHOEDUCATION:
        slugs = ["psychoeducation"]
    return [catalogue.approaches[s] for s in slugs if s in catalogue.approaches]


def _description(rng, kind, facilitation, cohort, group_format) -> list[dict[str, str]]:
    """1–3 sentences, each in every language, so that all languages of a listing say the same."""
    openings = LEARN_OPENINGS if kind == Kind.PSYCHOEDUCATION else SHARE_OPENINGS
    choice = rng.randrange(len(openings["fr"]))
    sentences = [{language: texts[choice] for language, texts in openings.items()}]
    if rng.random() < 0.7:
        sentences.append({lang: t[facilitation] for lang, t in FACILITATION_SENTENCES.items()})
    if rng.random() < 0.5:
        if group_format == Format.IN_PERSON:
            sentences.append({lang: t[cohort] for lang, t in COHORT_SENTENCES.items()})
        else:
            sentences.append({lang: t[group_format] for lang, t in FORMAT_SENTENCES.items()})
    return sentences


def _schedule(rng, today: date) -> Schedule | None:
    if rng.random() >= 0.85:
        return None
    opens_at = _pick(rng, OPENING_TIMES)
    minutes = rng.choice([90, 90, 120])
    closes_at = (datetime.combine(today, opens_at) + timedelta(minutes=minutes)).time()
    weekday = rng.randrange(len(WEEKDAYS))
    dtstart = today - timedelta(days=rng.randint(0, 358))
    if rng.random() < 0.6:
        freq, interval, byday = Schedule.Freq.WEEKLY, rng.choice([1, 1, 1, 2]), WEEKDAYS[weekday]
        # Start on the meeting day itself, as an organiser would enter it.
        dtstart -= timedelta(days=(dtstart.weekday() - weekday) % 7)
    else:
        freq, interval, byday = Schedule.Freq.MONTHLY, 1, f"{rng.randint(1, 4)}{WEEKDAYS[weekday]}"
    until = today + timedelta(days=rng.randint(30, 365)) if rng.random() < 0.2 else None
    return Schedule(
        freq=freq,
        interval=interval,
        byday=byday,
        dtstart=dtstart,
        until=until,
        opens_at=opens_at,
        closes_at=closes_at,
    )


def _cost_amount(rng, kind: str, cost: str, language: str) -> str:
    """What a session costs, in words: always for paid groups, sometimes for reimbursed ones."""
    if cost == Cost.PAID and kind == Kind.THERAPY_GROUP:
        euros = rng.choice([25, 30, 35, 40, 45])
    elif cost == Cost.PAID:
        euros = rng.choice([5, 10, 15, 20, 25])
    elif cost == Cost.REIMBURSED and rng.random() < 0.4:
        euros = rng.choice([4, 11])
    else:
        return ""
    return COST_AMOUNTS[language].format(amount=euros)


def _location(rng, group: Group, place: Place, language: str | None) -> Location:
    """A street address near the postcode's point, in the language of the listing."""
    language = language or REGION_LANGUAGE[place.region]
    latitude, longitude = _jitter(rng, place.latitude, place.longitude)
    location = Location(
        group=group,
        name=rng.choice(ROOMS[language]) if rng.random() < 0.4 else "",
        address=f"{rng.choice(STREETS[language])} {rng.randint(1, 120)}",
        postcode=place.postcode,
        municipality_id=place.municipality_id,
        latitude=latitude,
        longitude=longitude,
    )
    # bulk_create skips save(), which derives the point that "near me" searches use.
    location.set_unit_vector()
    return location


def _draft(rng, catalogue: Catalogue, seed: int, n: int, home: Home, today, now) -> Draft:
    region = home.place.region
    place = home.place
    if rng.random() < 0.25:
        region_places, cum_weights = catalogue.places_by_region[region]
        place = rng.choices(region_places, cum_weights=cum_weights)[0]
    text_languages = _pick(rng, TEXT_LANGUAGES[region])
    kind = _pick(rng, KINDS_BY_ORGANISATION[home.organisation.kind])
    facilitation = _pick(rng, FACILITATION_BY_KIND[kind])
    group_format = _pick(rng, FORMATS)
    topics = rng.sample(catalogue.topics, rng.choice([1, 1, 1, 2, 2, 3]))
    topic_ids = [t.id for t in topics]
    audience_ids, (age_min, age_max) = _audiences(rng, catalogue)
    cohort = _pick(rng, COHORTS_BY_KIND[kind])
    cost = _pick(rng, COSTS_BY_KIND[kind])
    sentences = _description(rng, kind, facilitation, cohort, group_format)

    texts = {}
    for language in text_languages:
        topic_label = topics[0].labels[language]
        where = ONLINE_PLACE[language] if group_format == Format.ONLINE else None
        texts[f"name_{language}"] = NAME_PATTERNS[language].format(
            kind=KIND_WORDS[language][kind],
            topic=topic_label if language == "de" else _lower_first(topic_label),
            place=where or place.name_in(language),
        )
        texts[f"description_{language}"] = " ".join(
            sentence[language].format(topic=topic_label) for sentence in sentences
        )

    next_start, seats_left = None, None
    if cohort == Cohort.CLOSED:
        next_start = today + timedelta(days=rng.randint(7, 120))
    if cohort in (Cohort.OPEN, Cohort.CLOSED) and rng.random() < 0.5:
        seats_left = rng.randint(1, 10)

    in_person = group_format != Format.ONLINE
    coverage = region
    if not in_person and rng.random() < 0.5:
        coverage = Coverage.NATIONAL

    schedule = _schedule(rng, today)
    next_session_at = None
    if schedule is not None:
        sessions = schedule.upcoming(1, after=now)
        next_session_at = sessions[0] if sessions else None

    group = Group(
        public_id=_uuid(rng),
        slug=f"synthetic-{seed}-{n}",
        organisation=home.organisation,
        kind=kind,
        facilitation=facilitation,
        format=group_format,
        age_min=age_min,
        age_max=age_max,
        coverage=coverage,
        cohort=cohort,
        next_start=next_start,
        seats_left=seats_left,
        cost=cost,
        cost_amount=_cost_amount(rng, kind, cost, text_languages[0]),
        referral_required=_pick(rng, REFERRAL_BY_KIND.get(kind, REFERRAL_OTHERWISE)),
        step_free=in_person and rng.random() < 0.65,
        hearing_loop=in_person and rng.random() < 0.08,
        childcare=in_person and rng.random() < 0.06,
        evening=schedule is not None and schedule.opens_at >= EVENING,
        email=f"contact-{seed}-{n}@example.org" if rng.random() < 0.4 else "",
        status=Status.PUBLISHED,
        confirmed_at=(confirmed := now - timedelta(seconds=rng.randint(0, 400 * 24 * 3600))),
        fresh_at=confirmed,
        next_session_at=next_session_at,
        source_key=f"synthetic:{seed}:{n}",
        synthetic=True,
        **texts,
    )
    if schedule is not None:
        schedule.group = group

    # Streets have no English names: an English listing gives the address in the local language.
    street_language = text_languages[0] if text_languages[0] in STREETS else None
    return Draft(
        group=group,
        topic_ids=topic_ids,
        audience_ids=audience_ids,
        approach_ids=_approaches(rng, catalogue, kind),
        language_ids=_session_languages(rng, catalogue, text_languages, region),
        location=_location(rng, group, place, street_language) if in_person else None,
        schedule=schedule,
    )


# --- Writing ---


def _write_chunk(organisations: list[Organisation], drafts: list[Draft], summary: Summary):
    Organisation.objects.bulk_create(organisations)
    groups = Group.objects.bulk_create([d.group for d in drafts])
    links = {
        Group.topics.through: [],
        Group.audiences.through: [],
        Group.approaches.through: [],
        Group.session_languages.through: [],
    }
    for draft in drafts:
        pk = draft.group.pk
        links[Group.topics.through] += [
            Group.topics.through(group_id=pk, topic_id=t) for t in draft.topic_ids
        ]
        links[Group.audiences.through] += [
            Group.audiences.through(group_id=pk, audience_id=a) for a in draft.audience_ids
        ]
        links[Group.approaches.through] += [
            Group.approaches.through(group_id=pk, approach_id=a) for a in draft.approach_ids
        ]
        links[Group.session_languages.through] += [
            Group.session_languages.through(group_id=pk, language_id=code)
            for code in draft.language_ids
        ]
    for through, rows in links.items():
        through.objects.bulk_create(rows)
    locations = Location.objects.bulk_create([d.location for d in drafts if d.location])
    schedules = Schedule.objects.bulk_create([d.schedule for d in drafts if d.schedule])
    listing.changed(g.pk for g in groups)  # indexed in one batch when the run ends
    summary.groups += len(groups)
    summary.organisations += len(organisations)
    summary.locations += len(locations)
    summary.schedules += len(schedules)


def generate_groups(count: int, seed: int, *, on_progress=None, now=None, chunk_size=CHUNK_SIZE):
    """Write `count` synthetic groups for `seed` in one transaction, and index them.

    Refuses (SyntheticError, nothing written) when this seed was already used: run
    delete_synthetic() first, or choose another seed. `on_progress(done, count)` is called after
    every chunk. Returns a Summary.
    """
    if not 1 <= count <= MAX_COUNT:
        raise SyntheticError(f"The number of groups must be between 1 and {MAX_COUNT:,}.")
    # bulk_create must hand back the new primary keys to link topics, locations and schedules.
    if not connection.features.can_return_rows_from_bulk_insert:
        raise SyntheticError("This database cannot return ids from bulk inserts.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed)
    summary = Summary()
    with listing.changes():
        prefix = f"synthetic:{seed}:"
        if (
            Group.objects.filter(source_key__startswith=prefix).exists()
            or Organisation.objects.filter(source_key__startswith=prefix).exists()
        ):
            raise SyntheticError(
                f"Synthetic groups with seed {seed} already exist. Remove them with --delete, "
                "or choose another seed."
            )
        catalogue = load_catalogue()
        home = None
        k = 0
        for start in range(1, count + 1, chunk_size):
            organisations, drafts = [], []
            for n in range(start, min(start + chunk_size, count + 1)):
                if home is None or home.groups_left == 0:
                    k += 1
                    home = _organisation(rng, catalogue, seed, k)
                    organisations.append(home.organisation)
                home.groups_left -= 1
                drafts.append(_draft(rng, catalogue, seed, n, home, today, now))
            _write_chunk(organisations, drafts, summary)
            # With DEBUG on, Django keeps the last 9,000 statements, some of them megabytes long.
            reset_queries()
            if on_progress:
                on_progress(summary.groups, count)
    return summary


def delete_synthetic() -> tuple[int, int]:
    """Remove every synthetic group and synthetic organisation, with their locations, schedules,
    links and index rows. Real listings are never touched. Returns (groups, organisations)."""
    with listing.changes():
        pks = list(Group.objects.filter(synthetic=True).values_list("pk", flat=True))
        # Chunk by chunk: deleting loads every group first, which for a million would not fit.
        for start in range(0, len(pks), CHUNK_SIZE):
            Group.objects.filter(pk__in=pks[start : start + CHUNK_SIZE]).delete()
            reset_queries()
        # An organisation a real group still belongs to stays.
        organisations = Organisation.objects.filter(
            source_key__startswith="synthetic:", groups__isnull=True
        )
        organisation_count = organisations.count()
        organisations.delete()
    return len(pks), organisation_count
