import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["5000", "Namur", "Namen"])
def test_it_finds_the_networks_of_a_postcode_or_municipality(client, typed):
    html = client.get("/en/networks/for/", {"place": typed}).content.decode()
    assert "/en/networks/reseau-sante-namur/" in html
    assert "/en/networks/kirikou/" in html


def test_an_unknown_place_gets_a_plain_message(client):
    html = client.get("/fr/networks/for/", {"place": "Atlantis"}).content.decode()
    assert 'aria-invalid="true"' in html
    assert "Atlantis" in html


def test_the_page_without_a_place_shows_the_form(client):
    response = client.get("/nl/networks/for/")
    assert response.status_code == 200
    assert 'name="place"' in response.content.decode()
