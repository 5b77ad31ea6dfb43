#!/usr/bin/env python3
"""How long the text match takes, uncached, one query at a time: in the database, and in the
search snapshot's own text index (what a search uses now).

Runs search.text.word_matches (each word's matches in one query: FTS5 or tsvector, still what the
HSDS API's `search` filter asks) and Snapshot.text_masks with its cache emptied (the words parsed,
then matched in search/wordindex.py, no SQL) for each of the benchmark's words and a few
prefixes, several times over, on the database of DATABASE_URL, and prints p50/p95 in
milliseconds, and how many groups matched. Checks on the way that both find the same rows, and
times a one-group delta (snapshot.updated, the text index's part apart). Target (issue 16): p95
<= 15 ms at 100,000 groups on both databases, a delta well under 50 ms. Reads only.

    DATABASE_URL=postgres://postgres@127.0.0.1:55499/bench .venv/bin/python bench/text_search.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healingtogether.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from common import WORDS, word_index_again  # noqa: E402
from django.db import connection  # noqa: E402

from healingtogether.search import snapshot  # noqa: E402
from healingtogether.search.text import word_matches  # noqa: E402

QUERIES = [*WORDS, "gro", "groupe de parole", "praat", "rouw ouders", "deuil enf", "angst jongeren"]


def _summary(name: str, timings: list) -> str:
    timings = sorted(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    return (
        f"{connection.vendor}, {name}: {len(timings)} queries, p50 "
        f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


def _same(snap, q, found) -> bool:
    """Whether the snapshot's masks are those the database's matches give."""
    anywhere, every_in_head, _missed = snap.text_masks(q)
    matched = sum(snap.mask_of(ids).astype(np.int8) for ids, _h in found)
    in_head = sum(snap.mask_of(ids).astype(np.int8) for _f, ids in found)
    return np.array_equal(anywhere, matched > 0) and np.array_equal(
        every_in_head, in_head == len(found)
    )


def main(rounds: int = 7):
    started = time.perf_counter()
    snap = snapshot.current()
    print(f"{snap.size} groups: snapshot built in {time.perf_counter() - started:.1f} s")
    print(f"its text index, built again alone: {word_index_again(snap)}")
    timings, in_memory, sizes = [], [], {}
    word_matches("warm up")
    snap.text_masks("warm up")
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            per_word = word_matches(q)
            timings.append((time.perf_counter() - started) * 1000)
            sizes[q] = (sum(len(f) for f, _h in per_word), sum(len(h) for _f, h in per_word))
            snap.text_cache.clear()
            started = time.perf_counter()
            snap.text_masks(q)
            in_memory.append((time.perf_counter() - started) * 1000)
    print(_summary("in the database (word_matches)", timings))
    print(_summary("in the snapshot (text_masks, uncached)", in_memory))
    different = [q for q in QUERIES if not _same(snap, q, word_matches(q))]
    print("the same rows both ways:", "yes" if not different else f"NO for {different}")
    # A delta reads groups again without writing anything: time it on groups as they are.
    deltas, words = [], []
    for pk in snap.ids[snap.live][:: max(1, snap.size // 20)][:20].tolist():
        started = time.perf_counter()
        snapshot.updated(snap, [pk], snap.latest, snap.count)
        deltas.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        snap.words.extended(np.array([pk]), snap.size)
        words.append((time.perf_counter() - started) * 1000)
    print(
        f"a one-group delta, {len(deltas)} times: p50 {statistics.median(deltas):.1f} ms, max "
        f"{max(deltas):.1f} ms, of which the text index p50 {statistics.median(words):.1f} ms, "
        f"max {max(words):.1f} ms"
    )
    print(
        "matches, summed over the words (all, in names or taxonomy): "
        + ", ".join(f"{q} {n}" for q, n in sizes.items())
    )


if __name__ == "__main__":
    main()
