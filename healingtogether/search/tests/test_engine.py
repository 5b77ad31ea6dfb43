import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import time_machine
from django.utils import timezone

from healingtogether.directory.models import STALE_AFTER, Group, Topic
from healingtogether.lib.geo import distance_km
from healingtogether.places.models import PostalCode
from healingtogether.search import engine, snapshot
from healingtogether.test import make_group, make_location, make_schedule

BRUSSELS = ZoneInfo("Europe/Brussels")

pytestmark = pytest.mark.django_db


def search(**data):
    return engine.run(engine.parse(data))


@pytest.fixture
def namur():
    point = PostalCode.objects.get(code="5000")
    return point.latitude, point.longitude


@pytest.fixture
def around_namur(namur):
    """Groups at known places around postcode 5000's point, and one online."""
    lat, lon = namur
    groups = {}
    for slug, (dlat, dlon), fmt in [
        ("here", (0.0, 0.0), "in_person"),
        ("ten-km-north", (0.0899, 0.0), "hybrid"),
        ("twenty-km-east", (0.0, 0.2824), "in_person"),
        ("fifty-km-west", (0.0, -0.706), "in_person"),
    ]:
        group = make_group(slug=slug, format=fmt)
        make_location(group, latitude=lat + dlat, longitude=lon + dlon)
        groups[slug] = group
    groups["online"] = make_group(slug="online", format="online")
    return groups


def _slugs(results):
    return [g.slug for g in results.groups]


@pytest.mark.usefixtures("without_real_groups")
def test_near_lists_groups_within_the_radius_nearest_first(around_namur):
    results = search(near="5000", radius_km=25)
    assert _slugs(results) == ["here", "ten-km-north", "twenty-km-east"]
    assert results.count == 3


def test_distances_are_measured_from_the_postcode(around_namur, namur):
    results = search(near="5000", radius_km=25)
    for group in results.groups:
        location = group.locations.get()
        expected = distance_km(*namur, location.latitude, location.longitude)
        assert results.distances[group.pk] == pytest.approx(expected, abs=0.06)
    assert results.distances[around_namur["ten-km-north"].pk] == pytest.approx(10.0, abs=0.1)


@pytest.mark.usefixtures("without_real_groups")
def test_online_groups_are_listed_apart(around_namur):
    results = search(near="5000", radius_km=25)
    assert "online" not in _slugs(results)
    assert [g.slug for g in results.online] == ["online"]


def test_without_near_every_matching_group_is_listed_online_included(around_namur):
    slugs = set(Group.objects.filter(slug__in=around_namur.keys()).values_list("pk", flat=True))
    results = search(page_size=100)
    assert slugs <= {g.pk for g in results.groups} | set(
        Group.objects.listed().values_list("pk", flat=True)
    )
    assert results.online is None
    assert results.count == Group.objects.listed().count()


@pytest.mark.usefixtures("without_real_groups")
def test_a_municipality_name_in_any_language_works_like_its_postcode(around_namur):
    by_name = search(near="Namen", radius_km=60)
    by_french_name = search(near="namur", radius_km=60)
    assert _slugs(by_name) == _slugs(by_french_name)
    assert "fifty-km-west" in _slugs(by_name)


@pytest.mark.usefixtures("without_real_groups")
def test_no_group_inside_the_radius_is_missed():
    # Scatter groups around Brussels and compare with an exact count done here.
    rng = random.Random(7)
    centre = PostalCode.objects.get(code="1000")
    points = []
    for n in range(150):
        lat = centre.latitude + rng.uniform(-0.5, 0.5)
        lon = centre.longitude + rng.uniform(-0.8, 0.8)
        group = make_group(slug=f"scattered-{n}", format="in_person")
        make_location(group, latitude=lat, longitude=lon)
        points.append((group.slug, distance_km(centre.latitude, centre.longitude, lat, lon)))
    for radius in (5, 12, 25, 40):
        expected = sorted((d, s) for s, d in points if d <= radius)
        results = search(near="1000", radius_km=radius, page_size=100)
        assert [g.slug for g in results.groups] == [s for _d, s in expected]


