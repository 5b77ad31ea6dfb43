"""Organisers, their organisations, what they submit, and what our team decides about it.

Every change a person makes to what the public sees goes through a Revision: a new listing, an edit
to a published group, an edit to an organisation. A moderator approves or rejects it, once; the
decision and every other moderation step is written to the audit log.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Organisation, Status
from healingtogether.lib import emails


class Profile(models.Model):
    """What we keep about an organiser besides Django's user: the language they read us in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    language = models.CharField(
        _("language for emails"), max_length=2, choices=settings.LANGUAGES, default="en"
    )
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.user.email


def language_of(user) -> str:
    try:
        return user.profile.language
    except Profile.DoesNotExist:
        return settings.LANGUAGE_CODE


def is_moderator(user) -> bool:
    return user.is_authenticated and user.has_perm("accounts.moderate")


class Membership(models.Model):
    """An organiser belongs to one or more organisations and may edit everything they list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="accounts_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


def organisations_of(user):
    """The organisations this user may edit (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def groups_of(user):
    """The groups this user may edit: those of their organisations."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(organisation__memberships__user=user)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Invitations that can still be accepted: not used, not revoked, not expired."""
        since = timezone.now() - timedelta(seconds=settings.EMAIL_LINK_MAX_AGE)
        return self.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            invited_by__isnull=False,
            created_at__gt=since,
        )


class Invitation(models.Model):
    """A colleague invited by email to join an organisation; the link in the email is signed.
    It is for that address only, and dies when a member revokes it or its inviter leaves."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class AlreadyDecided(Exception):
    """Somebody decided about this revision first."""


class OrganisationNotApproved(Exception):
    """A group cannot be published while our team has not approved its organisation's details."""


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        """Waiting for a moderator: at most one per group or organisation."""
        return self.filter(state=Revision.State.PENDING)


class Revision(models.Model):
    """A proposed state of a group or an organisation, waiting for a moderator.

    `data` is the whole listing as `directory.listing.data_of()` gives it, so approving is
    writing it and the moderator's view is a diff against what the public sees now.
    """

    objects = RevisionQuerySet.as_manager()

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Replaced by a newer version")

    group = models.ForeignKey(
        Group, models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    data = models.JSONField(_("proposed listing"))
    is_new = models.BooleanField(_("new listing"), default=False)
    # What a moderator should look at closely, in words: e.g. an imported address outside Belgium.
    flags = models.JSONField(_("points to check"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note to the organiser"), blank=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["created_at", "pk"]
        permissions = [("moderate", "Can review listings, check credentials and handle reports")]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=True) ^ Q(organisation__isnull=True),
                name="accounts_revision_one_target",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(state="pending"),
                name="accounts_revision_one_pending_per_group",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(state="pending"),
                name="accounts_revision_one_pending_per_organisation",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="accounts_revision_queue")]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_state_display()})"

    @property
    def target(self):
        return self.group or self.organisation

    def decide(self, moderator, approve: bool, note: str = "") -> None:
        """Approve (apply the data, publish, confirm the facts) or reject, exactly once.

        The state changes with a conditional UPDATE, so of two moderators deciding at the same
        moment exactly one succeeds; the other gets AlreadyDecided and nothing of theirs is
        written or sent.
        """
        now = timezone.now()
        state = self.State.APPROVED if approve else self.State.REJECTED
        target = self.target
        if approve and self.group_id:
            organisation = Organisation.objects.get(pk=target.organisation_id)
            if organisation.approved_at is None:
                raise OrganisationNotApproved
        with transaction.atomic():
            won = Revision.objects.filter(pk=self.pk, state=self.State.PENDING).update(
                state=state, decided_by=moderator, decided_at=now, note=note
            )
            if not won:
                raise AlreadyDecided
            self.state, self.decided_by, self.decided_at, self.note = state, moderator, now, note
            if approve and self.group_id:
                listing.save(target, self.data, status=Status.PUBLISHED, confirmed_at=now)
            elif approve:
                listing.save(target, self.data, approved_at=now)
            elif self.is_new and self.group_id:
                # Back to the organiser, who can change it and submit it again.
                listing.set_status(Group.objects.filter(pk=self.group_id), Status.DRAFT)
            AuditEntry.record(
                moderator,
                AuditEntry.Action.APPROVED if approve else AuditEntry.Action.REJECTED,
                target,
                note=note,
                revision=self,
            )
        transaction.on_commit(self.tell_author)

    def tell_author(self) -> None:
        """Email the organiser who submitted this revision about the moderator's decision."""
        author = self.author
        if author is None or not author.email:
            return
        language = language_of(author)
        target = self.target
        with translation.override(language):
            public_url = emails.absolute_url(target.get_absolute_url())
        emails.send(
            "decision",
            author.email,
            language,
            {
                "revision": self,
                "approved": self.state == self.State.APPROVED,
                "name": target.name,
                "workspace_url": emails.localized_url(language, "accounts:workspace"),
                "public_url": public_url,
            },
        )


