#!/usr/bin/env python3
"""What search by meaning adds to one query at 100,000 groups, in one process, and the memory
each worker holds for the groups' vectors.

The work meaning adds to a search is all in memory and independent of the database: embedding the
query (once per process per query: cached), one product of the int8 matrix (groups x 384) with the
query's vector, choosing the close rows, fusing the two rankings, and choosing topics. This times
those steps with the real model and a matrix of N rows (the vectors of real passages, repeated
with a little noise: the cost of a product does not depend on the values), over the evaluation's
queries, and prints p50/p95 per step and in all.

    DATABASE_URL=sqlite:///var/db.sqlite3 .venv/bin/python bench/meaning.py [--groups 100000]

Needs a database with the taxonomy loaded (`make data`); nothing is written.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

# One thread each, as settings.py sets for the site: before NumPy loads, or its BLAS starts a
# thread per core, which on a busy machine makes one product ten times slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healingtogether.settings")


def percentiles(times: list[float]) -> tuple[float, float]:
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--keyword-share", type=float, default=0.05, help="rows the words match")
    args = parser.parse_args()

    import django

    django.setup()
    from healingtogether.directory.models import Topic
    from healingtogether.search import crisis, engine, meaning

    queries = [
        q["q"]
        for q in json.loads(
            (ROOT / "healingtogether/search/evaluation/queries.json").read_text(encoding="utf-8")
        )
    ]
    topics = list(Topic.objects.all())
    load = time.perf_counter()
    if not meaning.available():
        sys.exit("the model is unavailable")
    load = time.perf_counter() - load
    # Warm what a worker embeds once: the topics and the crisis phrasings.
    meaning.suggest_topics(meaning.embed_query("warm up"), topics)
    crisis.similarity(meaning.embed_query("warm up"))

    rng = np.random.default_rng(1)
    pool = meaning.embed_texts(queries)  # real vectors of the same kind as groups' passages
    vectors = pool[rng.integers(0, len(pool), args.groups)]
    vectors += rng.normal(0, 0.01, vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows, scales = meaning._quantize(vectors)
    ids = np.arange(1, args.groups + 1, dtype=np.int64)
    matrix = meaning.Matrix(None, ids, rows, scales, None)
    built = time.perf_counter()
    matrix.reduce()  # the first pass, above meaning.EXACT_UP_TO groups
    built = time.perf_counter() - built

    class Snap:  # what _fuse reads of a snapshot
        size = args.groups
        default_rank = rng.permutation(args.groups).astype(np.int64)

    keyword = rng.random(args.groups) < args.keyword_share
    name_match = keyword & (rng.random(args.groups) < 0.2)
    steps = {
        "embed (new query)": [],
        "crisis check": [],
        "topics": [],
        "matrix x query": [],
        "close rows": [],
        "fusion": [],
    }
    totals, on_only, overlaps = [], [], []
    for q in queries:
        meaning._queries.clear()  # a new query each time: embedded and scored anew
        matrix.recent.clear()
        t0 = time.perf_counter()
        vector = meaning.embed_query(q)
        t1 = time.perf_counter()
        crisis.in_crisis(q, vector)
        t2 = time.perf_counter()
        found = meaning.suggest_topics(vector, topics)
        t3 = time.perf_counter()
        scores = matrix.scores(vector)
        t4 = time.perf_counter()

        close = meaning.close_rows(scores, keyword & (rng.random(args.groups) < 0.02 * len(found)))
        t5 = time.perf_counter()
        selected = np.flatnonzero(keyword | close)
        engine._fuse(Snap, selected, keyword, name_match, scores)
        t6 = time.perf_counter()
        spent_each = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)
        for name, spent in zip(steps, spent_each, strict=True):
            steps[name].append(spent * 1000)
        totals.append((t6 - t0) * 1000)
        on_only.append((t6 - t2) * 1000)
        if matrix.reduced is not None:
            # How many of the CLOSEST groups by exact similarity the two passes also put first.
            exact = matrix._all_exact(vector)
            best = meaning.CLOSEST
            truth = set(np.argpartition(-exact, best - 1)[:best].tolist())
            found_rows = set(np.argpartition(-scores, best - 1)[:best].tolist())
            overlaps.append(len(truth & found_rows) / best)

    print(f"{args.groups} groups, {len(queries)} queries, model loaded in {load * 1000:.0f} ms")
    print(f"{'step':<22}{'p50 ms':>9}{'p95 ms':>9}")
    for name, times in steps.items():
        p50, p95 = percentiles(times)
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}")
    p50, p95 = percentiles(on_only)
    note = "(semantic=off still embeds the query, for crisis)"
    print(f"{'meaning on - off':<22}{p50:>9.1f}{p95:>9.1f}   {note}")
    p50, p95 = percentiles(totals)
    print(f"{'all, new query':<22}{p50:>9.1f}{p95:>9.1f}   (vs SEARCH_SEMANTIC=False)")
    if overlaps:
        print(
            f"first pass ({meaning.REDUCED_DIMENSIONS} dimensions, {meaning.CANDIDATES} "
            f"candidates, built in {built * 1000:.0f} ms): it keeps "
            f"{100 * np.mean(overlaps):.1f} % of the {meaning.CLOSEST} closest groups "
            f"(worst query {100 * min(overlaps):.0f} %)"
        )
    print(
        f"matrix memory per worker: {meaning.memory_bytes(matrix) / 2**20:.1f} MiB "
        f"(int8 {args.groups} x {meaning.DIMENSIONS} + scales + first pass); model file mapped: "
        f"{os.path.getsize(meaning.model_file()) / 2**20:.0f} MiB, shared between workers"
    )


if __name__ == "__main__":
    main()
