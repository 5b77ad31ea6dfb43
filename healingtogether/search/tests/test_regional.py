"""Issue 15, item 1: a place does not hide what covers the whole region. Near a place, the
listings that serve it without meeting near it (a service area that contains it, or all of
Belgium) come in a third block after "near you" and "online", with the same filters."""

from html import unescape

import pytest

from healingtogether.directory import listing
from healingtogether.directory.models import Coverage, Group, Topic
from healingtogether.places.models import find_place
from healingtogether.search import engine, snapshot
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db


def search(**data):
    return engine.run(engine.parse(data))


def codes(place: str) -> list[str]:
    return [m.code for m in find_place(place)[1]]


def slugs(summaries) -> list[str]:
    return [s.slug for s in summaries]


@pytest.fixture
def gent_area():
    """A support group for Gent with no address: it tells people where after they call."""
    return make_group(
        slug="gent-lotgenoten",
        name_fr="Lotgenoten Gent",
        service_area=codes("9000"),
        topics=[Topic.objects.get(slug="grief")],
    )


@pytest.fixture
def everywhere():
    return make_group(
        slug="everywhere-circle", name_fr="Cercle de partout", coverage=Coverage.NATIONAL
    )


def test_a_group_serving_gent_is_regional_near_gent_and_not_near_liege(gent_area):
    near_gent = search(near="9000")
    assert "gent-lotgenoten" in slugs(near_gent.in_region)
    assert "gent-lotgenoten" not in slugs(near_gent.summaries)
    assert "gent-lotgenoten" not in slugs(near_gent.online_summaries)
    assert near_gent.regional_count >= 1
    near_liege = search(near="4000")
    assert "gent-lotgenoten" not in slugs(near_liege.regional_summaries)


def test_a_municipality_name_finds_the_groups_serving_it(gent_area):
    assert "gent-lotgenoten" in slugs(search(near="Gand").in_region)


def test_a_group_covering_belgium_is_there_for_any_place(everywhere):
    for place in ("9000", "4000", "4700", "6700", "1000"):
        results = search(near=place, page_size=100)
        assert "everywhere-circle" in slugs(results.all_over_belgium), place
        assert "everywhere-circle" not in slugs(results.in_region), place


def test_without_a_place_there_is_no_regional_block(gent_area, everywhere):
    results = search()
    assert results.regional_summaries == []
    assert results.regional_count == 0
    assert {"gent-lotgenoten", "everywhere-circle"} <= set(slugs(search(page_size=100).summaries))


def test_the_filters_apply_to_the_regional_block(gent_area, everywhere):
    grief = search(near="9000", topic="grief")
    assert "gent-lotgenoten" in slugs(grief.in_region)
    assert "everywhere-circle" not in slugs(grief.regional_summaries)
    anxiety = search(near="9000", topic="anxiety")
    assert "gent-lotgenoten" not in slugs(anxiety.regional_summaries)
    paid = search(near="9000", cost="paid")
    assert "gent-lotgenoten" not in slugs(paid.regional_summaries)
    # Words too: a search for its name finds it, one for other words does not.
    assert "gent-lotgenoten" in slugs(search(near="9000", q="lotgenoten").in_region)
    assert "gent-lotgenoten" not in slugs(search(near="9000", q="zzzzqqq").regional_summaries)


def test_a_group_near_and_serving_the_place_is_listed_once(gent_area):
    both = make_group(slug="gent-both", name_fr="Gent hier", service_area=codes("9000"))
    make_location(both, postcode="9000", latitude=51.0543, longitude=3.7174)
    results = search(near="9000")
    assert "gent-both" in slugs(results.summaries)
    assert "gent-both" not in slugs(results.regional_summaries)


def test_an_online_group_covering_belgium_stays_in_the_online_block():
    make_group(slug="online-everywhere", format="online", coverage=Coverage.NATIONAL)
    results = search(near="9000")
    assert "online-everywhere" in slugs(results.online_summaries)
    assert "online-everywhere" not in slugs(results.regional_summaries)


def test_a_group_meeting_far_away_but_serving_the_place_is_regional():
    far = make_group(slug="antwerp-for-gent", service_area=codes("9000") + codes("2000"))
    make_location(far, postcode="2000", latitude=51.2194, longitude=4.4025)
    assert "antwerp-for-gent" in slugs(search(near="9000", radius_km=10).in_region)
    wider = search(near="9000", radius_km=100, page_size=100)
    assert "antwerp-for-gent" in slugs(wider.summaries)
    assert "antwerp-for-gent" not in slugs(wider.regional_summaries)


def test_networks_are_left_to_their_own_block(gent_area):
    make_group(slug="gent-network", kind=Group.Kind.ADULT_NETWORK, service_area=codes("9000"))
    assert "gent-network" not in slugs(search(near="9000").regional_summaries)


