"""Settings read from the environment: a mistyped number stops the site at startup with a message
that names the variable, rather than a bare ValueError that leaves an operator guessing."""

import os
import subprocess
import sys

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


NUMBERS = [
    ("EMAIL_PORT", {}),
    ("SECURE_HSTS_SECONDS", {}),
    ("DB_CONN_MAX_AGE", {}),
    ("DB_CONNECT_TIMEOUT", {"DATABASE_URL": "postgres://nobody@127.0.0.1:5432/nothing"}),
    ("SEARCH_RECHECK_SECONDS", {}),
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
        " settings.DATABASES['default']['CONN_MAX_AGE']",
        EMAIL_PORT="587",
        SECURE_HSTS_SECONDS="600",
        SEARCH_RECHECK_SECONDS="0.5",
        DB_CONN_MAX_AGE="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["587", "600", "0.5", "0"]


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
