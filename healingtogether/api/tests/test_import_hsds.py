"""import_hsds: another directory's HSDS data arrives as listings for our moderators, never
straight to the public, never twice, and never half."""

import io
import json
import shutil
import uuid

import pytest
from django.core.management import CommandError, call_command

from healingtogether.accounts import proposals
from healingtogether.accounts.models import Revision
from healingtogether.api.hsds import spec
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Organisation, Status
from healingtogether.test import make_group, make_moderator, make_organisation, make_organiser

pytestmark = pytest.mark.django_db

# The specification's example dataset, as a CSV data package (see api/hsds/spec/NOTICE.md).
EXAMPLE = spec.SPEC_DIR / "examples" / "csv"
EXAMPLE_SERVICE = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
EXAMPLE_ORGANISATION = uuid.UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
# Fields that say when something happened, not what it is.
MOMENTS = {"last_modified", "assured_date"}


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hsds", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(path, *args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_hsds", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(raised.value)


def counts() -> tuple[int, int, int]:
    return Group.objects.count(), Organisation.objects.count(), Revision.objects.count()


def empty_directory(keep=()):
    """Every group and organisation gone but those of `keep`: a directory with nothing else."""
    Revision.objects.all().delete()
    Group.objects.exclude(pk__in=[g.pk for g in keep]).delete()
    Organisation.objects.exclude(groups__in=keep).delete()


def approve_everything():
    moderator = make_moderator()
    for revision in Revision.objects.filter(state=Revision.State.PENDING):
        revision.decide(moderator, approve=True)


def dataset(directory, **tables):
    """A small HSDS dataset in our JSON layout: one file per object type given."""
    directory.mkdir(exist_ok=True)
    for object_type, records in tables.items():
        (directory / spec.JSON_FILES[object_type]).write_text(json.dumps(records))
    return directory


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def small(directory, service=None, organization=None, **tables):
    org_id, service_id = ids(2)
    return dataset(
        directory,
        organization=[
            {"id": org_id, "name": "Rouwzorg Gent", "description": "", **(organization or {})}
        ],
        service=[
            {
                "id": service_id,
                "organization_id": org_id,
                "name": "Rouwgroep Gent",
                "status": "active",
                **(service or {}),
            }
        ],
        **tables,
    )


# The specification's own example


def test_the_specifications_example_arrives_as_a_pending_listing(client):
    said, _ = run(EXAMPLE)
    group = Group.objects.get(public_id=EXAMPLE_SERVICE)
    assert group.status == Status.PENDING and group.source_key == f"hsds:{EXAMPLE_SERVICE}"
    assert group.name == "Community Counselling" and group.age_min == 12
    assert group.organisation.public_id == EXAMPLE_ORGANISATION
    assert client.get(f"/api/hsds/services/{EXAMPLE_SERVICE}").status_code == 404
    revision = Revision.objects.get(group=group, state=Revision.State.PENDING)
    assert revision.author is None and revision.is_new
    assert Revision.objects.filter(organisation=group.organisation, state="pending").exists()
    assert "2 new" in said


def test_an_address_outside_belgium_is_kept_without_coordinates_and_flagged():
    run(EXAMPLE)
    group = Group.objects.get(public_id=EXAMPLE_SERVICE)
    location = group.locations.get()
    assert (location.latitude, location.longitude, location.municipality) == (None, None, None)
    assert "1-30 Main Street" in location.address and "US" in location.address
    flags = Revision.objects.get(group=group, state="pending").flags
    assert any("outside Belgium (US)" in flag for flag in flags)


def test_what_our_fields_cannot_hold_is_flagged_for_the_moderator():
    run(EXAMPLE)
    flags = " | ".join(Revision.objects.get(group__public_id=EXAMPLE_SERVICE).flags)
    assert "Session language not in our list: Urdu" in flags
    assert "both an end date and a number of sessions" in flags
    assert "weekly schedule gave days of the month" in flags
    assert "kind of group was not given" in flags
    schedule = Group.objects.get(public_id=EXAMPLE_SERVICE).schedules.get()
    assert (schedule.byday, schedule.bymonthday, schedule.count) == ("TH,FR", "", None)


