"""The search page's words about what it found (issue 15, item 6): groups and services counted
apart, and suggestions for an empty search that never offer the search a person already made."""

import re
from html import unescape

import pytest

from healingtogether.directory.models import Group, Topic
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

NOTHING = "zzzzqqq"


def suggestions(html: str) -> list[str]:
    """The links offered when nothing matches."""
    box = html.split('<div class="no-results">', 1)[1].split("</div>", 1)[0]
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', box)]


@pytest.mark.usefixtures("without_real_groups")
def test_a_search_near_a_place_counts_groups_and_services_apart(client):
    for n in range(2):
        make_location(make_group(name_fr=f"Cercle Zanzibar {n}"))
    make_location(make_group(name_fr="Réseau Zanzibar", kind=Group.Kind.ADULT_NETWORK))
    html = client.get("/fr/search/?q=zanzibar&near=5000").content.decode()
    assert '<h2 id="results-title">2 groupes · 1 service à moins de 25 km de 5000</h2>' in html
    # The filter that tells them apart says it holds both.
    assert "<legend>Type de groupe ou de service</legend>" in html
    only_groups = client.get("/nl/search/?q=zanzibar&kind=support_group").content.decode()
    assert '<h2 id="results-title">2 groepen</h2>' in only_groups


def test_online_groups_are_not_suggested_when_online_is_already_chosen(client):
    online = f"/en/search/?q={NOTHING}&format=online"
    assert online in suggestions(client.get(f"/en/search/?q={NOTHING}").content.decode())
    offered = suggestions(client.get(online).content.decode())
    assert not [href for href in offered if "format=online" in href]
    # The other ways on are still there.
    assert "/en/helplines/" in offered


def test_a_wider_radius_is_offered_up_to_the_widest_and_no_further(client):
    at_100 = suggestions(
        client.get(f"/en/search/?q={NOTHING}&near=5000&radius_km=100").content.decode()
    )
    assert f"/en/search/?q={NOTHING}&near=5000&radius_km=200" in at_100
    at_200 = client.get(f"/en/search/?q={NOTHING}&near=5000&radius_km=200").content.decode()
    assert "radius_km=" not in " ".join(suggestions(at_200))
    assert "Look further away" not in at_200


def test_searching_without_the_filters_keeps_the_place_and_the_distance(client):
    html = client.get(
        f"/en/search/?q={NOTHING}&near=5000&radius_km=100&cost=free&page=2"
    ).content.decode()
    offered = suggestions(html)
    assert f"/en/search/?q={NOTHING}&near=5000&radius_km=100" in offered
    # Looking further away starts again on the first page.
    assert f"/en/search/?q={NOTHING}&near=5000&radius_km=200&cost=free" in offered


@pytest.mark.usefixtures("without_real_groups")
def test_each_filter_is_a_box_in_its_label_with_its_count(client):
    # One value at a time for the province, several for the topics; a chosen value stays ticked.
    make_location(make_group(name_fr="Cercle Zanzibar", topics=[Topic.objects.get(slug="grief")]))
    html = client.get("/fr/search/?q=zanzibar&topic=grief&province=WNA").content.decode()
    boxes = re.findall(r'<label class="opt"><input type="(\w+)" name="(\w+)" value="(\w+)"', html)
    assert ("checkbox", "topic", "grief") in boxes
    assert {kind for kind, name, _value in boxes if name == "province"} <= {"radio"}
    assert re.search(
        r'<input type="checkbox" name="topic" value="grief" checked> [^<]+ '
        r'<span class="count">\(1\)</span></label>',
        html,
    )


def test_a_filters_label_is_shown_as_text_never_as_markup(client):
    # A moderator's label is data: its "<" and "&" are text on the page.
    topic = Topic.objects.create(slug="odd-label", label_fr='Deuil <i onmouseover="x">& après')
    make_location(make_group(name_fr="Cercle Zanzibar", topics=[topic]))
    html = client.get("/fr/search/?q=zanzibar").content.decode()
    assert 'value="odd-label"> Deuil &lt;i onmouseover=&quot;x&quot;&gt;&amp; après ' in html
    assert '<i onmouseover="x">' not in html


def test_the_form_keeps_the_distance_and_the_order_chosen_in_the_persons_language(client):
    html = client.get("/fr/search/?near=5000&radius_km=10&sort=distance").content.decode()
    radius = html.split('<select id="radius_km" name="radius_km">', 1)[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]*)</option>", radius) == [
        f"{km} km" for km in (5, 10, 25, 50, 100, 200)
    ]
    assert re.findall(r'<option value="(\d+)" selected>', radius) == ["10"]
    order = html.split('<select id="sort" name="sort">', 1)[1].split("</select>")[0]
    assert re.findall(r'<option value="([a-z_]+)" selected>([^<]*)<', order) == [
        ("distance", "Les plus proches d’abord")
    ]
    # Nothing chosen: the distance the search uses (25 km) and the best matches first.
    plain = client.get("/nl/search/").content.decode()
    assert '<option value="25" selected>25 km</option>' in plain
    assert '<option value="relevance" selected>Meest relevant</option>' in plain
