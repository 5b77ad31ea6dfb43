"""One search behind the search page and the API: parameters -> filters -> ranked, faceted results.

`SearchParams` is the one schema both take (the API documents it in OpenAPI; the page parses the
same fields from its GET form). `run()` applies the filters once, counts each facet with the other
filters applied (so a facet's count is the count you get by choosing it), sorts, and pages.
"""

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Annotated, Literal

import numpy as np
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator

from healingtogether.directory.models import (
    STALE_AFTER,
    Coverage,
    Group,
    Status,
    Topic,
)
from healingtogether.lib.geo import EARTH_RADIUS_KM, min_dot, unit_vector
from healingtogether.lib.i18n import current_language
from healingtogether.lib.text import fold, tidy, whole_number
from healingtogether.places.models import PostalCode, find_place

from . import crisis, meaning, snapshot
from .text import MAX_QUERY_LENGTH

MULTI = ("topic", "audience", "kind", "facilitation", "format", "language", "cost", "cohort")
FACETS = (*MULTI, "referral", "region", "province")
REGIONS = [c for c in Coverage.values if c != Coverage.NATIONAL]

# Fixed choices; topics, audiences, session languages and provinces come from the database
# (the snapshot keeps their labels).
CHOICES = {
    "kind": Group.Kind,
    "facilitation": Group.Facilitation,
    "format": Group.Format,
    "cost": Group.Cost,
    "cohort": Group.Cohort,
}
TAXONOMY = ("topic", "audience", "language")


def _query_number(value):
    """A number from a query string: ASCII digits only (see lib.text.whole_number)."""
    if isinstance(value, str):
        number = whole_number(value)
        if number is None:
            raise ValueError("not a whole number")
        return number
    return value


# An int read from a query string, for SearchParams and the API's own parameters.
QueryNumber = Annotated[int, BeforeValidator(_query_number)]


class SearchParams(BaseModel):
    """What a person can ask for. Lists take one or more values (any of them matches)."""

    q: str = Field("", description="Words to look for, in any of our languages.")
    near: str = Field("", description="A Belgian postcode or a municipality name.")
    radius_km: QueryNumber = Field(25, ge=1, le=200, description="Distance from `near`, in km.")
    topic: list[str] = Field([], description="Topic slugs.")
    audience: list[str] = Field([], description="Audience slugs.")
    kind: list[str] = Field([], description="Kinds of group.")
    facilitation: list[str] = Field([], description="professional, peer or co_facilitated.")
    format: list[str] = Field([], description="in_person, online or hybrid.")
    language: list[str] = Field([], description="Languages the sessions are held in.")
    cost: list[str] = Field([], description="free, reimbursed, paid or donation.")
    referral: bool | None = Field(None, description="false: no referral needed.")
    cohort: list[str] = Field([], description="dropin, open, closed, intake or waiting_list.")
    region: str = Field("", description="brussels, flanders, wallonia or german_speaking.")
    province: str = Field("", description="A province's NIS code, e.g. 90000 for Namur.")
    sort: Literal["relevance", "distance", "newest", "next_session"] = "relevance"
    page: QueryNumber = Field(1, ge=1, le=10_000)
    page_size: QueryNumber = Field(20, ge=1, le=100)
    lang: Literal["en", "fr", "nl", "de"] | None = Field(
        None, description="Language of the labels; Accept-Language otherwise."
    )
    semantic: Literal["on", "off"] = Field(
        "on",
        description="off: match the words only, not their meaning (for comparison). "
        "Crisis detection stays on.",
    )

    @field_validator("q", "near", mode="before")
    @classmethod
    def _tidy(cls, value):
        return tidy(str(value), MAX_QUERY_LENGTH)

    @field_validator("region", "province", mode="before")
    @classmethod
    def _strip(cls, value):
        return tidy(str(value), 40)

    @field_validator(*MULTI, mode="before")
    @classmethod
    def _listify(cls, value):
        values = value if isinstance(value, list) else [value]
        return [v for v in (tidy(str(v), 60) for v in values) if v]


