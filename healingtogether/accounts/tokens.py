"""Signed links that let an organiser confirm a group's details from an email, without logging in.

The token signs the group's public id together with its `confirmed_at` at the moment the email
was written. Confirming moves `confirmed_at`, so the same link then no longer matches: it is
single-use without our storing anything, and a confirmation by any other way (the workspace, a
moderator's approval) also retires it. The signature carries its own timestamp, so a link older
than settings.EMAIL_LINK_MAX_AGE is refused.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import models

from healingtogether.directory.models import Group

SALT = "healingtogether.accounts.group-confirmation"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Verdict(models.TextChoices):
    """What a link from an email turned out to be: a confirmation link here, and the
    verification and invitation links of views/auth.py. The values are what the templates
    compare `state` with."""

    VALID = "valid"  # the link can still do what it was sent for
    USED = "used"  # done already (details confirmed since, address verified, invitation taken)
    EXPIRED = "expired"  # older than its max age
    INVALID = "invalid"  # forged, damaged, or what it points at is gone or no longer listed
    REVOKED = "revoked"  # an invitation a member withdrew, or whose inviter has left


@dataclass
class Reading:
    verdict: Verdict
    group: Group | None = None


def _stamp(group) -> int:
    """The group's last confirmation in microseconds (0: never), exact on every database."""
    confirmed = group.confirmed_at
    return 0 if confirmed is None else (confirmed - EPOCH) // timedelta(microseconds=1)


def confirmation_token(group) -> str:
    """A token for one click on "these details are still right", valid until used or expired."""
    return signing.TimestampSigner(salt=SALT).sign_object([group.public_id.hex, _stamp(group)])


def read_confirmation_token(token: str) -> Reading:
    """What a token from a reminder email allows. Never raises: a bad token is a verdict."""
    try:
        public_id, stamp = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.EMAIL_LINK_MAX_AGE
        )
    except signing.SignatureExpired:
        return Reading(Verdict.EXPIRED)
    except (signing.BadSignature, ValueError, TypeError):
        return Reading(Verdict.INVALID)
    group = (
        Group.objects.listed()
        .filter(public_id=public_id)
        .select_related("organisation")
        .prefetch_related("locations__municipality", "schedules", "session_languages")
        .first()
    )
    if group is None:
        return Reading(Verdict.INVALID)
    if _stamp(group) != stamp:
        return Reading(Verdict.USED, group)
    return Reading(Verdict.VALID, group)
