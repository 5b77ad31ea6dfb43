"""The searchable groups' filterable facts, held in memory as NumPy arrays.

Counting eleven facets with SQL over 100,000 groups takes more than a second; over arrays it
takes a few milliseconds, the same on SQLite and PostgreSQL. It holds the text index too
(wordindex.py, made from search_grouptext, the rows the database's FTS5 or tsvector index): which
groups match the words, then filters, facet counts, distances, service areas and order.

It also holds each searchable group's public summary (summary.py: what a result shows) and the
labels of the vocabulary in every language, so a search, with words or without, runs no SQL at
all.

Each process keeps one snapshot and updates it by a delta: the groups whose `updated_at` moved
since the latest one it has seen (an indexed lookup, checked at most every couple of seconds, or
at once in the process where the one listing writer announced a change) are read again, their
old rows dropped and their new rows appended, in milliseconds. A full rebuild happens only at
start, when groups were deleted elsewhere, or when thousands of rows changed. So any number of
workers on any number of machines stay correct without talking to each other.

Only searchable groups are in it: listed and fresh (confirmed, or checked by our team) within
EXPIRED_AFTER. Expiry needs no write: the day (in Belgium) is part of the version, and on the
first search of a new day the rows unconfirmed for EXPIRED_AFTER are read again by the same
delta (no longer searchable, they are dropped), so a listing that passed 365 days without a
confirmation leaves the results that day, and nobody's first search after midnight waits for a
whole rebuild.
"""

import bisect
import dataclasses
import gc
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation

from healingtogether.directory.models import (
    EXPIRED_AFTER,
    Audience,
    Group,
    Language,
    Location,
    Topic,
)
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.kept import Kept
from healingtogether.places.models import Province

from . import summary
from .summary import pick
from .text import query_terms
from .wordindex import WordIndex

BRUSSELS = ZoneInfo("Europe/Brussels")

# Single-valued facets: the Group column each one reads.
SCALAR = {
    "kind": "kind",
    "facilitation": "facilitation",
    "format": "format",
    "cost": "cost",
    "cohort": "cohort",
    "region": "coverage",
    "referral": "referral_required",
}
# Many-valued facets: how to list (group id, value) pairs.
MULTI = {
    "topic": ("topics__slug",),
    "audience": ("audiences__slug",),
    "language": ("session_languages__slug",),
    "province": ("locations__municipality__province_id",),
}
FAR = np.iinfo(np.int64).max
CHOSEN_KEPT = 256  # masks of chosen facet values a snapshot keeps (100 KB each at 100,000 groups)
PLACES_KEPT = 2000  # places people typed, as found (engine.find_near)
# Points searched near (Snapshot.near): their near rows and closeness, 10-500 KB each at 100,000
# groups. Belgium has about 1,150 postcodes; people search near far fewer.
NEAR_KEPT = 64
# Facets are counted with bitsets (Snapshot.counts_all) over more than 1/BITSETS_OVER of the
# rows: 0.14 ms for every facet at 100,000 groups (stacked, see _stacked_bits), which adding up
# the rows' own columns takes at about 1,700 rows (bench: 0.12 ms at 1,500, 0.17 ms at 2,000).
BITSETS_OVER = 50
TEXT_CACHE_SIZE = 128
# Searches worked out (engine.run): their pages of summaries (the snapshot's own) and facets,
# 13.5 KB each over the benchmark's 800 searches, some 14 MB when full.
SEARCHED_KEPT = 1000
RANK_BITS = 21  # room for 2 million rows in each part of a sort key
NEVER = 2**40 - 1  # "no next session" in a sort key
# A change of more rows than this at once (a loader's run) is cheaper to take by a rebuild; so
# is a snapshot whose dropped rows outnumber it.
REBUILD_OVER = 3000
# Rows whose updated_at is this close below the latest seen are read again: a transaction that
# wrote earlier may commit later.
SLACK_SECONDS = 5


def _referral(value) -> str:
    return "" if value is None else ("true" if value else "false")


def _epoch(moment) -> int:
    return int(moment.timestamp()) if moment else 0


