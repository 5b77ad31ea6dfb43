"""Inviting a colleague into an organisation by email, and accepting the invitation."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from healingtogether.accounts.models import AuditEntry, Invitation, Membership, Revision
from healingtogether.test import (
    make_moderator,
    make_organisation,
    make_organiser,
    make_stranger,
    said,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a calm password 4 tests"


def invite_url(organisation, page="en"):
    return f"/{page}/workspace/organisations/{organisation.public_id}/invite/"


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", message.body)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def invitation_path(message) -> str:
    [link] = [link for link in links_in(message) if "/invitations/" in link]
    return path_of(link)


def approve(organisation):
    """Our team approved the organisation's details once (only then may it invite)."""
    revision = Revision.objects.create(organisation=organisation, data={})
    revision.decide(None, approve=True)
    organisation.refresh_from_db()
    return organisation


@pytest.fixture
def organisation():
    return approve(make_organisation(name_fr="Les Amis du Mardi"))


@pytest.fixture
def organiser(organisation):
    return make_organiser(organisation, email="ann@example.org")


def send_invitation(client, organiser, organisation, email="bram@example.org", language="nl"):
    client.force_login(organiser)
    response = client.post(invite_url(organisation), {"email": email, "language": language})
    client.logout()
    return response


# Inviting ---------------------------------------------------------------------------------------


def test_a_member_invites_a_colleague_by_email(client, organiser, organisation):
    client.force_login(organiser)
    page = client.get(invite_url(organisation))
    assert page.status_code == 200
    assert "Les Amis du Mardi" in page.content.decode()

    response = client.post(
        invite_url(organisation), {"email": "Bram@Example.org", "language": "nl"}
    )
    assert response.status_code == 302
    assert response.url == "/en/workspace/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.invited_by) == (
        "bram@example.org",
        organisation,
        organiser,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.INVITED)
    assert (entry.actor, entry.organisation, entry.note) == (
        organiser,
        organisation,
        "bram@example.org",
    )

    [message] = mail.outbox
    assert message.to == ["bram@example.org"]
    assert "Les Amis du Mardi" not in message.subject
    assert "Les Amis du Mardi" in message.body
    assert "ann@example.org" in message.body
    assert invitation_path(message).startswith("/nl/invitations/")
    [(html, mime)] = message.alternatives
    assert mime == "text/html"
    assert "Les Amis du Mardi" in html


