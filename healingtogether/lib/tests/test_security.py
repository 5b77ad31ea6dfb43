"""Production settings are safe: a clean deploy check, strict headers, private cookies, error pages
that never show code, and organiser and moderator pages that show nothing to a stranger."""

import http.client
import importlib.util
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, ProgrammingError
from django.test import Client, override_settings
from django.urls import URLPattern, path, reverse
from django.utils import translation

from healingtogether.accounts import urls as accounts_urls
from healingtogether.accounts.models import Report, Revision
from healingtogether.lib.tests.servers import BASE_DIR, Server, production_env
from healingtogether.test import make_group, make_organiser
from healingtogether.urls import urlpatterns as site_urlpatterns

# Things an error page must never show.
LEAKS = ["Traceback", "SECRET_KEY", "DATABASES", "settings.py", "site-packages", 'File "']


def test_the_deploy_check_is_clean_with_production_settings():
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "healingtogether.be",
        # Production redirects http to https (here, or in the proxy with this left False).
        "SECURE_SSL_REDIRECT": "True",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def fetch(server, method, path, body=None, headers=None):
    """One request without following redirects: (status, [(header, value)], body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            found[value.split("=", 1)[0]] = value
    return found


@pytest.fixture
def production_server(production_settings, migrated_sqlite, tmp_path):
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated_sqlite, database)
    url = f"sqlite:///{database}"
    script = "from healingtogether.test import make_organiser; make_organiser()"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=production_env(production_settings, url),
        check=True,
        timeout=120,
    )
    server = Server(production_settings, url)
    yield server
    server.stop()


def test_production_pages_carry_strict_headers_and_set_no_cookie(production_server):
    https = {"X-Forwarded-Proto": "https"}
    status, headers, _body = fetch(production_server, "GET", "/en/", headers=https)
    assert status == 200
    header = {name.lower(): value for name, value in headers}
    assert header["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    csp = header["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    assert header["x-content-type-options"] == "nosniff"
    assert header["x-frame-options"] == "DENY"
    assert header["referrer-policy"] == "same-origin"
    assert "camera=()" in header["permissions-policy"]
    assert "geolocation=()" in header["permissions-policy"]
    # A seeker's visit leaves nothing behind.
    assert cookies(headers) == {}


def test_the_access_log_keeps_no_search_terms_and_no_address(production_server):
    for address in (
        "/fr/search/?q=alcool&near=1000",
        "/api/v1/groups?q=rouw&page_size=5",
        "/nl/search/finder/?who=me&topic=suicidal_thoughts&step=2",
    ):
        fetch(production_server, "GET", address)
    production_server.stop()
    log = production_server.access_log
    assert '"GET /fr/search/" 200' in log
    assert '"GET /api/v1/groups" 200' in log
    assert '"GET /nl/search/finder/" 200' in log
    for private in ("alcool", "rouw", "near", "page_size", "suicidal", "?", "127.0.0.1"):
        assert private not in log, private


def raw_request(server, request_line: bytes) -> bytes:
    """Send one request line as it comes, even one no HTTP library would send; the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


TOKEN_LINKS = {
    "/en/confirm/1:SECRETCONFIRM:x/": "/en/confirm/[hidden]/",
    "/fr/invitations/1:SECRETINVITE:abc/": "/fr/invitations/[hidden]/",
    "/nl/account/verify/MQ/SECRETVERIFY/": "/nl/account/verify/[hidden]/",
    "/de/account/password/reset/MQ/SECRETRESET/": "/de/account/password/reset/[hidden]/",
}


def test_the_logs_keep_no_link_token_no_query_and_no_address(production_server):
    for link in TOKEN_LINKS:
        fetch(production_server, "GET", link)
    # A request line over gunicorn's limit, and a malformed one: gunicorn itself refuses them.
    too_long = raw_request(
        production_server, b"GET /en/search/?q=" + b"grief+" * 800 + b" HTTP/1.1"
    )
    assert too_long.startswith(b"HTTP/1.1 414")
    malformed = raw_request(production_server, b"GET /en/search/?q=bereavement HTTP/1.1 x")
    assert malformed.startswith(b"HTTP/1.1 400")
    errors = production_server.stop()
    log = production_server.access_log + errors
    for hidden in TOKEN_LINKS.values():
        assert hidden in production_server.access_log
    # Django's own line about the refused invitation, masked too.
    assert "Bad Request: /fr/invitations/[hidden]/" in errors
    assert "Invalid request from ip=[hidden]" in errors
    for private in ("SECRET", "grief", "bereavement", "?q", "127.0.0.1"):
        assert private not in log, private