@pytest.mark.usefixtures("without_real_groups")
def test_groups_added_by_a_delta_are_found_near_every_place_as_by_a_rebuild():
    """A search near a place looks only at the locations whose latitude can be close enough
    (Snapshot.closeness), in a list a delta keeps in order, and what it finds is kept with the
    snapshot (Snapshot.near): groups added after the same searches were made, some meeting in
    two places, north and south of the others, are all found within each radius, none outside,
    nearest first."""
    rng = random.Random(11)
    centre = PostalCode.objects.get(code="1000")
    nearest = {}

    def scatter(prefix, count):
        for n in range(count):
            group = make_group(slug=f"{prefix}-{n}", format="in_person")
            for _ in range(1 + n % 2):
                lat = centre.latitude + rng.uniform(-0.6, 0.6)
                lon = centre.longitude + rng.uniform(-0.8, 0.8)
                make_location(group, latitude=lat, longitude=lon)
                km = distance_km(centre.latitude, centre.longitude, lat, lon)
                nearest[group.slug] = min(km, nearest.get(group.slug, km))

    radii = (3, 12, 25, 40)
    scatter("before", 60)
    for radius in radii:  # the snapshot is made with these, and keeps what it found near
        search(near="1000", radius_km=radius)
    builds = snapshot.builds
    scatter("after", 60)
    for radius in radii:
        expected = sorted((km, slug) for slug, km in nearest.items() if km <= radius)
        results = search(near="1000", radius_km=radius, page_size=100)
        assert [g.slug for g in results.groups] == [slug for _km, slug in expected]
    assert snapshot.builds == builds  # the later groups came by a delta


# Many results and few: the snapshot counts them in two ways (Snapshot.counts_all).
@pytest.mark.parametrize("q, many", [("grief", True), ("fibromyalgie", False)])
def test_each_facet_count_is_the_count_you_get_by_choosing_it(around_namur, q, many):
    grief = Topic.objects.get(slug="grief")
    make_group(slug="grief-peer", topics=[grief], facilitation="peer", cost="free")
    make_group(slug="grief-pro", topics=[grief], facilitation="professional", cost="paid")
    results = search(q=q)
    assert results.facets["topic"] and results.facets["language"]
    assert (results.count * snapshot.BITSETS_OVER > snapshot.current().size) is many
    for name, values in results.facets.items():
        for item in values:
            chosen = search(q=q, **{name: item["value"]})
            assert chosen.count == item["count"], (name, item)


@pytest.mark.usefixtures("without_real_groups")
def test_facets_are_counted_with_the_other_filters_applied(around_namur):
    results = search(near="5000", radius_km=25, format=["hybrid"])
    assert results.count == 1
    formats = {item["value"]: item["count"] for item in results.facets["format"]}
    # The format facet ignores its own choice, so the person can widen it again.
    assert formats == {"in_person": 2, "hybrid": 1}


@pytest.mark.usefixtures("without_real_groups")
def test_a_page_past_the_last_is_empty(around_namur):
    results = search(near="5000", page=50)
    assert results.groups == []
    assert results.count == 3


@pytest.mark.parametrize(
    "data, field",
    [
        ({"near": "ZZZZ"}, "near"),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 201}, "radius_km"),
        ({"page_size": 101}, "page_size"),
        ({"topic": ["no-such-topic"]}, "topic"),
        ({"kind": ["spaceship"]}, "kind"),
        ({"region": "atlantis"}, "region"),
        ({"province": "12345"}, "province"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_values_are_named(data, field):
    with pytest.raises(engine.SearchError) as error:
        search(**data)
    assert field in error.value.errors


@pytest.mark.usefixtures("without_real_groups")
def test_sort_by_next_session_puts_the_soonest_first():
    with time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=BRUSSELS), tick=False):
        # Wednesday 4 March: Thursday's group meets before Friday's, Tuesday's last.
        for slug, day in [("friday", "FR"), ("thursday", "TH"), ("tuesday", "TU")]:
            make_schedule(make_group(slug=slug, name_fr=f"Cercle {slug}"), byday=day)
        Group.objects.filter(slug__in=["friday", "thursday", "tuesday"]).refresh_next_sessions()
        results = search(q="cercle", sort="next_session")
    assert _slugs(results) == ["thursday", "friday", "tuesday"]


