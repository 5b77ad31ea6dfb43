"""Back up the database to a file, and bring a backup back.

    python scripts/backup.py backup [--dir var/backups]   # prints the new file's name
    python scripts/backup.py restore FILE                 # replaces the live database with FILE
    python scripts/backup.py counts                       # rows in every table, to compare

The database is the one the site uses (DATABASE_URL, read through our settings). A backup is a
consistent snapshot even while the site is serving and writing:

- SQLite: the online backup API (sqlite3.Connection.backup) copies the committed state page by
  page; a plain file copy of a live WAL database could miss or tear recent writes. Restoring uses
  the same API into the live path, so open connections see the restored data, not a stale file.
- PostgreSQL: pg_dump --format=custom (one transaction, so one snapshot); restoring is
  pg_restore --clean --if-exists in a single transaction, so a failed restore changes nothing.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healingtogether.settings")


def database() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def sqlite_path() -> str:
    """The SQLite file itself (the connection's NAME is a read-write URI for it)."""
    from django.conf import settings

    return settings.SQLITE_PATH


def engine(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return "sqlite"
    if db["ENGINE"].endswith("postgresql"):
        return "postgresql"
    sys.exit(f"backups support SQLite and PostgreSQL, not {db['ENGINE']}")


def new_path(folder: Path, stem: str, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stem}-{stamp}{suffix}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{stamp}-{n}{suffix}"
    return path


def postgres_env(db: dict) -> dict:
    """libpq settings for pg_dump and pg_restore; the password never appears on a command line."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _regexp(pattern, value) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


def check_sqlite(connection: sqlite3.Connection, what: str) -> None:
    # Our CHECK constraints use REGEXP, which Django provides to its own connections.
    connection.create_function("REGEXP", 2, _regexp, deterministic=True)
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        sys.exit(f"{what} is damaged: {result}")


def backup(folder: Path) -> Path:
    db = database()
    if engine(db) == "sqlite":
        live = Path(sqlite_path())
        if not live.exists():
            sys.exit(f"no database at {live}")
        path = new_path(folder, live.stem, ".sqlite3")
        partial = path.with_name(path.name + ".partial")
        source = sqlite3.connect(live, timeout=20)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            # One self-contained file: no -wal beside it to forget when copying it away.
            target.execute("PRAGMA journal_mode=DELETE")
            check_sqlite(target, "the backup")
        except BaseException:
            target.close()
            partial.unlink(missing_ok=True)
            raise
        finally:
            target.close()
            source.close()
        partial.rename(path)
        return path

    if not shutil.which("pg_dump"):
        sys.exit("pg_dump is missing: apt-get install postgresql-client")
    path = new_path(folder, db["NAME"], ".dump")
    partial = path.with_name(path.name + ".partial")
    try:
        subprocess.run(
            ["pg_dump", "--format=custom", "--file", str(partial)], env=postgres_env(db), check=True
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(path)
    return path


def restore(path: Path) -> None:
    if not path.is_file():
        sys.exit(f"no backup at {path}")
    db = database()
    if engine(db) == "sqlite":
        if path.suffix != ".sqlite3":
            sys.exit(f"{path} is not an SQLite backup (*.sqlite3)")
        live = Path(sqlite_path())
        live.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        # Wait for the site's writers rather than fail; the copy then holds the write lock.
        target = sqlite3.connect(live, timeout=60)
        try:
            check_sqlite(source, str(path))
            source.backup(target)
            check_sqlite(target, "the restored database")
        finally:
            target.close()
            source.close()
        return

    if path.suffix != ".dump":
        sys.exit(f"{path} is not a PostgreSQL backup (*.dump from pg_dump --format=custom)")
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            db["NAME"],
            str(path),
        ],
        env=postgres_env(db),
        check=True,
    )


def counts() -> list[str]:
    import django

    django.setup()
    from django.db import connection

    lines = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines.append(f"{table} {cursor.fetchone()[0]}")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a snapshot and print its file name")
    make.add_argument("--dir", type=Path, default=BASE_DIR / "var" / "backups")
    back = commands.add_parser("restore", help="replace the live database with a snapshot")
    back.add_argument("file", type=Path)
    commands.add_parser("counts", help="print the number of rows of every table")
    args = parser.parse_args(argv)

    try:
        if args.command == "backup":
            print(backup(args.dir))
        elif args.command == "restore":
            restore(args.file)
            print(f"restored {args.file}", file=sys.stderr)
        else:
            print("\n".join(counts()))
    except sqlite3.Error as error:
        sys.exit(f"{args.command} failed: {error}")
    except subprocess.CalledProcessError as error:
        sys.exit(f"{args.command} failed: {error.cmd[0]} exited with {error.returncode}")


if __name__ == "__main__":
    main()