@dataclass
class Snapshot:
    ids: np.ndarray  # each row's group pk; -1 for a row dropped by an update
    values: dict  # facet -> list of its values (index = code)
    scalar: dict  # facet -> int16 array of codes per row (-1: none)
    multi: dict  # facet -> boolean matrix, rows x values (a byte a cell)
    # The locations, southernmost first (by z, the sine of the latitude: see closeness).
    loc_row: np.ndarray  # for each location: its group's row
    loc_xyz: np.ndarray  # for each location: unit vector (n x 3)
    # Service areas, one entry per (group, municipality) pair: the group's row and the
    # municipality's NIS code as a number. Sparse, as a few groups cover hundreds of
    # municipalities and most cover none.
    area_row: np.ndarray
    area_code: np.ndarray
    confirmed: np.ndarray  # each group's fresh_at (last confirmed or checked), epoch seconds
    created: np.ndarray  # epoch seconds
    next_session: np.ndarray  # epoch seconds, FAR when none
    slugs: list  # each row's slug
    # Rows in the default order (freshest first, then by slug), dropped rows included.
    default_order: np.ndarray
    # Each row's place in the default order, so a search sorts one integer key per row (see
    # newest_rank and next_rank for the other two orders).
    default_rank: np.ndarray  # freshest first, then by slug
    summaries: dict  # group pk -> summary.Summary: what a result shows
    vocabulary: dict  # language -> facet -> value -> label (topic, audience, language, province)
    latest: object  # the latest updated_at read into it
    day: object  # the day in Belgium it is of (listings expire overnight: see current())
    count: int  # Group rows when last checked: fewer means some were deleted
    # Rows dropped by updates since the build.
    dropped: int = 0
    # sorted pks of the live rows, and the row of each
    sorted_ids: np.ndarray = None
    sorter: np.ndarray = None
    live: np.ndarray = None  # rows that are searchable (not dropped)
    # What searches worked out, kept with the snapshot, so they go when the groups change: the
    # last text searches' masks (text_masks) and what their words and meaning find (engine),
    # the places people typed (engine), the rows near a point (near) and those serving a place
    # (serving), the masks of chosen facet values (matching), and whole searches (engine.run).
    text_cache: Kept = field(default_factory=lambda: Kept(TEXT_CACHE_SIZE))
    understood: Kept = field(default_factory=lambda: Kept(TEXT_CACHE_SIZE))
    places: Kept = field(default_factory=lambda: Kept(PLACES_KEPT))
    nearby: Kept = field(default_factory=lambda: Kept(NEAR_KEPT))
    served: Kept = field(default_factory=lambda: Kept(NEAR_KEPT))
    chosen: Kept = field(default_factory=lambda: Kept(CHOSEN_KEPT))
    searched: Kept = field(default_factory=lambda: Kept(SEARCHED_KEPT))
    # facet -> (rows, starts): each multi facet's rows per value, value by value, made from
    # `multi` on first use (see _postings).
    postings: dict = field(default_factory=dict)
    # facet -> each value's rows as a bitset, made on first use (see _bits).
    bits: dict = field(default_factory=dict)
    # The rows' text index (wordindex.py): which rows each word is in.
    words: WordIndex = None

    def __post_init__(self):
        if self.live is None:
            self.live = self.ids >= 0
        if self.sorter is None:
            self.sorter = np.flatnonzero(self.live)[np.argsort(self.ids[self.live], kind="stable")]
            self.sorted_ids = self.ids[self.sorter]

    # The two other orders are made on a search's first use of them, not with each snapshot:
    # few searches sort so, and a delta need not pay two sorts of every row for them.
    @cached_property
    def newest_rank(self) -> np.ndarray:
        """Each row's place when the most recently listed come first, then the default order."""
        return _rank(np.argsort(((2**33 - self.created) << RANK_BITS) | self.default_rank))

    @cached_property
    def next_rank(self) -> np.ndarray:
        """Each row's place when the soonest next session comes first (none last), then the
        default order."""
        soonest = np.minimum(self.next_session, NEVER) << RANK_BITS
        return _rank(np.argsort(soonest | self.default_rank))

    @property
    def version(self) -> tuple:
        """What answers computed from this snapshot depend on (ETag, Last-Modified, caches)."""
        return (self.latest, self.day, self.size, self.dropped)

    def text_masks(self, q: str):
        """What the words of q match, or None when q has no words: (the rows matching any word,
        the rows with every word in their names or taxonomy, and for each row how many words it
        misses). From the snapshot's own text index: no SQL. The same rows as
        search.text.word_matches finds in the database."""
        return self.text_cache.get(" ".join(q.casefold().split()), lambda: self._text_masks(q))

    def _text_masks(self, q: str):
        parsed = query_terms(q)
        if not parsed:
            return None
        matched = np.zeros(self.size, dtype=np.int8)
        in_head = np.zeros(self.size, dtype=np.int8)
        for word_terms, prefix in parsed:
            anywhere, in_names = self.words.word_masks(word_terms, prefix, self.live)
            matched += anywhere
            in_head += in_names
        masks = matched > 0, in_head == len(parsed), len(parsed) - matched
        for mask in masks:
            mask.flags.writeable = False  # kept, and shared by every search with these words
        return masks

    @property
    def size(self) -> int:
        return len(self.ids)

    def everything(self) -> np.ndarray:
        """A mask of every searchable row."""
        return self.live.copy()

    def mask_of(self, pks) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows_of(np.fromiter(pks, dtype=np.int64))[1]] = True
        return mask

    def rows_of(self, pks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of these pks the snapshot holds, as a mask over them; the row of each one it
        holds, in the same order), through the live rows sorted by pk."""
        if not len(pks) or not len(self.sorted_ids):
            return np.zeros(len(pks), dtype=bool), np.zeros(0, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.sorted_ids, pks), len(self.sorted_ids) - 1)
        inside = self.sorted_ids[positions] == pks
        return inside, self.sorter[positions[inside]]

    def _postings(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows having each value of a multi facet, one value after the other, and where
        each value's rows start (value k: rows[starts[k]:starts[k + 1]]): choosing or counting
        then touches only the rows that have the values, not the whole matrix."""
        found = self.postings.get(facet)
        if found is None:
            columns, rows = np.nonzero(self.multi[facet].T)
            starts = np.searchsorted(columns, np.arange(self.multi[facet].shape[1] + 1))
            found = self.postings[facet] = (rows, starts)
        return found

    def _bits(self, facet: str) -> np.ndarray:
        """Each value of a facet as a bitset of its rows (values x words, see _packed); kept up
        to date by deltas once made."""
        found = self.bits.get(facet)
        if found is None:
            flags = _flags(self.multi, self.scalar, facet, len(self.values[facet]))
            found = self.bits[facet] = _packed(flags.T)
        return found

    def matching(self, facet: str, chosen: list[str]) -> np.ndarray:
        """Rows whose value for this facet is any of `chosen`, as a read-only mask kept with the
        snapshot: searches ask for the same few choices again and again (groups people join,
        meeting in person, a topic)."""
        return self.chosen.get((facet, tuple(chosen)), lambda: self._matching(facet, chosen))

    def _matching(self, facet: str, chosen: list[str]) -> np.ndarray:
        if facet in self.multi:
            found = self.sharing(facet, chosen) > 0
        else:
            codes = [self.values[facet].index(v) for v in chosen if v in self.values[facet]]
            # A table of the chosen codes, looked up by each row's code (-1, none, is the last).
            table = np.zeros(len(self.values[facet]) + 1, dtype=bool)
            table[codes] = True
            found = table[self.scalar[facet]]
        found.flags.writeable = False
        return found

    def sharing(self, facet: str, chosen: list[str]) -> np.ndarray:
        """For each row, how many of `chosen` (values of a multi facet) it has."""
        shared = np.zeros(self.size, dtype=np.int64)
        rows, starts = self._postings(facet)
        for value in chosen:
            if value in self.values[facet]:
                code = self.values[facet].index(value)
                shared[rows[starts[code] : starts[code + 1]]] += 1
        return shared

    def counts_all(self, rows: "Counted") -> dict[str, dict[str, int]]:
        """For every facet, how many of these rows have each of its values: one pass over the
        rows counts them all (a pass per facet took 1.2 ms of a search at 100,000 groups). The
        fastest way depends on how many rows there are (bench: counting a 100,000-row
        snapshot's facets)."""
        if rows.size * BITSETS_OVER > self.size:
            # Many rows: each value's bitset and the mask's, ANDed and their bits counted, a
            # few hundred microseconds for every facet whatever the number of rows.
            stacked, edges = self._stacked_bits
            counts = np.bitwise_count(stacked & rows.packed).sum(axis=1, dtype=np.int32).tolist()
            totals = {facet: counts[edges[n] : edges[n + 1]] for n, facet in enumerate(self.values)}
        else:
            # Fewer rows (a few words, near a place): their own rows of the facets' columns
            # side by side, added up or their codes counted, in one go.
            multi, matrix, edges, scalar, codes, starts = self._side_by_side
            # As Python ints first: reading a numpy array one element at a time is slow.
            sums = matrix[rows.numbers].sum(axis=0, dtype=np.int64).tolist()
            coded = np.bincount(codes[rows.numbers].ravel(), minlength=starts[-1] + 1).tolist()
            totals = {facet: sums[edges[n] : edges[n + 1]] for n, facet in enumerate(multi)}
            totals |= {facet: coded[starts[n] : starts[n + 1]] for n, facet in enumerate(scalar)}
        return {
            facet: {
                value: count
                for value, count in zip(self.values[facet], counts, strict=True)
                if count and value
            }
            for facet, counts in totals.items()
        }

    @cached_property
    def _stacked_bits(self) -> tuple:
        """Every facet's bitsets (see _bits) one above the other, and where each facet's start:
        counts_all then ANDs and counts them in one go, not eleven (0.19 -> 0.12 ms at 100,000
        groups). Made on a snapshot's first count of many rows, from the bitsets deltas keep."""
        facets = list(self.values)
        stacked = np.vstack([self._bits(facet) for facet in facets])
        return stacked, np.cumsum([0] + [len(self.values[facet]) for facet in facets]).tolist()

    @cached_property
    def _side_by_side(self) -> tuple:
        """Every facet's columns side by side, for counts_all: the multi facets' matrices as
        one (rows x all their values) and where each facet's values start in it; the scalar
        facets' codes as one matrix (rows x facets), each code numbered after the values of the
        facets before it (a row without a value counts in the last place, which is not read),
        and where each facet's codes start. Made on a snapshot's first count."""
        multi = list(self.multi)
        widths = [self.multi[facet].shape[1] for facet in multi]
        matrix = np.hstack([self.multi[facet] for facet in multi])
        scalar = list(self.scalar)
        starts = np.cumsum([0] + [len(self.values[facet]) for facet in scalar]).tolist()
        codes = np.empty((self.size, len(scalar)), dtype=np.int32)
        for n, facet in enumerate(scalar):
            own = self.scalar[facet]
            codes[:, n] = np.where(own >= 0, own.astype(np.int32) + starts[n], starts[-1])
        return multi, matrix, np.cumsum([0] + widths).tolist(), scalar, codes, starts

    def closeness(self, xyz: tuple[float, float, float], within: float | None = None) -> np.ndarray:
        """For each row, the dot product of its nearest location with the point (-2: none).

        With `within` (a dot product, see lib.geo.min_dot), only the rows that close matter: the
        locations looked at are those whose latitude is near enough the point's for it, a band
        of the list kept by latitude (within 25 km of Brussels, half of the benchmark's 77,000
        locations, which crowd around its latitude), and a row with none there reads -2 too."""
        best = np.full(self.size, -2.0)
        rows, points = self.loc_row, self.loc_xyz
        if within is not None:
            first, last = np.searchsorted(self._heights, _heights_within(xyz[2], within))
            rows, points = rows[first:last], points[first:last]
        if len(rows):
            np.maximum.at(best, rows, points @ np.asarray(xyz))
        return best

    def near(self, xyz: tuple[float, float, float], within: float) -> tuple:
        """The rows with a location whose dot product with the point is `within` or more, and
        each one's closeness (see closeness), both read-only: kept for the points people search
        near most. Only these rows' closeness is kept, not one number for every row."""

        def find():
            closeness = self.closeness(xyz, within)
            rows = np.flatnonzero(closeness >= within)
            dots = closeness[rows]
            rows.flags.writeable = dots.flags.writeable = False
            return rows, dots

        return self.nearby.get((xyz, within), find)

    @cached_property
    def _heights(self) -> np.ndarray:
        """Each location's z, in order (loc_xyz is kept so), as one array to search."""
        return np.ascontiguousarray(self.loc_xyz[:, 2])

    def serving(self, codes) -> np.ndarray:
        """A mask of the rows whose service area contains any of these municipalities (NIS
        codes), read-only: kept, like the rows near a point, for the places people search."""
        wanted = tuple(sorted({int(code) for code in codes}))
        return self.served.get(wanted, lambda: self._serving(wanted))

    def _serving(self, wanted: tuple) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        if len(self.area_row) and wanted:
            mask[self.area_row[np.isin(self.area_code, wanted)]] = True
        mask &= self.live
        mask.flags.writeable = False
        return mask

    def summaries_of(self, rows) -> list:
        return [self.summaries[pk] for pk in self.ids[rows].tolist()]


