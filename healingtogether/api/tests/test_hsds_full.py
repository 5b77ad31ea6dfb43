"""Full HSDS records cost the most to build: whole datasets come from files export_hsds wrote,
pages of full records take a fixed number of queries and are capped, and each client may ask
for them only so often. One client can no longer keep every worker busy."""

import io
import json
import os
from email.utils import parsedate_to_datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healingtogether.directory.models import Group
from healingtogether.test import make_group, make_location, make_organisation, make_schedule

pytestmark = pytest.mark.django_db

# (path, flag): the variants that give a whole dataset in full.
WHOLE = [
    ("services", "full"),
    ("organizations", "full"),
    ("organizations", "full_service"),
    ("service_at_locations", "full"),
]


def write_dumps():
    call_command("export_hsds", "--dumps", stdout=io.StringIO())


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def response_date(response):
    return parsedate_to_datetime(response["Last-Modified"])


def all_pages(client, path, params) -> list[dict]:
    found, page = [], 1
    while True:
        answer = client.get(f"/api/hsds/{path}", {**params, "page": page, "per_page": 50}).json()
        found += answer["contents"]
        if answer["last_page"]:
            return found
        page += 1


@pytest.mark.parametrize("path, flag", WHOLE)
def test_without_a_written_dataset_the_answer_is_a_503_naming_what_to_run(client, path, flag):
    response = client.get(f"/api/hsds/{path}", {flag: "true", "format": "ndjson"})
    assert response.status_code == 503
    assert "export_hsds --dumps" in response.json()["errors"]["format"]
    root = client.get("/api/hsds/").json()
    assert all(d["last_modified"] is None for d in root["full_datasets"])


