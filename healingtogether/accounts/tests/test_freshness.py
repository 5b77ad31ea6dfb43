"""Freshness: reminders with a one-click link, "may be out of date" after 180 days, out of search
after 365 days, and the link that confirms without logging in."""

import io
import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from healingtogether.accounts.models import AuditEntry, Membership
from healingtogether.accounts.tokens import confirmation_token
from healingtogether.directory.models import Group, Status
from healingtogether.search import engine, snapshot
from healingtogether.test import make_group, make_location, make_organisation, make_organiser, said

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
CONFIRMED = datetime(2027, 1, 5, 10, 0, tzinfo=BRUSSELS)
NAMUR = (50.4669, 4.8675)


def days_later(days, hours=0):
    return time_machine.travel(CONFIRMED + timedelta(days=days, hours=hours), tick=False)


def remind() -> str:
    out = io.StringIO()
    call_command("send_freshness_reminders", stdout=out)
    return out.getvalue()


def found(q, **data):
    return [g.slug for g in engine.run(engine.parse({"q": q, **data})).groups]


def link_in(message) -> str:
    """The path of the confirmation link in an email (the test client needs no host)."""
    return re.search(r"https?://[^/\s]+(/\w\w/confirm/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def organiser():
    return make_organiser(email="anna@example.org", language="nl")


@pytest.fixture
def group(organiser):
    with time_machine.travel(CONFIRMED, tick=False):
        return make_group(
            slug="grief-circle",
            name_en="Grief circle",
            organisation=organiser.memberships.get().organisation,
            confirmed_at=CONFIRMED,
        )


# Reminders


@pytest.mark.parametrize("days, reminded", [(149, False), (151, True)])
def test_organisers_are_reminded_after_150_days(group, days, reminded):
    with days_later(days):
        remind()
    assert [m.to for m in mail.outbox] == ([["anna@example.org"]] if reminded else [])


def test_a_second_run_sends_nothing(group):
    with days_later(151):
        first = remind()
        second = remind()
    assert len(mail.outbox) == 1
    assert "Reminded the organisers of 1 group(s) in 1 email(s)" in first
    assert "Reminded the organisers of 0 group(s) in 0 email(s)" in second


def test_a_group_is_due_again_once_it_has_been_confirmed(group, client):
    with days_later(151):
        remind()
    with days_later(152):
        client.post(link_in(mail.outbox[0]))
    with days_later(152 + 149):
        remind()
    assert len(mail.outbox) == 1
    with days_later(152 + 151):
        remind()
    assert len(mail.outbox) == 2


def test_every_member_is_emailed_in_their_own_language(group):
    organisation = group.organisation
    make_organiser(organisation, email="bernard@example.org", language="fr")
    with days_later(151):
        remind()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"anna@example.org", "bernard@example.org"}
    assert link_in(by_address["anna@example.org"]).startswith("/nl/confirm/")
    assert link_in(by_address["bernard@example.org"]).startswith("/fr/confirm/")
    html = by_address["bernard@example.org"].alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "/fr/confirm/" in html


def test_one_email_lists_all_of_an_organisers_due_groups(group, organiser):
    with time_machine.travel(CONFIRMED, tick=False):
        make_group(organisation=group.organisation, name_en="Second circle")
    with days_later(151):
        out = remind()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Grief circle" in body and "Second circle" in body
    assert len(re.findall(r"/nl/confirm/", body)) == 2
    assert "Reminded the organisers of 2 group(s) in 1 email(s)" in out


def test_the_email_says_how_to_change_what_is_wrong(group):
    with days_later(151):
        remind()
    message = mail.outbox[0]
    assert said("If something changed, log in and edit your listing:", "nl") in message.body
    assert "/nl/workspace/" in message.body
    assert "Grief circle" in message.subject


def test_groups_whose_organisation_has_no_member_get_no_email_and_are_counted(group):
    with time_machine.travel(CONFIRMED, tick=False):
        make_group(organisation=make_organisation(), name_en="Nobody's circle")
    with days_later(151):
        out = remind()
        expected = (
            Group.objects.due_for_reminder().filter(organisation__memberships__isnull=True).count()
        )
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert expected >= 1
    assert f"{expected} due group(s) have no organiser to email" in out


def test_archived_groups_are_not_reminded(group):
    Group.objects.filter(pk=group.pk).update(status=Status.ARCHIVED)
    with days_later(151):
        remind()
    assert mail.outbox == []


# The link in the email


@pytest.fixture
def link(group):
    with days_later(151):
        remind()
    return link_in(mail.outbox[0])


def test_opening_the_link_shows_the_details_and_confirms_nothing(link, group):
    with days_later(152):
        response = Client().get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grief circle" in html
    assert html.count('type="submit"') == 1
    assert said("Yes, these details are still right", "nl") in unescape(html)
    assert "csrfmiddlewaretoken" not in html
    group.refresh_from_db()
    assert group.confirmed_at == CONFIRMED
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONFIRMED).exists()


def test_the_button_confirms_the_details_without_logging_in(link, group):
    # A real browser's request: CSRF is checked, and the signed link is what allows it.
    browser = Client(enforce_csrf_checks=True)
    with days_later(152):
        response = browser.post(link)
    assert response.status_code == 200
    assert said("Thank you: the details are confirmed", "nl") in unescape(response.content.decode())
    group.refresh_from_db()
    assert group.confirmed_at == CONFIRMED + timedelta(days=152)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONFIRMED, group=group)
    assert entry.actor is None
    assert "link" in entry.note