def test_importing_again_changes_nothing():
    run(EXAMPLE)
    before = counts()
    said, _ = run(EXAMPLE / "datapackage.json")
    assert counts() == before
    assert "2 unchanged" in said


# Updates, not duplicates


def test_a_changed_record_is_updated_not_duplicated(tmp_path):
    run(EXAMPLE)
    changed = tmp_path / "csv"
    shutil.copytree(EXAMPLE, changed)
    services = (changed / "services.csv").read_text()
    (changed / "services.csv").write_text(
        services.replace("Community Counselling,", "Group Counselling,")
    )
    before = counts()
    said, _ = run(changed)
    assert counts()[:2] == before[:2]
    group = Group.objects.get(public_id=EXAMPLE_SERVICE)
    assert group.name == "Group Counselling"
    states = list(Revision.objects.filter(group=group).values_list("state", flat=True))
    assert states == ["withdrawn", "pending"]
    assert "1 updated" in said


def test_a_published_listing_keeps_what_the_public_sees_until_approval(client, tmp_path):
    source = small(tmp_path / "v1")
    run(source)
    approve_everything()
    group = Group.objects.get(name_en="Rouwgroep Gent")
    services = json.loads((source / "services.json").read_text())
    services[0]["name"] = "Rouwgroep Gent-Centrum"
    (source / "services.json").write_text(json.dumps(services))
    run(source)
    group.refresh_from_db()
    assert group.status == Status.PUBLISHED and group.name_en == "Rouwgroep Gent"
    pending = Revision.objects.get(group=group, state="pending")
    assert pending.data["name_en"] == "Rouwgroep Gent-Centrum"
    said, _ = run(source)
    assert "2 unchanged" in said
    assert Revision.objects.get(group=group, state="pending") == pending


def test_an_organisers_own_pending_change_is_not_overwritten(tmp_path):
    source = small(tmp_path / "v1")
    run(source)
    group = Group.objects.get(name_en="Rouwgroep Gent")
    organiser = make_organiser(group.organisation)
    mine = proposals.submit(group, {**listing.data_of(group), "name_en": "Mijn naam"}, organiser)
    services = json.loads((source / "services.json").read_text())
    services[0]["description"] = "Nieuwe tekst"
    (source / "services.json").write_text(json.dumps(services))
    _, said = run(source)
    assert "its organiser's own change is waiting for review" in said
    mine.refresh_from_db()
    assert mine.state == Revision.State.PENDING


def test_an_approved_import_is_found_by_search_without_reindexing(tmp_path):
    from healingtogether.search.engine import SearchParams
    from healingtogether.search.engine import run as search

    run(small(tmp_path / "d", service={"name": "Rouwgroep Zonnewende"}))
    approve_everything()
    group = Group.objects.get(name_en="Rouwgroep Zonnewende")
    assert group.status == Status.PUBLISHED
    assert [g.pk for g in search(SearchParams(q="zonnewende")).groups] == [group.pk]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_a_record_naming_our_public_id_leaves_an_organisers_hidden_group_alone(tmp_path, status):
    organisation = make_organisation()
    group = make_group(organisation=organisation, status=status, name_fr="Notre brouillon")
    source = small(tmp_path / "d", service={"id": str(group.public_id), "name": "Taken over"})
    _, said = run(source)
    assert "not public" in said
    group.refresh_from_db()
    assert (group.name_fr, group.name_en, group.status) == ("Notre brouillon", "", status)
    assert not group.revisions.exists()


# Mapping


