"""The text index of the search snapshot's rows, in memory: which rows each term is in.

What a search with words asks is answered here from NumPy arrays, with no SQL, in a few
milliseconds even for a word that 80,000 groups of 100,000 contain. It gives exactly what the
database's index gives (search.text.word_matches: FTS5 on SQLite, tsvector on PostgreSQL),
because it is made from the same rows, search_grouptext's `head` and `body`.

Stored as is, those rows would be some 40 million (term, row) pairs at 100,000 groups: most of a
`head` is the words of the group's topics, audiences and approaches (their labels and synonyms in
four languages, their parents' too), the same few hundred words for every group about grief. So
the taxonomy is factored out. Each taxonomy term's words are computed once; each group's set of
taxonomy terms (its signature, shared by many groups) once too. Per row only the rest is kept:
the head's terms that are no taxonomy word of the group (from its names), and the body's terms
that are not in its head. A word is then in a row's head when a residual head posting says so or
when one of the row's taxonomy terms has it among its words; it is in the row when that holds or
a residual body posting says so.

A prefix (the last word, still being typed) matches the terms of the vocabulary that start with
it: a sorted list and a bisection.

A snapshot delta (snapshot.updated) appends rows: `extended` reads their search_grouptext rows
and taxonomy, and puts their postings at the end of each term's list, sharing the rest; rows
dropped by a delta stay in the lists, and every mask is restricted to the live rows.
"""

import bisect
import gc
from dataclasses import dataclass
from itertools import chain, filterfalse

import numpy as np

from healingtogether.directory.models import Approach, Audience, Group, Topic

from .models import GroupText
from .summary import chunks
from .text import taxonomy_text

# Taxonomy kinds whose words are in a group's head (search.text._index_chunk): the group's field.
KINDS = (("topics", Topic), ("audiences", Audience), ("approaches", Approach))
# A head's first terms are the group's names (then its taxonomy words): its residual terms and
# this many more are looked at first, the whole head only when its names have more terms.
FIRST_TERMS = 24
BATCH = 4096  # rows whose terms are coded at once
SIGNATURE_WORDS = 16384  # signatures whose words a build keeps at once
EMPTY = np.zeros(0, dtype=np.int32)
NOTHING = frozenset()


def _taxonomy_words() -> tuple[list, list]:
    """(keys, words): every taxonomy term as (kind, pk), and the set of its words, exactly as
    its labels are written into a head. A few small queries."""
    keys, found = [], []
    for kind, model in KINDS:
        terms = {term.pk: term for term in model.objects.all()}
        for term in terms.values():
            # Parents from the same read: taxonomy_text walks up without a query each.
            if term.parent_id is not None and term.parent_id in terms:
                term.parent = terms[term.parent_id]
        for pk, term in sorted(terms.items()):
            keys.append((kind, pk))
            found.append(frozenset(taxonomy_text(term).split()))
    return keys, found


def _taxonomy_pairs(kind: str, model, pks=None) -> np.ndarray:
    """(group pk, term pk) of one kind, for the groups `pks` (all when None), as an n x 2 array."""
    through = getattr(Group, kind).through
    column = f"{model.__name__.lower()}_id"
    if pks is None:
        selections = [through.objects.all()]
    else:
        selections = [through.objects.filter(group_id__in=chunk) for chunk in chunks(pks)]
    pairs = chain.from_iterable(s.values_list("group_id", column) for s in selections)
    return np.fromiter(chain.from_iterable(pairs), dtype=np.int64).reshape(-1, 2)


def _texts(pks=None):
    """(group pk, head, body) of the groups `pks` (all when None), a chunk at a time."""
    if pks is None:
        yield from (
            GroupText.objects.order_by()
            .values_list("group_id", "head", "body")
            .iterator(chunk_size=2000)
        )
        return
    for chunk in chunks(pks):
        yield from GroupText.objects.filter(group_id__in=chunk).values_list(
            "group_id", "head", "body"
        )


