"""Submissions and decisions: what the public sees before and after a moderator acts."""

import pytest
from django.core import mail
from django.utils import timezone

from healingtogether.accounts import proposals
from healingtogether.accounts.models import AlreadyDecided, AuditEntry, Membership, Revision
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status
from healingtogether.search.engine import SearchParams, run
from healingtogether.test import make_group, make_moderator, make_organisation, make_stranger

pytestmark = pytest.mark.django_db


def found(q):
    return [g.pk for g in run(SearchParams(q=q)).groups]


def new_listing(author):
    organisation = make_organisation()
    Membership.objects.create(user=author, organisation=organisation)
    data = {
        "name_nl": "Rouwgroep Gent",
        "description_nl": "Een groep voor wie een dierbare verloor.",
        "kind": Group.Kind.SUPPORT_GROUP,
        "facilitation": Group.Facilitation.PEER,
        "format": Group.Format.IN_PERSON,
        "topics": ["grief"],
        "locations": [{"postcode": "9000", "address": "Veldstraat 1"}],
        "schedules": [
            {
                "freq": "MONTHLY",
                "interval": 1,
                "byday": "2TU",
                "dtstart": "2026-01-06",
                "opens_at": "19:00",
                "closes_at": "21:00",
            }
        ],
    }
    return proposals.create_group(organisation, data, author)


def test_a_new_group_waits_for_review_then_is_found(django_capture_on_commit_callbacks):
    organiser, moderator = make_stranger(), make_moderator()
    group = new_listing(organiser)
    assert group.status == Status.PENDING
    assert group.locations.get().municipality.name_nl == "Gent"
    assert group.pk not in found("rouwgroep")

    revision = group.revisions.get(state=Revision.State.PENDING)
    assert revision.is_new
    with django_capture_on_commit_callbacks(execute=True):
        revision.decide(moderator, approve=True, note="Welcome!")

    group.refresh_from_db()
    assert group.status == Status.PUBLISHED
    assert group.confirmed_at is not None
    assert group.pk in found("rouwgroep")
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert AuditEntry.objects.filter(action="approved", group=group, actor=moderator).exists()


def test_an_edit_to_a_published_group_is_invisible_until_approved():
    organiser, moderator = make_stranger(), make_moderator()
    group = make_group(name_fr="Groupe du mardi")
    Membership.objects.create(user=organiser, organisation=group.organisation)
    data = listing.data_of(group) | {"name_fr": "Groupe du jeudi"}
    revision = proposals.submit(group, data, organiser)

    group.refresh_from_db()
    assert group.name_fr == "Groupe du mardi"
    assert [c[0] for c in listing.diff(Group, listing.data_of(group), revision.data)] == ["name_fr"]
    revision.decide(moderator, approve=True)
    group.refresh_from_db()
    assert group.name_fr == "Groupe du jeudi"
    assert group.pk in found("jeudi")


def test_a_second_edit_replaces_the_first_proposal():
    organiser = make_stranger()
    group = make_group()
    first = proposals.submit(group, listing.data_of(group) | {"name_fr": "Un"}, organiser)
    second = proposals.submit(group, listing.data_of(group) | {"name_fr": "Deux"}, organiser)
    first.refresh_from_db()
    assert first.state == Revision.State.WITHDRAWN
    assert group.revisions.get(state=Revision.State.PENDING) == second


def test_a_decision_cannot_be_taken_twice(django_capture_on_commit_callbacks):
    organiser, moderator = make_stranger(), make_moderator()
    group = new_listing(organiser)
    seen_by_one = group.revisions.get()
    seen_by_other = Revision.objects.get(pk=seen_by_one.pk)  # both opened the page

    with django_capture_on_commit_callbacks(execute=True):
        seen_by_one.decide(moderator, approve=False, note="Please add a schedule.")
        with pytest.raises(AlreadyDecided):
            seen_by_other.decide(moderator, approve=True)

    group.refresh_from_db()
    assert group.status == Status.DRAFT
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(revision=seen_by_one, action="rejected").count() == 1


def test_a_changed_credential_number_must_be_checked_again():
    organiser, moderator = make_stranger(), make_moderator()
    group = make_group(
        credential_kind="inami",
        credential_number="12345678901",
        credential_checked_at=timezone.now(),
    )
    revision = proposals.submit(
        group, listing.data_of(group) | {"credential_number": "10987654321"}, organiser
    )
    revision.decide(moderator, approve=True)
    group.refresh_from_db()
    assert group.credential_number == "10987654321"
    assert group.credential_checked_at is None


def test_an_unchanged_credential_stays_checked():
    organiser, moderator = make_stranger(), make_moderator()
    group = make_group(
        credential_kind="inami",
        credential_number="12345678901",
        credential_checked_at=timezone.now(),
    )
    revision = proposals.submit(group, listing.data_of(group) | {"name_fr": "Autre nom"}, organiser)
    revision.decide(moderator, approve=True)
    group.refresh_from_db()
    assert group.credential_checked_at is not None