def test_terms_map_to_our_topics_by_name_in_any_language(tmp_path):
    term_ids = ids(2)
    source = small(
        tmp_path / "d",
        taxonomy_term=[
            {"id": term_ids[0], "name": "Deuil", "description": ""},
            {"id": term_ids[1], "name": "Gardening", "description": ""},
        ],
    )
    service_id = json.loads((source / "services.json").read_text())[0]["id"]
    attributes = [
        {"id": i, "link_id": service_id, "taxonomy_term_id": t}
        for i, t in zip(ids(2), term_ids, strict=True)
    ]
    (source / "attributes.json").write_text(json.dumps(attributes))
    run(source)
    group = Group.objects.get(name_en="Rouwgroep Gent")
    assert [t.slug for t in group.topics.all()] == ["grief"]
    flags = Revision.objects.get(group=group).flags
    assert "Term without a match in our taxonomy: Gardening" in flags


def test_a_belgian_address_gets_its_postcodes_point(tmp_path):
    location_id, link_id, address_id = ids(3)
    source = small(
        tmp_path / "d",
        location=[{"id": location_id, "location_type": "physical", "name": "Wijkcentrum"}],
        address=[
            {
                "id": address_id,
                "location_id": location_id,
                "address_1": "Veldstraat 1",
                "city": "Gent",
                "state_province": "Oost-Vlaanderen",
                "postal_code": "9000",
                "country": "BE",
                "address_type": "physical",
            }
        ],
    )
    service_id = json.loads((source / "services.json").read_text())[0]["id"]
    link = [{"id": link_id, "service_id": service_id, "location_id": location_id}]
    (source / "service_at_locations.json").write_text(json.dumps(link))
    run(source)
    location = Group.objects.get(name_en="Rouwgroep Gent").locations.get()
    assert (location.address, location.postcode, location.municipality.name_nl) == (
        "Veldstraat 1",
        "9000",
        "Gent",
    )
    assert location.latitude == pytest.approx(51.05, abs=0.05)
    assert not any(
        "Belgium" in f for f in Revision.objects.get(group__name_en="Rouwgroep Gent").flags
    )


def test_the_language_option_says_which_column_texts_go_to(tmp_path):
    run(small(tmp_path / "d"), "--language", "nl")
    group = Group.objects.get(name_nl="Rouwgroep Gent")
    assert group.name_en == ""


def test_services_nested_as_the_hsds_api_serves_them_import_too(client, rich_group, tmp_path):
    page = client.get(
        "/api/hsds/services",
        {"full": "true", "organization_id": rich_group.organisation.public_id, "lang": "fr"},
    )
    path = tmp_path / "page.json"
    path.write_bytes(page.content)
    empty_directory()
    run(path, "--language", "fr")
    group = Group.objects.get(public_id=rich_group.public_id)
    assert group.name_fr == "Groupe deuil Namur"
    assert group.schedules.get().byday == "2TU"
    assert group.locations.get().postcode == "5000"
    assert group.organisation.name_fr == "Cercle namurois"


def test_a_dry_run_writes_nothing():
    before = counts()
    said, _ = run(EXAMPLE, "--dry-run")
    assert counts() == before
    assert "ready to import" in said


# Bad files


def test_a_partly_invalid_file_names_each_bad_record_and_field_and_changes_nothing(tmp_path):
    broken = tmp_path / "csv"
    shutil.copytree(EXAMPLE, broken)
    services = (broken / "services.csv").read_text().splitlines()
    good = services[1]
    bad = good.replace(
        "ac148810-d857-441c-9679-408f346de14b", "bbbbbbbb-d857-441c-9679-408f346de14b"
    )
    bad = bad.replace(",12,100,", ",twelve,100,").replace(
        ",email@example.com,active,", ",not-an-email,active,"
    )
    (broken / "services.csv").write_text("\n".join([services[0], good, bad]) + "\n")
    schedules = (
        (broken / "schedules.csv").read_text().replace("10:00:00,18:00:00", "18:00:00,10:00:00")
    )
    (broken / "schedules.csv").write_text(schedules)
    before = counts()
    said = failing(broken)
    assert counts() == before
    assert "services.csv row 3: minimum_age:" in said
    assert "services.csv row 3: email: “not-an-email” is not an email address." in said
    assert "schedules.csv row 2: closes_at: The end time must be after the start time." in said
    assert "services.csv row 2" not in said
    assert "nothing was imported" in said


