"""Security review, finding 1: an organisation's data reaches the public only through a
moderator's approval, and a rejection leaves the public record as it was."""

import pytest
from django.test import Client

from healingtogether.accounts import proposals
from healingtogether.accounts.models import OrganisationNotApproved, Revision
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Organisation, Status
from healingtogether.test import make_group, make_moderator, make_organisation, make_organiser

pytestmark = pytest.mark.django_db

EVIL = {"website": "https://evil.example", "description_en": "Send your bank details."}


def public_texts(client, organisation) -> str:
    page = client.get(f"/en/organisations/{organisation.slug}/").content.decode()
    api = client.get("/api/v1/organisations").content.decode()
    return page + api


def test_an_organisation_without_public_groups_keeps_its_approved_data_until_review():
    organisation = make_organisation(name_en="Calm Association", website="https://calm.example")
    group = make_group(organisation=organisation)
    organiser = make_organiser(organisation)
    moderator = make_moderator()
    # The reproduction from the review: archive every group, edit the organisation, send the
    # group again; the moderator rejects the organisation's change and approves the group's.
    proposals.archive(group, organiser)
    edit = proposals.submit(organisation, listing.data_of(organisation) | EVIL, organiser)
    organisation.refresh_from_db()
    assert organisation.website == "https://calm.example"
    again = proposals.submit(group, listing.data_of(group), organiser)
    edit.decide(moderator, approve=False, note="Not our kind of link.")
    again.decide(moderator, approve=True)
    client = Client()
    texts = public_texts(client, organisation)
    assert "https://calm.example" in texts
    assert "evil.example" not in texts and "bank details" not in texts


def test_a_new_organisation_and_its_group_wait_for_the_organisation_to_be_approved():
    organiser = make_organiser()
    organisation = proposals.create_organisation(
        {"name_en": "Brand New Circle", "kind": "association"} | EVIL, organiser
    )
    group = proposals.create_group(organisation, {"name_en": "Tuesday circle"}, organiser)
    moderator = make_moderator()
    with pytest.raises(OrganisationNotApproved):
        group.revisions.pending().get().decide(moderator, approve=True)
    group.refresh_from_db()
    assert group.status == Status.PENDING
    assert Revision.objects.filter(group=group, state=Revision.State.PENDING).exists()
    organisation.revisions.pending().get().decide(moderator, approve=True)
    group.revisions.pending().get().decide(moderator, approve=True)
    group.refresh_from_db()
    assert group.status == Status.PUBLISHED


def test_a_rejected_new_organisation_never_shows(client):
    organiser = make_organiser()
    organisation = proposals.create_organisation({"name_en": "Phish Inc"} | EVIL, organiser)
    group = proposals.create_group(organisation, {"name_en": "Group of Phish"}, organiser)
    moderator = make_moderator()
    organisation.revisions.pending().get().decide(moderator, approve=False, note="No.")
    assert Organisation.objects.get(pk=organisation.pk).approved_at is None
    assert listing.set_status(Group.objects.filter(pk=group.pk), Status.PUBLISHED) == 0
    assert client.get(f"/en/organisations/{organisation.slug}/").status_code == 404
    assert "evil.example" not in client.get("/api/v1/organisations").content.decode()


def test_the_review_of_a_group_shows_its_organisations_pending_changes(client):
    organisation = make_organisation(name_en="Calm Association")
    organiser = make_organiser(organisation)
    group = make_group(organisation=organisation)
    proposals.submit(organisation, listing.data_of(organisation) | EVIL, organiser)
    revision = proposals.submit(group, listing.data_of(group) | {"name_en": "New"}, organiser)
    client.force_login(make_moderator())
    html = client.get(f"/en/moderation/revisions/{revision.pk}/").content.decode()
    pending = organisation.revisions.pending().get()
    assert f"/en/moderation/revisions/{pending.pk}/" in html


def test_approving_a_group_of_an_unapproved_organisation_says_why_and_changes_nothing(client):
    organiser = make_organiser()
    organisation = proposals.create_organisation({"name_en": "Waiting Org"}, organiser)
    group = proposals.create_group(organisation, {"name_en": "Waiting group"}, organiser)
    client.force_login(make_moderator())
    revision = group.revisions.pending().get()
    url = f"/en/moderation/revisions/{revision.pk}/"
    response = client.post(url, {"decision": "approve", "note": ""}, follow=True)
    assert "review its organisation" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == Revision.State.PENDING
    assert Group.objects.get(pk=group.pk).status == Status.PENDING