def _residual_head(head: str, taxonomy: frozenset) -> list[str] | None:
    """The terms of `head` that are not among `taxonomy` (the words of the group's taxonomy
    terms); None when the head does not hold every one of those words (written before a label
    changed): the row then keeps its whole head.

    A head is its names' terms, then the taxonomy words not among them, each term once
    (text._index_chunk): so it has exactly len(head) - len(taxonomy) residual terms, all among
    the first ones, and most heads need only their first terms split."""
    if not head:
        return [] if not taxonomy else None
    wanted = head.count(" ") + 1 - len(taxonomy)
    if wanted <= 0:
        return [] if wanted == 0 else None
    limit = wanted + FIRST_TERMS
    first = head.split(" ", limit)
    if len(first) > limit:
        first.pop()  # the rest of the head, unsplit
    found = list(filterfalse(taxonomy.__contains__, first))
    if len(found) < wanted and len(first) == limit:
        found = list(filterfalse(taxonomy.__contains__, head.split(" ")))
    return found if len(found) == wanted else None


def _slices(rows: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """rows[begin[0]:end[0]], rows[begin[1]:end[1]]... one after the other."""
    if len(begin) == 1:
        return rows[begin[0] : end[0]]
    length = end - begin
    total = int(length.sum())
    if not total:
        return EMPTY
    # Where each slice starts in the result, repeated for each of its items, plus a count.
    shift = np.repeat(begin - (np.cumsum(length) - length), length)
    return rows[shift + np.arange(total)]


def _gather(rows: np.ndarray, starts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The postings of the terms `ids` (see _postings), one list after the other."""
    return _slices(rows, starts[ids], starts[ids + 1])


def _postings(term_ids: np.ndarray, rows: np.ndarray, width: int):
    """(rows, starts): each term's rows, term after term (term k: rows[starts[k]:starts[k+1]])."""
    # A stable sort of 16-bit keys is a radix sort: a few times faster than of 32-bit ones.
    keys = term_ids.astype(np.uint16) if width <= 2**16 else term_ids
    order = np.argsort(keys, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(term_ids, minlength=width))])
    return rows[order].astype(np.int32), starts.astype(np.int64)


