"""The real groups of data/be-groups.json, as conftest.py loads them into every test database."""

import io
import json
from collections import Counter
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from healingtogether.directory import listing
from healingtogether.directory.loading import DATA_DIR
from healingtogether.directory.models import BRUSSELS, Group, Location, Organisation, Status
from healingtogether.places.models import Municipality

pytestmark = pytest.mark.django_db

RECORDS = json.loads((DATA_DIR / "be-groups.json").read_text())
BY_ID = {r["id"]: r for r in RECORDS}


def _load(**options) -> str:
    out = io.StringIO()
    call_command("load_groups", stdout=out, **options)
    return out.getvalue()


def _write(tmp_path, records):
    path = tmp_path / "groups.json"
    path.write_text(json.dumps(records))
    return path


def test_every_record_is_a_group_published_unless_our_team_was_unsure():
    groups = Group.objects.filter(source_key__startswith="be-groups:")
    assert groups.count() == len(RECORDS) == 309
    confidence = Counter(r["confidence"] for r in RECORDS)
    assert confidence == {"high": 50, "medium": 124, "low": 135}
    assert groups.listed().count() == confidence["high"] + confidence["medium"]
    assert groups.filter(status=Status.PENDING).count() == confidence["low"]
    assert set(groups.filter(status=Status.PENDING).values_list("confidence", flat=True)) == {"low"}
    # What people can find today: every published record, since its check is recent.
    assert groups.searchable().count() == 174


def test_names_stay_as_written_and_summaries_and_schedules_exist_in_four_languages():
    group = Group.objects.get(source_key="be-groups:aa-bastogne")
    assert group.name_fr == "Alcooliques Anonymes – section de Bastogne"
    assert group.name_nl == group.name_en == ""
    assert group.hours_nl.startswith("Een- tot tweemaal per week")
    assert not group.schedules.exists()  # the schedule is text, never turned into dates
    for group in Group.objects.filter(source_key__startswith="be-groups:"):
        record = BY_ID[group.slug]
        assert all(getattr(group, f"description_{c}") for c in ("en", "fr", "nl", "de"))
        assert bool(group.hours_de) == (record["schedule"] is not None), group.slug


def test_groups_of_an_organisation_listed_by_be_resources_belong_to_it():
    for slug, organisation in [
        ("aa-bastogne", "be-resources:alcooliques-anonymes-belgique-francophone"),
        ("aa-groep-saam-gent", "be-resources:anonieme-alcoholisten-vlaanderen"),
        ("al-anon-alateen-belgique-francophone", "be-resources:al-anon-belgique"),
        ("similes-bruxelles-groupe-parole-jette", "be-resources:similes-bruxelles"),
        ("similes-wallonie-groupe-parole-liege", "be-resources:similes-wallonie"),
        ("similes-cafe-p-sint-niklaas", "be-resources:similes-vzw"),
    ]:
        assert Group.objects.get(slug=slug).organisation.source_key == organisation, slug


def test_one_organisation_per_organiser_across_records():
    funambule = Group.objects.get(slug="funambule-groupe-parole-liege").organisation
    assert funambule.source_key.startswith("be-groups:org:")
    assert funambule.approved_at is not None  # our own data, so its groups can be published
    named = [r for r in RECORDS if r["organisation"]["name"] == "Le Funambule ASBL"]
    assert len(named) > 1
    assert {g.organisation for g in Group.objects.filter(slug__in=[r["id"] for r in named])} == {
        funambule
    }
    # Three spellings of one organisation, on one website.
    luxembourg = Group.objects.filter(
        source_key__in=[
            f"be-groups:{r['id']}"
            for r in RECORDS
            if "lgbt-lux.be" in (r["organisation"]["website"] or "")
        ]
    )
    assert luxembourg.count() >= 3
    assert luxembourg.values("organisation").distinct().count() == 1


def test_a_place_known_only_by_its_municipality_is_its_centre_marked_approximate():
    record = next(
        r for r in RECORDS if len(r["locations"]) == 1 and r["locations"][0]["postcode"] is None
    )
    where = record["locations"][0]
    location = Group.objects.get(slug=record["id"]).locations.get()
    centre = Municipality.objects.get(code=where["municipality"])
    assert location.approximate
    assert location.municipality == centre
    assert (location.latitude, location.longitude) == (centre.latitude, centre.longitude)
    assert location.postcode == ""

    precise = Group.objects.get(slug="aa-bastogne").locations.get()
    assert not precise.approximate and precise.postcode == "6600"
    assert precise.municipality.code == "82039"
    counted = sum(1 for r in RECORDS for loc in r["locations"] if loc["postcode"] is None)
    assert (
        Location.objects.filter(
            group__source_key__startswith="be-groups:", approximate=True
        ).count()
        == counted
    )


def test_an_organisers_edit_keeps_the_approximate_place():
    record = next(r for r in RECORDS if r["locations"] and r["locations"][0]["postcode"] is None)
    group = Group.objects.get(slug=record["id"])
    data = listing.data_of(group)
    data["phone"] = "02 123 45 67"
    listing.save(group, data)
    location = group.locations.get()
    assert (
        location.approximate and location.municipality_id == record["locations"][0]["municipality"]
    )


def test_an_area_becomes_the_service_area_and_its_region_the_coverage():
    record = next(r for r in RECORDS if r["area"] == {"regions": ["brussels"]})
    group = Group.objects.get(slug=record["id"])
    assert group.service_area.count() == 19
    assert group.coverage == "brussels"
    assert Group.objects.get(slug="aa-bastogne").coverage == "wallonia"