class Counted:
    """Rows to count facets over: the mask, how many it holds and, made on first use, their
    numbers and the mask as a bitset (see _packed)."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        self.size = int(np.count_nonzero(mask))

    @cached_property
    def numbers(self) -> np.ndarray:
        return np.flatnonzero(self.mask)

    @cached_property
    def packed(self) -> np.ndarray:
        return _packed(self.mask)


def _rank(order) -> np.ndarray:
    """Turn an ordering (row numbers, first to last) into each row's position in it."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _heights_within(z: float, within: float) -> tuple[float, float]:
    """The lowest and highest z of a point whose dot product with a point of height z can be
    `within` or more: two points that close are at most their angle apart in latitude, and z
    grows with latitude. A nanoradian wider each way, so that rounding never leaves one out."""
    angle = math.acos(max(-1.0, min(1.0, within))) + 1e-9
    latitude = math.asin(max(-1.0, min(1.0, z)))
    return (
        math.sin(max(latitude - angle, -math.pi / 2)),
        math.sin(min(latitude + angle, math.pi / 2)),
    )


def _by_height(rows: np.ndarray, xyz: np.ndarray, more_rows=None, more_xyz=None) -> tuple:
    """Locations (their rows and unit vectors) in order of z, as Snapshot keeps them; with
    more, those merged in their places (a delta adds a few to a hundred thousand)."""
    if more_rows is None:
        order = np.argsort(xyz[:, 2], kind="stable")
        return rows[order], xyz[order]
    more_rows, more_xyz = _by_height(more_rows, more_xyz)
    places = np.searchsorted(np.ascontiguousarray(xyz[:, 2]), more_xyz[:, 2], side="right")
    return np.insert(rows, places, more_rows), np.insert(xyz, places, more_xyz, axis=0)


