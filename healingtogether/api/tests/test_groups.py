import pytest
from django.utils import translation

from healingtogether.directory.models import Coverage, Group, Topic
from healingtogether.places.models import find_place
from healingtogether.test import make_group, make_location, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def nearby():
    group = make_group(slug="namur-circle", name_fr="Cercle de parole", format="hybrid")
    make_location(group, postcode="5000", latitude=50.4669, longitude=4.8675)
    make_schedule(group)
    return group


def test_it_answers_the_documented_shape(client, nearby):
    body = client.get("/api/v1/groups", {"near": "5000", "radius_km": 10}).json()
    assert set(body) == {
        "count",
        "page",
        "crisis",
        "suggested_topics",
        "results",
        "online",
        "regional",
        "regional_count",
        "facets",
    }
    assert body["crisis"] is False
    assert body["suggested_topics"] == []
    result = next(r for r in body["results"] if r["slug"] == "namur-circle")
    assert result["id"] == str(nearby.public_id)
    assert result["format"] == "hybrid"
    assert result["location"]["postcode"] == "5000"
    assert result["distance_km"] == pytest.approx(3.9, abs=0.3)
    assert result["url"].endswith("/groups/namur-circle/")
    assert result["organisation"]["id"] == str(nearby.organisation.public_id)
    for values in body["facets"].values():
        assert all(set(v) == {"value", "label", "count"} for v in values)


@pytest.mark.usefixtures("without_real_groups")
def test_without_near_there_is_no_online_list_and_no_distance(client, nearby):
    body = client.get("/api/v1/groups", {"q": "cercle"}).json()
    assert body["online"] is None
    assert [r["distance_km"] for r in body["results"]] == [None]


def test_labels_follow_the_lang_parameter(client, nearby):
    body = client.get("/api/v1/groups", {"q": "cercle", "lang": "nl"}).json()
    labels = {f["value"]: f["label"] for f in body["facets"]["format"]}
    with translation.override("nl"):
        dutch = str(Group.Format.HYBRID.label)
    assert labels["hybrid"] == dutch != "In person and online"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"near": "ZZZZ"}, "near"),
        ({"radius_km": "500"}, "radius_km"),
        ({"radius_km": "ten"}, "radius_km"),
        ({"page_size": "1000"}, "page_size"),
        ({"topic": "unknown"}, "topic"),
        ({"referral": "maybe"}, "referral"),
        ({"sort": "distance"}, "sort"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, params, field):
    response = client.get("/api/v1/groups", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.usefixtures("without_real_groups")
def test_a_page_past_the_last_is_an_empty_list(client, nearby):
    body = client.get("/api/v1/groups", {"q": "cercle", "page": 40}).json()
    assert body["results"] == [] and body["count"] == 1


def test_one_group_in_full_with_its_next_sessions(client, nearby):
    body = client.get(f"/api/v1/groups/{nearby.public_id}").json()
    assert body["slug"] == "namur-circle"
    assert len(body["next_sessions"]) == 5
    assert body["next_sessions"][0].endswith(("+01:00", "+02:00"))
    assert body["schedules"][0]["byday"] == "TU"


@pytest.mark.parametrize("ident", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_group_is_a_json_404(client, ident):
    response = client.get(f"/api/v1/groups/{ident}")
    assert response.status_code == 404
    assert "errors" in response.json()


def test_a_pending_group_is_not_served(client):
    pending = Group.objects.get(slug="kalima")
    assert client.get(f"/api/v1/groups/{pending.public_id}").status_code == 404


def _serving(place: str) -> list[str]:
    return [m.code for m in find_place(place)[1]]


@pytest.fixture
def regional():
    """A group for Gent without an address, and one for all of Belgium."""
    return {
        "gent": make_group(
            slug="gent-lotgenoten",
            service_area=_serving("9000"),
            topics=[Topic.objects.get(slug="grief")],
        ),
        "national": make_group(slug="everywhere-circle", coverage=Coverage.NATIONAL),
    }


def _regional(client, **params) -> list[str]:
    body = client.get("/api/v1/groups", {"page_size": 100, **params}).json()
    assert body["regional_count"] == len(body["regional"])
    return [r["slug"] for r in body["regional"]]


def test_regional_lists_what_serves_the_place_without_meeting_near_it(client, regional):
    near_gent = _regional(client, near="9000")
    assert near_gent.index("gent-lotgenoten") < near_gent.index("everywhere-circle")
    near_liege = _regional(client, near="4000")
    assert "gent-lotgenoten" not in near_liege
    assert "everywhere-circle" in near_liege
    body = client.get("/api/v1/groups", {"near": "9000"}).json()
    found = next(r for r in body["regional"] if r["slug"] == "gent-lotgenoten")
    assert found["location"] is None
    assert found["distance_km"] is None
    assert "gent-lotgenoten" not in [r["slug"] for r in body["results"]]


def test_regional_takes_the_same_filters(client, regional):
    assert "gent-lotgenoten" in _regional(client, near="9000", topic="grief")
    assert "gent-lotgenoten" not in _regional(client, near="9000", topic="anxiety")
    assert "everywhere-circle" not in _regional(client, near="9000", topic="grief")


def test_regional_is_empty_without_a_place(client, regional):
    body = client.get("/api/v1/groups").json()
    assert body["regional"] == []
    assert body["regional_count"] == 0


def test_regional_is_limited_to_a_page_and_counted_in_full(client, regional):
    body = client.get("/api/v1/groups", {"near": "9000", "page_size": 1}).json()
    # The freshest first: the group just confirmed before the real ones compiled earlier.
    assert [r["slug"] for r in body["regional"]] == ["gent-lotgenoten"]
    assert body["regional_count"] > 1


def test_the_openapi_document_describes_regional(client):
    doc = client.get("/api/v1/openapi.json").json()
    search = doc["components"]["schemas"]["SearchOut"]
    assert {"regional", "regional_count"} <= set(search["required"])
    assert "service area" in search["properties"]["regional"]["description"]
    assert search["properties"]["regional"]["items"] == {
        "$ref": "#/components/schemas/GroupSummary"
    }