@pytest.mark.usefixtures("without_real_groups")
def test_a_query_ranks_groups_by_how_many_of_its_words_they_match():
    # One word nobody wrote ("zwkrqt") no longer empties the results: the group with both other
    # words comes first, then the one with one. Little words ("et", "le") do not count.
    make_group(slug="one-word", name_fr="Atelier du lundi", description_fr="On y fait du tricot.")
    make_group(
        slug="two-words",
        name_fr="Atelier du mardi",
        description_fr="Tricot et jardinage, entre voisins.",
    )
    make_group(slug="no-word", name_fr="Atelier du jeudi", description_fr="Se retrouver.")
    results = search(q="le tricot et jardinage zwkrqt", semantic="off")
    assert _slugs(results) == ["two-words", "one-word"]
    assert results.count == 2


@pytest.mark.usefixtures("without_real_groups")
def test_a_group_with_every_word_ranks_above_one_with_some_even_if_stale():
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        make_group(slug="every-word", description_fr="Tricot, jardinage et poterie.")
    make_group(slug="some-words", description_fr="Tricot et poterie.")
    results = search(q="tricot jardinage poterie", semantic="off")
    assert _slugs(results) == ["every-word", "some-words"]


@pytest.mark.usefixtures("without_real_groups")
def test_a_kept_search_ranks_a_listing_lower_from_the_second_it_turns_stale(namur):
    """A search asked again is answered from what the first worked out (engine.run keeps it
    with the snapshot): still, a listing that turns stale in the meantime drops below the
    fresh ones at once, as its card starts saying "may be out of date"."""
    lat, lon = namur
    # In UTC: 180 days before noon in Brussels, in summer time, is not noon there.
    noon = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
    with time_machine.travel(noon - STALE_AFTER + timedelta(minutes=1), tick=False):
        make_location(make_group(slug="nearer-soon-stale"), latitude=lat, longitude=lon)
    with time_machine.travel(noon - timedelta(days=1), tick=False):
        make_location(make_group(slug="farther-fresh"), latitude=lat + 0.0899, longitude=lon)
    with time_machine.travel(noon, tick=False):
        assert _slugs(search(near="5000")) == ["nearer-soon-stale", "farther-fresh"]
    with time_machine.travel(noon + timedelta(seconds=59), tick=False):
        assert _slugs(search(near="5000")) == ["nearer-soon-stale", "farther-fresh"]
    with time_machine.travel(noon + timedelta(minutes=1, seconds=1), tick=False):
        results = search(near="5000")
        assert _slugs(results) == ["farther-fresh", "nearer-soon-stale"]
        assert results.groups[1].is_stale
        # Sorted by distance, staleness does not count: the nearer one stays first.
        assert _slugs(search(near="5000", sort="distance"))[0] == "nearer-soon-stale"


@pytest.mark.parametrize("needed", [1, 20, 60, 2999, 3000, 4000])
def test_a_page_of_fused_results_is_the_first_of_a_sort_on_every_key(needed):
    """A page of results with meaning is chosen without sorting every row (_first_fused): it
    must be exactly the first `needed` of a sort by name, freshness and distance, then the fused
    score (highest first), then the default order, with ties in each."""
    rng = np.random.default_rng(3)
    rows = rng.permutation(9000)[:3000]
    key = rng.choice([0, 1 << 21, 5 << 21, 1 << 42], size=3000).astype(np.int64)
    score = rng.choice([0.0, 1 / 61, 1 / 62, 1 / 61 + 1 / 70], size=3000)
    default = rng.permutation(3000).astype(np.int64)
    expected = rows[np.lexsort([default, -score, key])][:needed]
    assert engine._first_fused(rows, key, score, default, needed).tolist() == expected.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fusion_orders_equal_scores_in_the_default_order(dtype):
    """Meaning's scores and the fused ones repeat (every group without a vector scores 0): the
    order a search shows must then be the default order, exactly as a sort on both keys."""
    rng = np.random.default_rng(7)
    default = rng.permutation(5000)[:3000].astype(np.int64)
    values = rng.choice([0.0, -0.0, 0.25, 0.5, 0.75], size=3000).astype(dtype)
    values[:1000] = rng.random(1000)  # and some that differ
    expected = np.lexsort([default, -values])
    by_default = np.argsort(default)
    assert engine._highest_first(values, default, by_default).tolist() == expected.tolist()
    # With more distinct values than a run number's 16 bits hold, the other way.
    many = rng.permutation(200_000)[:70_000].astype(np.int64)
    spread = rng.integers(0, 68_000, size=70_000).astype(dtype)
    expected = np.lexsort([many, -spread])
    assert engine._highest_first(spread, many, np.argsort(many)).tolist() == expected.tolist()
