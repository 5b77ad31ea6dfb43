import pytest

pytestmark = pytest.mark.django_db


def test_it_gives_the_networks_of_a_postcode(client):
    body = client.get("/api/v1/networks", {"postcode": "5000"}).json()
    assert body["postcode"] == "5000"
    assert body["municipalities"] == ["Namur"]
    assert [n["name"] for n in body["adult"]] == ["Réseau Santé Namur (RSN)"]
    assert [n["name"] for n in body["youth"]] == ["Réseau Santé Kirikou"]
    assert body["adult"][0]["url"].endswith("/networks/reseau-sante-namur/")


def test_brussels_postcodes_find_the_brussels_networks(client):
    body = client.get("/api/v1/networks", {"postcode": "1050"}).json()
    assert "Brumenta" in [n["name"] for n in body["adult"]]


@pytest.mark.parametrize("postcode", ["abc", "9999", "", "50000", "5000'"])
def test_an_invalid_postcode_is_a_400(client, postcode):
    response = client.get("/api/v1/networks", {"postcode": postcode})
    assert response.status_code == 400
    assert "postcode" in response.json()["errors"]


def test_a_missing_postcode_is_a_400(client):
    assert client.get("/api/v1/networks").status_code == 400
