"""When something breaks, visitors see a calm page and the site heals by itself.

These tests start a real gunicorn with production settings (DEBUG=False, collected static files)
and point it at databases that are not there, then at ones that are.
"""

import contextlib
import os
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django.utils import translation

from healingtogether.lib import outage
from healingtogether.lib.tests.servers import BASE_DIR, Server, free_port, production_env

ON_POSTGRES = connection.vendor == "postgresql"


# Pages of every kind, in every language; the API and the health check.
PAGES = [
    ("en", "/en/"),
    ("fr", "/fr/search/?q=deuil&near=1000"),
    ("nl", "/nl/groups/een-groep/"),
    ("de", "/de/guides/"),
    ("fr", "/fr/networks/"),
    ("nl", "/nl/account/login/"),
    ("en", "/en/moderation/"),
    ("de", "/de/helplines/"),
]


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def assert_outage_page(status, headers, body, language):
    assert status == 503
    assert headers["Retry-After"] == str(outage.RETRY_AFTER)
    assert f'<html lang="{language}">' in body
    assert translated(language, "The site is taking a short break") in body
    assert "Traceback" not in body and "OperationalError" not in body
    # The crisis lines of the page's language, as the bundled data gives them.
    for line in outage.HELPLINES[language]:
        assert f'href="tel:{"".join(c for c in line["phone"] if c.isdigit())}"' in body
    if language == "fr":
        assert "0800 32 123" in body and "1813" not in body
    if language == "nl":
        assert "1813" in body and "0800 32 123" not in body
    assert "Content-Security-Policy" in headers


def assert_down(server):
    for language, path in PAGES:
        assert_outage_page(*server.get(path), language)

    status, headers, body = server.get("/", **{"Accept-Language": "nl"})
    assert status == 503 and '<html lang="nl">' in body

    status, headers, body = server.get("/api/v1/groups?q=rouw")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == str(outage.RETRY_AFTER)
    assert body == '{"errors": {"service": "temporarily unavailable"}}'

    status, _headers, body = server.get("/api/hsds/services")
    assert status == 503 and body.startswith("{")

    status, _headers, body = server.get("/healthz")
    assert status == 503


def test_the_outage_list_of_helplines_is_the_bundled_data():
    assert [line["phone"] for line in outage.HELPLINES["fr"]] == ["112", "0800 32 123", "107"]
    assert [line["phone"] for line in outage.HELPLINES["nl"]] == ["112", "1813", "106"]
    assert [line["phone"] for line in outage.HELPLINES["de"]] == ["112", "108"]
    assert len(outage.HELPLINES["en"]) == 6
    assert outage.HELPLINES["de"][1]["name"] == "Telefonhilfe Ostbelgien 108"


def test_every_page_answers_a_calm_503_when_postgresql_is_unreachable(production_settings):
    server = Server(production_settings, f"postgres://nobody@127.0.0.1:{free_port()}/nothing")
    try:
        assert_down(server)
    finally:
        log = server.stop()
    # Operators still learn why, in the server's log, in one line per request.
    assert "database unavailable" in log


def test_an_unreadable_sqlite_file_gives_503_and_the_site_recovers_when_it_returns(
    production_settings, migrated_sqlite, tmp_path
):
    ready = migrated_sqlite
    live = tmp_path / "missing" / "db.sqlite3"
    live.parent.mkdir()
    server = Server(production_settings, f"sqlite:///{live}")
    try:
        assert_down(server)
        status, _headers, _body = server.get("/healthz")
        assert status == 503
        assert not live.exists()  # no request made an empty database in its place

        shutil.copy(ready, live)
        status, _headers, body = server.get("/healthz")
        assert (status, body) == (200, "ok\n")
        status, _headers, body = server.get("/fr/")
        assert status == 200
        assert "Traceback" not in body
        status, _headers, _body = server.get("/api/v1/groups?q=rouw")
        assert status == 200
    finally:
        server.stop()


