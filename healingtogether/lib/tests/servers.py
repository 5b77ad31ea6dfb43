"""A real server for the tests that need one: gunicorn with production settings (DEBUG=False,
collected static files) on a free loopback port, as `make serve` runs it. The settings folder and
a migrated database come from the fixtures in this folder's conftest.py."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(settings_folder: Path, database_url: str, **extra) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": f"{settings_folder}{os.pathsep}{BASE_DIR}",
        "DJANGO_SETTINGS_MODULE": "production_settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DB_CONNECT_TIMEOUT": "2",
        "SEARCH_RECHECK_SECONDS": "0",
        **extra,
    }
    env.pop("DJANGO_DEBUG", None)
    return env


class Server:
    """A gunicorn process on a free loopback port, with our gunicorn.conf.py as `make serve`
    runs it; `get()` never raises on HTTP errors."""

    def __init__(self, settings_folder: Path, database_url: str, **extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The access log, in a file rather than a pipe that a long test could fill.
        self.output = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "healingtogether.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=production_env(settings_folder, database_url, **extra),
            stdout=self.output,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    message = f"gunicorn did not start: {self.process.stderr.read()}"
                    raise RuntimeError(message) from None
                time.sleep(0.1)

    def get(self, path: str, **headers) -> tuple[int, dict, str]:
        request = urllib.request.Request(self.url + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def stop(self) -> str:
        """Stops the server (once; later calls return nothing); returns what it wrote to
        standard error, and keeps its access log in `access_log`."""
        if self.output.closed:
            return ""
        self.process.terminate()
        try:
            _out, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
        self.output.seek(0)
        self.access_log = self.output.read()
        self.output.close()
        return err
