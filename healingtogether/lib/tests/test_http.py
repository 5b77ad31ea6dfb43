import pytest
from django.test import RequestFactory

from healingtogether.lib.http import safe_next


@pytest.fixture
def rf():
    return RequestFactory()


def test_a_next_on_this_site_is_kept(rf):
    assert safe_next(rf.post("/", {"next": "/en/account/"})) == "/en/account/"
    assert safe_next(rf.get("/", {"next": "/en/account/"})) == "/en/account/"


def test_the_posted_next_wins_over_the_one_in_the_address(rf):
    request = rf.post("/?next=/en/from-query/", {"next": "/en/from-form/"})
    assert safe_next(request) == "/en/from-form/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "javascript:alert(1)",
        "http://testserver/en/account/",  # same host, but the page is served over https
    ],
)
def test_a_next_that_leaves_the_site_is_never_followed(rf, target):
    request = rf.post("/", {"next": target}, secure=True)
    assert safe_next(request) == ""
    assert safe_next(request, fallback="/en/moderation/") == "/en/moderation/"


def test_an_explicit_candidate_replaces_the_request_fields(rf):
    request = rf.post("/", {"next": "/en/account/"})
    assert safe_next(request, "/en/workspace/") == "/en/workspace/"
    assert safe_next(request, "", fallback="/en/moderation/") == "/en/moderation/"
    assert safe_next(request, "https://evil.example/") == ""
