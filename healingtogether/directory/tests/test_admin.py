import pytest

from healingtogether.directory.models import Group
from healingtogether.test import make_group, make_location, make_moderator, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def test_a_moderator_searches_and_filters_the_groups(moderator_client):
    response = moderator_client.get("/admin/directory/group/", {"q": "Zelfmoordlijn"})
    assert response.status_code == 200
    assert "Zelfmoordlijn 1813" in response.content.decode()
    response = moderator_client.get("/admin/directory/group/", {"status__exact": "pending"})
    assert "Kalima" in response.content.decode()


def test_a_moderator_edits_a_group_with_its_locations_and_schedules(moderator_client):
    group = make_group()
    make_location(group)
    make_schedule(group)
    response = moderator_client.get(f"/admin/directory/group/{group.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "locations-0-postcode" in html
    assert "schedules-0-byday" in html


def test_a_moderator_publishes_pending_listings(moderator_client):
    pending = Group.objects.get(slug="kalima")
    response = moderator_client.post(
        "/admin/directory/group/",
        {"action": "publish", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "published"


def test_a_stranger_cannot_open_the_admin(client):
    response = client.get("/admin/directory/group/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