def _latest():
    return Group.objects.aggregate(v=Max("updated_at"))["v"]


def _today():
    return timezone.now().astimezone(BRUSSELS).date()


def _vocabulary(provinces=None) -> dict:
    """Labels of the taxonomy and of provinces in each of our languages: four small queries
    (three when the provinces' labels are given: they change only with a new load of places)."""
    labels = [f"label_{code}" for code in CONTENT_LANGUAGES]
    terms = {
        name: list(model.objects.order_by().values_list("slug", *labels))
        for name, model in TAXONOMY.items()
    }
    if provinces is None:
        provinces = {}
        for province in Province.objects.all():
            for code in CONTENT_LANGUAGES:
                with translation.override(code):
                    provinces.setdefault(code, {})[province.code] = province.name
    found = {}
    for code in CONTENT_LANGUAGES:
        found[code] = {
            name: {slug: pick(texts, code)[0] for slug, *texts in rows}
            for name, rows in terms.items()
        }
        found[code]["province"] = provinces.get(code, {})  # none before the places are loaded
    return found


TAXONOMY = {"topic": Topic, "audience": Audience, "language": Language}
# The table of Group.service_area: (group_id, municipality_id) pairs, read without a join.
AREA = Group.service_area.through


@dataclass
class Facts:
    """The searchable facts of some groups, one entry a group, in pk order."""

    rows: list  # (id, slug, fresh_at, created_at, next_session_at, *SCALAR)
    pairs: dict  # facet -> [(pk, value)]
    located: list  # (group pk, x, y, z)
    areas: list  # (group pk, municipality NIS code) of each service area


