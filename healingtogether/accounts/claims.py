"""Claims: an organiser takes over a listing our team compiled from public pages.

A compiled listing belongs to an organisation nobody has joined yet. An organiser with a verified
address asks for it on behalf of one of their organisations; a moderator compares the organiser's
address with the listing's published email and website, and approves (the group moves to that
organisation, through the one listing writer) or rejects. Every step is in the audit log, and
the organiser hears about the decision by email, in their own language.
"""

from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status
from healingtogether.lib import emails

from .models import (
    AlreadyDecided,
    AuditEntry,
    Claim,
    Membership,
    OrganisationNotApproved,
    language_of,
)


class ClaimRefused(Exception):
    """The listing cannot be claimed (or the claim approved); `message` says why, plainly."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def has_organiser(group) -> bool:
    """Somebody already looks after this listing: its organisation has members."""
    return Membership.objects.filter(organisation_id=group.organisation_id).exists()


def problem(group, user=None) -> str | None:
    """Why `group` cannot be claimed (by `user`, when given), in words; None when it can."""
    if group.status != Status.PUBLISHED:
        return _(
            "This listing is not on the public site at the moment, so it cannot be claimed. "
            "Nothing was changed."
        )
    if group.checked_on is None or has_organiser(group):
        return _(
            "This listing already has an organiser who looks after it, so it cannot be claimed. "
            "Nothing was changed."
        )
    if user is not None and Claim.objects.pending().filter(group=group, requested_by=user).exists():
        return _(
            "You have already asked to take over this listing. Our team will email you once "
            "they have looked at it. Nothing was changed."
        )
    return None


def membership_changed(sender, instance, **kwargs) -> None:
    """An organisation gaining its first organiser, or losing its last, changes whether its
    compiled listings offer "Claim it": their pages changed (and pages kept in memory, keyed on
    the listings, are made again)."""
    listing.touch(Group.objects.filter(organisation_id=instance.organisation_id))


def claimable(group) -> bool:
    """Whether the public page offers "Is this your group? Claim it"."""
    return problem(group) is None


def request(group, organisation, user) -> Claim:
    """`user` asks for `group` on behalf of `organisation` (one of theirs): a pending claim."""
    with transaction.atomic():
        reason = problem(group, user)
        if reason:
            raise ClaimRefused(reason)
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    group=group, organisation=organisation, requested_by=user
                )
        except IntegrityError:  # the same claim sent twice at the same moment
            raise ClaimRefused(problem(group, user) or "") from None
        AuditEntry.record(user, AuditEntry.Action.CLAIM_REQUESTED, group, claim=claim)
    return claim


def _host(url: str) -> str:
    host = (urlsplit(url or "").hostname or "").lower()
    return host.removeprefix("www.")


def match(claim) -> dict:
    """What a moderator compares: the organiser's address against the listing's published email
    and website. `email` when the addresses are the same, `domain` when the organiser's address
    is at the website's domain."""
    group = claim.group
    organiser = (claim.requested_by.email or "").strip().lower()
    published = (group.email or group.organisation.email or "").strip().lower()
    website = group.website or group.organisation.website
    host = _host(website)
    domain = organiser.rpartition("@")[2].removeprefix("www.")
    return {
        "organiser_email": claim.requested_by.email,
        "published_email": group.email or group.organisation.email,
        "website_host": host,
        "email": bool(organiser and organiser == published),
        "domain": bool(organiser and host and domain == host),
    }


def decide(claim, moderator, approve: bool, note: str = "") -> None:
    """Approve (the group moves to the claiming organisation) or reject, exactly once.

    Of two moderators deciding at the same moment exactly one wins (a conditional UPDATE); the
    other gets AlreadyDecided. An approval is refused, with nothing changed, when the listing
    has found an organiser meanwhile or stopped being public, or when our team has not approved
    the claiming organisation yet (its name would reach the public unreviewed).
    """
    now = timezone.now()
    state = Claim.State.APPROVED if approve else Claim.State.REJECTED
    if approve and claim.organisation.approved_at is None:
        raise OrganisationNotApproved
    with transaction.atomic():
        won = Claim.objects.filter(pk=claim.pk, state=Claim.State.PENDING).update(
            state=state, decided_by=moderator, decided_at=now, note=note
        )
        if not won:
            raise AlreadyDecided
        group = Group.objects.select_related("organisation").get(pk=claim.group_id)
        if approve:
            reason = problem(group)
            if reason:
                raise ClaimRefused(reason)  # rolls the state back too
            listing.save(group, organisation=claim.organisation)
        claim.state, claim.decided_by, claim.decided_at, claim.note = state, moderator, now, note
        AuditEntry.record(
            moderator,
            AuditEntry.Action.CLAIM_APPROVED if approve else AuditEntry.Action.CLAIM_REJECTED,
            group,
            note=note,
            claim=claim,
        )
    transaction.on_commit(lambda: tell_organiser(claim))


def tell_organiser(claim) -> None:
    """Email the organiser who asked about the moderator's decision, in their language."""
    user = claim.requested_by
    if not user.email:
        return
    language = language_of(user)
    group = Group.objects.get(pk=claim.group_id)
    with translation.override(language):
        public_url = emails.absolute_url(group.get_absolute_url())
    emails.send(
        "claim_decision",
        user.email,
        language,
        {
            "approved": claim.state == Claim.State.APPROVED,
            "name": group.name,
            "organisation": claim.organisation.name,
            "note": claim.note,
            "public_url": public_url,
            "workspace_url": emails.localized_url(language, "accounts:workspace"),
        },
    )