class Report(models.Model):
    """A visitor's note that something on a group's page is wrong. Anonymous by design: we keep
    the message and the page's language, nothing about the person."""

    group = models.ForeignKey(Group, models.CASCADE, related_name="reports")
    message = models.TextField(_("what is wrong"), max_length=2000)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["resolved_at"], name="accounts_report_open")]

    def __str__(self) -> str:
        return f"{self.group}: {self.message[:40]}"


class ClaimQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Claim.State.PENDING)


class Claim(models.Model):
    """An organiser asks to take over a listing our team compiled from public pages, for one of
    their organisations. A moderator approves (the group moves to that organisation) or rejects,
    once; see accounts/claims.py."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(Group, models.CASCADE, related_name="claims")
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="claims")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="claims"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    note = models.TextField(_("note to the organiser"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "requested_by"],
                condition=Q(state="pending"),
                name="accounts_claim_one_pending_per_organiser",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.group} ({self.get_state_display()})"


class AuditEntry(models.Model):
    """Who did what, when, to which listing. Written once, never edited."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CREDENTIAL_CHECKED = "credential", _("checked the credential of")
        CONFIRMED = "confirmed", _("confirmed the details of")
        ARCHIVED = "archived", _("archived")
        REPORT_RESOLVED = "report", _("resolved a report about")
        INVITED = "invited", _("invited a colleague to")
        JOINED = "joined", _("joined")
        REVOKED = "revoked", _("revoked an invitation to")
        CLAIM_REQUESTED = "claim", _("asked to take over")
        CLAIM_APPROVED = "claim_ok", _("approved a claim on")
        CLAIM_REJECTED = "claim_no", _("rejected a claim on")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    group = models.ForeignKey(Group, models.SET_NULL, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.ForeignKey(Revision, models.SET_NULL, null=True, blank=True)
    report = models.ForeignKey(Report, models.SET_NULL, null=True, blank=True)
    claim = models.ForeignKey(Claim, models.SET_NULL, null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    @classmethod
    def record(cls, actor, action, target, *, note="", revision=None, report=None, claim=None):
        """One line in the log. `actor` is None when the organiser acted through a signed link
        from an email (then the note says so)."""
        return cls.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            group=target if isinstance(target, Group) else None,
            organisation=target if isinstance(target, Organisation) else None,
            revision=revision,
            report=report,
            claim=claim,
            note=note,
        )


def revoke_invitations_of_leaving_member(sender, instance, **kwargs):
    """A member who leaves an organisation (or is removed) takes their pending invitations with
    them: nobody gets in later through an address they invited."""
    Invitation.objects.filter(
        organisation_id=instance.organisation_id,
        invited_by_id=instance.user_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


models.signals.post_delete.connect(revoke_invitations_of_leaving_member, sender=Membership)
