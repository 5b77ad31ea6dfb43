"""Whatever a client sends, the search answers without a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healingtogether.search.engine import SearchParams
from healingtogether.search.tests.test_text import QUERY_SYNTAX

pytestmark = pytest.mark.django_db

NASTY = st.sampled_from(
    [*QUERY_SYNTAX, "\x00", "'", "%", "5000", "Namur", "1000", "-1", "0", "201", "1e9", "true",
     "false", "grief", "in_person", "9" * 40, "é", "🙂", ""]
)  # fmt: skip
VALUE = st.one_of(NASTY, st.text(max_size=300), st.integers().map(str))
PARAMS = st.dictionaries(
    st.sampled_from(sorted(SearchParams.model_fields)),
    st.one_of(VALUE, st.lists(VALUE, max_size=3)),
    max_size=8,
)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(params=PARAMS)
def test_the_api_never_answers_with_a_server_error(client, params):
    response = client.get("/api/v1/groups", params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["errors"]


@FUZZ
@given(params=PARAMS)
def test_the_search_page_never_answers_with_a_server_error(client, params):
    response = client.get("/fr/search/", params)
    assert response.status_code == 200


@FUZZ
@given(postcode=VALUE)
def test_the_networks_lookup_never_answers_with_a_server_error(client, postcode):
    assert client.get("/api/v1/networks", {"postcode": postcode}).status_code in (200, 400)
