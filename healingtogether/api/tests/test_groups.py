import pytest
from django.utils import translation

from healingtogether.directory.models import Group
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
