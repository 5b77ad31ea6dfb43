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
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_DIR = ROOT / "var" / "bench"
PG_PORT = 55499

# wrk reads the request paths from a file and reports latency percentiles as JSON.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""

WORDS = [
    "deuil",
    "rouw",
    "grief",
    "Trauer",
    "angst",
    "anxiété",
    "depression",
    "alcohol",
    "burn-out",
    "ouders",
    "parents",
    "jongeren",
    "solitude",
    "eenzaamheid",
    "trauma",
    "groupe de parole",
    "praatgroep",
    "mindfulness",
    "mantelzorg",
    "aidants",
]
PLACES = [
    "1000",
    "1050",
    "2000",
    "2800",
    "3000",
    "3500",
    "4000",
    "4700",
    "5000",
    "6000",
    "7000",
    "8000",
    "8500",
    "9000",
    "Namur",
    "Gent",
    "Liège",
    "Leuven",
    "Brugge",
    "Mons",
]
TOPICS = ["grief", "anxiety", "depression", "addiction", "loneliness", "burnout", "trauma"]


def query_mix(seed: int = 1, count: int = 400) -> list[str]:
    """Query strings like people's: words, a place, a filter or two, sometimes a later page."""
    rng = random.Random(seed)
    mix = []
    for _ in range(count):
        params = []
        shape = rng.random()
        if shape < 0.35 or shape > 0.8:
            params.append(("q", rng.choice(WORDS)))
        if shape > 0.25:
            params.append(("near", rng.choice(PLACES)))
            params.append(("radius_km", rng.choice([10, 25, 25, 50])))
        if rng.random() < 0.35:
            params.append(("topic", rng.choice(TOPICS)))
        if rng.random() < 0.15:
            params.append(("format", "online" if shape < 0.25 else "in_person"))
        if rng.random() < 0.15:
            params.append(("language", rng.choice(["fr", "nl", "en"])))
        if rng.random() < 0.1:
            params.append(("cost", "free"))
        if rng.random() < 0.15:
            params.append(("page", rng.randint(2, 5)))
        mix.append(urllib.parse.urlencode(params))
    return mix


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def ensure_tools():
    missing = [name for name in ("wrk",) if not shutil.which(name)]
    if missing and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    elif missing:
        sys.exit(f"missing: {', '.join(missing)} (apt-get install {' '.join(missing)})")


def start_postgres() -> tuple[str, callable]:
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not binaries:
        if os.geteuid() != 0:
            sys.exit("PostgreSQL is missing: apt-get install postgresql")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    pgbin = binaries[-1]
    data = BENCH_DIR / "pgdata"

    def as_postgres(program: str, *args: str, check: bool = True):
        """Run one of PostgreSQL's programs as the postgres user, quietly."""
        command = ["runuser", "-u", "postgres", "--", str(pgbin / program), "-D", str(data)]
        subprocess.run([*command, *args], check=check, stdout=subprocess.DEVNULL)

    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        shutil.chown(data, "postgres")
        as_postgres("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8")
    server_options = (
        f"-p {PG_PORT} -k {data} -c listen_addresses=127.0.0.1 "
        "-c shared_buffers=512MB -c work_mem=16MB"
    )
    as_postgres("pg_ctl", "-w", "-l", str(data / "server.log"), "-o", server_options, "start")
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(PG_PORT),
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE bench",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop():
        as_postgres("pg_ctl", "-m", "fast", "stop", check=False)

    return f"postgres://postgres@127.0.0.1:{PG_PORT}/bench", stop


def prepare(env, groups: int):
    run([str(PYTHON), "manage.py", "migrate", "-v0"], env)
    run([str(PYTHON), "manage.py", "load_places", "-v0"], env, stdout=subprocess.DEVNULL)
    run([str(PYTHON), "manage.py", "load_resources", "-v0"], env, stdout=subprocess.DEVNULL)
    count = (
        subprocess.run(
            [
                str(PYTHON),
                "manage.py",
                "shell",
                "-c",
                "from healingtogether.directory.models import Group;"
                "print(Group.objects.filter(synthetic=True).count())",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    if int(count) != groups:
        if int(count):
            run([str(PYTHON), "manage.py", "generate_groups", "1", "--delete"], env)
        started = time.monotonic()
        run([str(PYTHON), "manage.py", "generate_groups", str(groups), "--seed", "1"], env)
        print(f"  generated {groups} groups in {time.monotonic() - started:.0f} s")


def serve(env, port: int):
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("the server did not start")


def load(port: int, paths: list[str], seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "paths.txt").write_text("\n".join(paths) + "\n")
        (Path(scratch) / "mix.lua").write_text(WRK_SCRIPT)
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                str(Path(scratch) / "mix.lua"),
                f"http://127.0.0.1:{port}",
            ],
            env={**os.environ, "BENCH_PATHS": str(Path(scratch) / "paths.txt")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / result["seconds"]
    return result


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
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=30)
    # As many connections as workers: the latency a person waits, not time queued behind others.
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    ensure_tools()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    base = {
        **os.environ,
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "benchmark-only-not-a-secret",
    }
    figures = {}
    for name in args.databases.split(","):
        if name == "sqlite":
            env = {**base, "DATABASE_URL": f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"}
            figures[name] = bench_database(name, env, args)
        else:
            url, stop = start_postgres()
            try:
                figures[name] = bench_database(name, {**base, "DATABASE_URL": url}, args)
            finally:
                stop()

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
