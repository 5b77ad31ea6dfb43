#!/usr/bin/env python3
"""How long the text match takes in the database, uncached, one query at a time.

Runs search.text.word_matches (what a search with words asks the database: each word's matches,
in one query) for each of the
benchmark's words and a few prefixes, several times over, on the database of DATABASE_URL, and
prints p50/p95 in milliseconds and how many groups matched. Target (issue 16): p95 <= 15 ms at
100,000 groups on both databases.

    DATABASE_URL=postgres://postgres@127.0.0.1:55499/bench .venv/bin/python bench/text_search.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healingtogether.settings")

import django  # noqa: E402

django.setup()

from common import WORDS  # noqa: E402
from django.db import connection  # noqa: E402

from healingtogether.search.text import word_matches  # noqa: E402

QUERIES = [*WORDS, "gro", "praat", "rouw ouders", "deuil enf", "angst jongeren"]


def main(rounds: int = 7):
    timings, sizes = [], {}
    word_matches("warm up")
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            per_word = word_matches(q)
            timings.append((time.perf_counter() - started) * 1000)
            sizes[q] = (sum(len(f) for f, _h in per_word), sum(len(h) for _f, h in per_word))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{connection.vendor}: {len(timings)} queries, p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(
        "matches, summed over the words (all, in names or taxonomy): "
        + ", ".join(f"{q} {n}" for q, n in sizes.items())
    )


if __name__ == "__main__":
    main()
