#!/usr/bin/env python3
"""Lighthouse scores for five page types, served by `make serve` from the benchmark database.

Serves the scratch database of bench/common.py (real places, resources and guides plus N
synthetic groups) with `make serve` (gunicorn, 2 workers, DEBUG off) on loopback, runs Lighthouse
(npm package, pinned in bench/package.json, installed into bench/node_modules on first run) in
Debian's headless Chromium against the home page, a search, a group, the finder and a guide, and
prints the four category scores per page with the audits that cost points.

Targets (issue 7): performance >= 95, accessibility 100, best practices 100, SEO 100.

"search" is a topic's page (/<lang>/search/topics/grief/): twenty results, the search form and
filters, at an address search engines may index. "words" is a search in the visitor's own words
near a place (/<lang>/search/?q=...&near=...): robots.txt keeps crawlers out of those on purpose
(filters combine without end), so Lighthouse's "is-crawlable" audit fails there by design and its
SEO score is printed but not held to the target.

    .venv/bin/python bench/lighthouse.py                  # mobile (Lighthouse's default)
    .venv/bin/python bench/lighthouse.py --preset desktop --runs 3 --reports var/lighthouse

Needs node 18.16+ and npm, and Chromium (CHROME_PATH, /usr/bin/chromium by default).
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from common import database, manage_output, prepare, serve, stop

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
NOT_INDEXED = {("words", "seo")}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"

PAGES_CODE = """
import json
from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
group = Group.objects.listed().filter(kind=Group.Kind.SUPPORT_GROUP).order_by("pk").first()
article = Article.objects.published().first()
print("PAGES " + json.dumps({"group": group.slug, "article": article.slug}))
"""


def ensure_lighthouse():
    if LIGHTHOUSE.exists():
        return
    if not shutil.which("npm"):
        sys.exit("npm is missing: apt-get install nodejs npm (node 18.16 or later)")
    install = "ci" if (BENCH / "package-lock.json").exists() else "install"
    subprocess.run(["npm", install, "--no-audit", "--no-fund"], cwd=BENCH, check=True)


def pages(env, lang: str) -> dict[str, str]:
    output = manage_output(env, PAGES_CODE)
    found = json.loads(next(x for x in output.splitlines() if x.startswith("PAGES "))[6:])
    words = urllib.parse.urlencode({"q": "grief", "near": "1000", "radius_km": 25})
    return {
        "home": f"/{lang}/",
        "search": f"/{lang}/search/topics/grief/",
        "words": f"/{lang}/search/?{words}",
        "group": f"/{lang}/groups/{found['group']}/",
        "finder": f"/{lang}/search/finder/",
        "article": f"/{lang}/guides/{found['article']}/",
    }


def warm_up(port: int, paths):
    """Ask each page a few times first, so that both workers have built their search snapshot
    (seconds at 100,000 groups, once per worker): Lighthouse should see a running site."""
    for _ in range(4):
        for path in paths:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120).read()


def lighthouse(url: str, preset: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        options = [f"--preset={preset}"] if preset == "desktop" else []
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                *options,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROME_FLAGS}",
            ],
            env={**os.environ, "CHROME_PATH": chrome},
            check=True,
            timeout=300,
        )
        return json.loads(report.read_text())


def scores(report: dict) -> dict[str, int]:
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def problems(report: dict) -> list[str]:
    """The audits that cost points: every failed weighted audit, and for performance the
    metrics below 0.9 and the savings Lighthouse suggests."""
    audits = report["audits"]
    lines = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            if score is None or audit.get("scoreDisplayMode") in ("notApplicable", "manual"):
                continue
            weighted = ref.get("weight", 0) > 0
            if (weighted and score < (0.9 if name == "performance" else 1)) or (
                name == "performance" and not weighted and score < 0.9
            ):
                shown = audit.get("displayValue", "")
                lines.append(f"{name}: {ref['id']} ({score:.2f}) {audit['title']} {shown}".strip())
    return list(dict.fromkeys(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--lang", default="en", choices=["en", "fr", "nl", "de"])
    parser.add_argument("--preset", default="mobile", choices=["mobile", "desktop"])
    parser.add_argument("--runs", type=int, default=1, help="per page; the median is kept")
    parser.add_argument("--reports", type=Path, help="keep each page's JSON report here")
    parser.add_argument("--port", type=int, default=8530)
    args = parser.parse_args()
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not Path(chrome).exists():
        sys.exit(f"Chromium is missing at {chrome}: apt-get install chromium, or set CHROME_PATH")
    ensure_lighthouse()
    results = {}
    with database(args.database) as env:
        print(f"{args.database}: preparing {args.groups} groups", flush=True)
        prepare(env, args.groups)
        server = serve(env, args.port)
        try:
            paths = pages(env, args.lang)
            warm_up(args.port, paths.values())
            for page, path in paths.items():
                url = f"http://localhost:{args.port}{path}"
                print(f"lighthouse {args.preset}: {url}", flush=True)
                runs = [lighthouse(url, args.preset, chrome) for _ in range(args.runs)]
                performance = [scores(r)["performance"] for r in runs]
                results[page] = runs[performance.index(statistics.median_low(performance))]
                if args.reports:
                    args.reports.mkdir(parents=True, exist_ok=True)
                    (args.reports / f"{page}.json").write_text(json.dumps(results[page]))
        finally:
            stop(server)

    print(f"\nLighthouse {args.preset}, {args.database}, {args.groups} groups, in {args.lang}")
    print(f"{'page':<10}" + "".join(f"{name:>16}" for name in CATEGORIES))
    print(f"{'target':<10}" + "".join(f"{TARGETS[name]:>16}" for name in CATEGORIES))
    missed = []
    for page, report in results.items():
        got = scores(report)
        print(
            f"{page:<10}"
            + "".join(
                f"{got[name]:>15}" + ("*" if (page, name) in NOT_INDEXED else " ")
                for name in CATEGORIES
            )
        )
        missed += [
            f"{page} {name} {got[name]}"
            for name in CATEGORIES
            if got[name] < TARGETS[name] and (page, name) not in NOT_INDEXED
        ]
    print()
    for page, report in results.items():
        for line in problems(report):
            print(f"{page:<10}{line}")
    print("* kept out of search engines on purpose (robots.txt): not held to the SEO target")
    print()
    print(("MISSED  " + ", ".join(missed)) if missed else "met     every target")


if __name__ == "__main__":
    main()
