"""What the benchmarks share: a scratch database with N synthetic groups (SQLite or a private
PostgreSQL), `make serve` on a loopback port, and wrk driving a list of request paths.

Used by search.py, load.py and lighthouse.py; run one of those, not this.
"""

import contextlib
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
# Another PostgreSQL on the machine (a colleague's benchmark) may hold the default port.
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55499"))

# Production settings, as `make serve` gives them, with a throwaway key.
PRODUCTION_ENV = {
    "DEBUG": "False",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECRET_KEY": "benchmark-only-not-a-secret",
    # wrk is one client: lift the limit on full HSDS records so that the mix's full pages cost
    # what they would from many clients, instead of a cheap 429.
    "HSDS_FULL_RATE_LIMIT": "1000000",
}

# wrk reads the request paths from a file and reports latency percentiles as JSON. Errors are
# socket errors (connect, read, write, timeout); non2xx counts answers with a status >= 400.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  -- As a browser does: pages come back gzip-compressed, and compressing them is part of the cost.
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Accept-Encoding"] = "gzip"})
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


def first_searches(part: int, parts: int = 3, drawn: int = 200_000) -> list[str]:
    """Query strings in query_mix's shape, all different and none in query_mix(), in `parts`
    lists with none in common (this is list `part`): searches no worker has kept (engine.run
    keeps the last thousand it worked out) while a run asks for fewer than its list holds
    (some 12,800 each, from 200,000 drawn)."""
    kept = set(query_mix())
    every = [q for q in dict.fromkeys(query_mix(seed=2, count=drawn)) if q not in kept]
    return every[part::parts]


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def manage_output(env, code: str) -> str:
    """What a `manage.py shell -c` snippet prints, against the database in env."""
    return run(
        [str(PYTHON), "manage.py", "shell", "-c", code], env, capture_output=True, text=True
    ).stdout


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
    """A private PostgreSQL on PG_PORT with its data in var/bench/pgdata; returns its URL and a
    function that stops it. A server already running there is reused and left running."""
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
        return subprocess.run([*command, *args], check=check, stdout=subprocess.DEVNULL)

    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        shutil.chown(data, "postgres")
        as_postgres("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8")
    already_running = as_postgres("pg_ctl", "status", check=False).returncode == 0
    if not already_running:
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
        if not already_running:
            as_postgres("pg_ctl", "-m", "fast", "stop", check=False)

    return f"postgres://postgres@127.0.0.1:{PG_PORT}/bench", stop


@contextlib.contextmanager
def database(name: str):
    """The environment for `make serve` and manage.py on the scratch database `name`
    ("sqlite" or "postgresql"), with production settings."""
    # Each scratch database has its own whole HSDS datasets, apart from the site's own.
    base = {**os.environ, **PRODUCTION_ENV, "HSDS_DUMP_DIR": str(BENCH_DIR / f"open-data-{name}")}
    if name == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        yield {**base, "DATABASE_URL": f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"}
    elif name == "postgresql":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        url, stop = start_postgres()
        try:
            yield {**base, "DATABASE_URL": url}
        finally:
            stop()
    else:
        sys.exit(f"unknown database {name!r}: use sqlite or postgresql")


def prepare(env, groups: int, hsds_dumps: bool = True):
    run([str(PYTHON), "manage.py", "migrate", "-v0"], env)
    run([str(PYTHON), "manage.py", "load_places", "-v0"], env, stdout=subprocess.DEVNULL)
    run([str(PYTHON), "manage.py", "load_resources", "-v0"], env, stdout=subprocess.DEVNULL)
    count = manage_output(
        env,
        "from healingtogether.directory.models import Group;"
        "print(Group.objects.filter(synthetic=True).count())",
    )
    count = int(count.strip().splitlines()[-1])
    if count != groups:
        if count:
            run([str(PYTHON), "manage.py", "generate_groups", "1", "--delete"], env)
        started = time.monotonic()
        run([str(PYTHON), "manage.py", "generate_groups", str(groups), "--seed", "1"], env)
        print(f"  generated {groups} groups in {time.monotonic() - started:.0f} s")
    # The HSDS API's whole datasets, before `make serve` (whose `data` step then finds them up
    # to date): at 100,000 groups they take longer than serve() waits for /healthz. Next
    # sessions first, as `data` does, since moving them makes the datasets out of date.
    for command in ("refresh_next_sessions", "export_hsds --dumps")[: 2 if hsds_dumps else 1]:
        run([str(PYTHON), "manage.py", *command.split()], env, stdout=subprocess.DEVNULL)


def serve(env, port: int, wait: int = 600, data_step: bool = True):
    """`make serve` on 127.0.0.1:port, once /healthz answers (its `data` step refreshes every
    group's next session first, which takes a while at 100,000 groups).

    Without the data step: the same gunicorn with the same settings, after what `make serve`
    does besides loading data (the cache table, collectstatic). At 100,000 groups the data
    step writes the HSDS API's whole datasets in four languages, about 10 GB and hours on a
    small machine, which a benchmark of other pages does not need."""
    if data_step:
        command = ["make", "--no-print-directory", "serve"]
    else:
        run([str(PYTHON), "manage.py", "createcachetable"], env)
        run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], env)
        gunicorn = PYTHON.parent / "gunicorn"
        command = [str(gunicorn), "healingtogether.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    stop(server)
    sys.exit("the server did not start")


def stop(server):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    server.wait()


def load(
    port: int, paths: list[str], seconds: int, connections: int, timeout: int | None = None
) -> dict:
    """wrk with `connections` connections for `seconds` seconds, cycling through `paths`."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "paths.txt").write_text("\n".join(paths) + "\n")
        (Path(scratch) / "mix.lua").write_text(WRK_SCRIPT)
        options = ["-t", "1", "-c", str(connections), "-d", f"{seconds}s"]
        if timeout:
            options += ["--timeout", f"{timeout}s"]
        output = subprocess.run(
            [
                "wrk",
                *options,
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


def word_index_again(snap) -> str:
    """Build a snapshot's word index (search/wordindex.py) again alone, in this process (Django
    set up): its time and size, as a line."""
    from healingtogether.search.wordindex import WordIndex

    started = time.perf_counter()
    words = WordIndex.build(snap.ids[snap.live])
    return (
        f"{time.perf_counter() - started:.1f} s, {words.postings} postings, "
        f"{words.nbytes / 2**20:.0f} MiB of arrays, {words.width} terms, "
        f"{len(words.signatures)} sets of taxonomy terms"
    )
