"""What organisers propose: their listings reach the public only through a moderator.

An organiser's form data goes into a Revision; `Revision.decide` writes it through the one
listing writer (`directory.listing`) when a moderator approves. A listing nobody has seen yet (a
draft or pending group, an organisation our team never approved) takes the data at once, since
none of it is public; anything public keeps what the public sees until a moderator approves.
"""

from django.db import transaction
from django.utils import timezone

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Organisation, Status

from .models import AuditEntry, Membership, Revision


def is_public(obj) -> bool:
    """Whether the public sees (or may see) this listing's data: a published group, or an
    organisation a moderator has approved."""
    if isinstance(obj, Group):
        return obj.status == Status.PUBLISHED
    return obj.approved_at is not None


def submit(obj, data: dict, author, flags=()) -> Revision:
    """An organiser (or an import, with no author) proposes `data` for `obj`, which exists.

    A second edit before review replaces the first, so the moderator always sees one proposal.
    """
    with transaction.atomic():
        public = is_public(obj)
        obj.revisions.pending().update(state=Revision.State.WITHDRAWN)
        if not public:
            listing.save(obj, data)
            if isinstance(obj, Group) and obj.status != Status.PENDING:
                listing.set_status(Group.objects.filter(pk=obj.pk), Status.PENDING)
                obj.status = Status.PENDING
        revision = obj.revisions.create(
            data=data, is_new=not public, author=author, flags=list(flags)
        )
        AuditEntry.record(author, AuditEntry.Action.SUBMITTED, obj, revision=revision)
    return revision


def create_organisation(data: dict, author) -> Organisation:
    """A new organisation, its author its first member, waiting for review."""
    with transaction.atomic():
        organisation = listing.create_organisation(data)
        Membership.objects.create(user=author, organisation=organisation)
        submit(organisation, data, author)
    return organisation


def create_group(organisation, data: dict, author) -> Group:
    """A new group of `organisation`, pending review and invisible to the public."""
    with transaction.atomic():
        group = listing.create_group(organisation, data)
        submit(group, data, author)
    return group


def create_draft(organisation, data: dict) -> Group:
    """A new group of `organisation` as a draft: only its organisation sees it, nothing is sent
    for review until the organiser says so (`submit`)."""
    return listing.create_group(organisation, data, status=Status.DRAFT)


def save_draft(group, data: dict) -> None:
    """Write a draft's data at once: nobody but its organisation sees a draft."""
    if group.status != Status.DRAFT:
        raise ValueError("Only a draft is saved without review.")
    listing.save(group, data)


def confirm(group, actor, note: str = "") -> None:
    """The organiser or a moderator says the facts are still right: the only way, besides an
    approval, that `confirmed_at` moves. `actor` is None for a signed link from an email."""
    now = timezone.now()
    listing.update(Group.objects.filter(pk=group.pk), confirmed_at=now)
    group.confirmed_at = now
    AuditEntry.record(actor, AuditEntry.Action.CONFIRMED, group, note=note)


def archive(group, actor) -> None:
    """Take a group off the public site at once (no review needed to show less)."""
    with transaction.atomic():
        # A change still waiting for review would publish the group again once approved.
        group.revisions.pending().update(state=Revision.State.WITHDRAWN)
        listing.set_status(Group.objects.filter(pk=group.pk), Status.ARCHIVED)
        AuditEntry.record(actor, AuditEntry.Action.ARCHIVED, group)
