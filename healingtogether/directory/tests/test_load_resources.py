import json

import pytest
from django.core.management import CommandError, call_command

from healingtogether.directory.loading import DATA_DIR
from healingtogether.directory.models import Group, Organisation, Status

pytestmark = pytest.mark.django_db

RECORDS = json.loads((DATA_DIR / "be-resources.json").read_text())


def test_every_record_becomes_a_group_under_an_organisation_of_the_same_name():
    assert Group.objects.filter(source_key__startswith="be-resources:").count() == len(RECORDS)
    for record in RECORDS:
        group = Group.objects.get(slug=record["id"])
        organisation = group.organisation
        for code, name in record["name"].items():
            assert getattr(group, f"name_{code}") == name
            assert getattr(organisation, f"name_{code}") == name


def test_kinds_follow_the_file():
    kinds = {r["id"]: r["kind"] for r in RECORDS}
    assert Group.objects.get(slug="brumenta").kind == Group.Kind.ADULT_NETWORK
    assert Group.objects.get(slug="zelfmoordlijn-1813").kind == Group.Kind.HELPLINE
    assert Group.objects.filter(kind=Group.Kind.YOUTH_NETWORK).count() == sum(
        1 for k in kinds.values() if k == "youth_network"
    )


def test_low_confidence_records_wait_for_a_moderator():
    low = {r["id"] for r in RECORDS if r["confidence"] == "low"}
    assert low
    resources = Group.objects.filter(source_key__startswith="be-resources:")
    assert set(resources.filter(status=Status.PENDING).values_list("slug", flat=True)) == low
    assert not Group.objects.listed().filter(slug__in=low).exists()


def test_facts_are_copied_and_missing_ones_stay_empty():
    line = Group.objects.get(slug="zelfmoordlijn-1813")
    assert line.phone == "1813"
    brumenta = Group.objects.get(slug="brumenta")
    assert brumenta.website == "" and brumenta.phone == ""
    assert brumenta.sources == next(r["sources"] for r in RECORDS if r["id"] == "brumenta")


def test_every_summary_exists_in_four_languages():
    for group in Group.objects.filter(source_key__startswith="be-resources:"):
        assert all(getattr(group, f"description_{c}") for c in ("en", "fr", "nl", "de")), group.slug


def test_networks_get_their_service_area():
    brumenta = Group.objects.get(slug="brumenta")
    assert brumenta.service_area.count() == 19
    walloon_brabant = Group.objects.get(slug="reseau-107-brabant-wallon")
    codes = set(walloon_brabant.service_area.values_list("code", flat=True))
    assert "25072" in codes or len(codes) > 20  # the whole province of Walloon Brabant
    assert all(c.startswith("25") for c in codes)


def test_topics_and_audiences_are_mapped_to_our_taxonomy():
    line = Group.objects.get(slug="zelfmoordlijn-1813")
    assert "suicidal_thoughts" in set(line.topics.values_list("slug", flat=True))
    youth = Group.objects.filter(kind=Group.Kind.YOUTH_NETWORK).first()
    assert {"children", "adolescents"} <= set(youth.audiences.values_list("slug", flat=True))


def test_a_second_run_doubles_nothing():
    before = (Group.objects.count(), Organisation.objects.count())
    call_command("load_resources", verbosity=0)
    assert (Group.objects.count(), Organisation.objects.count()) == before


def test_a_reload_keeps_a_moderators_decision():
    Group.objects.filter(slug="kalima").update(status=Status.PUBLISHED)
    call_command("load_resources", verbosity=0)
    assert Group.objects.get(slug="kalima").status == Status.PUBLISHED


def _write(tmp_path, records):
    path = tmp_path / "resources.json"
    path.write_text(json.dumps(records))
    return path


def test_a_malformed_record_is_named_and_nothing_changes(tmp_path):
    records = json.loads(json.dumps(RECORDS))
    records[0]["phone"] = "0800 00 000"  # a valid change that must not be applied...
    records[5]["website"] = "javascript:alert(1)"  # ...because of this bad record
    before = Group.objects.get(slug=records[0]["id"]).phone
    with pytest.raises(CommandError) as error:
        call_command("load_resources", file=_write(tmp_path, records), verbosity=0)
    assert f"record 5 ({records[5]['id']}): website" in str(error.value)
    assert Group.objects.get(slug=records[0]["id"]).phone == before


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("kind", "spaceship", "kind"),
        ("name", {}, "name"),
        ("topics", ["not_a_topic"], "topics"),
        (
            "area",
            {"provinces": ["99999"], "arrondissements": [], "municipalities": []},
            "area.provinces",
        ),
        ("confidence", "certain", "confidence"),
        ("email", "not an address", "email"),
    ],
)
def test_each_kind_of_problem_is_reported(tmp_path, field, value, message):
    records = json.loads(json.dumps(RECORDS))
    records[2][field] = value
    with pytest.raises(CommandError) as error:
        call_command("load_resources", file=_write(tmp_path, records), verbosity=0)
    assert f"record 2 ({records[2]['id']}): {message}" in str(error.value)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_resources", file=path, verbosity=0)


def test_a_duplicate_id_is_refused(tmp_path):
    records = [*RECORDS, RECORDS[0]]
    with pytest.raises(CommandError, match="id: appears twice"):
        call_command("load_resources", file=_write(tmp_path, records), verbosity=0)
