"""A feed that failed three syncs in a row is shown where moderators land after signing in, the
moderation queue: its name, since when it fails and its last error as plain text. Two failures
are not yet worth their attention, and nobody outside our team ever sees it."""

import html
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from healingtogether.test import make_moderator, make_organiser, make_stranger

from .test_meeting_guide import add_source

pytestmark = pytest.mark.django_db

QUEUE = "/en/moderation/"
# What a broken feed's server sends; the page must show it as text, never as markup.
ODD_TYPE = "text/<em>html</em>"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fail_nightly(server, times: int):
    """A source whose server answers a web page instead of its feed, synced on `times` nights."""
    server.serve("/broken.json", "<html></html>", content_type=ODD_TYPE)
    source = add_source(server, path="/broken.json")
    for night in range(times):
        with time_machine.travel(f"2027-01-0{4 + night} 05:30 +01:00"):
            call_command("sync_sources", stdout=io.StringIO(), stderr=io.StringIO())
    source.refresh_from_db()
    return source


def test_a_moderator_sees_a_source_that_failed_three_times_on_the_queue(server):
    source = fail_nightly(server, 3)
    team = signed_in(make_moderator())
    page = team.get(QUEUE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Feeds that stopped syncing" in text
    assert source.name in text
    assert "failing since 4 January 2027, 05:30 (3 syncs in a row)" in html.unescape(text)
    assert "text/&lt;em&gt;html&lt;/em&gt;" in text and "<em>html" not in text
    assert "which is not a feed of this format" in html.unescape(text)
    change = reverse("admin:feeds_source_change", args=[source.pk])
    assert f'href="{change}"' in text
    assert f'href="{reverse("admin:feeds_source_add")}"' in text

    french = html.unescape(team.get("/fr/moderation/").content.decode())
    assert "Flux qui ne se synchronisent plus" in french
    assert "en échec depuis le 4 janvier 2027, 05:30 (3 synchronisations d’affilée)" in french

    # Once the feed is right again it leaves the page.
    server.serve("/broken.json", "[]")
    call_command("sync_sources", stdout=io.StringIO(), stderr=io.StringIO())
    assert "Feeds that stopped syncing" not in team.get(QUEUE).content.decode()


def make_team_member() -> User:
    """On our team through the permission alone, without rights in the admin."""
    user = User.objects.create_user("colleague", "colleague@example.org", "a calm password 4 t")
    user.user_permissions.add(Permission.objects.get(codename="moderate"))
    return user


def test_a_team_member_without_the_admin_sees_it_without_a_link(server):
    source = fail_nightly(server, 3)
    text = signed_in(make_team_member()).get(QUEUE).content.decode()
    assert source.name in text and "Feeds that stopped syncing" in text
    assert reverse("admin:feeds_source_change", args=[source.pk]) not in text


def test_two_failures_are_not_shown_yet(server):
    source = fail_nightly(server, 2)
    text = signed_in(make_moderator()).get(QUEUE).content.decode()
    assert "Feeds that stopped syncing" not in text and source.name not in text


def test_someone_outside_our_team_never_sees_it(server, client):
    source = fail_nightly(server, 3)
    stranger = signed_in(make_stranger())
    assert stranger.get(QUEUE).status_code == 404
    for visitor in (stranger, signed_in(make_organiser()), client):
        for path in (QUEUE, reverse("accounts:workspace"), "/en/"):
            page = visitor.get(path, follow=True)
            assert source.name not in page.content.decode()
            assert "Feeds that stopped syncing" not in page.content.decode()
