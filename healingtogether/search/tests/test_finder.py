import pytest

from healingtogether.directory.models import Topic
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

FINDER = "/en/search/finder/"


@pytest.fixture
def grief_groups():
    grief = Topic.objects.get(slug="grief")
    near = make_group(slug="grief-namur", topics=[grief], cost="free", facilitation="peer")
    make_location(near, latitude=50.4669, longitude=4.8675)
    online = make_group(slug="grief-online", topics=[grief], format="online", cost="paid")
    return near, online


def test_it_asks_one_question_at_a_time(client):
    html = client.get(FINDER).content.decode()
    assert "Who are you looking for help for?" in html
    assert "Question 1 of 5" in html
    html = client.get(FINDER, {"who": "me", "step": 1}).content.decode()
    assert "What weighs on you at the moment?" in html
    # The earlier answer travels along in the form, without JavaScript or cookies.
    assert '<input type="hidden" name="who" value="me">' in html


def test_near_without_a_place_asks_for_it_again(client):
    html = client.get(FINDER, {"meet": "near", "step": 3}).content.decode()
    assert "How would you like to meet?" in html
    assert "Please give your postcode or municipality." in html


def test_an_unknown_place_is_explained_on_the_same_question(client):
    html = client.get(FINDER, {"meet": "near", "postcode": "Atlantis", "step": 5}).content.decode()
    assert "How would you like to meet?" in html
    assert "know the place “Atlantis”" in html


def test_results_say_why_each_group_fits(client, grief_groups):
    response = client.get(
        FINDER, {"who": "me", "topic": "grief", "meet": "either", "postcode": "5000", "step": 5}
    )
    html = response.content.decode()
    assert "/en/groups/grief-namur/" in html
    assert "Helps with Grief and loss" in html
    assert "km from you" in html
    # Online groups are offered apart, and the person's networks and helplines always appear.
    assert "/en/groups/grief-online/" in html and "Meets online" in html
    assert "/en/networks/reseau-sante-namur/" in html
    assert "tel:112" in html


def test_free_only_and_peer_led_narrow_the_results(client, grief_groups):
    html = client.get(
        FINDER,
        {"topic": "grief", "meet": "online", "free": "1", "led_by": "peer", "step": 5},
    ).content.decode()
    assert "/en/groups/grief-online/" not in html  # paid
    assert "Change your answers" in html


def test_i_dont_know_ignores_the_topics(client, grief_groups):
    html = client.get(
        FINDER, {"topic": "grief", "unsure": "1", "meet": "near", "postcode": "5000", "step": 5}
    ).content.decode()
    assert "/en/groups/grief-namur/" in html


def test_tampered_answers_are_ignored_not_errors(client):
    response = client.get(FINDER, {"who": "<script>", "topic": "nope", "step": "99"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
