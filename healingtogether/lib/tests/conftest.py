"""Fixtures of the tests that start a real server (see servers.py): a production settings module
and an empty migrated SQLite database, each made once per test run."""

import subprocess
import sys
from pathlib import Path

import pytest

from healingtogether.lib.tests.servers import BASE_DIR, production_env


@pytest.fixture(scope="session")
def production_settings(tmp_path_factory):
    """A settings module that is ours with static files collected into a temporary folder, as
    `make serve` does, so pages render under DEBUG=False without touching var/static."""
    folder = tmp_path_factory.mktemp("production")
    (folder / "production_settings.py").write_text(
        "from healingtogether.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    env = production_env(folder, "sqlite:///" + str(folder / "unused.sqlite3"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    return folder


@pytest.fixture(scope="session")
def migrated_sqlite(production_settings, tmp_path_factory) -> Path:
    """An empty, migrated SQLite database with its cache table, made once; copy it to use it."""
    ready = tmp_path_factory.mktemp("migrated") / "ready.sqlite3"
    env = production_env(production_settings, f"sqlite:///{ready}")
    for command in (["migrate", "--verbosity", "0"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=300
        )
    return ready
