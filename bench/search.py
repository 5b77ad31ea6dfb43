#!/usr/bin/env python3
"""Search speed at 100,000 groups, on SQLite and on PostgreSQL.

For each database: build a scratch database with the real places and resources plus N synthetic
groups (`generate_groups`), serve it with `make serve` (gunicorn, 2 workers, DEBUG off), then
drive a realistic mix of queries (text, near a place, facets, paging) with wrk from loopback,
and print p50/p95/p99 and requests per second for the API, the search page and /healthz.

Targets (issue 3): API p95 <= 50 ms; search throughput >= 20 % of /healthz throughput.

    .venv/bin/python bench/search.py                 # both databases, 100,000 groups
    .venv/bin/python bench/search.py --groups 10000 --databases sqlite --seconds 10

Needs wrk and, for PostgreSQL, Debian's postgresql (installed through apt when run as root).
The scratch databases live in var/bench/ and are reused when they already hold N groups.
"""

import argparse
import random

from common import database, ensure_tools, load, prepare, query_mix, serve, stop


def bench_database(name, env, args) -> dict:
    print(f"\n{name}: preparing {args.groups} groups")
    prepare(env, args.groups)
    port = 8400 + len(name)
    server = serve(env, port)
    try:
        mix = query_mix()
        runs = {
            "healthz": ["/healthz"],
            "api": [f"/api/v1/groups?{q}" for q in mix],
            "page": [
                f"/{random.Random(i).choice(['fr', 'nl', 'en', 'de'])}/search/?{q}"
                for i, q in enumerate(mix)
            ],
        }
        for paths in runs.values():  # warm up caches and connections
            load(port, paths, 3, args.connections)
        return {
            kind: load(port, paths, args.seconds, args.connections) for kind, paths in runs.items()
        }
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=30)
    # As many connections as workers: the latency a person waits, not time queued behind others.
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    ensure_tools()
    figures = {}
    for name in args.databases.split(","):
        with database(name) as env:
            figures[name] = bench_database(name, env, args)

    print(
        f"\n{args.groups} groups, {args.connections} connections, {args.seconds} s per run, "
        "gunicorn with 2 workers"
    )
    print(
        f"{'database':<11}{'what':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'vs healthz':>12}"
    )
    verdicts = []
    for name, runs in figures.items():
        for kind, r in runs.items():
            ratio = r["rps"] / runs["healthz"]["rps"]
            print(
                f"{name:<11}{kind:<9}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
                f"{r['p99']:>9.1f}{r['errors'] + r['non2xx']:>8}{ratio:>11.0%}"
            )
        verdicts.append(
            (
                f"{name}: API p95 {runs['api']['p95']:.1f} ms (target <= 50)",
                runs["api"]["p95"] <= 50,
            )
        )
        for kind in ("api", "page"):
            ratio = runs[kind]["rps"] / runs["healthz"]["rps"]
            verdicts.append(
                (
                    f"{name}: {kind} throughput {ratio:.0%} of /healthz (target >= 20 %)",
                    ratio >= 0.2,
                )
            )
    print()
    for text, met in verdicts:
        print(("met     " if met else "MISSED  ") + text)


if __name__ == "__main__":
    main()