@pytest.mark.parametrize("path, flag", WHOLE)
def test_a_whole_dataset_is_the_file_export_hsds_wrote_with_its_date(
    client, rich_group, dump_dir, path, flag
):
    write_dumps()
    response = client.get(f"/api/hsds/{path}", {flag: "true", "format": "ndjson"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in body(response).decode().splitlines()]
    # The same records, in the same order, as the pages give.
    assert lines == all_pages(client, path, {flag: "true"})
    written = os.stat(dump_dir / f"{path}.{flag}.en.ndjson").st_mtime
    assert parsedate_to_datetime(response["Last-Modified"]).timestamp() == int(written)
    root = client.get("/api/hsds/").json()
    (listed,) = [
        d
        for d in root["full_datasets"]
        if d["url"].endswith(f"/api/hsds/{path}?{flag}=true&format=ndjson&lang=en")
    ]
    assert listed["language"] == "en"
    assert listed["last_modified"].startswith(str(response_date(response).date()))


def test_a_whole_dataset_is_not_rebuilt_per_request(client, rich_group):
    write_dumps()
    before = body(client.get("/api/hsds/services", {"full": "true", "format": "ndjson"}))
    make_group(name_fr="Nouveau groupe après l'export")
    after = body(client.get("/api/hsds/services", {"full": "true", "format": "ndjson"}))
    assert after == before
    assert "Nouveau groupe" not in after.decode()


def test_export_hsds_rewrites_the_whole_datasets_only_once_public_data_changed(
    rich_group, dump_dir
):
    write_dumps()
    services = dump_dir / "services.full.en.ndjson"
    first = services.stat().st_mtime_ns
    out = io.StringIO()
    call_command("export_hsds", "--dumps", stdout=out)
    assert "up to date" in out.getvalue()
    assert services.stat().st_mtime_ns == first
    make_group(name_en="A group published after the export")
    write_dumps()
    assert "A group published after the export" in services.read_text()
    assert not list(dump_dir.glob(".*.part"))


def test_a_whole_dataset_comes_in_the_language_asked_and_revalidates(client, rich_group):
    write_dumps()
    french = client.get("/api/hsds/services", {"full": "true", "format": "ndjson", "lang": "fr"})
    dutch = client.get("/api/hsds/services", {"full": "true", "format": "ndjson", "lang": "nl"})
    assert "Groupe deuil Namur" in body(french).decode()
    assert "Rouwgroep Namen" in body(dutch).decode()
    again = client.get(
        "/api/hsds/services",
        {"full": "true", "format": "ndjson", "lang": "fr"},
        HTTP_IF_NONE_MATCH=french["ETag"],
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path, params, field",
    [
        ("services", {"search": "deuil"}, "search"),
        ("services", {"postcode": "5000"}, "postcode"),
        ("organizations", {"search": "cercle"}, "search"),
        ("service_at_locations", {"organization_id": "6f1c1e2a-1b7e-4c55-9d3e-6a1f5e0b7c11"},
         "organization_id"),
    ],
)  # fmt: skip
def test_a_whole_dataset_has_no_filters_and_says_so(client, rich_group, path, params, field):
    write_dumps()
    flag = "full_service" if path == "organizations" else "full"
    response = client.get(f"/api/hsds/{path}", {flag: "true", "format": "ndjson", **params})
    assert response.status_code == 400
    assert "format=json" in response.json()["errors"][field]


@pytest.fixture
def many(rich_group):
    """Several organisations with several groups each, meeting in several places."""
    for n in range(4):
        organisation = make_organisation(slug=f"many-{n}", name_fr=f"Association {n}")
        for m in range(3):
            group = make_group(organisation=organisation, slug=f"many-{n}-{m}")
            make_location(group)
            make_location(group)
            make_schedule(group)


# What a page of full records may cost, however many it holds.
FIXED_QUERIES = 20


def queries(client, path, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/hsds/{path}", params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path, flag",
    [*WHOLE, ("organization", "full_service")],
)
def test_pages_of_full_records_take_the_same_queries_however_many_they_hold(
    client, many, path, flag
):
    if path == "organization":
        # One organisation with all its services: the same queries with 3 services or 30.
        few = make_organisation(slug="few")
        make_group(organisation=few)
        lots = Group.objects.get(slug="many-0-0").organisation
        for m in range(10):
            make_group(organisation=lots, slug=f"more-{m}")
        assert queries(client, f"organizations/{few.public_id}", {flag: "true"}) == queries(
            client, f"organizations/{lots.public_id}", {flag: "true"}
        )
        return
    one = queries(client, path, {flag: "true", "per_page": 1})
    fifty = queries(client, path, {flag: "true", "per_page": 50})
    # A query per kind of related row (topics, schedules, places...), whatever the page holds;
    # one fewer when a page happens to have none of a kind. Not a query set per record.
    assert fifty <= FIXED_QUERIES and one <= FIXED_QUERIES
    assert abs(fifty - one) <= 1


@pytest.mark.parametrize("path, flag", WHOLE)
def test_pages_of_full_records_hold_at_most_50(client, rich_group, path, flag):
    response = client.get(f"/api/hsds/{path}", {flag: "true", "per_page": 51})
    assert response.status_code == 400
    assert "50" in response.json()["errors"]["per_page"]
    assert client.get(f"/api/hsds/{path}", {flag: "true", "per_page": 50}).status_code == 200
    assert client.get(f"/api/hsds/{path}", {"per_page": 200}).status_code == 200


def test_full_records_have_their_own_small_limit_per_client(client, rich_group, settings):
    settings.HSDS_FULL_RATE_LIMIT = 2
    # One fixed window for the whole test: a minute's boundary would start a new count.
    settings.HSDS_FULL_RATE_WINDOW = 10**9
    write_dumps()
    asks = [
        ("services", {"full": "true"}),
        ("organizations", {"full_service": "true", "format": "ndjson"}),
    ]
    for path, params in asks:
        assert client.get(f"/api/hsds/{path}", params).status_code == 200
    refused = client.get("/api/hsds/service_at_locations", {"full": "true"})
    assert refused.status_code == 429
    assert refused["Retry-After"] and refused.json()["errors"]["rate"]
    # Everything else answers as before, and so do other clients.
    assert client.get("/api/hsds/services").status_code == 200
    other = client.get("/api/hsds/services", {"full": "true"}, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200
