"""export_hsds: our public listings as files a partner can load, in JSON and as the HSDS CSV
data package."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from healingtogether.api.hsds import spec
from healingtogether.directory.models import Group, Status
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db


def export(directory, *args) -> str:
    out = io.StringIO()
    call_command("export_hsds", str(directory), *args, stdout=out)
    return out.getvalue()


def test_it_writes_one_json_file_per_object_type_and_the_csv_package(rich_group, tmp_path):
    said = export(tmp_path)
    for name in (
        "services.json",
        "organizations.json",
        "locations.json",
        "schedules.json",
        "service_at_locations.json",
        "taxonomies.json",
        "taxonomy_terms.json",
    ):
        assert (tmp_path / name).exists(), name
    descriptor = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    assert descriptor["profile"] == "tabular-data-package"
    assert "Open Referral" in descriptor["description"]
    for resource in descriptor["resources"]:
        with (tmp_path / "csv" / resource["path"]).open(encoding="utf-8") as table:
            header = next(csv.reader(table))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
    services = json.loads((tmp_path / "services.json").read_text())
    assert len(services) == Group.objects.listed().count()
    assert f"Wrote {len(services)} services" in said


def test_csv_rows_hold_the_same_records_as_the_json_files(rich_group, tmp_path):
    export(tmp_path)
    rows = list(csv.DictReader((tmp_path / "csv" / "services.csv").open(encoding="utf-8")))
    row = next(r for r in rows if r["id"] == str(rich_group.public_id))
    assert (row["name"], row["minimum_age"], row["status"]) == (
        "Groupe deuil Namur",
        "18",
        "active",
    )
    schedules = list(csv.DictReader((tmp_path / "csv" / "schedules.csv").open(encoding="utf-8")))
    ours = [s for s in schedules if s["service_id"] == str(rich_group.public_id) and s["freq"]]
    assert [(s["freq"], s["byday"], s["opens_at"]) for s in ours] == [
        ("MONTHLY", "2TU", "19:00:00")
    ]


def test_only_what_the_public_sees_goes_out(rich_group, tmp_path):
    hidden = make_group(name_fr="Groupe en attente", status=Status.PENDING)
    export(tmp_path)
    services = {s["id"] for s in json.loads((tmp_path / "services.json").read_text())}
    assert str(rich_group.public_id) in services and str(hidden.public_id) not in services
    organisations = {o["id"] for o in json.loads((tmp_path / "organizations.json").read_text())}
    assert str(hidden.organisation.public_id) not in organisations


def test_texts_are_in_the_language_asked_for_and_the_dataset_says_which(rich_group, tmp_path):
    export(tmp_path, "--language", "nl")
    services = json.loads((tmp_path / "services.json").read_text())
    assert "Rouwgroep Namen" in {s["name"] for s in services}
    meta = json.loads((tmp_path / "meta_table_descriptions.json").read_text())
    assert meta[0]["language"] == "nl"


def test_the_package_names_every_table_of_the_specification(rich_group, tmp_path):
    export(tmp_path)
    written = {p.name for p in (tmp_path / "csv").iterdir()}
    assert {r["path"] for r in spec.datapackage()["resources"]} <= written
