"""Claiming a compiled listing: the offer on its public page, the organiser's request, the
moderator's decision, the email, and every way a claim can go wrong.

Each test acts through the real pages and checks what a person would notice: what the page says,
who owns the listing afterwards, which emails arrive and what the audit log records.
"""

import html as html_lib
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from healingtogether.accounts.models import AuditEntry, Claim, Profile
from healingtogether.directory.models import Status
from healingtogether.test import (
    make_group,
    make_moderator,
    make_organisation,
    make_organiser,
    said,
)

pytestmark = pytest.mark.django_db

QUEUE = "/en/moderation/"


def compiled(**fields):
    """A grief group our team compiled from the organisation's own page; nobody runs it here."""
    organisation = fields.pop("organisation", None) or make_organisation(
        name_fr="Similes Wallonie", website="https://www.similes.be/"
    )
    defaults = {
        "organisation": organisation,
        "name_fr": "Groupe de parole Similes Namur",
        "checked_on": date(2026, 12, 6),
        "confirmed_at": None,
        "confidence": "high",
        "sources": ["https://www.similes.be/groupes"],
        "evidence": ["Un groupe de parole se réunit chaque mois à Namur."],
        "website": "https://www.similes.be/groupes",
        "email": "info@similes.be",
    }
    return make_group(**{**defaults, **fields})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def claim_url(group, language="en") -> str:
    return f"/{language}/workspace/groups/{group.public_id}/claim/"


def text_of(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def team():
    return signed_in(make_moderator())


@pytest.fixture
def anne():
    """An organiser whose address is at the listing's website's domain."""
    return make_organiser(
        make_organisation(name_fr="Similes Namur asbl"), email="anne@similes.be", language="nl"
    )


def ask(user, group) -> Claim:
    organisation = user.memberships.get().organisation
    response = signed_in(user).post(claim_url(group), {"organisation": organisation.public_id})
    assert response.status_code == 302, text_of(response)
    return Claim.objects.get(group=group, requested_by=user)


# The offer on the public page ---------------------------------------------------------------


def test_a_compiled_listing_offers_a_claim_and_one_with_an_organiser_does_not(client):
    group = compiled()
    page = text_of(client.get(group.get_absolute_url()))
    assert "Is this your group?" in page
    assert f'href="{claim_url(group)}"' in page
    assert "Claim it" in page

    make_organiser(group.organisation, email="someone@similes.be")
    assert "Is this your group?" not in text_of(client.get(group.get_absolute_url()))
    own = make_group(name_fr="Groupe inscrit par son organisateur")
    assert "Is this your group?" not in text_of(client.get(own.get_absolute_url()))


def test_the_offer_is_translated(client):
    group = compiled()
    page = text_of(client.get(f"/de/groups/{group.slug}/"))
    assert said("Is this your group?", "de") in page
    assert said("Claim it", "de") in page
    assert f'href="{claim_url(group, "de")}"' in page


def test_an_anonymous_visitor_is_sent_to_login_and_back(client):
    group = compiled()
    response = client.get(claim_url(group))
    assert response.status_code == 302
    assert response.url.startswith("/en/account/login/")
    assert response.url.endswith(f"?next={claim_url(group)}")


# The organiser's request --------------------------------------------------------------------


def test_an_organiser_claims_a_listing_for_one_of_their_organisations(anne):
    group = compiled()
    client = signed_in(anne)
    page = text_of(client.get(claim_url(group)))
    assert "On behalf of which organisation?" in page
    assert "Similes Namur asbl" in page

    response = client.post(
        claim_url(group),
        {"organisation": anne.memberships.get().organisation.public_id},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/en/workspace/"
    assert "Our team will check that Groupe de parole Similes Namur is yours" in text_of(response)
    claim = Claim.objects.get(group=group)
    assert claim.state == Claim.State.PENDING
    assert claim.organisation.name == "Similes Namur asbl"
    group.refresh_from_db()
    assert group.organisation.name == "Similes Wallonie"  # nothing moves before a moderator says
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CLAIM_REQUESTED, group=group, actor=anne, claim=claim
    ).exists()


def test_an_organiser_without_an_organisation_is_asked_to_add_one_first():
    group = compiled()
    user = User.objects.create_user("solo@example.org", "solo@example.org", "a calm password")
    Profile.objects.create(user=user, email_verified_at=timezone.now())
    client = signed_in(user)

    page = text_of(client.get(claim_url(group)))
    assert "first add your organisation" in page
    assert 'href="/en/workspace/organisations/new/"' in page
    client.post(claim_url(group), {"organisation": group.organisation.public_id})
    assert not Claim.objects.exists()


def test_an_account_whose_address_is_not_verified_cannot_claim():
    group = compiled()
    user = User.objects.create_user("new@similes.be", "new@similes.be", "a calm password")
    Profile.objects.create(user=user)
    organisation = make_organisation()
    organisation.memberships.create(user=user)
    client = signed_in(user)

    response = client.post(claim_url(group), {"organisation": organisation.public_id})

    assert response.status_code == 200
    assert "Please verify your email address first" in text_of(response)
    assert not Claim.objects.exists()


def test_a_second_claim_by_the_same_organiser_is_refused_plainly(anne):
    group = compiled()
    ask(anne, group)

    response = signed_in(anne).post(
        claim_url(group), {"organisation": anne.memberships.get().organisation.public_id}
    )

    assert response.status_code == 200
    assert "You have already asked to take over this listing" in text_of(response)
    assert "Nothing was changed." in text_of(response)
    assert Claim.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CLAIM_REQUESTED).count() == 1


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("has an organiser", "This listing already has an organiser"),
        ("made by its organiser", "This listing already has an organiser"),
        ("pending", "This listing is not on the public site at the moment"),
        ("archived", "This listing is not on the public site at the moment"),
    ],
)
def test_a_listing_that_cannot_be_claimed_says_why_and_nothing_changes(anne, situation, message):
    if situation == "has an organiser":
        group = compiled()
        make_organiser(group.organisation, email="someone@similes.be")
    elif situation == "made by its organiser":
        group = make_group()
        make_organiser(group.organisation, email="someone@example.org")
    else:
        group = compiled(status=situation)
    client = signed_in(anne)

    shown = text_of(client.get(claim_url(group)))
    response = client.post(
        claim_url(group), {"organisation": anne.memberships.get().organisation.public_id}
    )

    assert message in shown
    assert response.status_code == 200
    assert message in text_of(response)
    assert "Nothing was changed." in text_of(response)
    assert not Claim.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CLAIM_REQUESTED).exists()