def test_invalid_json_is_named_with_its_line(tmp_path):
    (tmp_path / "services.json").write_text('[{"id": "x",\n "name": }]')
    said = failing(tmp_path)
    assert "services.json is not valid JSON (line 2" in said


def test_a_service_without_a_known_organisation_is_refused(tmp_path):
    source = small(tmp_path / "d", service={"organization_id": str(uuid.uuid4())})
    (source / "organizations.json").unlink()
    said = failing(source)
    assert "services.json[0]: organization_id: No organisation with id" in said
    assert not Group.objects.filter(name_en="Rouwgroep Gent").exists()


def test_a_schema_violation_names_the_field(tmp_path):
    source = small(tmp_path / "d", service={"status": "open", "minimum_age": "18"})
    said = failing(source)
    assert "services.json[0]: status: 'open' is not one of" in said
    assert "services.json[0]: minimum_age: '18' is not of type 'number'" in said


def test_a_folder_without_hsds_files_is_refused(tmp_path):
    assert "holds no HSDS files" in failing(tmp_path)


# Round trip


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_import_export_gives_the_same_data(rich_group, tmp_path, form):
    online = make_group(
        name_nl="Online praatgroep",
        organisation=make_organisation(slug="praten-asbl", name_fr="Praten asbl"),
        format=Group.Format.ONLINE,
        cost=Group.Cost.FREE,
    )
    empty_directory(keep=[rich_group, online])
    call_command("export_hsds", str(tmp_path / "first"), "--language", "fr", stdout=io.StringIO())
    empty_directory()
    run(tmp_path / "first" / ("csv" if form == "csv" else ""))
    approve_everything()
    call_command("export_hsds", str(tmp_path / "second"), "--language", "fr", stdout=io.StringIO())
    for name in spec.JSON_FILES.values():
        first, second = (_records(tmp_path / run_ / name) for run_ in ("first", "second"))
        assert first == second, name
    assert Group.objects.listed().count() == 2


def _records(path) -> list[dict]:
    if not path.exists():
        return []
    rows = json.loads(path.read_text())
    return sorted(
        ({k: v for k, v in r.items() if k not in MOMENTS} for r in rows), key=lambda r: r["id"]
    )


# The supplier's datapackage.json names the files to read: only files inside its folder.

SECRET = "TOP-SECRET-LINE-FROM-ANOTHER-FILE"


def package_reading(tmp_path, path_of) -> str:
    """A copy of the example package whose services resource points at `path_of(outside)`,
    where `outside` is a CSV file beside the package holding a line that is not the dataset's."""
    outside = tmp_path / "outside.csv"
    outside.write_text(f"id,organization_id,name,status,minimum_age\nx,y,z,active,{SECRET}\n")
    package = tmp_path / "package"
    shutil.copytree(EXAMPLE, package)
    descriptor = json.loads((package / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] == "service":
            resource["path"] = path_of(outside, package)
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    return package


def _link(outside, package):
    (package / "linked.csv").symlink_to(outside)
    return "linked.csv"


@pytest.mark.parametrize(
    "path_of",
    [
        pytest.param(lambda outside, package: str(outside), id="absolute"),
        pytest.param(lambda outside, package: "../outside.csv", id="parent"),
        pytest.param(lambda outside, package: "csv/../../outside.csv", id="parent-inside"),
        pytest.param(_link, id="link"),
        pytest.param(lambda outside, package: ".", id="folder"),
    ],
)
def test_a_resource_path_outside_the_dataset_is_refused_unread(tmp_path, path_of):
    package = package_reading(tmp_path, path_of)
    before = counts()
    said = failing(package)
    assert counts() == before
    assert "datapackage.json: path:" in said
    assert "is not a file inside the dataset's folder: it was not read." in said
    assert SECRET not in said
    assert "nothing was imported" in said