class Proxy:
    """A TCP relay to the PostgreSQL server that can be cut and restored, like a network
    outage: cutting also breaks the connections the web server keeps open."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, destination):
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, destination):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would not, on Linux.
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets = []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs the PostgreSQL server of this test run")
@pytest.mark.django_db
def test_the_site_recovers_by_itself_when_postgresql_comes_back(production_settings):
    # The test database with the real places and resources, committed at set-up; the cache
    # table that production has (tests use an in-memory cache) comes from another process, so
    # it is committed too.
    db = connection.settings_dict
    proxy = Proxy(int(db["PORT"] or 5432))
    proxy.start()
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/{db['NAME']}"
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=BASE_DIR,
        env=production_env(production_settings, url),
        check=True,
        timeout=60,
    )
    # Keep connections open long, as production does, so the cut kills live connections.
    server = Server(production_settings, url, DB_CONN_MAX_AGE="600")
    try:
        assert server.get("/healthz")[0] == 200
        # A live connection for the cut to kill, from the API: a page would also keep its
        # language's helplines in memory, and a page needing nothing else (the login page a
        # visitor is sent to from /moderation/) would then be served whole during the outage.
        assert server.get("/api/v1/groups?q=rouw")[0] == 200

        proxy.cut()
        assert_down(server)

        proxy.start()
        assert server.get("/healthz")[0] == 200
        for _language, path in PAGES[:2]:
            assert server.get(path)[0] == 200
        assert server.get("/api/v1/groups?q=rouw")[0] == 200
    finally:
        server.stop()
        proxy.cut()


SETUP = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE note (writer TEXT)")
"""

WRITER = """
import sys, time
import django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO note (writer) VALUES (%s)", [sys.argv[1]])
    # Hold the write lock a while, so the other writer has to wait for it.
    time.sleep(1.5)
print("written", flush=True)
"""


def test_two_processes_writing_to_sqlite_at_once_both_succeed(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healingtogether.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(BASE_DIR),
    }
    # The database is created through our settings, as `manage.py migrate` creates it before any
    # server starts, and stays in WAL mode from then on. (Two processes switching a new file to
    # WAL at the same instant can deadlock, which SQLite reports at once as "locked".)
    # Connections never create the file: migrate makes it on purpose, and so does this test.
    database.touch()
    subprocess.run([sys.executable, "-c", SETUP], cwd=BASE_DIR, env=env, check=True, timeout=60)
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [writer.communicate(timeout=60) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.split() == ["written"]
    with sqlite3.connect(database) as check:
        assert sorted(row[0] for row in check.execute("SELECT writer FROM note")) == [
            "first",
            "second",
        ]


def test_healthz_says_503_for_a_database_without_our_tables(production_settings, tmp_path):
    """A file that opens but holds nothing (an empty database) cannot serve a page."""
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    server = Server(production_settings, f"sqlite:///{empty}")
    try:
        status, _headers, body = server.get("/healthz")
        assert (status, body) == (503, "database unavailable\n")
    finally:
        server.stop()


def test_a_worker_builds_its_search_snapshot_before_anyone_searches(
    production_settings, migrated_sqlite, tmp_path
):
    """At 100,000 groups the snapshot takes seconds to build: a worker starts on it as soon as
    it is up (gunicorn.conf.py, post_worker_init), not when the first person searches."""
    live = tmp_path / "db.sqlite3"
    shutil.copy(migrated_sqlite, live)
    server = Server(production_settings, f"sqlite:///{live}")
    try:
        said = []
        deadline = time.monotonic() + 30
        while not any("search snapshot ready" in line for line in said):
            assert time.monotonic() < deadline, said
            if select.select([server.process.stderr], [], [], 0.5)[0]:
                said.append(server.process.stderr.readline())
        server.output.seek(0)
        assert server.output.read() == ""  # no request was served before it
        status, _headers, _body = server.get("/api/v1/groups?q=rouw")
        assert status == 200
    finally:
        server.stop()
