"""The OpenAPI document of /api/v1/ tells the truth: every response it documents, for every
operation, is one a real request gets, in the shape it documents."""

import pytest
from jsonschema import Draft202012Validator, FormatChecker

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def requests_for(group) -> dict:
    """For each documented path: a request (path, params) that gets each status."""
    group_url = f"/api/v1/groups/{group.public_id}"
    organisation_url = f"/api/v1/organisations/{group.organisation.public_id}"
    return {
        "/api/v1/groups": {200: ("", {"near": "5000"}), 400: ("", {"radius_km": "900"})},
        "/api/v1/groups/{group_id}": {
            200: (group_url, {}),
            400: (group_url, {"lang": "xx"}),
            404: (f"/api/v1/groups/{UNKNOWN}", {}),
        },
        "/api/v1/networks": {200: ("", {"postcode": "5000"}), 400: ("", {"postcode": "0"})},
        "/api/v1/organisations": {200: ("", {}), 400: ("", {"page": "0"})},
        "/api/v1/organisations/{organisation_id}": {
            200: (organisation_url, {}),
            400: (organisation_url, {"lang": "xx"}),
            404: (f"/api/v1/organisations/{UNKNOWN}", {}),
        },
        "/api/v1/topics": {200: ("", {"lang": "fr"}), 400: ("", {"lang": "xx"})},
        "/api/v1/audiences": {200: ("", {}), 400: ("", {"lang": "xx"})},
        "/api/v1/approaches": {200: ("", {}), 400: ("", {"lang": "xx"})},
        "/api/v1/languages": {200: ("", {}), 400: ("", {"lang": "xx"})},
        "/api/v1/places": {200: ("", {"q": "Namur"}), 400: ("", {"q": ""})},
    }


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def check(doc, schema, body) -> list[str]:
    validator = Draft202012Validator(
        {**schema, "components": doc["components"]}, format_checker=FormatChecker()
    )
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def test_every_documented_response_is_what_a_real_request_gets(client, rich_group, settings):
    doc = client.get("/api/v1/openapi.json").json()
    examples = requests_for(rich_group)
    assert set(examples) == {path for path, _m, _o in operations(doc)}
    for path, method, operation in operations(doc):
        assert method == "get", path
        for status, answer in operation["responses"].items():
            status = int(status)
            if status in (304, 429):
                continue  # below, for every operation at once
            url, params = examples[path][status]
            response = client.get(url or path, params)
            assert response.status_code == status, (path, status, response.content[:200])
            schema = answer["content"]["application/json"]["schema"]
            assert check(doc, schema, response.json()) == [], (path, status)
            if (path, status) == ("/api/v1/groups", 200):
                # A search's results are checked too, not only an empty list.
                assert response.json()["results"], response.json()


def test_every_operation_documents_and_gives_304_and_429(client, rich_group, settings):
    doc = client.get("/api/v1/openapi.json").json()
    examples = requests_for(rich_group)
    for path, _method, operation in operations(doc):
        assert {"304", "429"} <= set(operation["responses"]), path
        url, params = examples[path][200]
        first = client.get(url or path, params)
        again = client.get(url or path, params, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, path
    settings.API_RATE_LIMIT = 1
    for path, _method, operation in operations(doc):
        url, params = examples[path][200]
        client.get(url or path, params)  # the one request of this minute, if not used yet
        response = client.get(url or path, params)
        assert response.status_code == 429, path
        schema = operation["responses"]["429"]["content"]["application/json"]["schema"]
        assert check(doc, schema, response.json()) == [], path


def test_the_document_says_how_to_use_the_api(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Healing Together API"
    assert "If-None-Match" in doc["info"]["description"]
    detail = doc["paths"]["/api/v1/groups/{group_id}"]["get"]
    assert "ics_url" in doc["components"]["schemas"]["GroupDetail"]["properties"]
    assert detail["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Errors"
    }
