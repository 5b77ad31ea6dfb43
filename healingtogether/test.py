"""Shared test helpers: a factory for directory rows and the people who use the site.

Personas, as in healthchecks' hc/test.py: `moderator` is on our team and works in the admin;
`stranger` is a signed-in user with no rights at all; `organiser` belongs to an organisation and
edits its listings. A seeker has no account, so tests use an
anonymous client for them.
"""

import itertools
from datetime import date, time

from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import gettext

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Location, Organisation, Schedule, Status

_counter = itertools.count(1)


def said(text: str, language: str, **values) -> str:
    """What a page or an email in `language` says for the English `text`: its translation, with
    any placeholders filled in. Compare it with `html.unescape()` of a page."""
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def make_organisation(**fields) -> Organisation:
    n = next(_counter)
    defaults = {
        "slug": f"organisation-{n}",
        "name_fr": f"Association {n}",
        "kind": "association",
        "approved_at": timezone.now(),
    }
    return Organisation.objects.create(**{**defaults, **fields})


def make_group(*, topics=(), audiences=(), languages=(), **fields) -> Group:
    """A published support group, with whatever fields the test cares about."""
    n = next(_counter)
    organisation = fields.pop("organisation", None) or make_organisation()
    defaults = {
        "slug": f"group-{n}",
        "organisation": organisation,
        "name_fr": f"Groupe de parole {n}",
        "description_fr": "Un groupe pour se retrouver entre personnes qui vivent la même chose.",
        "kind": Group.Kind.SUPPORT_GROUP,
        "facilitation": Group.Facilitation.PEER,
        "format": Group.Format.IN_PERSON,
        "status": Status.PUBLISHED,
        "confirmed_at": timezone.now(),
    }
    with listing.changes():  # announced (and so indexed) once its terms are set
        group = listing.save(Group(), **{**defaults, **fields})
        group.topics.set(topics)
        group.audiences.set(audiences)
        group.session_languages.set(languages)
    return group


def make_location(group, **fields) -> Location:
    defaults = {"postcode": "5000", "latitude": 50.4669, "longitude": 4.8675}
    return Location.objects.create(group=group, **{**defaults, **fields})


def make_schedule(group, **fields) -> Schedule:
    defaults = {
        "freq": Schedule.Freq.WEEKLY,
        "byday": "TU",
        "dtstart": date(2026, 1, 6),
        "opens_at": time(19, 0),
        "closes_at": time(21, 0),
    }
    return Schedule.objects.create(group=group, **{**defaults, **fields})


def make_organiser(organisation=None, email="organiser@example.org", language="en") -> User:
    """A verified organiser, member of `organisation` (a new one by default)."""
    from healingtogether.accounts.models import Membership, Profile

    user = User.objects.create_user(email, email, "a calm password 4 tests")
    Profile.objects.create(user=user, language=language, email_verified_at=timezone.now())
    Membership.objects.create(user=user, organisation=organisation or make_organisation())
    return user


def make_moderator() -> User:
    return User.objects.create_superuser(
        "moderator", "moderator@example.org", "a calm password 4 tests"
    )


def make_stranger() -> User:
    return User.objects.create_user("stranger", "stranger@example.org", "a calm password 4 tests")