def _facts(selections, chunks=None) -> Facts:
    """The facts of the groups of these querysets; `chunks`, when given, are their pks (a
    lookup by pk, which SQLite plans better than a subquery)."""
    rows, located, areas = [], [], []
    pairs = {facet: [] for facet in MULTI}
    for n, selection in enumerate(selections):
        rows += selection.order_by("id").values_list(
            "id", "slug", "fresh_at", "created_at", "next_session_at", *SCALAR.values()
        )
        for facet, (path,) in MULTI.items():
            pairs[facet] += [
                (pk, v) for pk, v in selection.values_list("id", path) if v is not None
            ]
        of_groups = {"group_id__in": chunks[n]} if chunks else {"group__in": selection}
        located += Location.objects.filter(x__isnull=False, **of_groups).values_list(
            "group_id", "x", "y", "z"
        )
        areas += AREA.objects.filter(**of_groups).values_list("group_id", "municipality_id")
    rows.sort()
    return Facts(rows, pairs, located, areas)


def _columns(facts: Facts, values: dict, first_row: int) -> dict:
    """The facts as arrays, their facet values coded with (and added to) `values`."""
    rows = facts.rows
    position = {r[0]: first_row + n for n, r in enumerate(rows)}
    scalar = {}
    for offset, facet in enumerate(SCALAR, start=5):
        column = [_referral(r[offset]) if facet == "referral" else (r[offset] or "") for r in rows]
        known = values.setdefault(facet, [])
        for value in sorted(set(column) - set(known)):
            known.append(value)
        code = {v: n for n, v in enumerate(known)}
        scalar[facet] = np.array([code[v] if v else -1 for v in column], dtype=np.int16)
    multi = {}
    for facet, pairs in facts.pairs.items():
        known = values.setdefault(facet, [])
        for value in sorted({v for _pk, v in pairs} - set(known)):
            known.append(value)
        code = {v: n for n, v in enumerate(known)}
        matrix = np.zeros((len(rows), len(known)), dtype=bool)
        if pairs:
            matrix[
                [position[pk] - first_row for pk, _v in pairs], [code[v] for _pk, v in pairs]
            ] = 1
        multi[facet] = matrix
    return {
        "ids": np.array([r[0] for r in rows], dtype=np.int64),
        "scalar": scalar,
        "multi": multi,
        "loc_row": np.array([position[g] for g, *_ in facts.located], dtype=np.int64),
        "loc_xyz": np.array([xyz for _g, *xyz in facts.located], dtype=float).reshape(-1, 3),
        "area_row": np.array([position[g] for g, _code in facts.areas], dtype=np.int64),
        "area_code": np.array([int(code) for _g, code in facts.areas], dtype=np.int32),
        "confirmed": np.array([_epoch(r[2]) for r in rows], dtype=np.int64),
        "created": np.array([_epoch(r[3]) for r in rows], dtype=np.int64),
        "next_session": np.array([_epoch(r[4]) if r[4] else FAR for r in rows], dtype=np.int64),
        "slugs": [r[1] for r in rows],
    }


