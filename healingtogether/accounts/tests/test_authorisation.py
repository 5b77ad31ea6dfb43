"""Who may do what, as one table: every organiser and moderator page and action, against every
persona. An outsider gets the same plain 404 as for an object that doesn't exist; an anonymous
visitor is sent to log in.
"""

import re
import uuid
from datetime import date

import pytest
from django.urls import reverse

from healingtogether.accounts import proposals
from healingtogether.accounts.models import Claim, Invitation, Membership, Report, Revision
from healingtogether.accounts.views.auth import invitation_link
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status
from healingtogether.test import make_group, make_moderator, make_organisation, make_organiser

pytestmark = pytest.mark.django_db

PERSONAS = ["organiser", "colleague", "other_organiser", "moderator", "anonymous"]

# (name, method, url name, which object it takes, who may)
MEMBERS = {"organiser", "colleague"}
MODERATORS = {"moderator"}
ANYONE_SIGNED_IN = {"organiser", "colleague", "other_organiser", "moderator"}
VIEWS = [
    ("workspace", "get", "accounts:workspace", None, MEMBERS | {"other_organiser", "moderator"}),
    ("edit organisation", "get", "accounts:edit_organisation", "organisation", MEMBERS),
    ("edit organisation", "post", "accounts:edit_organisation", "organisation", MEMBERS),
    ("new group", "get", "accounts:new_group", "organisation", MEMBERS),
    ("new group", "post", "accounts:new_group", "organisation", MEMBERS),
    ("invite", "get", "accounts:invite", "organisation", MEMBERS),
    ("invite", "post", "accounts:invite", "organisation", MEMBERS),
    ("revoke invitation", "post", "accounts:revoke_invitation", "invitation", MEMBERS),
    ("edit group", "get", "accounts:edit_group", "group", MEMBERS),
    ("edit group", "post", "accounts:edit_group", "group", MEMBERS),
    ("group details", "get", "accounts:group_details", "group", MEMBERS),
    ("group details", "post", "accounts:group_details", "group", MEMBERS),
    # The page waiting for review, as it will look: its organisation and our team only.
    ("preview group", "get", "accounts:preview_group", "group", MEMBERS | MODERATORS),
    ("confirm group", "post", "accounts:confirm_group", "group", MEMBERS),
    ("archive group", "post", "accounts:archive_group", "group", MEMBERS),
    ("queue", "get", "accounts:moderation", None, MODERATORS),
    ("revision", "get", "accounts:revision", "revision", MODERATORS),
    ("decide", "post", "accounts:revision", "revision", MODERATORS),
    ("report", "get", "accounts:report", "report", MODERATORS),
    ("resolve report", "post", "accounts:report", "report", MODERATORS),
    ("check credential", "post", "accounts:check_credential", "group", MODERATORS),
    ("claim a listing", "get", "accounts:claim_group", "compiled", ANYONE_SIGNED_IN),
    ("claim a listing", "post", "accounts:claim_group", "compiled", ANYONE_SIGNED_IN),
    ("claim", "get", "accounts:claim", "claim", MODERATORS),
    ("decide a claim", "post", "accounts:claim", "claim", MODERATORS),
    ("audit log", "get", "accounts:audit_log", None, MODERATORS),
    ("dashboard", "get", "accounts:dashboard", None, MODERATORS),
]


@pytest.fixture
def world():
    organisation = make_organisation(name_fr="Les Amis du Mardi")
    group = make_group(
        organisation=organisation, credential_kind="inami", credential_number="12345678901"
    )
    organiser = make_organiser(organisation, email="organiser@example.org")
    colleague = make_organiser(organisation, email="colleague@example.org")
    other = make_organiser(email="other@example.org")
    revision = proposals.submit(
        group, listing.data_of(group) | {"name_fr": "Nouveau nom"}, organiser
    )
    report = Report.objects.create(group=group, message="The phone number is wrong.")
    Revision.objects.create(organisation=organisation, data={}, state=Revision.State.APPROVED)
    invitation = Invitation.objects.create(
        organisation=organisation, email="invited@example.org", invited_by=organiser
    )
    # Compiled by our team from public pages; the organiser asks to take it over.
    compiled = make_group(
        checked_on=date(2026, 12, 6), confirmed_at=None, sources=["https://a.be/"]
    )
    claim = Claim.objects.create(group=compiled, organisation=organisation, requested_by=organiser)
    return {
        "compiled": compiled,
        "claim": claim,
        "organisation": organisation,
        "invitation": invitation,
        "group": group,
        "revision": revision,
        "report": report,
        "users": {
            "organiser": organiser,
            "colleague": colleague,
            "other_organiser": other,
            "moderator": make_moderator(),
            "anonymous": None,
        },
    }