def test_an_organisation_that_is_not_yours_cannot_be_chosen(anne):
    group = compiled()
    someone_elses = make_organisation(name_fr="Pas la mienne")

    response = signed_in(anne).post(claim_url(group), {"organisation": someone_elses.public_id})

    assert response.status_code == 200
    assert "Select a valid choice" in text_of(response)
    assert not Claim.objects.exists()


# The moderator's decision -------------------------------------------------------------------


def test_the_queue_shows_each_claim_with_the_addresses_side_by_side_and_marks_a_match(team, anne):
    domain = compiled(name_fr="Groupe Similes Namur")
    ask(anne, domain)
    same = compiled(name_fr="Groupe Similes Liège", email="liege@similes.be")
    bea = make_organiser(email="liege@similes.be")
    ask(bea, same)
    neither = compiled(name_fr="Groupe Similes Arlon")
    carl = make_organiser(email="carl@example.org")
    ask(carl, neither)

    page = text_of(team.get(QUEUE))

    assert "3 claims on compiled listings" in page
    assert "Claims on compiled listings" in page
    assert (
        '<mark class="match">similes.be — the organiser\'s address is at this domain</mark>' in page
    )
    assert '<mark class="match">liege@similes.be — the same address</mark>' in page
    assert "carl@example.org" in page
    assert page.count('<mark class="match">') == 3  # bea's address is also at the domain
    claim = Claim.objects.get(requested_by=carl)
    assert f'href="/en/moderation/claims/{claim.pk}/"' in page


def test_approving_a_claim_gives_the_listing_to_the_organisation_and_emails_the_organiser(
    team, anne, client, django_capture_on_commit_callbacks
):
    group = compiled()
    claim = ask(anne, group)
    page = text_of(team.get(f"/en/moderation/claims/{claim.pk}/"))
    assert "Un groupe de parole se réunit chaque mois à Namur." in page  # the evidence, beside

    with django_capture_on_commit_callbacks(execute=True):
        response = team.post(
            f"/en/moderation/claims/{claim.pk}/",
            {"decision": "approve", "note": "Welkom bij Healing Together!"},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == QUEUE
    assert "Similes Namur asbl now looks after “Groupe de parole Similes Namur”" in text_of(
        response
    )
    group.refresh_from_db()
    assert group.organisation.name == "Similes Namur asbl"
    assert "Similes Namur asbl" in text_of(client.get(group.get_absolute_url()))
    assert "Is this your group?" not in text_of(client.get(group.get_absolute_url()))
    [email] = mail.outbox
    assert email.to == ["anne@similes.be"]
    assert email.subject == said("You now look after your listing on Healing Together", "nl")
    assert "Welkom bij Healing Together!" in email.body
    assert "/nl/workspace/" in email.body
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CLAIM_APPROVED, group=group, claim=claim
    ).exists()

    # Theirs now, like any of their listings: they can edit it and confirm it.
    organiser = signed_in(anne)
    assert organiser.get(f"/en/workspace/groups/{group.public_id}/edit/").status_code == 200
    organiser.post(f"/en/workspace/groups/{group.public_id}/confirm/")
    group.refresh_from_db()
    assert group.confirmed_at is not None
    assert not group.is_compiled