@pytest.mark.usefixtures("without_real_groups")
def test_the_region_comes_first_then_belgium_and_a_page_at_most(gent_area, everywhere):
    for n in range(4):
        make_group(slug=f"gent-more-{n}", service_area=codes("9000"))
    results = search(near="9000", page_size=3)
    assert len(results.regional_summaries) == 3
    assert results.regional_count > 5  # the four, gent_area, everywhere and the resources
    assert results.all_over_belgium == []
    everything = search(near="9000", page_size=100)
    regional = slugs(everything.regional_summaries)
    assert regional.index("everywhere-circle") > max(
        regional.index(s) for s in ("gent-lotgenoten", *(f"gent-more-{n}" for n in range(4)))
    )
    assert len(regional) == everything.regional_count


def test_the_facets_count_the_results_near_the_place_only(gent_area):
    """Like the online block, the regional block is not counted in the facets: each count is
    how many results near the place choosing it gives."""
    results = search(near="9000")
    assert "gent-lotgenoten" in slugs(results.in_region)
    counted = {v["value"]: v["count"] for v in results.facets["topic"]}
    grief = search(near="9000", topic="grief")
    assert "gent-lotgenoten" in slugs(grief.in_region)
    assert counted.get("grief", 0) == grief.count


def test_a_new_service_area_reaches_the_search_without_a_rebuild(settings):
    group = make_group(slug="soon-in-gent")
    assert "soon-in-gent" not in slugs(search(near="9000").regional_summaries)
    builds = snapshot.builds
    listing.save(group, service_area=codes("9000"))
    assert "soon-in-gent" in slugs(search(near="9000").in_region)
    listing.save(group, service_area=[])
    assert "soon-in-gent" not in slugs(search(near="9000").regional_summaries)
    assert snapshot.builds == builds


def test_the_real_associations_of_a_region_are_found_near_their_places():
    """AA Vlaanderen and the Similes groups have no address: they were hidden near Gent."""
    near_gent = slugs(search(near="9000", page_size=100).in_region)
    assert "aa-vlaanderen-groepen" in near_gent
    assert "similes-vlaanderen-lotgenotencontact" in near_gent
    assert "aa-vlaanderen-groepen" not in slugs(search(near="4000", page_size=100).in_region)
    assert "similes-bruxelles-profamille" in slugs(search(near="1000", page_size=100).in_region)


def test_the_page_shows_the_region_then_belgium(client, gent_area, everywhere):
    html = unescape(client.get("/en/search/?near=9000&page_size=100").content.decode())
    region = html.index('<h2 id="region-title">Active in your region</h2>')
    national = html.index('<h2 id="national-title">All over Belgium</h2>')
    assert html.index('id="online-title"') < region < national
    assert region < html.index("Lotgenoten Gent") < national
    assert national < html.index("Cercle de partout")
    assert "Groups and services whose area includes 9000." in html


def test_the_page_speaks_each_language(client, gent_area):
    for lang, heading in [
        ("fr", "Actifs dans votre région"),
        ("nl", "Actief in je regio"),
        ("de", "In Ihrer Region aktiv"),
    ]:
        html = client.get(f"/{lang}/search/?near=9000").content.decode()
        assert heading in unescape(html), lang


def test_the_page_without_a_place_has_no_regional_block(client, gent_area, everywhere):
    html = client.get("/en/search/").content.decode()
    assert 'id="region-title"' not in html
    assert 'id="national-title"' not in html


def test_the_page_says_when_more_serve_the_region(client, gent_area):
    for n in range(3):
        make_group(slug=f"gent-more-{n}", service_area=codes("9000"))
    html = unescape(client.get("/en/search/?near=9000&page_size=2").content.decode())
    assert "2 shown here of " in html
    assert "Choose a topic or add a few words" in html


def test_the_printed_list_has_the_regional_sections(client, gent_area, everywhere):
    html = unescape(client.get("/en/search/print/?near=9000").content.decode())
    region = html.index('<h2 id="region-title">Active in your region</h2>')
    assert region < html.index("Lotgenoten Gent") < html.index("All over Belgium")


def test_the_regional_block_runs_no_query_per_listing(
    client, settings, gent_area, everywhere, django_assert_num_queries
):
    """Served from the snapshot's summaries, like the results: a busy process (checking for
    changes once a minute) answers from memory however many listings serve the place."""
    settings.SEARCH_RECHECK_SECONDS = 60
    # Another page size first: the place is known then, but this search is still worked out
    # (engine.run keeps the searches it worked out).
    assert client.get("/api/v1/groups?near=9000&page_size=99").status_code == 200
    url = "/api/v1/groups?near=9000&page_size=100"
    with django_assert_num_queries(0):
        body = client.get(url).json()
    assert len(body["regional"]) > 10
    assert "gent-lotgenoten" in [r["slug"] for r in body["regional"]]