def _url(world, url_name, takes):
    if takes is None:
        return reverse(url_name)
    obj = world[takes]
    key = obj.pk if takes in ("revision", "report", "invitation", "claim") else obj.public_id
    return reverse(url_name, args=[key])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "method", "url_name", "takes", "allowed"), VIEWS, ids=[f"{v[0]}-{v[1]}" for v in VIEWS]
)
def test_who_may(client, world, persona, name, method, url_name, takes, allowed):
    user = world["users"][persona]
    if user is not None:
        client.force_login(user)
    url = _url(world, url_name, takes)
    response = getattr(client, method)(url, {})

    if persona == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif persona in allowed:
        # Allowed: the page shows, or the (empty) form is answered without a 404 or an error.
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 404
        assert world["organisation"].name not in response.content.decode()


def test_an_outsider_changes_nothing(client, world):
    group = world["group"]
    client.force_login(world["users"]["other_organiser"])
    for url_name in ("accounts:archive_group", "accounts:confirm_group"):
        client.post(reverse(url_name, args=[group.public_id]))
    before = group.confirmed_at
    group.refresh_from_db()
    assert group.status == Status.PUBLISHED
    assert group.confirmed_at == before


def test_only_a_moderator_decides_a_claim(client, world):
    claim, compiled = world["claim"], world["compiled"]
    url = reverse("accounts:claim", args=[claim.pk])
    for persona in ("organiser", "colleague", "other_organiser"):
        client.force_login(world["users"][persona])
        assert client.post(url, {"decision": "approve"}).status_code == 404
    claim.refresh_from_db()
    compiled.refresh_from_db()
    assert claim.state == Claim.State.PENDING
    assert compiled.organisation != world["organisation"]
    client.force_login(world["users"]["moderator"])
    client.post(url, {"decision": "approve"})
    compiled.refresh_from_db()
    assert compiled.organisation == world["organisation"]


def test_a_404_for_someone_elses_object_looks_like_one_that_does_not_exist(client, world):
    client.force_login(world["users"]["other_organiser"])
    real, made_up = str(world["group"].public_id), str(uuid.uuid4())
    theirs = client.get(reverse("accounts:edit_group", args=[real]))
    nobodys = client.get(reverse("accounts:edit_group", args=[made_up]))
    assert theirs.status_code == nobodys.status_code == 404

    # The same page, but for the address itself (the language links repeat it) and the logout
    # form's CSRF token (masked differently on each response).
    def page(response, key):
        html = response.content.decode().replace(key, "ID")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)

    assert page(theirs, real) == page(nobodys, made_up)


def test_membership_is_what_grants_access(client, world):
    other = world["users"]["other_organiser"]
    client.force_login(other)
    url = reverse("accounts:edit_group", args=[world["group"].public_id])
    assert client.get(url).status_code == 404
    Membership.objects.create(user=other, organisation=world["organisation"])
    assert client.get(url).status_code == 200
    assert Group.objects.filter(pk=world["group"].pk).exists()


# Accepting an invitation: only its own address, only while it lives ------------------------------


def _accept(client, world, user):
    client.force_login(user)
    path = invitation_link(world["invitation"], "en").split("://", 1)[1]
    return client.post(path[path.index("/") :])


def _joined(user, world) -> bool:
    return Membership.objects.filter(user=user, organisation=world["organisation"]).exists()


def test_an_invitation_joins_only_the_account_it_was_sent_to(client, world):
    for persona in ("other_organiser", "moderator"):
        user = world["users"][persona]
        assert _accept(client, world, user).status_code == 403
        assert not _joined(user, world)
    invited = make_organiser(email="invited@example.org")
    assert _accept(client, world, invited).status_code == 302
    assert _joined(invited, world)


def test_a_revoked_invitation_joins_nobody(client, world):
    client.force_login(world["users"]["colleague"])
    client.post(reverse("accounts:revoke_invitation", args=[world["invitation"].pk]))
    invited = make_organiser(email="invited@example.org")
    assert _accept(client, world, invited).status_code == 400
    assert not _joined(invited, world)


def test_an_invitation_whose_inviter_was_removed_joins_nobody(client, world):
    Membership.objects.filter(user=world["users"]["organiser"]).delete()
    invited = make_organiser(email="invited@example.org")
    assert _accept(client, world, invited).status_code == 400
    assert not _joined(invited, world)


def test_an_outsider_cannot_revoke_an_invitation(client, world):
    for persona in ("other_organiser", "moderator"):
        client.force_login(world["users"][persona])
        url = reverse("accounts:revoke_invitation", args=[world["invitation"].pk])
        assert client.post(url).status_code == 404
    world["invitation"].refresh_from_db()
    assert world["invitation"].revoked_at is None


def test_the_admin_login_does_not_let_a_guesser_reach_moderation(client, world):
    # 30 wrong passwords in a row, then the right one: the guesser still waits.
    statuses = {
        client.post(
            "/admin/login/", {"username": "moderator", "password": f"guess {n}"}
        ).status_code
        for n in range(30)
    }
    assert statuses == {200, 429}
    response = client.post(
        "/admin/login/", {"username": "moderator", "password": "a calm password 4 tests"}
    )
    assert response.status_code == 429
    assert client.get(reverse("accounts:moderation")).status_code == 302
    assert client.get("/admin/").status_code == 302
