"""Every record we publish in HSDS validates against the specification's own schemas, `$ref`s
resolved from those files, with uuid, email and date-time formats checked."""

import hashlib
import json

import pytest
from django.core.management import call_command

from healingtogether.api.hsds import spec

from .conftest import problems

pytestmark = pytest.mark.django_db


def test_our_copies_of_the_schemas_are_the_specifications_files():
    # SHA256SUMS records the files as the specification publishes them (see spec/NOTICE.md).
    published = {}
    for line in (spec.SPEC_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        published[name] = digest
    copies = [*spec.SPEC_DIR.glob("*.json"), *spec.SPEC_DIR.glob("examples/csv/*")]
    assert sorted(str(p.relative_to(spec.SPEC_DIR)) for p in copies) == sorted(published)
    for path in copies:
        name = str(path.relative_to(spec.SPEC_DIR))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == published[name], name


def test_a_whole_export_validates(rich_group, tmp_path, capsys):
    call_command("export_hsds", str(tmp_path), "--language", "fr")
    found = {}
    for object_type, name in spec.JSON_FILES.items():
        path = tmp_path / name
        if path.exists():
            found[object_type] = json.loads(path.read_text())
    # The real networks (service areas), our rich group (all the rest): every kind of record.
    assert {
        "organization",
        "service",
        "location",
        "service_at_location",
        "address",
        "schedule",
        "phone",
        "contact",
        "language",
        "accessibility",
        "cost_option",
        "service_area",
        "attribute",
        "taxonomy",
        "taxonomy_term",
    } <= set(found)
    errors = [e for t, records in found.items() for r in records for e in problems(t, r)]
    assert errors == []
    assert str(rich_group.public_id) in {s["id"] for s in found["service"]}


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_a_full_service_from_the_api_validates(client, rich_group, lang):
    record = client.get(f"/api/hsds/services/{rich_group.public_id}", {"lang": lang}).json()
    assert problems("service", record) == []
    assert record["organization"]["id"] == str(rich_group.organisation.public_id)


def test_organisations_taxonomies_and_service_at_locations_validate(client, rich_group):
    organisation = client.get(
        f"/api/hsds/organizations/{rich_group.organisation.public_id}", {"full_service": "true"}
    ).json()
    assert problems("organization", organisation) == []
    assert all(problems("service", s) == [] for s in organisation["services"])
    for record in client.get("/api/hsds/taxonomies", {"per_page": 200}).json()["contents"]:
        assert problems("taxonomy", record) == []
    for record in client.get("/api/hsds/taxonomy_terms", {"per_page": 200}).json()["contents"]:
        assert problems("taxonomy_term", record) == []
    page = client.get("/api/hsds/service_at_locations", {"postcode": "5000"}).json()
    for record in page["contents"]:
        assert problems("service_at_location", record) == []