WORKER_TIMEOUT = """
import logging.config, runpy
from gunicorn.glogging import CONFIG_DEFAULTS
config = {**CONFIG_DEFAULTS, **runpy.run_path("gunicorn.conf.py")["logconfig_dict"]}
logging.config.dictConfig(config)  # as gunicorn.glogging.Logger.setup does
try:
    raise SystemExit(1)  # what a worker killed at its timeout raises mid-request
except BaseException:
    logging.getLogger("gunicorn.error").exception(
        "Error handling request %s %s", "GET", "/en/search/?q=suicide+bereavement&near=Li%C3%A8ge"
    )
"""


def test_a_worker_timeout_logs_the_path_without_the_search():
    result = subprocess.run(
        [sys.executable, "-c", WORKER_TIMEOUT],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Error handling request GET /en/search/" in result.stderr
    assert "SystemExit" in result.stderr  # the traceback is still there for the operators
    for private in ("suicide", "bereavement", "near", "?"):
        assert private not in result.stderr, private


def test_gunicorn_limits_are_explicit():
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["timeout"] == 30
    assert config["limit_request_line"] == 4094


def test_production_cookies_are_secure_httponly_and_samesite(production_server):
    https = {"X-Forwarded-Proto": "https"}
    status, headers, body = fetch(production_server, "GET", "/en/account/login/", headers=https)
    assert status == 200
    csrf_cookie = cookies(headers)["csrftoken"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    origin = f"https://127.0.0.1:{production_server.port}"
    form = (
        "email=organiser%40example.org&password=a+calm+password+4+tests"
        f"&csrfmiddlewaretoken={token}"
    )
    status, headers, _body = fetch(
        production_server,
        "POST",
        "/en/account/login/",
        body=form,
        headers={
            **https,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": csrf_cookie.split(";")[0],
            "Origin": origin,
            "Referer": origin + "/en/account/login/",
        },
    )
    assert status == 302
    session_cookie = cookies(headers)["sessionid"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in session_cookie


def test_production_404_shows_no_code(production_server):
    status, _headers, body = fetch(production_server, "GET", "/en/no-such-page/")
    assert status == 404
    for leak in LEAKS:
        assert leak not in body


# Views that fail, mounted next to the whole site for the tests below.
def broken(request):
    raise RuntimeError("secret detail of a bug")


def broken_sql(request):
    raise ProgrammingError('relation "secret_table" does not exist')


def database_gone(request):
    raise OperationalError("connection to server on 127.0.0.1 refused")


urlpatterns = [
    path("broken/", broken),
    path("broken-sql/", broken_sql),
    path("database-gone/", database_gone),
    *site_urlpatterns,
]


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_with_debug_off_an_error_shows_a_calm_page_and_no_code():
    client = Client(raise_request_exception=False)
    for url in ("/broken/", "/broken-sql/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 500
        body = response.content.decode()
        with translation.override("fr"):
            assert translation.gettext("Something went wrong on our side") in body
        assert "secret" not in body
        for leak in LEAKS:
            assert leak not in body

    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    for leak in LEAKS:
        assert leak not in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_lost_database_connection_is_a_503_not_a_500():
    client = Client(raise_request_exception=False)
    response = client.get("/database-gone/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert '<html lang="de">' in body and "108" in body
    assert "refused" not in body


def database_gone_in_a_middleware(get_response):
    def middleware(request):
        if request.path_info.endswith("/session-store-gone/"):
            raise OperationalError("could not read the session table")
        return get_response(request)

    return middleware


@pytest.mark.django_db
def test_a_database_failure_outside_the_view_is_a_503_too(settings):
    settings.DEBUG = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.database_gone_in_a_middleware"]
    response = Client(raise_request_exception=False).get("/nl/session-store-gone/")
    assert response.status_code == 503
    body = response.content.decode()
    assert '<html lang="nl">' in body and "1813" in body
    assert "session table" not in body


# Pages that anyone may open by design: signing up and in, resetting a password, following a link
# from an email, reporting a problem. They must still show nothing for a forged link.
ANONYMOUS_BY_DESIGN = {
    "login",
    "logout",
    "signup",
    "resend_verification",
    "verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accept_invitation",
    "confirm_by_link",
    "report_problem",
}


def every_accounts_url(values: dict) -> list[tuple[str, str]]:
    """(name, path) of every page of the accounts namespace, converters filled from `values`."""
    found = []
    for pattern in accounts_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {}
        for name, converter in pattern.pattern.converters.items():
            kind = type(converter).__name__
            kwargs[name] = values.get(name) or values[kind]
        found.append((pattern.name, reverse(f"accounts:{pattern.name}", kwargs=kwargs)))
    return found


@pytest.mark.django_db
def test_every_organiser_and_moderator_page_shows_nothing_to_a_stranger():
    organiser = make_organiser(email="private.organiser@example.org")
    organisation = organiser.memberships.get().organisation
    group = make_group(organisation=organisation, name_en="A private listing of Ms Example")
    report = Report.objects.create(group=group, message="The phone number is wrong")
    revision = Revision.objects.create(group=group, data={}, author=organiser)
    secrets_on_record = [
        "private.organiser@example.org",
        "The phone number is wrong",
        str(group.public_id),
        str(organisation.public_id),
    ]
    forged = secrets.token_urlsafe(24)
    values = {
        "UUIDConverter": group.public_id,
        "IntConverter": revision.pk,
        "SlugConverter": group.slug,
        "StringConverter": forged,
        "public_id": group.public_id,
        "pk": revision.pk,
        "uidb64": "MQ",
        "token": forged,
    }
    names = set()
    with translation.override("en"):
        urls = every_accounts_url(values)
        urls += every_accounts_url(
            {**values, "IntConverter": report.pk, "pk": report.pk, "public_id": uuid.uuid4()}
        )
        login = reverse("accounts:login")
    client = Client()
    users_before = User.objects.count()
    for name, url in urls:
        names.add(name)
        for method in ("get", "post"):
            if method == "post" and name in ANONYMOUS_BY_DESIGN:
                continue
            response = getattr(client, method)(url, {"note": "approved", "name_en": "changed"})
            where = f"{method.upper()} {url}"
            if name in ANONYMOUS_BY_DESIGN:
                # A form, or a plain "this link is not valid" (400 or 404), never a record.
                assert response.status_code in (200, 302, 400, 404, 405), where
                body = response.content.decode()
                for secret in secrets_on_record:
                    assert secret not in body, where
                continue
            assert response.status_code in (302, 404, 405), where
            if response.status_code == 302:
                assert response["Location"].startswith(login), where

    # Every page of the namespace was tried, organiser and moderator pages included.
    assert {"workspace", "edit_group", "moderation", "revision", "report", "audit_log"} <= names
    assert {"dashboard", "invite", "new_group", "archive_group", "confirm_group"} <= names
    # And nothing changed.
    group.refresh_from_db()
    revision.refresh_from_db()
    assert group.name_en == "A private listing of Ms Example"
    assert revision.state == Revision.State.PENDING
    assert Report.objects.get(pk=report.pk).resolved_at is None
    assert User.objects.count() == users_before


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_rate_limit_counters_live_in_memory_or_redis_never_in_the_database(cache_url, backend):
    script = (
        "from django.conf import settings; c = settings.CACHES['ratelimit'];"
        " print(c['BACKEND'], c.get('LOCATION'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "CACHE_URL": cache_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found_backend, location = result.stdout.split()[-2:]
    if cache_url and importlib.util.find_spec("redis") is None:
        # Without the redis package the site still starts, counting in memory, and says why.
        assert found_backend == "django.core.cache.backends.locmem.LocMemCache"
        assert "the redis package is not installed" in result.stderr
        return
    assert found_backend == backend
    if cache_url:
        assert location == cache_url