def test_the_invitation_form_checks_the_address(client, organiser, organisation):
    client.force_login(organiser)
    response = client.post(invite_url(organisation), {"email": "bram at home", "language": "nl"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'id="id_email_error"' in content
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_inviting_an_existing_member_just_says_so(client, organiser, organisation):
    make_organiser(organisation, email="colleague@example.org")
    client.force_login(organiser)
    response = client.post(
        invite_url(organisation), {"email": "colleague@example.org", "language": "fr"}, follow=True
    )
    assert "colleague@example.org is already a member of Les Amis du Mardi" in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_only_members_may_invite(client, organiser, organisation):
    other = make_organiser(email="other@example.org")  # member of another organisation
    for outsider in (other, make_stranger(), make_moderator()):
        client.force_login(outsider)
        assert client.get(invite_url(organisation)).status_code == 404
        response = client.post(
            invite_url(organisation), {"email": "x@example.org", "language": "en"}
        )
        assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_an_unknown_organisation_is_a_404(client, organiser):
    client.force_login(organiser)
    url = "/en/workspace/organisations/00000000-0000-0000-0000-000000000000/invite/"
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, organisation):
    response = client.get(invite_url(organisation))
    assert response.status_code == 302
    assert response.url.startswith("/en/account/login/?next=")


# Accepting --------------------------------------------------------------------------------------


def test_a_signed_in_colleague_confirms_and_joins(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    colleague = make_organiser(email="bram@example.org")  # member of their own organisation
    client.force_login(colleague)

    page = client.get(link)
    assert page.status_code == 200
    content = page.content.decode()
    assert said("Join %(organisation)s", "nl", organisation="Les Amis du Mardi") in unescape(
        content
    )
    assert "ann@example.org" in content
    assert not Membership.objects.filter(user=colleague, organisation=organisation).exists()

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == "/nl/workspace/"  # the language of the invitation
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()
    assert Invitation.objects.get().accepted_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.JOINED)
    assert (entry.actor, entry.organisation) == (colleague, organisation)
    # The new member can now invite others too.
    assert client.get(invite_url(organisation)).status_code == 200


def test_a_used_invitation_says_so(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    client.force_login(make_organiser(email="bram@example.org"))
    client.post(link)

    client.force_login(make_stranger())
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 200
        already_used = said(
            "This invitation was already used. If you need to join, ask your colleague for a new "
            "invitation.",
            "nl",
        )
        assert already_used in unescape(response.content.decode())
    assert Membership.objects.filter(organisation=organisation).count() == 2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.JOINED).count() == 1


def test_a_forged_invitation_says_so(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    stranger = make_stranger()
    client.force_login(stranger)
    forged = link.rstrip("/")[:-2] + "xx/"
    for url in (forged, "/en/invitations/1:abc:def/", "/en/invitations/nonsense/"):
        response = client.get(url)
        assert response.status_code == 400
        language = url.split("/")[1]
        said_there = said("This invitation link does not work", language)
        assert said_there in unescape(response.content.decode())
        assert client.post(url).status_code == 400
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_expired_invitation_says_so(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    stranger = make_stranger()
    client.force_login(stranger)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.get(link)
        assert response.status_code == 400
        assert said("This invitation has expired", "nl") in unescape(response.content.decode())
        assert client.post(link).status_code == 400
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_existing_member_opening_the_link_is_told_so(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    client.force_login(organiser)
    member = said("You are a member of %(organisation)s.", "nl", organisation="Les Amis du Mardi")
    assert member in unescape(client.get(link).content.decode())
    client.post(link)
    assert Invitation.objects.get().accepted_at is None


def test_an_anonymous_visitor_signs_up_and_comes_back_to_join(client, organiser, organisation):
    send_invitation(client, organiser, organisation, email="bram@example.org", language="en")
    link = invitation_path(mail.outbox[0])

    page = client.get(link)
    content = page.content.decode()
    assert page.status_code == 200
    assert "log in first" in content
    assert not page.cookies  # just reading an invitation sets no cookie
    back = urlencode({"next": link})
    assert f'href="/en/account/login/?{back}"' in content
    signup = f"/en/account/signup/?{back}"
    assert f'href="{signup}"' in content
    assert client.post(link).url.startswith("/en/account/login/?next=")

    # The sign-up page keeps `next`, the verification email carries it, verifying comes back.
    form = client.get(signup).content.decode()
    assert f'name="next" value="{link}"' in form
    client.post(
        "/en/account/signup/",
        {
            "email": "bram@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
            "next": link,
        },
    )
    [verify] = [link for link in links_in(mail.outbox[-1]) if "/account/verify/" in link]
    assert client.post(path_of(verify)).url == link
    assert client.post(link).url == "/en/workspace/"
    assert Membership.objects.filter(
        user__username="bram@example.org", organisation=organisation
    ).exists()


def test_an_anonymous_visitor_logs_in_and_comes_back_to_join(client, organiser, organisation):
    send_invitation(client, organiser, organisation)
    link = invitation_path(mail.outbox[0])
    colleague = make_organiser(email="bram@example.org")
    response = client.post(
        "/en/account/login/", {"email": "bram@example.org", "password": PASSWORD, "next": link}
    )
    assert response.url == link
    client.post(link)
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()


# Bound to the invited address, revocable, and only from approved organisations ------------------


def test_an_invitation_opened_by_another_account_changes_nothing(client, organiser, organisation):
    send_invitation(client, organiser, organisation, email="colleague@example.org")
    link = invitation_path(mail.outbox[0])
    mallory = make_organiser(email="mallory@example.org", language="en")
    client.force_login(mallory)

    page = client.get(link)
    wrong = said(
        "This invitation is for a different email address from the one you are logged in with "
        "(%(email)s). Log in with the address the invitation was sent to, or ask your colleague "
        "to invite this address instead.",
        "nl",
        email="mallory@example.org",
    )
    assert wrong in unescape(page.content.decode())
    assert 'action="' + link not in page.content.decode()  # no button to join

    response = client.post(link)
    assert response.status_code == 403
    assert wrong in unescape(response.content.decode())
    assert not Membership.objects.filter(user=mallory, organisation=organisation).exists()
    assert Invitation.objects.get().accepted_at is None
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.JOINED).exists()

    # The colleague it was sent to can still use it, whatever the case of their address.
    colleague = make_organiser(email="Colleague@Example.org")
    client.force_login(colleague)
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()


def test_an_account_whose_address_is_not_verified_cannot_accept(client, organiser, organisation):
    send_invitation(client, organiser, organisation, email="bram@example.org")
    link = invitation_path(mail.outbox[0])
    # An account made by our team without a verified address (a moderator, say).
    unverified = make_stranger()
    unverified.email = "bram@example.org"
    unverified.save()
    client.force_login(unverified)
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=unverified).exists()


def test_a_member_sees_and_withdraws_a_pending_invitation(client, organiser, organisation):
    send_invitation(client, organiser, organisation, email="bram@example.org")
    link = invitation_path(mail.outbox[0])
    invitation = Invitation.objects.get()
    colleague = make_organiser(organisation, email="carla@example.org")
    client.force_login(colleague)

    workspace = client.get("/en/workspace/").content.decode()
    assert "bram@example.org" in workspace
    revoke = f"/en/workspace/invitations/{invitation.pk}/revoke/"
    assert f'action="{revoke}"' in workspace
    assert client.get(revoke).status_code == 405  # a button, not a link

    response = client.post(revoke, follow=True)
    assert said(
        "The invitation for %(email)s is withdrawn: its link no longer works.",
        "en",
        email="bram@example.org",
    ) in unescape(response.content.decode())
    assert "bram@example.org" not in client.get("/en/workspace/").content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVOKED)
    assert (entry.actor, entry.organisation, entry.note) == (
        colleague,
        organisation,
        "bram@example.org",
    )

    bram = make_organiser(email="bram@example.org")
    client.force_login(bram)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert said("This invitation was withdrawn", "nl") in unescape(response.content.decode())
    assert not Membership.objects.filter(user=bram, organisation=organisation).exists()


def test_an_invitation_dies_when_its_inviter_leaves_the_organisation(
    client, organiser, organisation
):
    # A member invites a spare address of their own, then is removed from the organisation.
    send_invitation(client, organiser, organisation, email="ann.spare@example.org")
    link = invitation_path(mail.outbox[0])
    colleague = make_organiser(organisation, email="carla@example.org")
    Membership.objects.get(user=organiser, organisation=organisation).delete()

    client.force_login(colleague)
    assert "ann.spare@example.org" not in client.get("/en/workspace/").content.decode()

    spare = make_organiser(email="ann.spare@example.org")
    client.force_login(spare)
    response = client.post(link)
    assert response.status_code == 400
    assert said("This invitation was withdrawn", "nl") in unescape(response.content.decode())
    assert not Membership.objects.filter(user=spare, organisation=organisation).exists()
    # Coming back later does not bring the invitation back.
    Membership.objects.create(user=organiser, organisation=organisation)
    assert client.post(link).status_code == 400


def test_an_organisation_our_team_has_not_approved_cannot_invite(client):
    unreviewed = make_organisation(
        name_fr="eHealth Belgium - ACTION REQUIRED: confirm at https://evil.example/login",
        approved_at=None,
    )
    member = make_organiser(unreviewed, email="eve@example.org")
    client.force_login(member)
    page = client.get(invite_url(unreviewed))
    approval_first = said(
        "You can invite colleagues once our team has approved the organisation. We read every "
        "new organisation before its name reaches anyone, on the site or by email.",
        "en",
    )
    assert approval_first in unescape(page.content.decode())
    assert 'name="email"' not in page.content.decode()
    response = client.post(
        invite_url(unreviewed), {"email": "victim@example.org", "language": "en"}
    )
    assert approval_first in unescape(response.content.decode())
    assert not Invitation.objects.exists()
    assert not mail.outbox

    # Once approved, it may invite; the subject still names no organisation and no address.
    approve(unreviewed)
    client.post(invite_url(unreviewed), {"email": "victim@example.org", "language": "fr"})
    [message] = mail.outbox
    assert "eHealth" not in message.subject and "evil.example" not in message.subject
    assert message.subject == said(
        "An invitation to join your colleagues on Healing Together", "fr"
    )