def test_a_rejection_needs_a_note_and_emails_it_in_the_organisers_language(
    team, django_capture_on_commit_callbacks
):
    group = compiled()
    organiser = make_organiser(email="paul@example.org", language="fr")
    claim = ask(organiser, group)

    response = team.post(f"/en/moderation/claims/{claim.pk}/", {"decision": "reject"})
    assert "Say what needs to change before you reject" in text_of(response)
    claim.refresh_from_db()
    assert claim.state == Claim.State.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        team.post(
            f"/en/moderation/claims/{claim.pk}/",
            {"decision": "reject", "note": "Pouvez-vous nous écrire depuis l'adresse de Similes ?"},
        )

    claim.refresh_from_db()
    group.refresh_from_db()
    assert claim.state == Claim.State.REJECTED
    assert group.organisation.name == "Similes Wallonie"
    [email] = mail.outbox
    assert email.subject == said("About your request to take over a listing", "fr")
    assert "Pouvez-vous nous écrire depuis l'adresse de Similes ?" in email.body  # not &#x27;
    assert said("A note from our team:", "fr") in email.body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CLAIM_REJECTED, claim=claim).exists()


@pytest.mark.parametrize("language", ["en", "fr", "nl", "de"])
def test_the_decision_email_is_written_in_each_language(
    team, language, django_capture_on_commit_callbacks
):
    group = compiled()
    claim = ask(make_organiser(email="x@example.org", language=language), group)
    with django_capture_on_commit_callbacks(execute=True):
        team.post(f"/en/moderation/claims/{claim.pk}/", {"decision": "approve"})
    [email] = mail.outbox
    assert email.subject == said("You now look after your listing on Healing Together", language)
    assert said("Thank you for keeping people well informed.", language) in email.body
    assert said("Your workspace:", language) in email.body
    assert f'<html lang="{language}">' in email.alternatives[0][0]


def test_a_claim_is_decided_once(team, anne, django_capture_on_commit_callbacks):
    claim = ask(anne, compiled())
    url = f"/en/moderation/claims/{claim.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        team.post(url, {"decision": "approve"})
        response = team.post(url, {"decision": "reject", "note": "Non."}, follow=True)

    assert "Another moderator already decided about this claim" in text_of(response)
    assert "Approved by moderator@example.org" in text_of(response)
    claim.refresh_from_db()
    assert claim.state == Claim.State.APPROVED
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(claim=claim).count() == 2  # requested, approved


def test_a_forged_claim_id_says_so_and_changes_nothing(team):
    for method in ("get", "post"):
        response = getattr(team, method)(
            "/en/moderation/claims/987654/", {"decision": "approve"}, follow=True
        )
        assert response.redirect_chain[-1][0] == QUEUE
        assert "We could not find that claim. Nothing was changed." in text_of(response)
    assert not AuditEntry.objects.exists()


def test_a_second_organisers_claim_cannot_be_approved_once_the_listing_has_an_organiser(team, anne):
    group = compiled()
    first = ask(anne, group)
    second = ask(make_organiser(email="bea@example.org"), group)
    team.post(f"/en/moderation/claims/{first.pk}/", {"decision": "approve"})

    page = text_of(team.get(f"/en/moderation/claims/{second.pk}/"))
    assert "This listing already has an organiser: the claim can only be rejected." in page
    response = team.post(
        f"/en/moderation/claims/{second.pk}/", {"decision": "approve"}, follow=True
    )

    assert "This listing already has an organiser" in text_of(response)
    assert "Nothing was changed." in text_of(response)
    second.refresh_from_db()
    group.refresh_from_db()
    assert second.state == Claim.State.PENDING
    assert group.organisation == first.organisation
    assert not AuditEntry.objects.filter(claim=second, action="claim_ok").exists()


def test_a_claim_for_an_organisation_our_team_has_not_approved_waits(team):
    group = compiled()
    organiser = make_organiser(make_organisation(name_fr="Toute nouvelle", approved_at=None))
    claim = ask(organiser, group)

    response = team.post(f"/en/moderation/claims/{claim.pk}/", {"decision": "approve"}, follow=True)

    assert "please review the details of Toute nouvelle first" in text_of(response)
    claim.refresh_from_db()
    group.refresh_from_db()
    assert claim.state == Claim.State.PENDING
    assert group.organisation.name == "Similes Wallonie"
    assert mail.outbox == []


def test_the_audit_log_shows_every_step_of_a_claim(team, anne):
    group = compiled()
    claim = ask(anne, group)
    team.post(f"/en/moderation/claims/{claim.pk}/", {"decision": "reject", "note": "Pas assez."})

    page = text_of(team.get("/en/moderation/log/"))

    assert "asked to take over" in page
    assert "rejected a claim on" in page
    assert "Pas assez." in page
    assert page.count(f'href="/en/moderation/claims/{claim.pk}/"') == 2
    assert group.status == Status.PUBLISHED
