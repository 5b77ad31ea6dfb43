#!/usr/bin/env python3
"""The whole site under load at 100,000 groups, on SQLite and on PostgreSQL.

For each database: the scratch database of bench/common.py (real places and resources plus N
synthetic groups), served by `make serve` (gunicorn, 2 workers, DEBUG off) on loopback. wrk then
sends a mix like real visitors' for 60 s over 50 connections, cycling through paths drawn from
that database: home, search by words, search near a postcode with filters, topic pages, group
pages, network pages, guides, API search and detail, HSDS services (pages of summaries, and pages
of full records: services, organisations with their services, service-at-locations), /healthz.
Every request asks for gzip, as browsers do. A /healthz-only run of the same length gives the
ceiling the mix is compared with. Afterwards it reads the resident memory of each gunicorn
worker from /proc.

Target (issue 7): zero errors (socket errors, or any answer other than 2xx/3xx).

    .venv/bin/python bench/load.py                            # both databases, 60 s, 50 conns
    .venv/bin/python bench/load.py --databases sqlite --seconds 10

Needs wrk and, for PostgreSQL, Debian's postgresql (installed through apt when run as root).
"""

import argparse
import contextlib
import json
import random
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from common import (
    PLACES,
    TOPICS,
    WORDS,
    database,
    ensure_tools,
    load,
    manage_output,
    prepare,
    query_mix,
    serve,
    stop,
)

LANGUAGES = ["fr", "nl", "en", "de"]
POSTCODES = [place for place in PLACES if place.isdigit()]

# What the mix is made of, out of 1,000 requests.
SHARES = {
    "home": 85,
    "search by words": 150,
    "topic page": 50,
    "search near a postcode": 200,
    "group page": 200,
    "network pages": 50,
    "guides": 50,
    "API search": 80,
    "API group": 50,
    "HSDS services": 40,
    "HSDS full pages": 15,
    "healthz": 30,
}

# Paths the mix can visit, read from the served database once `make serve` has loaded it all.
SITE_CODE = """
import json
from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
groups = list(
    Group.objects.listed().exclude(kind__in=Group.NETWORK_KINDS).order_by("pk")
    .values_list("slug", "public_id")
)
print("SITE " + json.dumps({
    "groups": [(slug, str(public_id)) for slug, public_id in groups[:: max(1, len(groups) // 500)]],
    # Others, for pages no worker has made yet (bench/search.py's first visits).
    "other_groups": [slug for slug, _ in groups[1 :: max(1, len(groups) // 5000)]],
    "networks": list(Group.objects.listed().networks().values_list("slug", flat=True)),
    "articles": list(Article.objects.published().values_list("slug", flat=True)),
}))
"""


def site(env) -> dict:
    output = manage_output(env, SITE_CODE)
    line = next(x for x in output.splitlines() if x.startswith("SITE "))
    return json.loads(line[len("SITE ") :])


def mix(site: dict, seed: int = 7) -> list[tuple[str, str]]:
    """1,000 (kind, path) pairs in SHARES' proportions, shuffled."""
    rng = random.Random(seed)
    api_queries = query_mix(seed, SHARES["API search"])

    def near_query():
        params = [("near", rng.choice(POSTCODES)), ("radius_km", rng.choice([10, 25, 50]))]
        params.append(("topic", rng.choice(TOPICS)))
        if rng.random() < 0.4:
            params.append(("format", "in_person"))
        if rng.random() < 0.3:
            params.append(("language", rng.choice(["fr", "nl", "en"])))
        if rng.random() < 0.2:
            params.append(("cost", "free"))
        if rng.random() < 0.1:
            params.append(("page", 2))
        return urllib.parse.urlencode(params)

    def words_search(lang):
        return f"/{lang}/search/?" + urllib.parse.urlencode({"q": rng.choice(WORDS)})

    def network_page(lang):
        shape = rng.random()
        if shape < 0.3 or not site["networks"]:
            return f"/{lang}/networks/"
        if shape < 0.6:
            return f"/{lang}/networks/for/?" + urllib.parse.urlencode({"place": rng.choice(PLACES)})
        return f"/{lang}/networks/{rng.choice(site['networks'])}/"

    def hsds_full_page(lang):
        path, flag = rng.choice(
            [
                ("services", "full"),
                ("organizations", "full_service"),
                ("service_at_locations", "full"),
            ]
        )
        query = {flag: "true", "per_page": 50, "page": rng.randint(1, 20), "lang": lang}
        return f"/api/hsds/{path}?" + urllib.parse.urlencode(query)

    def guide(lang):
        if rng.random() < 0.3 or not site["articles"]:
            return f"/{lang}/guides/"
        return f"/{lang}/guides/{rng.choice(site['articles'])}/"

    makers = {
        "home": lambda lang: f"/{lang}/",
        "search by words": words_search,
        "search near a postcode": lambda lang: f"/{lang}/search/?{near_query()}",
        "topic page": lambda lang: f"/{lang}/search/topics/{rng.choice(TOPICS)}/",
        "group page": lambda lang: f"/{lang}/groups/{rng.choice(site['groups'])[0]}/",
        "network pages": network_page,
        "guides": guide,
        "API search": lambda lang: f"/api/v1/groups?{api_queries.pop()}",
        "API group": lambda lang: f"/api/v1/groups/{rng.choice(site['groups'])[1]}?lang={lang}",
        "HSDS services": lambda lang: f"/api/hsds/services?page={rng.randint(1, 50)}",
        "HSDS full pages": hsds_full_page,
        "healthz": lambda lang: "/healthz",
    }
    requests = [
        (kind, makers[kind](rng.choice(LANGUAGES)))
        for kind, share in SHARES.items()
        for _ in range(share)
    ]
    rng.shuffle(requests)
    return requests