class SearchError(Exception):
    """The parameters cannot be searched: `errors` maps each field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


def _message(field_name: str, error: dict) -> str:
    kind = error.get("type", "")
    if field_name == "radius_km":
        return _("Choose a distance between 1 and 200 km.")
    if field_name == "page_size":
        return _("Choose a page size between 1 and 100.")
    if field_name == "page":
        return _("Choose a page number from 1.")
    if field_name == "referral":
        return _("Use true or false.")
    if field_name in ("sort", "lang") or kind == "literal_error":
        return _("This value is not one of the choices.")
    return _("This value is not valid.")


def parse(data: dict) -> SearchParams:
    """Validate raw parameters (a dict of strings or lists), or raise SearchError."""
    try:
        return SearchParams.model_validate(data)
    except ValidationError as error:
        raise SearchError(
            {str(e["loc"][0]): _message(str(e["loc"][0]), e) for e in error.errors()}
        ) from error


def from_querydict(querydict) -> dict:
    """A request's GET parameters as the dict SearchParams expects (lists for list fields)."""
    data = {}
    for key in querydict:
        if key in MULTI:
            data[key] = querydict.getlist(key)
        elif key in SearchParams.model_fields:
            value = querydict.get(key, "")
            if value != "" or key in ("q", "near"):
                data[key] = value
    return data


@dataclass
class Place:
    label: str
    postcode: str | None
    municipalities: list
    latitude: float
    longitude: float
    _networks: tuple | None = None

    def networks(self) -> tuple[list, list]:
        """The (adult, youth) mental-health networks serving this place, read once: a Place is
        kept with the snapshot, which a change to any group replaces."""
        if self._networks is None:
            self._networks = Group.objects.networks_for(self.municipalities)
        return self._networks


@dataclass
class Results:
    """A page of results. `summaries` and `online_summaries` are what the results show
    (summary.Summary, from memory); `groups` and `online` the same groups as model instances,
    read from the database on first use, for the pages that show more (print, finder).

    Near a place, `regional_summaries` are the listings that serve it without meeting near it
    (see _regional): first those whose service area contains the place, then those that cover
    all of Belgium (their pks in `national`)."""

    params: SearchParams
    count: int
    summaries: list
    online_summaries: list | None
    facets: dict
    place: Place | None
    distances: dict = field(default_factory=dict)
    changed_at: object = None  # the latest change of a searchable group
    language_labels: dict = field(default_factory=dict)  # session language slug -> label
    # The query says the person is in danger: the crisis lines come before any result.
    crisis: bool = False
    # "It sounds like…": topics close in meaning to the query, each {"slug", "label"}.
    suggested_topics: list = field(default_factory=list)
    # Of `count`, the groups people join (Group.GROUP_KINDS); the rest are services: networks,
    # helplines, platforms, associations and directories, which pages count apart.
    group_count: int = 0
    # Near a place: the listings active in its region or all over Belgium (empty otherwise),
    # at most a page of them, and how many there are in all.
    regional_summaries: list = field(default_factory=list)
    regional_count: int = 0
    national: frozenset = frozenset()

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))

    @cached_property
    def groups(self) -> list:
        return _fetch([s.pk for s in self.summaries])

    @property
    def in_region(self) -> list:
        """The regional listings whose service area contains the place."""
        return [s for s in self.regional_summaries if s.pk not in self.national]

    @property
    def all_over_belgium(self) -> list:
        """The regional listings that cover all of Belgium."""
        return [s for s in self.regional_summaries if s.pk in self.national]

    @property
    def service_count(self) -> int:
        return self.count - self.group_count

    @cached_property
    def regional(self) -> list:
        """The regional listings as model instances, in order (see regional_summaries)."""
        return _fetch([s.pk for s in self.regional_summaries])

    @cached_property
    def online(self) -> list | None:
        if self.online_summaries is None:
            return None
        return _fetch([s.pk for s in self.online_summaries])


