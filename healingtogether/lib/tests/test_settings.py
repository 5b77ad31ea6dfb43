"""Settings read from the environment: a mistyped number stops the site at startup with a message
that names the variable, rather than a bare ValueError that leaves an operator guessing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from healingtogether.lib.tests.servers import BASE_DIR

PRINT = "import django; django.setup(); from django.conf import settings; print({expression})"


def start(expression: str, **variables) -> subprocess.CompletedProcess:
    """A new process that sets Django up with our settings and prints one expression; a variable
    given as None is left out of its environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healingtogether.settings",
        "DATABASE_URL": "sqlite:///unused.sqlite3",
        **variables,
    }
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", PRINT.format(expression=expression)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Settings read only for PostgreSQL: a server that need not exist, as nothing connects.
POSTGRES = {"DATABASE_URL": "postgres://nobody@127.0.0.1:5432/nothing"}

NUMBERS = [
    ("EMAIL_PORT", {}),
    ("SECURE_HSTS_SECONDS", {}),
    ("DB_CONN_MAX_AGE", {}),
    ("DB_CONNECT_TIMEOUT", POSTGRES),
    ("SEARCH_RECHECK_SECONDS", {}),
    ("API_RATE_LIMIT", {}),
]


@pytest.mark.parametrize(("name", "context"), NUMBERS, ids=[name for name, _ in NUMBERS])
@pytest.mark.parametrize("value", ["abc", "-5", ""])
def test_a_number_that_is_not_one_stops_the_site_naming_the_variable(name, context, value):
    result = start("'started'", **context, **{name: value})
    assert result.returncode != 0
    assert "started" not in result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert f"{name} must be" in last_line
    assert repr(value) in last_line


def test_numbers_from_the_environment_are_used():
    result = start(
        "settings.EMAIL_PORT, settings.SECURE_HSTS_SECONDS, settings.SEARCH_RECHECK_SECONDS,"
        " settings.DATABASES['default']['CONN_MAX_AGE'], settings.API_RATE_LIMIT",
        EMAIL_PORT="587",
        SECURE_HSTS_SECONDS="600",
        SEARCH_RECHECK_SECONDS="0.5",
        DB_CONN_MAX_AGE="0",
        API_RATE_LIMIT="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["587", "600", "0.5", "0", "0"]


def test_links_follow_the_port_the_site_runs_on():
    # `PORT=18920 make run`: a verification email must not send people to port 8000.
    result = start("settings.SITE_URL", PORT="18920", SITE_URL=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:18920"


def test_a_site_url_that_is_set_wins_over_the_port():
    result = start("settings.SITE_URL", PORT="18920", SITE_URL="https://healing.example.be")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://healing.example.be"


def test_a_port_that_is_not_a_number_stops_the_site_naming_it():
    result = start("'started'", PORT="eighty", SITE_URL=None)
    assert result.returncode != 0
    assert "PORT must be a whole number" in result.stderr.strip().splitlines()[-1]


def gunicorn_workers(**variables) -> subprocess.CompletedProcess:
    """gunicorn's settings as it would start with our gunicorn.conf.py (`make serve`)."""
    env = {key: value for key, value in os.environ.items() if key != "WEB_CONCURRENCY"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "healingtogether.wsgi", "--print-config"],
        cwd=BASE_DIR,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def workers_in(result) -> int:
    line = next(x for x in result.stdout.splitlines() if x.startswith("workers "))
    return int(line.split("=")[1])


def test_gunicorn_starts_one_worker_per_core_unless_web_concurrency_says_otherwise():
    assert workers_in(gunicorn_workers()) == len(os.sched_getaffinity(0))
    assert workers_in(gunicorn_workers(WEB_CONCURRENCY="3")) == 3
    zero = gunicorn_workers(WEB_CONCURRENCY="0")
    assert zero.returncode != 0
    assert "WEB_CONCURRENCY must be a whole number of 1 or more, not '0'" in zero.stderr


def test_make_serve_leaves_the_number_of_workers_to_web_concurrency():
    makefile = (BASE_DIR / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") :].split("\n\n")[0]
    assert "gunicorn healingtogether.wsgi" in serve
    assert "--workers" not in serve


POSTGRES_OPTIONS = "sorted(settings.DATABASES['default']['OPTIONS'].items())"


def test_postgresql_prepares_statements_unless_a_pooler_needs_them_off():
    default = start(POSTGRES_OPTIONS, **POSTGRES)
    assert default.returncode == 0, default.stderr
    assert "('prepare_threshold', 5)" in default.stdout
    assert "('server_side_binding', True)" in default.stdout
    off = start(POSTGRES_OPTIONS, **POSTGRES, DB_PREPARED_STATEMENTS="False")
    assert off.returncode == 0, off.stderr
    assert "prepare_threshold" not in off.stdout
    assert "server_side_binding" not in off.stdout
    wrong = start("'started'", **POSTGRES, DB_PREPARED_STATEMENTS="yes")
    assert wrong.returncode != 0
    assert "DB_PREPARED_STATEMENTS must be True or False, not 'yes'" in wrong.stderr