def test_loading_is_not_confirming():
    compiled = Group.objects.filter(source_key__startswith="be-groups:")
    assert not compiled.filter(confirmed_at__isnull=False).exists()
    group = compiled.get(slug="aa-bastogne")
    assert group.is_compiled
    assert group.checked_on.isoformat() == "2026-12-06"
    assert group.fresh_at == datetime(2026, 12, 6, tzinfo=BRUSSELS)  # freshness counts from it
    assert group.evidence == BY_ID["aa-bastogne"]["evidence"]
    assert group.sources == BY_ID["aa-bastogne"]["sources"]
    assert group.confidence == "low"


def test_the_resources_are_compiled_too_and_the_crisis_lines_stay_searchable():
    resources = Group.objects.filter(source_key__startswith="be-resources:")
    assert not resources.filter(confirmed_at__isnull=False).exists()
    assert not resources.filter(checked_on__isnull=True).exists()
    lines = resources.helplines().listed()
    assert lines.exists()
    assert set(lines.searchable()) == set(lines)
    assert not any(line.is_stale for line in lines)


def test_a_date_of_the_sources_is_kept_as_precise_as_the_page_gave_it():
    month = next(r for r in RECORDS if r["source_date"] and len(r["source_date"]) == 7)
    group = Group.objects.get(slug=month["id"])
    assert group.source_date_precision == "month"
    assert group.source_date.isoformat() == month["source_date"] + "-01"
    assert group.source_date_text.endswith(month["source_date"][:4])
    assert str(group.source_date.day) not in group.source_date_text.split()[0]
    year = next(r for r in RECORDS if r["source_date"] and len(r["source_date"]) == 4)
    assert Group.objects.get(slug=year["id"]).source_date_text == year["source_date"]


def test_a_second_run_changes_nothing():
    before = (Group.objects.count(), Organisation.objects.count(), Location.objects.count())
    assert "0 created, 0 updated, 309 unchanged, 0 kept" in _load()
    assert (Group.objects.count(), Organisation.objects.count(), Location.objects.count()) == before


def test_a_rerun_applies_the_file_but_keeps_what_a_moderator_changed(tmp_path):
    edited = Group.objects.get(slug="aa-bastogne")
    data = listing.data_of(edited)
    data["phone"] = "087 00 00 00"  # a moderator's correction in the admin
    listing.save(edited, data)
    records = json.loads(json.dumps(RECORDS))
    for record in records:
        if record["id"] in ("aa-bastogne", "aa-ciplet-braives"):
            record["phone"] = "078 99 99 99"  # the file changes both
    output = _load(file=_write(tmp_path, records))
    assert "0 created, 1 updated, 307 unchanged, 1 kept" in output
    assert Group.objects.get(slug="aa-bastogne").phone == "087 00 00 00"
    assert Group.objects.get(slug="aa-ciplet-braives").phone == "078 99 99 99"


def test_a_confirmed_or_published_group_keeps_its_state():
    pending = Group.objects.filter(source_key__startswith="be-groups:", status=Status.PENDING)
    checked = pending.first()
    listing.set_status(Group.objects.filter(pk=checked.pk), Status.PUBLISHED)
    confirmed = Group.objects.get(slug="aa-groep-saam-gent")
    listing.update(Group.objects.filter(pk=confirmed.pk), confirmed_at=confirmed.created_at)
    # Publishing is a moderator's decision the loader leaves alone; a confirmation keeps it all.
    assert "1 kept" in _load()
    assert Group.objects.get(pk=checked.pk).status == Status.PUBLISHED
    assert Group.objects.get(pk=confirmed.pk).confirmed_at is not None


def test_a_malformed_file_changes_nothing_and_names_each_problem(tmp_path):
    records = json.loads(json.dumps(RECORDS))
    records[0]["phone"] = "080 00 00 00"  # a valid change that must not be applied...
    records[3]["kind"] = "spaceship"  # ...because of these
    del records[4]["id"]
    records[6]["topics"] = ["grief", "not_a_topic"]
    records[7]["locations"][0]["municipality"] = "99999"
    records[8]["source_date"] = "last spring"
    before = Group.objects.get(slug=records[0]["id"]).phone
    with pytest.raises(CommandError) as error:
        _load(file=_write(tmp_path, records))
    message = str(error.value)
    assert f"record 3 ({records[3]['id']}): kind: must be one of" in message
    assert "record 4: id: missing" in message
    assert f"record 6 ({records[6]['id']}): topics: unknown values ['not_a_topic']" in message
    assert f"record 7 ({records[7]['id']}): locations[0].municipality" in message
    assert f"record 8 ({records[8]['id']}): source_date" in message
    assert Group.objects.get(slug=records[0]["id"]).phone == before


def test_a_missing_translation_is_named(tmp_path):
    translations = json.loads((DATA_DIR / "be-groups.translations.json").read_text())
    del translations[RECORDS[10]["id"]]["summary"]["de"]
    path = tmp_path / "translations.json"
    path.write_text(json.dumps(translations))
    with pytest.raises(CommandError, match=rf"record 10 \({RECORDS[10]['id']}\): translations"):
        _load(translations=path)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{")
    with pytest.raises(CommandError, match="not valid JSON"):
        _load(file=path)
