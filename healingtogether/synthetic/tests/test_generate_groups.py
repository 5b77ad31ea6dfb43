import io
from datetime import time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from healingtogether.directory.listing import listing_changed
from healingtogether.directory.models import Group, Location, Organisation, Schedule
from healingtogether.lib.geo import distance_km
from healingtogether.places.models import PostalCode
from healingtogether.search.models import GroupText
from healingtogether.search.text import matching_ids
from healingtogether.synthetic import generator as synthetic

pytestmark = pytest.mark.django_db

GROUP_KINDS = {"therapy_group", "support_group", "speech_circle", "psychoeducation"}


def generate(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_groups", *(str(a) for a in args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def generated():
    return Group.objects.filter(synthetic=True)


@pytest.fixture
def many():
    """A few hundred groups: enough for every kind, format and region to show up."""
    generate(300, "--seed", 11)
    return generated()


def snapshot(groups):
    rows = []
    for group in groups.order_by("slug").prefetch_related("topics", "locations", "schedules"):
        rows.append(
            (
                group.slug,
                group.public_id,
                group.name_fr,
                group.name_nl,
                group.name_de,
                group.name_en,
                group.description_fr + group.description_nl + group.description_de,
                group.kind,
                group.format,
                group.cost_amount,
                sorted(t.slug for t in group.topics.all()),
                [(x.postcode, x.address, x.latitude) for x in group.locations.all()],
                [(s.byday, s.dtstart, s.opens_at) for s in group.schedules.all()],
            )
        )
    return rows


def test_the_real_data_has_no_synthetic_groups():
    # The test database holds what `make run` loads (places and the real resources): never these.
    assert not generated().exists()
    assert not Organisation.objects.filter(source_key__startswith="synthetic:").exists()


def test_it_creates_exactly_n_published_synthetic_groups():
    generate(120, "--seed", 3)
    groups = generated()
    assert groups.count() == 120
    assert groups.listed().count() == 120
    assert set(groups.values_list("slug", flat=True)) == {f"synthetic-3-{n}" for n in range(1, 121)}
    assert all(
        key.startswith("synthetic:3:") for key in groups.values_list("source_key", flat=True)
    )


def test_about_five_groups_share_an_organisation():
    generate(200, "--seed", 3)
    organisations = Organisation.objects.filter(source_key__startswith="synthetic:3:org:")
    assert 25 <= organisations.count() <= 70
    assert set(organisations.values_list("kind", flat=True)) == {
        "association",
        "private_practice",
        "hospital_service",
    }
    assert not generated().exclude(organisation__in=organisations).exists()


def test_it_reports_progress_on_stderr_and_a_summary_on_stdout():
    out, err = generate(50, "--seed", 4)
    assert "generating groups: 50/50 (100%)" in err
    assert out.startswith("Created 50 synthetic groups (seed 4) under ")


def test_the_same_seed_gives_the_same_groups():
    generate(60, "--seed", 5)
    first = snapshot(generated())
    generate("--delete")
    generate(60, "--seed", 5)
    assert snapshot(generated()) == first


def test_another_seed_gives_other_groups_beside_the_first_ones():
    generate(60, "--seed", 5)
    generate(60, "--seed", 6)
    assert generated().count() == 120
    five = generated().filter(source_key__startswith="synthetic:5:")
    six = generated().filter(source_key__startswith="synthetic:6:")
    assert five.count() == six.count() == 60
    assert [row[2:] for row in snapshot(five)] != [row[2:] for row in snapshot(six)]


def test_a_seed_already_used_is_refused_and_nothing_is_added():
    generate(20, "--seed", 8)
    with pytest.raises(CommandError, match="seed 8 already exist"):
        generate(30, "--seed", 8)
    assert generated().count() == 20


def test_a_failure_before_the_end_leaves_nothing_behind():
    # The search index fails when the run announces its groups, after every chunk was written.
    def index_fails(sender, group_ids, **kwargs):
        raise RuntimeError("disk full")

    listing_changed.connect(index_fails)
    try:
        with pytest.raises(RuntimeError):
            synthetic.generate_groups(60, 9, chunk_size=20)
    finally:
        listing_changed.disconnect(index_fails)
    assert not generated().exists()
    assert not Organisation.objects.filter(source_key__startswith="synthetic:").exists()


def test_a_few_hundred_groups_cover_every_kind_format_cohort_and_cost(many):
    assert set(many.values_list("kind", flat=True)) == GROUP_KINDS
    assert set(many.values_list("format", flat=True)) == {"in_person", "hybrid", "online"}
    assert set(many.values_list("cohort", flat=True)) == {
        "dropin",
        "open",
        "closed",
        "intake",
        "waiting_list",
    }
    assert set(many.values_list("cost", flat=True)) == {"free", "reimbursed", "paid", "donation"}
    online = many.filter(format="online").count()
    assert 0.05 < online / 300 < 0.3


def test_who_leads_a_group_fits_its_kind(many):
    assert not many.filter(kind="support_group", facilitation="professional").exists()
    for kind, usual in [("therapy_group", "professional"), ("speech_circle", "peer")]:
        of_kind = many.filter(kind=kind)
        assert of_kind.filter(facilitation=usual).count() > 0.7 * of_kind.count()


def test_every_group_has_topics_audiences_and_session_languages(many):
    for group in many.prefetch_related("topics", "audiences", "approaches", "session_languages"):
        assert 1 <= len(group.topics.all()) <= 3
        assert 1 <= len(group.audiences.all()) <= 2
        assert 1 <= len(group.session_languages.all()) <= 2
        assert len(group.approaches.all()) <= 2
        assert not {t.slug for t in group.topics.all()} & {"crisis", "first_line_psychology"}


def test_in_person_groups_meet_near_a_real_postcode_inside_belgium(many):
    for group in many.exclude(format="online").prefetch_related("locations__municipality"):
        [location] = group.locations.all()
        postcode = PostalCode.objects.get(code=location.postcode)
        assert 49.4 < location.latitude < 51.6 and 2.5 < location.longitude < 6.5
        distance = distance_km(
            postcode.latitude, postcode.longitude, location.latitude, location.longitude
        )
        assert distance < 2
        assert postcode.municipalities.filter(pk=location.municipality_id).exists()
        assert location.address and location.address[-1].isdigit()
        assert location.x is not None  # the point "near me" searches use


def test_online_groups_have_no_location(many):
    online = many.filter(format="online")
    assert online.exists()
    assert not Location.objects.filter(group__in=online).exists()


def test_names_are_written_in_the_language_of_the_region(many):
    located = many.exclude(format="online").select_related("organisation")
    seen = set()
    for group in located.prefetch_related("locations__municipality"):
        municipality = group.locations.all()[0].municipality
        if municipality.code in synthetic.GERMAN_SPEAKING:
            expected, coverage = "de", "german_speaking"
        else:
            expected, coverage = {
                "02000": ("nl", "flanders"),
                "03000": ("fr", "wallonia"),
                "04000": (None, "brussels"),
            }[municipality.region_id]
        if expected:
            assert getattr(group, f"name_{expected}"), group.slug
            assert getattr(group, f"description_{expected}"), group.slug
        else:
            assert group.name_fr or group.name_nl or group.name_en
        assert group.coverage == coverage
        seen.add(coverage)
    assert {"flanders", "wallonia"} <= seen


def test_a_name_says_what_the_group_is_about_and_where(many):
    group = many.filter(format="in_person", name_fr__startswith="Groupe de parole").first()
    location = group.locations.get()
    assert group.name_fr.endswith(f"– {location.municipality.name_fr}")
    assert any(t.label_fr.lower() in group.name_fr.lower() for t in group.topics.all())


def test_schedules_are_plausible(many):
    today = timezone.localdate()
    schedules = Schedule.objects.filter(group__in=many).select_related("group")
    assert 0.7 < schedules.count() / 300 < 0.95
    for schedule in schedules:
        assert schedule.opens_at < schedule.closes_at
        assert today - timedelta(days=366) <= schedule.dtstart <= today
        assert schedule.until is None or schedule.until > today
        assert schedule.group.evening == (schedule.opens_at >= time(18, 0))
        sessions = schedule.upcoming(1)
        assert schedule.group.next_session_at == (sessions[0] if sessions else None)
    assert not many.filter(schedules=None, evening=True).exists()


def test_cohorts_costs_and_ages_are_consistent(many):
    today = timezone.localdate()
    for group in many.filter(cohort="closed"):
        assert group.next_start > today
    assert not many.filter(cost="paid", cost_amount="").exists()
    assert all(
        "€" in amount for amount in many.filter(cost="paid").values_list("cost_amount", flat=True)
    )
    for age_min, age_max in many.exclude(age_min=None).values_list("age_min", "age_max"):
        assert age_max is None or age_min <= age_max


def test_some_listings_are_stale(many):
    now = timezone.now()
    confirmed = list(many.values_list("confirmed_at", flat=True))
    assert all(now - timedelta(days=401) <= c <= now for c in confirmed)
    assert any(c < now - timedelta(days=365) for c in confirmed)
    assert any(c > now - timedelta(days=30) for c in confirmed)


def test_no_contact_detail_could_reach_a_real_person(many):
    assert not many.exclude(website="").exists()
    assert not many.exclude(phone="").exists()
    emails = [e for e in many.values_list("email", flat=True) if e]
    assert emails and all(e.endswith("@example.org") for e in emails)
    organisations = Organisation.objects.filter(source_key__startswith="synthetic:")
    assert not organisations.exclude(website="", phone="", email="").exists()


def test_generated_groups_are_found_by_text_search_in_any_language(many):
    about_grief = set(
        many.filter(topics__slug__in=["grief", "suicide_bereavement"]).values_list("pk", flat=True)
    )
    assert about_grief
    generated = set(many.values_list("pk", flat=True))
    for word in ("deuil", "rouw", "Trauer", "grief"):
        found, _in_names = matching_ids(word)
        assert set(found) & generated == about_grief, word


def test_delete_removes_every_synthetic_row_and_keeps_the_real_resources():
    real_groups = list(Group.objects.values_list("slug", flat=True))
    before = [m.objects.count() for m in (Group, Organisation, Location, Schedule, GroupText)]
    generate(80, "--seed", 2)
    generate(40, "--seed", 3)
    out, _ = generate("--delete")
    assert out.startswith("Deleted 120 synthetic groups and ")
    after = [m.objects.count() for m in (Group, Organisation, Location, Schedule, GroupText)]
    assert after == before
    assert list(Group.objects.values_list("slug", flat=True)) == real_groups
    assert len(real_groups) == 55 + 309  # be-resources.json and be-groups.json


@pytest.mark.parametrize("count", ["0", "-5", "abc", "2.5", "1000001"])
def test_a_bad_count_is_a_clean_error(count):
    with pytest.raises(CommandError, match="argument N"):
        generate(count)
    assert not generated().exists()


def test_a_missing_count_is_a_clean_error():
    with pytest.raises(CommandError, match="how many groups"):
        generate("--seed", 3)
