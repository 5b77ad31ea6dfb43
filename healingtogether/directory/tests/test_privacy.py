import re

import pytest

from healingtogether.directory.tests.test_pages import LANGUAGES, PAGES

pytestmark = pytest.mark.django_db

ALL_PAGES = [p.format(lang=lang) for p in PAGES for lang in LANGUAGES]


@pytest.mark.parametrize("path", ALL_PAGES)
def test_browsing_sets_no_cookie(client, path):
    response = client.get(path)
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ALL_PAGES)
def test_pages_load_nothing_from_another_host(client, path):
    html = client.get(path).content.decode()
    # Anything the browser fetches by itself: scripts, styles, images, fonts, frames, icons.
    fetched = re.findall(
        r'<(?:script|img|iframe|source|video|audio|embed)[^>]*\ssrc="([^"]+)"', html
    )
    # (Canonical and language-alternate links name addresses; a browser doesn't fetch them.)
    fetched += re.findall(r'<link(?![^>]*rel="(?:canonical|alternate)")[^>]*\shref="([^"]+)"', html)
    fetched += re.findall(r"url\(([^)]+)\)", html)
    assert fetched
    assert all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched


def test_the_headers_keep_visits_private_and_scripts_strict(client):
    response = client.get("/en/")
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"]
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
