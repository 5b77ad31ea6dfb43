"""Public pages may be kept a few minutes by browsers and shared caches, but never a page that
holds something personal."""

import pytest

from healingtogether.test import make_group, make_organiser

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    group = make_group(slug="namur-circle")
    return ["/en/", "/fr/search/topics/grief/", f"/nl/groups/{group.slug}/"]


def test_public_pages_may_be_cached_by_anyone_for_five_minutes(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "public" in response["Cache-Control"], url
        assert "max-age=300" in response["Cache-Control"], url


def test_a_signed_in_visitor_s_pages_are_never_cached_publicly(client, pages):
    client.force_login(make_organiser())
    for url in pages:
        response = client.get(url)
        assert "public" not in response.get("Cache-Control", ""), url


def test_searches_and_unknown_pages_are_not_cached_publicly(client, pages):
    assert "public" not in client.get("/en/search/?q=grief").get("Cache-Control", "")
    assert "public" not in client.get("/en/groups/nothing-here/").get("Cache-Control", "")