def _check_choices(params: SearchParams, vocabulary: dict) -> dict[str, str]:
    errors = {}
    for name, choices in CHOICES.items():
        unknown = [v for v in getattr(params, name) if v not in choices.values]
        if unknown:
            errors[name] = _("Unknown value: %(value)s.") % {"value": unknown[0]}
    for name in TAXONOMY:
        unknown = sorted(set(getattr(params, name)) - set(vocabulary[name]))
        if unknown:
            errors[name] = _("Unknown value: %(value)s.") % {"value": unknown[0]}
    if params.region and params.region not in REGIONS:
        errors["region"] = _("Unknown value: %(value)s.") % {"value": params.region}
    if params.province and params.province not in vocabulary["province"]:
        errors["province"] = _("Unknown value: %(value)s.") % {"value": params.province}
    if params.sort == "distance" and not params.near:
        errors["sort"] = _("Sorting by distance needs a postcode or municipality.")
    return errors


def find_near(text: str) -> Place | None:
    """The place a person typed, with the coordinates distances are measured from."""
    postcode, municipalities = find_place(text)
    if not municipalities:
        return None
    if postcode:
        point = PostalCode.objects.get(code=postcode)
        lat, lon = point.latitude, point.longitude
    else:
        located = [m for m in municipalities if m.latitude is not None]
        lat = sum(m.latitude for m in located) / len(located)
        lon = sum(m.longitude for m in located) / len(located)
    return Place(text, postcode, municipalities, lat, lon)


def _masks(snap, params: SearchParams) -> dict:
    """One boolean mask over the snapshot's groups per facet that has a value."""
    masks = {}
    for name in (*MULTI, "region", "province"):
        chosen = getattr(params, name)
        if chosen:
            masks[name] = snap.matching(name, chosen if isinstance(chosen, list) else [chosen])
    if params.referral is not None:
        masks["referral"] = snap.matching("referral", ["true" if params.referral else "false"])
    return masks


def _vocabulary(snap) -> dict[str, dict[str, str]]:
    """Taxonomy and province labels in the current language, kept by the snapshot: they change
    rarely, and every search needs them."""
    return snap.vocabulary[current_language()]


def _facet_labels(name: str, vocabulary: dict, language: str) -> dict[str, str]:
    """A facet's labels in `language`, whose `vocabulary` (see _vocabulary) this is."""
    if name in vocabulary:
        return vocabulary[name]
    return _fixed_labels(name, language)


@lru_cache(maxsize=64)
def _fixed_labels(name: str, language: str) -> dict[str, str]:
    """The labels of a facet of fixed choices in this language (the current one), made once:
    every search shows them."""
    if name in CHOICES:
        return {value: str(label) for value, label in CHOICES[name].choices}
    if name == "referral":
        return {"false": _("No referral needed"), "true": _("Referral needed")}
    if name == "region":
        return {value: str(label) for value, label in Coverage.choices}
    raise KeyError(name)


def _groups(snap) -> np.ndarray:
    """The rows that are groups people join (Group.GROUP_KINDS), not services."""
    return snap.matching("kind", list(Group.GROUP_KINDS))


def similar(pk: int, topics: list[str], point, limit: int) -> list[tuple]:
    """Up to `limit` groups people join that share a topic with group `pk`, as (summary,
    kilometres or None): nearest first when `point` (latitude, longitude) is known, then those
    sharing the most topics, then the default order. From the snapshot: searchable groups only
    (no pending, networks, helplines or listings out of search), and no query."""
    snap = snapshot.current()
    shared = snap.sharing("topic", topics)
    rows = np.flatnonzero((shared > 0) & _groups(snap) & snap.live & ~snap.mask_of([pk]))
    # One integer key a row, as in _order: the default rank (bits 0-20), how many of the
    # topics it does not share (21-25), the distance in metres (26-46). Only the first `limit`
    # are sorted (a sort of every row sharing a topic took 2-5 ms at 100,000 groups).
    key = snap.default_rank[rows] | (np.minimum(len(topics) - shared[rows], 31) << RANK_BITS)
    if point:
        key |= _metres(snap.closeness(unit_vector(*point)), rows) << (RANK_BITS + 5)
    chosen = _first(rows, key, limit)
    found = []
    for each in snap.summaries_of(chosen):
        km = each.distance_from(*point) if point else None
        found.append((each, None if km is None else round(km)))
    return found