def build() -> Snapshot:
    latest, day, count = _latest(), _today(), Group.objects.count()
    searchable = Group.objects.searchable()
    values: dict = {}
    facts = _facts([searchable])
    columns = _columns(facts, values, 0)
    slugs = columns["slugs"]
    slug_rank = _rank(np.argsort(np.array(slugs, dtype=object), kind="stable"))
    order = np.lexsort([slug_rank, -columns["confirmed"]])
    default_rank = _rank(order)
    loc_row, loc_xyz = _by_height(columns["loc_row"], columns["loc_xyz"])
    return Snapshot(
        ids=columns["ids"],
        values=values,
        scalar=columns["scalar"],
        multi=columns["multi"],
        loc_row=loc_row,
        loc_xyz=loc_xyz,
        area_row=columns["area_row"],
        area_code=columns["area_code"],
        confirmed=columns["confirmed"],
        created=columns["created"],
        next_session=columns["next_session"],
        slugs=slugs,
        default_order=order,
        default_rank=default_rank,
        summaries=summary.load(),
        vocabulary=_vocabulary(),
        latest=latest,
        day=day,
        count=count,
        words=WordIndex.build(columns["ids"]),
    )


def updated(snap: Snapshot, pks, latest, count: int, day=None) -> Snapshot:
    """A new snapshot: `snap` with the groups `pks` read again (dropped when no longer
    searchable, appended when they are), sharing what did not change; of `day` when given."""
    pks = sorted(set(pks))
    live = summary.searchable_among(pks)
    chunks = list(summary.chunks(live))
    facts = _facts([Group.objects.filter(pk__in=chunk) for chunk in chunks], chunks)
    found = summary.load(ids=live, checked=True)
    ids = snap.ids.copy()
    gone = snap.mask_of(pks)
    ids[gone] = -1
    values = {facet: list(known) for facet, known in snap.values.items()}
    first = snap.size
    columns = _columns(facts, values, first)

    multi = {}
    for facet, matrix in snap.multi.items():
        wider = len(values[facet]) - matrix.shape[1]
        if wider:
            matrix = np.hstack([matrix, np.zeros((matrix.shape[0], wider), dtype=bool)])
        multi[facet] = np.vstack([matrix, columns["multi"][facet]])
    confirmed = np.concatenate([snap.confirmed, columns["confirmed"]])
    slugs = snap.slugs + columns["slugs"]

    # Each new row goes to its place in the default order (freshest first, then by slug).
    order = snap.default_order
    new_rows = list(range(first, first + len(columns["slugs"])))

    def key(row):
        return (-int(confirmed[row]), slugs[row])

    new_rows.sort(key=key)
    places = [bisect.bisect_left(order, key(row), key=key) for row in new_rows]
    order = np.insert(order, places, new_rows) if new_rows else order
    default_rank = _rank(order)
    created = np.concatenate([snap.created, columns["created"]])
    next_session = np.concatenate([snap.next_session, columns["next_session"]])

    summaries = dict(snap.summaries)
    for pk in pks:
        summaries.pop(pk, None)
    summaries.update(found)
    postings = {
        facet: _postings_with(rows, starts, columns["multi"][facet], first, len(values[facet]))
        for facet, (rows, starts) in snap.postings.items()
    }
    loc_row, loc_xyz = _by_height(
        snap.loc_row, snap.loc_xyz, columns["loc_row"], columns["loc_xyz"]
    )
    return Snapshot(
        ids=np.concatenate([ids, columns["ids"]]),
        values=values,
        scalar={
            facet: np.concatenate([codes, columns["scalar"][facet]])
            for facet, codes in snap.scalar.items()
        },
        multi=multi,
        loc_row=loc_row,
        loc_xyz=loc_xyz,
        area_row=np.concatenate([snap.area_row, columns["area_row"]]),
        area_code=np.concatenate([snap.area_code, columns["area_code"]]),
        confirmed=confirmed,
        created=created,
        next_session=next_session,
        slugs=slugs,
        default_order=order,
        default_rank=default_rank,
        summaries=summaries,
        vocabulary=_vocabulary({code: v["province"] for code, v in snap.vocabulary.items()}),
        latest=max((at for at in (snap.latest, latest) if at is not None), default=None),
        day=day or snap.day,
        count=count,
        dropped=snap.dropped + int(gone.sum()),
        postings=postings,
        bits={
            facet: _bits_with(
                bits,
                _flags(columns["multi"], columns["scalar"], facet, len(values[facet])),
                first,
                len(values[facet]),
            )
            for facet, bits in snap.bits.items()
        },
        words=snap.words.extended(columns["ids"], first),
    )


