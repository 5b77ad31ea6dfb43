"""Schemathesis fuzzes our APIs from their own OpenAPI documents: no request, however odd, gets a
server error, every answer is one the document describes (status code, content type, headers,
body), a request the document forbids is refused, another method gets a 405, and a 400 of
/api/v1/ names the parameter that was wrong.

The documents and the answers come from the app itself, in-process through WSGI (no network),
inside the test's database transaction: the real places and resources plus one rich group.
Examples are derandomized and bounded per operation, so CI sees the same run every time, in
well under a minute for both APIs.

Left out: schemathesis's "positive data acceptance" check, which expects every request the
document allows to succeed. Both APIs also check what OpenAPI cannot express (a topic slug must
exist in the database, `near` must be a place we know, sorting by distance needs `near`, a
postcode must exist); those answers are documented 400s naming the field, which
`bad_input_names_the_field` checks.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from healingtogether.wsgi import application

pytestmark = pytest.mark.django_db

# Examples per operation and generation phase: enough to reach every parameter, bounded for CI.
V1_EXAMPLES = 15
HSDS_EXAMPLES = 8
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    # A small database and derandomized examples: Hypothesis's timing and filtering health
    # checks would only report how the test is set up.
    suppress_health_check=list(HealthCheck),
)
LEFT_OUT = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def in_transaction():
    """Keep the test's connection open across requests, as Django's test client does: the WSGI
    handler would close it at the end of each request, and the test's data with it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzable(rich_group, in_transaction, settings, request):
    # Hundreds of requests from one client: lift the per-client limit the API reads
    # (API_RATE_LIMIT), so no answer is a 429. The 429 itself is tested in test_openapi.py.
    settings.API_RATE_LIMIT = 1_000_000
    settings.HSDS_FULL_RATE_LIMIT = 1_000_000
    # schemathesis 4.32 renames the test node for its report through `_nodeid`, an attribute
    # pytest 9.2 no longer has; give it one to read.
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_v1(fuzzable):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def api_hsds(fuzzable):
    return schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", application)


@schemathesis.check
def bad_input_names_the_field(ctx, response, case):
    """A 400 says which parameter was wrong, by its name in the document."""
    if response.status_code != 400:
        return None
    names = {parameter.name for parameter in case.operation.iter_parameters()}
    errors = response.json().get("errors")
    assert errors, "a 400 without errors"
    unknown = sorted(set(errors) - names)
    assert not unknown, f"the 400 names {unknown}, not parameters of {case.operation.label}"
    return True


def call_and_validate(case):
    # The in-process WSGI transport hands schemathesis the body as sent, without undoing gzip
    # as an HTTP client would: ask for it uncompressed (compression: lib/tests/test_weight.py).
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"},
        additional_checks=[bad_input_names_the_field],
        excluded_checks=LEFT_OUT,
    )


v1 = schemathesis.pytest.from_fixture("api_v1")
hsds = schemathesis.pytest.from_fixture("api_hsds")


@v1.parametrize()
@settings(FUZZ, max_examples=V1_EXAMPLES)
def test_api_v1_answers_every_request_as_its_document_says(case):
    call_and_validate(case)


@hsds.parametrize()
@settings(FUZZ, max_examples=HSDS_EXAMPLES)
def test_hsds_answers_every_request_as_the_specifications_document_says(case):
    # The HSDS document is the specification's own; its parameters are ours by name, so a 400
    # naming the field is checked here too.
    call_and_validate(case)