def test_a_used_link_says_the_details_are_already_confirmed(link, group):
    with days_later(152):
        Client().post(link)
    with days_later(153):
        again = Client().post(link)
        opened = Client().get(link)
    for response in (again, opened):
        assert response.status_code == 200
        assert said("Already confirmed, thank you", "nl") in unescape(response.content.decode())
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONFIRMED).count() == 1
    group.refresh_from_db()
    assert group.confirmed_at == CONFIRMED + timedelta(days=152)


def test_a_link_retires_when_someone_else_confirms_first(group, client):
    from healingtogether.accounts import proposals

    token = confirmation_token(group)
    proposals.confirm(group, None)
    html = client.get(f"/en/confirm/{token}/").content.decode()
    assert "Already confirmed, thank you" in html


@pytest.mark.parametrize(
    "damage",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_a_forged_link_gives_a_clear_message(link, group, damage):
    token = link.split("/")[3]
    response = Client().post(f"/en/confirm/{damage(token)}/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    group.refresh_from_db()
    assert group.confirmed_at == CONFIRMED


def test_an_expired_link_gives_a_clear_message(link, group):
    with days_later(151 + 31):
        response = Client().post(link)
    assert response.status_code == 400
    assert said("This link has expired", "nl") in unescape(response.content.decode())
    group.refresh_from_db()
    assert group.confirmed_at == CONFIRMED


def test_a_link_to_a_group_archived_since_gives_a_clear_message(link, group):
    Group.objects.filter(pk=group.pk).update(status=Status.ARCHIVED)
    response = Client().get(link)
    assert response.status_code == 400
    assert said("This link does not work", "nl") in unescape(response.content.decode())


def test_the_link_pages_set_no_cookie(link):
    with days_later(152):
        responses = [Client().get(link), Client().post(link), Client().get(link)]
    for response in responses:
        assert "Set-Cookie" not in response.headers


# Search


@pytest.mark.parametrize("days, listed", [(364, True), (366, False)])
def test_a_group_leaves_search_results_after_365_days(client, group, days, listed):
    with days_later(days):
        assert ("grief-circle" in found("grief circle")) is listed
        response = client.get("/en/groups/grief-circle/")
    assert response.status_code == 200
    assert ("no longer appears in search results" in response.content.decode()) is not listed


def test_expiry_needs_no_write_the_next_day_it_is_gone(group):
    # Each search checks whether the data changed; nothing is written between these two. The
    # new day's first search drops the expired listing by a delta, not by a whole rebuild that
    # would make it wait seconds at 100,000 groups.
    with days_later(300):
        make_group(slug="newer-circle", name_en="Newer grief circle")
    with days_later(364, hours=12):
        assert {"grief-circle", "newer-circle"} <= set(found("grief circle"))
        builds = snapshot.builds
    with days_later(365, hours=14):
        assert "grief-circle" not in found("grief circle")
        assert "newer-circle" in found("grief circle")
        assert snapshot.builds == builds


@pytest.mark.parametrize("days, stale", [(179, False), (181, True)])
def test_a_stale_result_says_it_may_be_out_of_date(client, group, days, stale):
    with days_later(days):
        html = client.get("/en/search/?q=grief+circle").content.decode()
    # Its own card: other groups matching "grief" may be found too, and may be out of date.
    card = next(c for c in html.split('<li class="card">')[1:] if "grief-circle" in c)
    assert ("May be out of date" in card) is stale


@pytest.fixture
def fresh_and_stale():
    """Two circles in Namur: the stale one is nearer, the fresh one was confirmed recently."""
    lat, lon = NAMUR
    with days_later(-200):
        stale = make_group(
            slug="stale", name_en="Tamarisk circle", description_en="Walking together"
        )
    with days_later(-10):
        fresh = make_group(
            slug="fresh", name_en="New circle", description_en="Walking together under the tamarisk"
        )
    make_location(stale, latitude=lat, longitude=lon)
    make_location(fresh, latitude=lat + 0.09, longitude=lon)
    return fresh, stale


@pytest.mark.usefixtures("without_real_groups")
def test_stale_listings_rank_below_fresh_ones_by_relevance(fresh_and_stale):
    with days_later(0):
        assert found("walking", near="5000") == ["fresh", "stale"]
        assert found("circle") == ["fresh", "stale"]


@pytest.mark.usefixtures("without_real_groups")
def test_sorting_by_distance_ignores_freshness(fresh_and_stale):
    with days_later(0):
        assert found("walking", near="5000", sort="distance") == ["stale", "fresh"]


def test_a_stale_group_whose_name_was_typed_still_comes_first(fresh_and_stale):
    # Both match "tamarisk": the stale group by its name, the fresh one by its description.
    with days_later(0):
        assert found("tamarisk") == ["stale", "fresh"]
        assert found("tamarisk", near="5000") == ["stale", "fresh"]


@pytest.mark.usefixtures("without_real_groups")
def test_a_group_turns_stale_in_the_ranking_without_any_write():
    lat, lon = NAMUR
    with days_later(-170):
        near = make_group(slug="near", name_en="Near circle", description_en="Walking together")
    with days_later(-1):
        far = make_group(slug="far", name_en="Far circle", description_en="Walking together")
    make_location(near, latitude=lat, longitude=lon)
    make_location(far, latitude=lat + 0.09, longitude=lon)
    with days_later(0):
        assert found("walking", near="5000") == ["near", "far"]
    with days_later(11):
        assert found("walking", near="5000") == ["far", "near"]


def test_membership_is_what_makes_an_organiser_reachable(group, organiser):
    Membership.objects.filter(user=organiser).delete()
    with days_later(151):
        out = remind()
    assert mail.outbox == []
    assert "Reminded the organisers of 0 group(s)" in out
