"""`make backup` and `make restore FILE=…` (scripts/backup.py), as an operator runs them."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT = BASE_DIR / "scripts" / "backup.py"


def run(database_url: str, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def names(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return sorted(row[0] for row in db.execute("SELECT name FROM auth_group"))


@pytest.fixture
def live(migrated_sqlite, tmp_path) -> Path:
    database = tmp_path / "live" / "db.sqlite3"
    database.parent.mkdir()
    shutil.copy(migrated_sqlite, database)
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executemany("INSERT INTO auth_group (name) VALUES (?)", [("kept",), ("also kept",)])
    return database


def test_a_backup_wiped_and_restored_gives_back_every_row(live, tmp_path):
    url = f"sqlite:///{live}"
    before = run(url, "counts")
    assert before.returncode == 0, before.stderr
    assert "auth_group 2" in before.stdout.splitlines()

    made = run(url, "backup", "--dir", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert backup.parent == tmp_path / "backups"
    assert backup.name.startswith("db-") and backup.suffix == ".sqlite3"
    # One self-contained file, not a WAL database that needs files beside it.
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]

    for path in live.parent.iterdir():
        path.unlink()
    restored = run(url, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    after = run(url, "counts")
    assert after.stdout == before.stdout
    assert names(live) == ["also kept", "kept"]


def test_a_backup_taken_during_a_write_holds_only_what_was_committed(live, tmp_path):
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO auth_group (name) VALUES ('not yet committed')")
    try:
        made = run(f"sqlite:///{live}", "backup", "--dir", str(tmp_path / "backups"))
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert made.returncode == 0, made.stderr
    assert names(Path(made.stdout.strip())) == ["also kept", "kept"]
    assert names(live) == ["also kept", "kept", "not yet committed"]


def test_restore_refuses_a_missing_or_foreign_file_and_changes_nothing(live, tmp_path):
    url = f"sqlite:///{live}"
    missing = run(url, "restore", str(tmp_path / "nothing.sqlite3"))
    assert missing.returncode != 0
    assert "no backup at" in missing.stderr

    dump = tmp_path / "production.dump"
    dump.write_bytes(b"PGDMP")
    foreign = run(url, "restore", str(dump))
    assert foreign.returncode != 0
    assert "not an SQLite backup" in foreign.stderr
    assert "Traceback" not in missing.stderr + foreign.stderr
    assert names(live) == ["also kept", "kept"]


def test_make_restore_without_a_file_explains_itself():
    result = subprocess.run(
        [shutil.which("make"), "--no-print-directory", "restore"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "usage: make restore FILE=" in result.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL server")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump")
@pytest.mark.django_db
def test_a_postgresql_backup_wiped_and_restored_gives_back_every_row(tmp_path):
    import psycopg

    db = connection.settings_dict
    scratch = f"{db['NAME']}_backup"
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@{server['host']}:{server['port']}/{scratch}"
    try:
        with psycopg.connect(dbname=scratch, autocommit=True, **server) as conn:
            conn.execute("CREATE TABLE note (id serial PRIMARY KEY, text text UNIQUE)")
            conn.execute("INSERT INTO note (text) VALUES ('kept'), ('also kept')")

        made = run(url, "backup", "--dir", str(tmp_path))
        assert made.returncode == 0, made.stderr
        backup = Path(made.stdout.strip())
        assert backup.suffix == ".dump" and backup.read_bytes().startswith(b"PGDMP")

        with psycopg.connect(dbname=scratch, autocommit=True, **server) as conn:
            conn.execute("DROP TABLE note")
        restored = run(url, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr

        with psycopg.connect(dbname=scratch, **server) as conn:
            rows = conn.execute("SELECT text FROM note ORDER BY text").fetchall()
        assert rows == [("also kept",), ("kept",)]
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
