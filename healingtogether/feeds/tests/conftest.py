"""A local HTTP server that plays the part of the sites publishing feeds.

Each test says what each path answers (`server.serve(path, body, content_type, ...)`); the
server honours If-None-Match with an ETag made from the body, and can be slow or oversized on
purpose. Private addresses are allowed in these tests (the server is on 127.0.0.1) unless a test
says otherwise.
"""

import contextlib
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).with_name("fixtures")


class FeedServer:
    def __init__(self):
        self.routes = {}
        self.requests = []  # (path, headers) of every request
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path, body, content_type="application/json", etag=True, delay=0, **extra):
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = {
            "body": body,
            "type": content_type,
            "etag": etag,
            "delay": delay,
            **extra,
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.get("redirect"):
                    self.send_response(302)
                    self.send_header("Location", route["redirect"])
                    self.end_headers()
                    return
                tag = '"' + hashlib.sha256(route["body"]).hexdigest()[:16] + '"'
                if route["etag"] and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                time.sleep(route["delay"])
                self.send_response(200)
                self.send_header("Content-Type", route["type"])
                if route["etag"]:
                    self.send_header("ETag", tag)
                for name, value in route.get("headers", {}).items():
                    self.send_header(name, value)
                if not route.get("hide_length"):
                    self.send_header("Content-Length", str(len(route["body"])))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route["body"])

        return Handler

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Uploaded feed files land in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def server(settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    feeds = FeedServer()
    yield feeds
    feeds.close()
