"""The searchable groups' filterable facts, held in memory as NumPy arrays.

Counting eleven facets with SQL over 100,000 groups takes more than a second; over arrays it
takes a few milliseconds, the same on SQLite and PostgreSQL. The text index stays in the database
(FTS5 or tsvector, see text.py): it answers which groups match the words, and this snapshot does
the rest: filters, facet counts, distances and order.

Each process keeps one snapshot and checks, at most every couple of seconds, whether the groups
changed (their count, highest id and latest update) or the day changed; if so it rebuilds. So any
number of workers on any number of machines stay correct without talking to each other.

Only searchable groups are in it: listed and fresh (confirmed, or checked by our team) within
EXPIRED_AFTER. Expiry needs no
write: the day (in Belgium) is part of the version, so a listing that passed 365 days without a
confirmation leaves the results at the first rebuild of the next day at the latest.
"""

import gc
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from healingtogether.directory.models import Group, Location

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
TEXT_CACHE_SIZE = 128


def _referral(value) -> str:
    return "" if value is None else ("true" if value else "false")


def _epoch(moment) -> int:
    return int(moment.timestamp()) if moment else 0


@dataclass
class Snapshot:
    ids: np.ndarray  # group pks, sorted
    values: dict  # facet -> list of its values (index = code)
    scalar: dict  # facet -> int16 array of codes per group (-1: none)
    multi: dict  # facet -> 0/1 float32 matrix, groups x values (counted with a matrix product)
    loc_row: np.ndarray  # for each location: its group's row
    loc_xyz: np.ndarray  # for each location: unit vector (n x 3)
    confirmed: np.ndarray  # each group's fresh_at (last confirmed or checked), epoch seconds
    # Each group's place in three orders, so a search sorts one integer key per group:
    default_rank: np.ndarray  # freshest first, then by slug
    newest_rank: np.ndarray  # most recently listed first, then the default order
    next_rank: np.ndarray  # soonest next session first (none last), then the default order
    version: tuple
    # The last few text searches' results: people search for the same words again and again.
    # Cached with the snapshot, so they go when the groups (and so the text index) change.
    text_cache: OrderedDict = field(default_factory=OrderedDict)
    text_lock: threading.Lock = field(default_factory=threading.Lock)

    def text_masks(self, q: str, matching_ids):
        """(matching, matching in names or taxonomy) as masks, or None when q has no words."""
        key = " ".join(q.casefold().split())
        with self.text_lock:
            if key in self.text_cache:
                self.text_cache.move_to_end(key)
                return self.text_cache[key]
        found = matching_ids(q)
        masks = None if found is None else (self.mask_of(found[0]), self.mask_of(found[1]))
        with self.text_lock:
            self.text_cache[key] = masks
            if len(self.text_cache) > TEXT_CACHE_SIZE:
                self.text_cache.popitem(last=False)
        return masks

    @property
    def size(self) -> int:
        return len(self.ids)

    def mask_of(self, pks) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        pks = np.fromiter(pks, dtype=np.int64)
        if len(pks):
            positions = np.searchsorted(self.ids, pks)
            inside = positions < self.size
            positions, pks = positions[inside], pks[inside]
            mask[positions[self.ids[positions] == pks]] = True
        return mask

    def matching(self, facet: str, chosen: list[str]) -> np.ndarray:
        """Rows whose value for this facet is any of `chosen`."""
        codes = [self.values[facet].index(v) for v in chosen if v in self.values[facet]]
        if facet in self.multi:
            if not codes:
                return np.zeros(self.size, dtype=bool)
            return self.multi[facet][:, codes].any(axis=1)
        return np.isin(self.scalar[facet], codes)

    def counts(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        if facet in self.multi:
            totals = np.rint(mask.astype(np.float32) @ self.multi[facet]).astype(np.int64)
        else:
            codes = self.scalar[facet][mask]
            totals = np.bincount(codes[codes >= 0], minlength=len(self.values[facet]))
        return {
            value: int(n)
            for value, n in zip(self.values[facet], totals, strict=True)
            if n and value
        }

    def closeness(self, xyz: tuple[float, float, float]) -> np.ndarray:
        """For each group, the dot product of its nearest location with the point (-2: none)."""
        best = np.full(self.size, -2.0)
        if len(self.loc_row):
            np.maximum.at(best, self.loc_row, self.loc_xyz @ np.asarray(xyz))
        return best


def _rank(order) -> np.ndarray:
    """Turn an ordering (row numbers, first to last) into each row's position in it."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _version() -> tuple:
    """What changes whenever a group or location is added or changed: the highest ids and the
    latest update; and today's date in Belgium, so that listings that expired overnight leave
    the results without anything being written. One aggregate a query: alone, MAX of an indexed
    column is one index lookup."""
    return (
        Group.objects.aggregate(v=Max("id"))["v"],
        Group.objects.aggregate(v=Max("updated_at"))["v"],
        Location.objects.aggregate(v=Max("id"))["v"],
        timezone.now().astimezone(BRUSSELS).date(),
    )


def _counts() -> tuple:
    """Row counts, which also change when a group or location is deleted. Counting scans the
    table (about 10 ms on PostgreSQL at 100,000 groups), so it is checked less often."""
    return (Group.objects.count(), Location.objects.count())


def build() -> Snapshot:
    version = (_version(), _counts())
    searchable = Group.objects.searchable()
    rows = list(
        searchable.order_by("id").values_list(
            "id", "slug", "fresh_at", "created_at", "next_session_at", *SCALAR.values()
        )
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    position = {pk: n for n, pk in enumerate(ids.tolist())}

    values, scalar = {}, {}
    for offset, facet in enumerate(SCALAR, start=5):
        column = [_referral(r[offset]) if facet == "referral" else (r[offset] or "") for r in rows]
        values[facet] = sorted(set(column))
        code = {v: n for n, v in enumerate(values[facet])}
        scalar[facet] = np.array([code[v] if v else -1 for v in column], dtype=np.int16)

    multi = {}
    for facet, (path,) in MULTI.items():
        pairs = [(pk, v) for pk, v in searchable.values_list("id", path) if v is not None]
        values[facet] = sorted({v for _pk, v in pairs})
        code = {v: n for n, v in enumerate(values[facet])}
        matrix = np.zeros((len(ids), len(values[facet])), dtype=np.float32)
        if pairs:
            matrix[[position[pk] for pk, _v in pairs], [code[v] for _pk, v in pairs]] = 1
        multi[facet] = matrix

    located = list(
        Location.objects.filter(group__in=searchable, x__isnull=False).values_list(
            "group_id", "x", "y", "z"
        )
    )
    slug_rank = _rank(np.argsort(np.array([r[1] for r in rows], dtype=object), kind="stable"))
    confirmed = np.array([_epoch(r[2]) for r in rows], dtype=np.int64)
    created = np.array([_epoch(r[3]) for r in rows], dtype=np.int64)
    next_session = np.array([_epoch(r[4]) if r[4] else FAR for r in rows], dtype=np.int64)
    default_rank = _rank(np.lexsort([slug_rank, -confirmed]))
    return Snapshot(
        ids=ids,
        values=values,
        scalar=scalar,
        multi=multi,
        loc_row=np.array([position[g] for g, *_ in located], dtype=np.int64),
        loc_xyz=np.array([xyz for _g, *xyz in located], dtype=float).reshape(-1, 3),
        confirmed=confirmed,
        default_rank=default_rank,
        newest_rank=_rank(np.lexsort([default_rank, -created])),
        next_rank=_rank(np.lexsort([default_rank, next_session])),
        version=version,
    )


COUNT_EVERY = 15  # check the counts on one version check in this many

_lock = threading.Lock()
_current: Snapshot | None = None
_checked_at = 0.0
_checks = 0


def current() -> Snapshot:
    """This process's snapshot, rebuilt when the groups changed."""
    global _current, _checked_at, _checks
    with _lock:
        now = time.monotonic()
        if _current is None or now - _checked_at >= settings.SEARCH_RECHECK_SECONDS:
            _checks += 1
            counts = (
                _counts()
                if _checks % COUNT_EVERY == 0 or not settings.SEARCH_RECHECK_SECONDS
                else None
            )
            if (
                _current is None
                or _version() != _current.version[0]
                or (counts is not None and counts != _current.version[1])
            ):
                _current = build()
                # Move everything alive now (Django, the snapshot) out of the collector's way:
                # otherwise a full collection walks it all and stalls a search for ~60 ms.
                gc.collect()
                gc.freeze()
            _checked_at = now
        return _current


def forget():
    """Drop the snapshot, so the next search rebuilds it (tests change data quickly)."""
    global _current
    with _lock:
        _current = None