def _in_tail(terms: np.ndarray, rows: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The rows of the pairs (terms[k], rows[k]), sorted by term, whose term is one of `ids`."""
    if not len(terms):
        return EMPTY
    return _slices(rows, np.searchsorted(terms, ids, "left"), np.searchsorted(terms, ids, "right"))


def _with_tail(terms: np.ndarray, rows: np.ndarray, new_terms, new_rows):
    """The (term, row) pairs of the rows deltas appended, with new ones, sorted by term: a delta
    costs its own rows and those of the deltas before it (a few thousand rows at most: more, and
    the snapshot is rebuilt), never a copy of the build's postings."""
    if not len(new_terms):
        return terms, rows
    terms = np.concatenate([terms, new_terms.astype(np.int32)])
    rows = np.concatenate([rows, new_rows.astype(np.int32)])
    order = np.argsort(terms, kind="stable")
    return terms[order], rows[order]


class _Coder:
    """Turns rows' terms into (term id, row) pairs, a batch of rows at a time (so the terms'
    strings don't all stay in memory), giving each term unknown to `code` the next id."""

    def __init__(self, code: dict, first: int):
        self.code = code
        self.first = first
        self.new = []  # the terms given an id here, in that order
        self.terms, self.rows = [], []
        self.pending, self.pending_rows = [], []

    def name(self, terms) -> None:
        """Give these terms ids (those not known yet)."""
        for term in sorted(set(terms).difference(self.code)):
            self.code[term] = len(self.code)
            self.new.append(term)

    def flush(self) -> None:
        pending = self.pending
        if not pending:
            return
        self.name(set().union(*pending))
        lengths = np.fromiter(map(len, pending), dtype=np.int64, count=len(pending))
        self.terms.append(
            np.fromiter(
                map(self.code.__getitem__, chain.from_iterable(pending)),
                dtype=np.int32,
                count=int(lengths.sum()),
            )
        )
        rows = np.array(self.pending_rows, dtype=np.int32) + self.first
        self.rows.append(np.repeat(rows, lengths))
        # Emptied in place: _read appends through these lists' own methods.
        self.pending.clear()
        self.pending_rows.clear()

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        self.flush()
        if not self.terms:
            return EMPTY, EMPTY
        return np.concatenate(self.terms), np.concatenate(self.rows)


@dataclass
class WordIndex:
    # Vocabulary: term -> id. Shared by the indexes deltas derive from one build (deltas follow
    # one another, under snapshot._lock): a delta only adds terms, with the next ids, and an
    # older index ignores the ids past its own `width`.
    code: dict
    width: int  # how many terms this index knows
    ordered: list  # the terms of the build, sorted: term id k is ordered[k]
    added: list  # the terms added by deltas since, sorted
    added_ids: list  # their ids, in the same order
    head_rows: np.ndarray  # residual head postings of the build's rows (see _postings)
    head_starts: np.ndarray
    body_rows: np.ndarray  # residual body postings of the build's rows
    body_starts: np.ndarray
    # Those of the rows deltas appended since, as (term, row) pairs sorted by term
    head_tail: tuple
    body_tail: tuple
    taxonomy_keys: list  # each taxonomy term as (kind, pk)
    taxonomy_index: dict  # (kind, pk) -> index in taxonomy_keys
    taxonomy_words: list  # each taxonomy term's words (frozenset)
    # Each term's slot among the taxonomy's words (-1: none), and the taxonomy terms that have
    # each slot's word
    word_slot: np.ndarray
    slot_terms: np.ndarray  # bool, slots x taxonomy terms
    # A signature is a set of taxonomy terms, some rows' (int32 term indexes as bytes): its index
    signatures: dict
    # Each signature's taxonomy terms as pairs (signature, taxonomy term)
    pair_signature: np.ndarray
    pair_term: np.ndarray
    row_signature: np.ndarray  # each row's signature (int32)

    @property
    def size(self) -> int:
        return len(self.row_signature)

    @property
    def postings(self) -> int:
        tails = len(self.head_tail[0]) + len(self.body_tail[0])
        return len(self.head_rows) + len(self.body_rows) + tails

    @property
    def nbytes(self) -> int:
        """The arrays' bytes (the vocabulary's strings not included)."""
        arrays = (
            self.head_rows,
            self.head_starts,
            self.body_rows,
            self.body_starts,
            self.word_slot,
            self.slot_terms,
            self.pair_signature,
            self.pair_term,
            self.row_signature,
            *self.head_tail,
            *self.body_tail,
        )
        return sum(a.nbytes for a in arrays)

    # Building

    @classmethod
    def build(cls, ids: np.ndarray) -> "WordIndex":
        """The index of rows whose group pks are `ids`, ascending (row n: ids[n])."""
        keys, words = _taxonomy_words()
        index = cls(
            code={},
            width=0,
            ordered=[],
            added=[],
            added_ids=[],
            head_rows=EMPTY,
            head_starts=np.zeros(1, dtype=np.int64),
            body_rows=EMPTY,
            body_starts=np.zeros(1, dtype=np.int64),
            head_tail=(EMPTY, EMPTY),
            body_tail=(EMPTY, EMPTY),
            taxonomy_keys=keys,
            taxonomy_index={key: n for n, key in enumerate(keys)},
            taxonomy_words=words,
            word_slot=EMPTY,
            slot_terms=np.zeros((0, len(keys)), dtype=bool),
            signatures={b"": 0},
            pair_signature=EMPTY,
            pair_term=EMPTY,
            row_signature=EMPTY,
        )
        # Millions of short-lived lists and strings: the collector would walk them again and again.
        collecting = gc.isenabled()
        gc.disable()
        try:
            heads = _Coder({}, 0)
            bodies = _Coder(heads.code, 0)
            index.row_signature = index._read(ids, heads, bodies, delta=False)
            heads.name(set().union(*words))
            head_terms, head_rows = heads.pairs()
            body_terms, body_rows = bodies.pairs()
            # Ids in the order of the sorted vocabulary, so that a prefix is a range of ids.
            index.ordered = sorted(heads.code)
            index.width = len(index.ordered)
            renumber = np.empty(index.width, dtype=np.int32)
            renumber[[heads.code[t] for t in index.ordered]] = np.arange(index.width)
            index.code = dict(zip(index.ordered, range(index.width), strict=True))
            index.head_rows, index.head_starts = _postings(
                renumber[head_terms], head_rows, index.width
            )
            index.body_rows, index.body_starts = _postings(
                renumber[body_terms], body_rows, index.width
            )
            index._taxonomy_arrays()
        finally:
            if collecting:
                gc.enable()
        return index

    def extended(self, ids: np.ndarray, first: int) -> "WordIndex":
        """A new index: this one with rows appended for the groups `ids`, ascending (row
        first + n: ids[n]); this one is left as it is, for the searches still using it."""
        index = WordIndex(**self.__dict__)
        index.signatures = dict(self.signatures)
        index.taxonomy_index = dict(self.taxonomy_index)
        known_terms = len(self.taxonomy_keys)
        heads = _Coder(self.code, first)
        bodies = _Coder(self.code, first)
        signatures = index._read(ids, heads, bodies, delta=True)
        heads.name(set().union(*index.taxonomy_words[known_terms:]))
        head_terms, head_rows = heads.pairs()
        body_terms, body_rows = bodies.pairs()
        new = heads.new + bodies.new
        if new:
            added, added_ids = list(self.added), list(self.added_ids)
            for term in new:
                place = bisect.bisect_left(added, term)
                added.insert(place, term)
                added_ids.insert(place, self.code[term])
            index.added, index.added_ids = added, added_ids
        index.width = len(self.code)
        index.head_tail = _with_tail(*self.head_tail, head_terms, head_rows)
        index.body_tail = _with_tail(*self.body_tail, body_terms, body_rows)
        index.row_signature = np.concatenate([self.row_signature, signatures])
        if len(index.taxonomy_keys) != known_terms:  # a taxonomy term added since the build
            index._taxonomy_arrays()
            return index
        if index.width != self.width:
            grown = np.full(index.width - self.width, -1, dtype=np.int32)
            index.word_slot = np.concatenate([self.word_slot, grown])
        known = len(self.signatures)
        if len(index.signatures) != known:
            # Signatures are numbered in the order they were made: the new ones are the last.
            pairs = [
                (s, t)
                for key, s in index.signatures.items()
                if s >= known
                for t in np.frombuffer(key, dtype=np.int32).tolist()
            ]
            index.pair_signature = np.concatenate(
                [self.pair_signature, np.array([s for s, _t in pairs], dtype=np.int32)]
            )
            index.pair_term = np.concatenate(
                [self.pair_term, np.array([t for _s, t in pairs], dtype=np.int32)]
            )
        return index

    def _read(self, ids: np.ndarray, heads: _Coder, bodies: _Coder, delta: bool) -> np.ndarray:
        """Read the rows' taxonomy and search_grouptext rows (of the groups `ids` only, in a
        delta; of all in a build), give their residual terms to `heads` and `bodies`, and return
        each row's signature. Taxonomy terms added since the build are read and added."""
        if not len(ids):
            return EMPTY
        pks = ids.tolist() if delta else None
        found = {kind: _taxonomy_pairs(kind, model, pks) for kind, model in KINDS}
        if delta and any(
            (kind, pk) not in self.taxonomy_index
            for kind, pairs in found.items()
            for pk in set(pairs[:, 1].tolist())
        ):
            keys, words = _taxonomy_words()
            for key, term_words in zip(keys, words, strict=True):
                if key not in self.taxonomy_index:
                    self.taxonomy_index[key] = len(self.taxonomy_keys)
                    self.taxonomy_keys = [*self.taxonomy_keys, key]
                    self.taxonomy_words = [*self.taxonomy_words, term_words]
        # Each row's taxonomy terms, as (row, term index) pairs.
        rows, terms = [], []
        for kind, pairs in found.items():
            known = [(pk, n) for (k, pk), n in self.taxonomy_index.items() if k == kind]
            table = np.full(max((pk for pk, _n in known), default=0) + 2, -1, dtype=np.int64)
            table[[pk for pk, _n in known]] = [n for _pk, n in known]
            term = table[np.minimum(pairs[:, 1], len(table) - 1)]
            place = np.minimum(np.searchsorted(ids, pairs[:, 0]), len(ids) - 1)
            inside = (term >= 0) & (ids[place] == pairs[:, 0])
            rows.append(place[inside])
            terms.append(term[inside])
        rows, terms = np.concatenate(rows), np.concatenate(terms)
        order = np.lexsort([terms, rows])
        rows, terms = rows[order], terms[order].astype(np.int32).tobytes()
        bounds = np.searchsorted(rows, np.arange(len(ids) + 1)).tolist()
        # Rows with the same taxonomy terms share a signature.
        signature = [0] * len(ids)
        keys = [b""] * len(ids)
        for n in np.flatnonzero(np.diff(bounds)).tolist():
            key = keys[n] = terms[4 * bounds[n] : 4 * bounds[n + 1]]
            number = self.signatures.get(key)
            if number is None:
                number = self.signatures[key] = len(self.signatures)
            signature[n] = number
        # A signature's words (a few hundred), made again when needed: kept for all of the tens of
        # thousands of signatures, they would take hundreds of megabytes.
        words = {}
        # A group without a search_grouptext row is in no index: no word finds it.
        indexed = [0] * len(ids)
        head_terms, head_rows = heads.pending.append, heads.pending_rows.append
        body_terms, body_rows = bodies.pending.append, bodies.pending_rows.append
        position = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        for group, head, body in _texts(pks):
            n = position.get(group)
            if n is None:
                continue
            taxonomy = words.get(keys[n])
            if taxonomy is None:
                if len(words) >= SIGNATURE_WORDS:
                    words.clear()
                taxonomy = words[keys[n]] = NOTHING.union(
                    *(self.taxonomy_words[t] for t in np.frombuffer(keys[n], dtype=np.int32))
                )
            residual = _residual_head(head, taxonomy)
            if residual is None:  # a head older than its taxonomy's labels: keep all of it
                residual = head.split()
                taxonomy = NOTHING
            else:
                indexed[n] = signature[n]
            head_terms(residual)
            head_rows(n)
            body_terms(set(body.split()).difference(taxonomy, residual))
            body_rows(n)
            if len(heads.pending) >= BATCH:
                heads.flush()
                bodies.flush()
        return np.array(indexed, dtype=np.int32)

    def _taxonomy_arrays(self):
        """word_slot, slot_terms and the signatures' pairs, from the taxonomy's words."""
        slots = sorted(set().union(*self.taxonomy_words), key=self.code.__getitem__)
        self.word_slot = np.full(self.width, -1, dtype=np.int32)
        self.word_slot[[self.code[w] for w in slots]] = np.arange(len(slots), dtype=np.int32)
        slot_of = {w: n for n, w in enumerate(slots)}
        self.slot_terms = np.zeros((len(slots), len(self.taxonomy_keys)), dtype=bool)
        for t, words in enumerate(self.taxonomy_words):
            self.slot_terms[[slot_of[w] for w in words], t] = True
        keys = [np.frombuffer(key, dtype=np.int32) for key in self.signatures]
        self.pair_signature = np.repeat(
            np.array(list(self.signatures.values()), dtype=np.int32),
            [len(key) for key in keys],
        ).astype(np.int32)
        self.pair_term = np.concatenate([EMPTY, *keys]).astype(np.int32)

    # Searching

    def term_ids(self, word_terms: list[str], prefix: str | None) -> np.ndarray:
        """The ids of the terms of the vocabulary one query word matches."""
        found = [self.code.get(t, self.width) for t in word_terms]
        ids = [i for i in found if i < self.width]
        if prefix:
            end = prefix + "\uffff"
            low, high = (
                bisect.bisect_left(self.ordered, prefix),
                bisect.bisect_left(self.ordered, end),
            )
            ids += range(low, high)
            low, high = bisect.bisect_left(self.added, prefix), bisect.bisect_left(self.added, end)
            ids += [i for i in self.added_ids[low:high] if i < self.width]
        return np.unique(np.array(ids, dtype=np.int64))

    def word_masks(self, word_terms: list[str], prefix: str | None, live: np.ndarray):
        """(the live rows one query word matches, those it matches in their head)."""
        ids = self.term_ids(word_terms, prefix)
        in_head = np.zeros(self.size, dtype=bool)
        anywhere = np.zeros(self.size, dtype=bool)
        if len(ids):
            slots = self.word_slot[ids]
            slots = slots[slots >= 0]
            if len(slots):
                terms = self.slot_terms[slots].any(axis=0)
                having = np.zeros(len(self.signatures), dtype=bool)
                having[self.pair_signature[terms[self.pair_term]]] = True
                in_head = having[self.row_signature]
            built = ids[ids < len(self.head_starts) - 1]  # terms of the build's vocabulary
            in_head[_gather(self.head_rows, self.head_starts, built)] = True
            in_head[_in_tail(*self.head_tail, ids)] = True
            anywhere |= in_head
            anywhere[_gather(self.body_rows, self.body_starts, built)] = True
            anywhere[_in_tail(*self.body_tail, ids)] = True
        return anywhere & live, in_head & live