def failing(port: int, paths: list[str], limit: int = 10) -> list[str]:
    """The first paths that answer with an error when asked one at a time."""
    found = []
    for path in dict.fromkeys(paths):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30)
        except urllib.error.HTTPError as error:
            found.append(f"{error.code} {path}")
        except (OSError, ValueError) as error:
            found.append(f"{error} {path}")
        if len(found) >= limit:
            break
    return found


def warm_up(port: int, paths: list[str]):
    """Each worker builds its search snapshot on its first search (seconds at 100,000 groups):
    ask one path at a time until every kind was seen by both workers, most likely."""
    for path in paths[:60]:
        with contextlib.suppress(OSError):  # errors are counted in the runs that follow
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120).read()


def one_at_a_time(port: int, requests: list[tuple[str, str]], each: int = 7) -> dict[str, float]:
    """Median milliseconds per kind when nothing else is queued: what a page costs to build."""
    timings = {}
    for kind in SHARES:
        paths = [path for k, path in requests if k == kind][:each]
        for path in paths:
            started = time.monotonic()
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120).read()
            timings.setdefault(kind, []).append((time.monotonic() - started) * 1000)
    return {kind: statistics.median(values) for kind, values in timings.items()}


def drain(port: int):
    """Wait until the workers are idle: when wrk stops, requests it sent are still queued."""
    for _ in range(60):
        started = time.monotonic()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120).read()
        if time.monotonic() - started < 0.2:
            return
        time.sleep(1)


def processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, command line)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The command name in brackets may hold spaces; the parent pid is the 2nd field after it.
        table[int(entry.name)] = (int(stat[stat.rindex(")") + 2 :].split()[1]), cmdline)
    return table


def worker_memory(server_pid: int) -> list[float]:
    """Resident memory in MB of each gunicorn worker started by `make serve`."""
    table = processes()
    descendants, frontier = set(), {server_pid}
    while frontier:
        frontier = {pid for pid, (parent, _cmd) in table.items() if parent in frontier}
        descendants |= frontier
    gunicorns = {pid for pid in descendants if "gunicorn" in table[pid][1]}
    workers = sorted(pid for pid in gunicorns if table[pid][0] in gunicorns)
    sizes = []
    for pid in workers:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def bench_database(name: str, port: int, env, args) -> dict:
    print(f"\n{name}: preparing {args.groups} groups", flush=True)
    prepare(env, args.groups)
    server = serve(env, port)
    try:
        requests = mix(site(env))
        paths = [path for _kind, path in requests]
        print(f"{name}: warming up", flush=True)
        warm_up(port, paths)
        load(port, paths, 5, args.connections, args.timeout)
        drain(port)
        print(f"{name}: {args.seconds} s of the mix, then {args.seconds} s of /healthz", flush=True)
        runs = {"mix": load(port, paths, args.seconds, args.connections, args.timeout)}
        drain(port)
        runs["healthz"] = load(port, ["/healthz"], args.seconds, args.connections, args.timeout)
        runs["memory"] = worker_memory(server.pid)
        drain(port)
        runs["alone"] = one_at_a_time(port, requests)
        if runs["mix"]["errors"] + runs["mix"]["non2xx"]:
            runs["failing"] = failing(port, paths)
        return runs
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    # wrk gives up on an answer after this long and counts a socket error.
    parser.add_argument("--timeout", type=int, default=10, help="seconds (wrk's default is 2)")
    parser.add_argument("--port", type=int, default=8510)
    args = parser.parse_args()
    ensure_tools()
    figures = {}
    for offset, name in enumerate(args.databases.split(",")):
        with database(name) as env:
            figures[name] = bench_database(name, args.port + offset, env, args)

    print(
        f"\n{args.groups} groups, {args.connections} connections, {args.seconds} s per run, "
        f"wrk timeout {args.timeout} s, gunicorn with 2 workers, DEBUG off"
    )
    print(
        f"{'database':<11}{'what':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'socket':>8}{'4xx/5xx':>9}{'vs healthz':>12}"
    )
    verdicts = []
    for name, runs in figures.items():
        for kind in ("mix", "healthz"):
            r = runs[kind]
            ratio = r["rps"] / runs["healthz"]["rps"]
            print(
                f"{name:<11}{kind:<9}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
                f"{r['p99']:>9.1f}{r['errors']:>8}{r['non2xx']:>9}{ratio:>11.0%}"
            )
        memory = ", ".join(f"{mb:.0f} MB" for mb in runs["memory"]) or "not found"
        print(f"{'':<11}memory per worker after the run: {memory}")
        alone = ", ".join(f"{kind} {ms:.0f}" for kind, ms in runs["alone"].items())
        print(f"{'':<11}median ms one request at a time: {alone}")
        for line in runs.get("failing", []):
            print(f"{'':<11}failing: {line}")
        errors = runs["mix"]["errors"] + runs["mix"]["non2xx"]
        verdicts.append((f"{name}: {errors} errors in the mix (target 0)", errors == 0))
    print()
    for text, met in verdicts:
        print(("met     " if met else "MISSED  ") + text)


if __name__ == "__main__":
    main()
