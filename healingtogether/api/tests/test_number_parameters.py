"""Numbers read from a query string: only 1 to 7 ASCII digits count as a number. "²" passes
str.isdigit() but not int(), and int() refuses 4,300 digits or more: neither may give a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healingtogether.lib.text import whole_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_limit_on_full_records(settings):
    """Hundreds of requests from one client: full records' own limit would answer 429."""
    settings.HSDS_FULL_RATE_LIMIT = 1_000_000


NOT_NUMBERS = ["²", "١٢", "٣", "9" * 5000, "1_000", "+3", "3.0", "-1", "", " ", "1e3", "0x10"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_only_ascii_digits_are_a_whole_number(value):
    assert whole_number(value) is None


def test_a_whole_number_is_read_with_its_spaces_trimmed():
    assert whole_number(" 42 ") == 42
    assert whole_number("9999999") == 9_999_999
    assert whole_number("12345678") is None


@pytest.mark.parametrize("value", ["²", "9" * 5000, "١٢"])
@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("path", ["services", "organizations", "taxonomy_terms"])
def test_hsds_page_numbers_that_are_not_ascii_digits_are_a_400_naming_them(
    client, path, name, value
):
    response = client.get(f"/api/hsds/{path}", {name: value})
    assert response.status_code == 400
    assert name in response.json()["errors"]


@pytest.mark.parametrize("value", ["²", "9" * 5000, "١٢"])
def test_a_sitemap_page_that_is_not_ascii_digits_is_the_first_page(client, value):
    response = client.get("/sitemap.xml", {"page": value})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"


@pytest.mark.parametrize("value", ["²", "9" * 5000, "1_000", "+3"])
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_api_page_numbers_that_are_not_ascii_digits_are_a_400_naming_them(client, name, value):
    for path in ("/api/v1/groups", "/api/v1/organisations"):
        response = client.get(path, {name: value})
        assert response.status_code == 400, path
        assert name in response.json()["errors"], path


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_the_search_page_says_what_is_wrong_with_a_page_number(client, value):
    response = client.get("/en/search/", {"q": "grief", "page": value})
    assert response.status_code == 200
    assert "Choose a page number from 1." in response.content.decode()


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_the_finder_starts_again_on_a_step_that_is_not_a_number(client, value):
    assert client.get("/en/search/finder/", {"step": value}).status_code == 200


# Whatever a client sends as HSDS or sitemap parameters, no server error.

NASTY = st.sampled_from(
    ["²", "١٢", "9" * 5000, "9" * 8, "0", "-1", "1.5", "1e9", "true", "yes", "ndjson", "json",
     "5000", "\x00", "%", "🙂", "", " 2 ", "2026-01-31T12:00:00Z", "not-a-uuid",
     "6f1c1e2a-1b7e-4c55-9d3e-6a1f5e0b7c11"]
)  # fmt: skip
VALUE = st.one_of(NASTY, st.text(max_size=60), st.integers().map(str))
HSDS_NAMES = [
    "page", "per_page", "full", "minimal", "full_service", "format", "search", "lang",
    "postcode", "proximity", "modified_after", "taxonomy_term_id", "taxonomy_id",
    "organization_id", "parent_id", "top_only",
]  # fmt: skip
HSDS_PARAMS = st.dictionaries(st.sampled_from(HSDS_NAMES), VALUE, max_size=5)
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    path=st.sampled_from(["services", "organizations", "taxonomies", "taxonomy_terms"]),
    params=HSDS_PARAMS,
)
def test_hsds_lists_never_answer_with_a_server_error(client, path, params):
    response = client.get(f"/api/hsds/{path}", params)
    assert response.status_code in (200, 400, 503), (path, params)
    if response.status_code == 400:
        assert response.json()["errors"]


@FUZZ
@given(page=VALUE)
def test_the_sitemap_never_answers_with_a_server_error(client, page):
    assert client.get("/sitemap.xml", {"page": page}).status_code in (200, 404)
