#!/usr/bin/env python3
"""What a process pays to hold the search snapshot at 100,000 groups, and to follow one change.

On the database of DATABASE_URL (a scratch database of bench/common.py: `bench/search.py` builds
one), in one process: the full build (time and the process's peak memory), then, twenty times,
one group written through the listing writer (a moderator's approval, say) and the next search:
how long the snapshot takes to take the change in (a delta, not a rebuild), and how long that
first search takes in all. Each write is rolled back at the end. Target (issue 16): a delta in
under 50 ms at 100,000 groups, and the first search after it never paying seconds.

    DATABASE_URL=sqlite:///var/bench/bench.sqlite3 .venv/bin/python bench/snapshot.py
"""

import os
import resource
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

from common import word_index_again  # noqa: E402
from django.db import transaction  # noqa: E402

from healingtogether.directory import listing  # noqa: E402
from healingtogether.directory.models import Group  # noqa: E402
from healingtogether.search import engine, snapshot  # noqa: E402


class Undo(Exception):
    pass


def main(rounds: int = 20):
    started = time.perf_counter()
    snap = snapshot.current()
    built = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(snap.ids)} groups: full build {built:.1f} s, peak memory {peak:.0f} MiB")
    # The peak counts the pages of the SQLite file mapped while reading it (mmap_size in
    # settings): shared between workers and given back under pressure. The process's own memory
    # is its anonymous part.
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    anonymous, mapped = (int(status[k].split()[0]) / 1024 for k in ("RssAnon", "RssFile"))
    print(f"after it: {anonymous:.0f} MiB of the process's own, {mapped:.0f} MiB of mapped files")
    print(f"of which the word index (search/wordindex.py), alone: {word_index_again(snap)}")
    search = engine.parse({"q": "", "near": "1000", "topic": ["grief"]})
    engine.run(search)
    # With words, meaning's matrix follows the change too (its query is embedded once, here).
    words = engine.parse({"q": "deuil", "near": "1000"})
    engine.run(words)
    groups = list(Group.objects.filter(synthetic=True).order_by("pk")[:rounds])
    deltas, firsts, with_words, builds = [], [], [], snapshot.builds
    try:
        with transaction.atomic():
            for n, group in enumerate(groups):
                listing.save(group, {"name_en": f"Changed for the benchmark {n}"})
                started = time.perf_counter()
                snapshot.current()
                deltas.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                engine.run(search)
                firsts.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                engine.run(words)
                with_words.append((time.perf_counter() - started) * 1000)
            raise Undo
    except Undo:
        pass
    print(
        f"one group changed, {rounds} times: delta p50 {statistics.median(deltas):.1f} ms, "
        f"max {max(deltas):.1f} ms; the first search after it p50 "
        f"{statistics.median(firsts):.1f} ms, max {max(firsts):.1f} ms; then the first search "
        f"with words p50 {statistics.median(with_words):.1f} ms, max {max(with_words):.1f} ms; "
        f"full rebuilds meanwhile: {snapshot.builds - builds}"
    )


if __name__ == "__main__":
    main()