def topic_counts() -> dict[str, tuple[int, int]]:
    """For each topic with listings, by slug: how many (groups, services) help with it."""
    snap = snapshot.current()
    everything = snap.counts_all(snapshot.Counted(np.ones(snap.size, dtype=bool)))["topic"]
    groups = snap.counts_all(snapshot.Counted(_groups(snap)))["topic"]
    return {slug: (groups.get(slug, 0), n - groups.get(slug, 0)) for slug, n in everything.items()}


def facets(snap, base, masks: dict, params: SearchParams) -> dict[str, list[dict]]:
    """For each facet, its values with counts, the other filters applied. `base` is the main
    list's rows: near a place, those meeting near it. The online and regional blocks shown
    beside them take the same filters but are not counted, so a count is always the number of
    results (near the place) that choosing the value gives."""
    found = {}
    # Facets whose other filters are the same count the same rows: with no filter chosen, all
    # of them count `base`'s. Each set of rows is made and counted once, for every facet.
    counted = {}
    language = current_language()
    vocabulary = snap.vocabulary[language]
    for name in FACETS:
        others = tuple(other for other in masks if other != name)
        if others not in counted:
            mask = base.copy()
            for other in others:
                mask &= masks[other]
            counted[others] = snap.counts_all(snapshot.Counted(mask))
        labels = _facet_labels(name, vocabulary, language)
        chosen = getattr(params, name)
        if isinstance(chosen, bool):
            chosen = ["true" if chosen else "false"]
        elif not isinstance(chosen, list):
            chosen = [chosen] if chosen else []
        found[name] = sorted(
            (
                {
                    "value": value,
                    "label": labels.get(value, value),
                    "count": count,
                    "chosen": value in chosen,
                }
                for value, count in counted[others][name].items()
            ),
            key=lambda item: (-item["count"], item["label"]),
        )
    return found


RANK_BITS = 21  # room for 2 million groups in each part of a sort key
# Bits of the relevance key, from the least to the most significant: the default rank (bits
# 0-20), the distance in metres (21-41), "stale" (42), "the words are not in its name" (43),
# how many of the query's words it misses (44-47; a query has at most 12).
STALE_BIT = 2 * RANK_BITS
NAME_MISS_BIT = 2 * RANK_BITS + 1
WORDS_MISSED_BIT = 2 * RANK_BITS + 2


def _stale_cutoff() -> int:
    """Rows confirmed before this (epoch seconds) are stale right now: unconfirmed for
    STALE_AFTER, the rule of GroupQuerySet.stale() and Group.is_stale, here to the second, as
    the snapshot keeps seconds, so a result ranked lower is exactly one whose card says "may be
    out of date". Change them together."""
    return int((timezone.now() - STALE_AFTER).timestamp())


def _stale(snap, rows, cutoff: int) -> np.ndarray:
    """Which rows are stale (see _stale_cutoff), as 0/1. The snapshot holds only searchable
    groups, so none has a null fresh_at here."""
    return (snap.confirmed[rows] < cutoff).astype(np.int64)


def _fresh_until(snap, rows, cutoff: int) -> float:
    """When (epoch seconds) the first of these rows that are fresh at `cutoff` turns stale: an
    order that ranks stale rows lower holds until then."""
    confirmed = snap.confirmed[rows]
    fresh = confirmed[confirmed >= cutoff]
    if not len(fresh):
        return math.inf
    # Stale once int(now - STALE_AFTER) > confirmed, that is from confirmed + 1 + STALE_AFTER.
    return float(fresh.min()) + 1 + STALE_AFTER.total_seconds()


def _metres(closeness, rows) -> np.ndarray:
    """How far each row's nearest location is, in whole metres (the most a key part holds when
    it has no location)."""
    metres = np.arccos(np.clip(closeness[rows], -1.0, 1.0)) * EARTH_RADIUS_KM * 1000
    return np.minimum(np.rint(metres), 2**RANK_BITS - 1).astype(np.int64)