def _flags(multi: dict, scalar: dict, facet: str, width: int) -> np.ndarray:
    """Which of a facet's `width` values each row has, as a boolean matrix (rows x values):
    a multi facet's own matrix, a scalar facet's codes made one-hot."""
    if facet in multi:
        return multi[facet]
    return scalar[facet][:, None] == np.arange(width)


def _packed(flags: np.ndarray) -> np.ndarray:
    """Boolean flags of rows (the last axis) as bitsets: 64 rows to a word, row r in bit r % 64
    of word r // 64."""
    rows = flags.shape[-1]
    padded = np.zeros((*flags.shape[:-1], -(-rows // 64) * 64), dtype=bool)
    padded[..., :rows] = flags
    return np.packbits(padded, axis=-1, bitorder="little").view(np.uint64)


def _bits_with(bits, added, first: int, width: int) -> np.ndarray:
    """A facet's bitsets (see Snapshot._bits) with the rows of `added` (a boolean matrix of
    new rows, numbered from `first`) set, one word wider when they pass a multiple of 64 and
    with a bitset for each of the facet's `width` values. Dropped rows stay set, like in
    _postings_with."""
    size = first + added.shape[0]
    grown = np.zeros((width, -(-size // 64)), dtype=np.uint64)
    grown[: bits.shape[0], : bits.shape[1]] = bits
    values, rows = np.nonzero(added.T)
    rows = rows + first
    np.bitwise_or.at(grown, (values, rows // 64), np.uint64(1) << (rows % 64).astype(np.uint64))
    return grown


def _postings_with(rows, starts, added, first: int, width: int):
    """A multi facet's postings (see Snapshot._postings) with the rows of `added` (a boolean matrix
    of new rows, numbered from `first`) put at the end of each of their values' lists: a delta
    costs the new rows, not a scan of the whole matrix. Dropped rows stay in the lists; every
    mask a search passes leaves them out."""
    starts = np.concatenate([starts, np.full(width + 1 - len(starts), starts[-1])])
    columns, new_rows = np.nonzero(added.T)
    rows = np.insert(rows, starts[1:][columns], new_rows + first)
    grown = np.concatenate([[0], np.cumsum(np.bincount(columns, minlength=width))])
    return rows, starts + grown


COUNT_EVERY = 15  # check the counts on one version check in this many

_lock = threading.Lock()
_current: Snapshot | None = None
_checked_at = 0.0
_checks = 0
_pending: set = set()  # groups announced as changed in this process, not yet read again
_deleted: set = set()  # groups deleted in this process since the last check
builds = 0  # full builds in this process (tests and benchmarks read it)


def note_changes(sender, group_ids, **kwargs) -> None:
    """The one listing writer announced changed groups: the next search in this process reads
    them again (after the writer's transaction, whose rows it then sees)."""
    with _lock:
        _pending.update(group_ids)


def note_deleted(sender, instance, **kwargs) -> None:
    """A group was deleted in this process: the next search drops it (other processes see the
    count of groups fall, and rebuild)."""
    with _lock:
        _pending.add(instance.pk)
        _deleted.add(instance.pk)


def _changed_since(snap: Snapshot) -> tuple[set, object, int]:
    """(pks to read again, the latest updated_at, the Group count) since `snap`."""
    global _checks
    _checks += 1
    latest = _latest()
    pks = set(_pending)
    if latest is not None and (snap.latest is None or latest > snap.latest):
        since = snap.latest - timedelta(seconds=SLACK_SECONDS) if snap.latest else None
        recent = (
            Group.objects.all() if since is None else Group.objects.filter(updated_at__gt=since)
        ).order_by()  # no ORDER BY slug: SQLite would walk the slug index over every group
        # Those already read at this version (the last burst before a build) are skipped.
        for pk, at in recent.values_list("id", "updated_at")[: REBUILD_OVER + 1]:
            known = snap.summaries.get(pk)
            if known is None or known.stamp != at.timestamp():
                pks.add(pk)
    count = snap.count
    if _checks % COUNT_EVERY == 0 or not settings.SEARCH_RECHECK_SECONDS or _deleted:
        count = Group.objects.count()
    return pks, latest, count


def _expired(snap: Snapshot) -> set:
    """The pks of the rows unconfirmed for EXPIRED_AFTER: no longer searchable."""
    cutoff = int((timezone.now() - EXPIRED_AFTER).timestamp())
    return set(snap.ids[snap.live & (snap.confirmed < cutoff)].tolist())


def current() -> Snapshot:
    """This process's snapshot, brought up to date when the groups changed or the day did."""
    global _current, _checked_at, builds
    with _lock:
        now = time.monotonic()
        due = now - _checked_at >= settings.SEARCH_RECHECK_SECONDS
        today = _today()
        new_day = _current is not None and _current.day != today
        if _current is None:
            _pending.clear()
            _deleted.clear()
            _rebuild()
        elif due or _pending or new_day:
            pks, latest, count = _changed_since(_current)
            if new_day:
                pks |= _expired(_current)
            # Fewer groups than this process deleted itself: deleted elsewhere, unannounced.
            unexplained = _current.count - count > len(_deleted)
            _deleted.clear()
            if (
                unexplained
                or len(pks) > REBUILD_OVER
                or (_current.dropped + len(pks) > REBUILD_OVER)
            ):
                _pending.clear()
                _rebuild()
            elif pks:
                _pending.difference_update(pks)
                _current = updated(_current, pks, latest, count, day=today)
            elif new_day:
                _current = dataclasses.replace(_current, count=count, day=today)
            elif count != _current.count:
                _current.count = count
        if due:
            _checked_at = now
        return _current


def _rebuild():
    global _current, builds
    _current = build()
    builds += 1
    # Move everything alive now (Django, the snapshot) out of the collector's way: otherwise a
    # full collection walks it all and stalls a search for ~60 ms.
    gc.collect()
    gc.freeze()


def forget():
    """Drop the snapshot, so the next search rebuilds it (tests change data quickly)."""
    global _current
    with _lock:
        _current = None
        _pending.clear()
        _deleted.clear()