def _near(snap, place: Place, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """ "Near me", the one rule: (the rows of the groups that meet in person within radius_km of
    the place, each row's closeness to it, which holds for those rows only: see
    Snapshot.near). A group is as near as its nearest location."""
    rows, dots = snap.near(unit_vector(place.latitude, place.longitude), min_dot(radius_km))
    near = np.zeros(snap.size, dtype=bool)
    near[rows] = True
    closeness = np.full(snap.size, -2.0)
    closeness[rows] = dots
    in_person = snap.matching("format", [Group.Format.IN_PERSON, Group.Format.HYBRID])
    return in_person & near, closeness


def _regional(snap, place: Place, candidates, name_match, limit: int):
    """The listings that serve the place without meeting near it: among `candidates` (the
    search's rows with its filters applied, those near the place and those online left out),
    the ones whose service area contains one of the place's municipalities, then the ones that
    cover all of Belgium; in each part, those whose name holds the words first, then the
    default order. Networks are left out: the page shows the networks serving the place in
    their own block, and the API has /networks. Returns (the first `limit` rows, how many in
    all, the mask of the rows that are there for covering Belgium only)."""
    candidates = candidates & ~snap.matching("kind", list(Group.NETWORK_KINDS))
    in_area = candidates & snap.serving([m.code for m in place.municipalities])
    national = candidates & ~in_area & snap.matching("region", [Coverage.NATIONAL])
    rows = np.flatnonzero(in_area | national)
    # The key: the default rank (bits 0-20), "the words are not in its name" (21), "there for
    # covering all of Belgium only" (22).
    key = snap.default_rank[rows].copy()
    if name_match is not None:
        key |= (~name_match[rows]).astype(np.int64) << RANK_BITS
    key |= national[rows].astype(np.int64) << (RANK_BITS + 1)
    return _first(rows, key, limit), len(rows), national


def nearby(place: Place, radius_km: float) -> list[int]:
    """The pks of the groups a search near the place within radius_km finds, before any other
    filter, nearest first (ties in the default order): the search's sort=distance. For the
    other APIs that look for groups near a place."""
    snap = snapshot.current()
    near, closeness = _near(snap, place, radius_km)
    rows = np.flatnonzero(near)
    key = snap.default_rank[rows] | (_metres(closeness, rows) << RANK_BITS)
    return snap.ids[rows[np.argsort(key)]].tolist()


def _order(
    snap, rows, params, closeness, name_match, needed: int, cutoff: int, fused=None, missed=None
) -> np.ndarray:
    """The rows in the order asked for; only the first `needed` are sorted, which is all a page
    needs and takes linear time. Each order is one integer key per row: a primary part (name
    match, distance in metres, or a precomputed rank) above the default order (freshest first,
    then by slug), which breaks every tie the same way on every database.

    Relevance (the default) ranks a stale listing (180-365 days without a confirmation) below
    every fresh one that matches as well: first the groups matching the most of the query's
    words (`missed`: how many each misses), then those whose name holds the words, then, in
    each of those two sets, the fresh listings before the stale ones, and only then distance and
    the default order. The name comes first because a person who typed a group's name is looking
    for that group, however old its details. Sorting by distance, newest or next session does
    what it says and nothing else; their ties still fall back on the default order, where stale
    listings come last anyway because it puts the most recently confirmed first.

    With meaning (`fused`: each row's fused score, see _fuse), the fused order (highest score
    first, ties in the default order) takes the default order's place in relevance: names
    first, fresh before stale and distance still come before it; how many words a group matches
    is part of the fused score then, so a group close in meaning can stand beside one that
    shares a word. `cutoff`: see _stale_cutoff."""
    if params.sort == "newest":
        key = snap.newest_rank[rows]
    elif params.sort == "next_session":
        key = snap.next_rank[rows]
    else:
        key = snap.default_rank[rows].copy() if fused is None else np.zeros(len(rows), np.int64)
        if closeness is not None:
            key |= _metres(closeness, rows) << RANK_BITS
        if params.sort == "relevance":
            key |= _stale(snap, rows, cutoff) << STALE_BIT
            if name_match is not None:
                key |= (~name_match[rows]).astype(np.int64) << NAME_MISS_BIT
            if missed is not None and fused is None:
                key |= missed[rows].astype(np.int64) << WORDS_MISSED_BIT
        if fused is not None:
            return _first_fused(rows, key, fused, snap.default_rank[rows], needed)
    return _first(rows, key, needed)


def _first(rows, key, needed: int) -> np.ndarray:
    """The first `needed` rows by their key (all of them when there are fewer), in order: a
    partition in linear time, then a sort of those only."""
    if needed < len(rows):
        top = np.argpartition(key, needed - 1)[:needed]
        return rows[top[np.argsort(key[top])]]
    return rows[np.argsort(key)]


def _first_fused(rows, key, score, default, needed: int) -> np.ndarray:
    """The first `needed` rows by (key, score highest first, default rank), in order: the rows
    whose key is below the needed-th smallest are in, and of those whose key equals it, the
    best by score, then by the default order, fill the rest; all in linear time, then a sort of
    those only. Sorting every row by its fused score took 3-4 ms over 50,000 rows."""
    chosen = np.arange(len(rows))
    if needed < len(rows):
        edge = np.partition(key, needed - 1)[needed - 1]
        at = np.flatnonzero(key == edge)
        below = np.flatnonzero(key < edge)
        room = needed - len(below)
        if room < len(at):
            at = at[_highest(score[at], default[at], room)]
        chosen = np.concatenate([below, at])
    return rows[chosen[np.lexsort([default[chosen], -score[chosen], key[chosen]])]]


def _highest(score, default, count: int) -> np.ndarray:
    """The positions of the `count` highest scores, equal ones in the default order (each
    position's distinct `default` rank); unordered."""
    lowest = -score
    edge = np.partition(lowest, count - 1)[count - 1]
    better = np.flatnonzero(lowest < edge)
    tied = np.flatnonzero(lowest == edge)
    room = count - len(better)
    if room < len(tied):
        tied = tied[np.argpartition(default[tied], room - 1)[:room]]
    return np.concatenate([better, tied])


def _fetch(pks) -> list:
    """The groups with these pks, in this order, with what a result shows."""
    groups = (
        Group.objects.filter(pk__in=pks)
        .select_related("organisation")
        .for_cards()
        .prefetch_related("topics")
    )
    # Checked again here, not in SQL (where "status = published" would make SQLite scan the
    # status index instead of looking up 20 ids): a group unpublished since the snapshot was
    # built is never shown.
    by_pk = {g.pk: g for g in groups if g.status == Status.PUBLISHED}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def _fuse(snap, rows, keyword, name_match, scores, missed=None) -> np.ndarray:
    """Reciprocal rank fusion of the keyword ranking (the most words matched first, then
    matches in names or taxonomy, then the default order) and the meaning ranking (most similar
    first), over these rows: each row's fused score, for _order (which puts the highest first,
    ties in the default order)."""
    k = 60
    default = snap.default_rank[rows]
    by_default = _in_default_order(snap, rows)
    by_words = np.full(len(rows), 0.0)
    matched = keyword[rows]
    # The keyword ranking's part above the default order: how many words a row misses, then
    # whether its name misses them. The rows matched, in the default order, sorted stably by it
    # (a radix sort of small numbers).
    words_key = (~name_match[rows]).astype(np.uint16)
    if missed is not None:
        words_key |= missed[rows].astype(np.uint16) << 1
    chosen = by_default[matched[by_default]]
    order = chosen[np.argsort(words_key[chosen], kind="stable")]
    by_words[order] = 1.0 / (k + 1 + np.arange(len(order)))
    meaning_order = _highest_first(scores[rows], default, by_default)
    by_meaning = 1.0 / (k + 1 + snapshot._rank(meaning_order))
    return by_words + by_meaning


def _in_default_order(snap, rows) -> np.ndarray:
    """The positions of `rows` (distinct row numbers) in the default order: for many rows, read
    off the snapshot's default order in linear time (0.6 ms at 57,000 rows of 90,000, where a
    sort took 2.8 ms); for few, sorted."""
    if len(rows) * 8 < snap.size:
        return np.argsort(snap.default_rank[rows])
    position = np.full(snap.size, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    found = position[snap.default_order]
    return found[found >= 0]


def _highest_first(values, default, by_default) -> np.ndarray:
    """Positions ordered by `values`, highest first, equal values in the default order (each
    position's distinct `default` rank; `by_default`: the positions in that order):
    np.lexsort([default, -values]), whose two stable sorts took 7-9 ms over 50,000 rows, in one
    quick sort and, when values repeat, one more: the positions in the default order sorted
    stably by their run of equal values (a radix sort when there are fewer than 65,536 runs, as
    when most groups have no vector yet and score 0), or by (run, default)."""
    order = np.argsort(-values)
    ordered = values[order]
    repeats = ordered[1:] == ordered[:-1]
    if repeats.any():
        # Equal values are side by side: number each run of them.
        run = np.concatenate([[0], np.cumsum(~repeats)])
        if run[-1] < 2**16:
            run_of = np.empty(len(values), dtype=np.uint16)
            run_of[order] = run
            return by_default[np.argsort(run_of[by_default], kind="stable")]
        order = order[np.argsort((run << RANK_BITS) | default[order])]
    return order


@dataclass
class Understood:
    """What the meaning of a query adds to a search."""

    crisis: bool = False
    topics: list = field(default_factory=list)
    scores: np.ndarray | None = None  # each row's similarity to the query


def understand(snap, params: SearchParams, has_words: bool) -> Understood:
    """The query's meaning: is the person in crisis (always checked), which topics it sounds
    like and how near each group is (unless semantic=off or the model is unavailable)."""
    if not params.q:
        return Understood()
    vector = meaning.embed_query(params.q)
    found = Understood(crisis=crisis.in_crisis(params.q, vector))
    if vector is None or params.semantic == "off" or not has_words:
        return found
    found.topics = meaning.suggest_topics(vector, _topics(snap))
    matrix = meaning.matrix_for(snap)
    if matrix is not None:
        found.scores = matrix.scores(vector)
    return found


def _understood(snap, params: SearchParams) -> tuple:
    """What a query's words find: (their masks, see Snapshot.text_masks, or None when it has
    none; what its meaning adds, see understand; the rows they find, read-only, or None).
    Kept with the snapshot for the queries people type most, as the words' masks are: typed
    again, a query is neither embedded nor compared with the topics and the crisis examples,
    nor its close rows chosen, again (about 0.3 ms)."""
    key = (" ".join(params.q.casefold().split()), params.semantic, meaning.model() is not None)
    return snap.understood.get(key, lambda: _understand_words(snap, params))


def _understand_words(snap, params: SearchParams) -> tuple:
    words = snap.text_masks(params.q)
    understood = understand(snap, params, has_words=words is not None)
    found = None
    if words is not None:
        found = words[0].copy()
        if understood.scores is not None:
            # Groups near in meaning join those with the words, in every count and facet.
            by_topic = snap.matching("topic", [t.slug for t in understood.topics])
            found |= meaning.close_rows(understood.scores, by_topic)
        found.flags.writeable = False
    return words, understood, found


def run(params: SearchParams) -> Results:
    """Search. Raises SearchError naming the field when a value cannot be searched.

    A search is worked out once and kept with the snapshot (Snapshot.searched), under all of its
    parameters, the language of its labels and whether meaning is on: people ask for the same
    words near the same towns with the same filters again and again, and until a group changes
    (a new snapshot) the answer is the same, but for the order of relevance, which ranks stale
    listings lower: it is kept only until the first of its listings turns stale. Worked out,
    the benchmark's 400 searches take 1.5-1.6 ms each in this function; kept, 15-17 µs."""
    snap = snapshot.current()
    key = (_asked(params), current_language(), meaning.model() is not None)
    now = timezone.now().timestamp()
    found, _until = snap.searched.get(
        key, lambda: _search(snap, params), still=lambda kept: now < kept[1]
    )
    # Each request its own Results: `groups` is read from the database per request.
    return dataclasses.replace(found, params=params)


def _asked(params: SearchParams) -> tuple:
    """Every parameter of a search, as a key."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in params.__dict__.values())


def _search(snap, params: SearchParams) -> tuple[Results, float]:
    """The search's results, and until when (epoch seconds) they hold: see run."""
    errors = _check_choices(params, _vocabulary(snap))
    place = None
    if params.near:
        place = _remembered_place(snap, params.near)
        if place is None:
            errors["near"] = _(
                "We don't know the place “%(near)s”. Try a Belgian postcode such as 1000, or "
                "the name of a municipality."
            ) % {"near": params.near}
    if errors:
        raise SearchError(errors)

    words, understood, found = _understood(snap, params)
    missed = None
    if words is None:
        base = snap.everything()
        name_match = np.zeros(snap.size, dtype=bool)
    else:
        base, name_match, missed = found, words[1], words[2]
    online_base = None
    regional_base = None
    closeness = None
    if place:
        near, closeness = _near(snap, place, params.radius_km)
        meets_online = snap.matching("format", [Group.Format.ONLINE])
        online_base = base & meets_online
        regional_base = base & ~near & ~meets_online
        base = base & near
    masks = _masks(snap, params)
    selected = base.copy()
    for mask in masks.values():
        selected &= mask
    rows = np.flatnonzero(selected)

    cutoff = _stale_cutoff()
    until = _fresh_until(snap, rows, cutoff) if params.sort == "relevance" else math.inf
    ordered = _order(
        snap,
        rows,
        params,
        closeness,
        name_match if words is not None else None,
        needed=params.page * params.page_size,
        cutoff=cutoff,
        fused=None
        if understood.scores is None or params.sort != "relevance"
        else _fuse(snap, rows, words[0], name_match, understood.scores, missed),
        missed=missed,
    )
    start = (params.page - 1) * params.page_size
    page = snap.summaries_of(ordered[start : start + params.page_size])

    distances = {}
    online = None
    regional, regional_count, national = [], 0, frozenset()
    if place:
        for group in page:
            distance = group.distance_from(place.latitude, place.longitude)
            if distance is not None:
                distances[group.pk] = distance
        for mask in masks.values():
            online_base &= mask
        online_rows = np.flatnonzero(online_base)
        # As many as a page of results: enough to choose from, and cheap to show.
        online_rows = _first(online_rows, snap.default_rank[online_rows], params.page_size)
        online = snap.summaries_of(online_rows)
        # Like the online block: the same filters, as many as a page of results, and not
        # counted in the facets, which count the results near the place (the main list) only.
        for mask in masks.values():
            regional_base &= mask
        regional_rows, regional_count, national_mask = _regional(
            snap,
            place,
            regional_base,
            name_match if words is not None else None,
            params.page_size,
        )
        regional = snap.summaries_of(regional_rows)
        national = frozenset(snap.ids[regional_rows[national_mask[regional_rows]]].tolist())
    results = Results(
        params=params,
        count=int(len(rows)),
        summaries=page,
        online_summaries=online,
        facets=facets(snap, base, masks, params),
        place=place,
        distances=distances,
        changed_at=snap.latest,
        language_labels=_vocabulary(snap)["language"],
        crisis=understood.crisis,
        suggested_topics=[{"slug": t.slug, "label": t.label} for t in understood.topics],
        group_count=int(np.count_nonzero(selected & _groups(snap))),
        regional_summaries=regional,
        regional_count=int(regional_count),
        national=national,
    )
    return results, until


def _remembered_place(snap, text: str) -> Place | None:
    """find_near, remembered with the snapshot: people type the same few hundred places."""
    return snap.places.get((fold(text), translation.get_language()), lambda: find_near(text))


_topics_of = {"version": None, "topics": []}


def _topics(snap) -> list:
    """The topics, read once per snapshot version: a search with words runs no query for them."""
    if _topics_of["version"] != snap.version:
        _topics_of["topics"] = list(Topic.objects.all())
        _topics_of["version"] = snap.version
    return _topics_of["topics"]
