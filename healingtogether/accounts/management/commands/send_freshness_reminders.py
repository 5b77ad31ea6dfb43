"""Ask organisers whether their listings are still right, before they fade out of search.

A listing nobody confirms for 150 days gets this reminder; after 180 days its page warns that it
may be out of date and it ranks lower; after 365 days it leaves search results. Run this daily
(cron or a systemd timer): each run only emails about groups that became due since the last one.
"""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from healingtogether.accounts.models import Membership, language_of
from healingtogether.accounts.tokens import confirmation_token
from healingtogether.directory.models import Group
from healingtogether.lib import emails


class Command(BaseCommand):
    help = (
        "Email the members of each organisation whose listed groups have not been confirmed for "
        "150 days: one email per person, in their language, with a signed one-click link per "
        "group (valid for EMAIL_LINK_MAX_AGE). A group is reminded once per confirmation: its "
        "reminded_at is set, and only a new confirmation makes it due again. Groups whose "
        "organisation has no member (such as the loaded public resources) get no email and are "
        "counted in the output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        due = list(Group.objects.due_for_reminder(now).select_related("organisation"))
        members = _members_by_organisation({g.organisation_id for g in due})
        unreachable = [g for g in due if not members[g.organisation_id]]
        reachable = [g for g in due if members[g.organisation_id]]
        if not dry_run:
            reachable = [g for g in reachable if _claim(g, now)]

        groups_of_user, users = defaultdict(list), {}
        for group in reachable:
            for user in members[group.organisation_id]:
                groups_of_user[user.pk].append(group)
                users[user.pk] = user

        sent, reached = 0, set()
        for pk, groups in groups_of_user.items():
            if dry_run:
                self.stdout.write(f"Would email {users[pk].email} about {len(groups)} group(s)")
                sent += 1
                continue
            try:
                _send(users[pk], groups)
            except Exception as error:  # noqa: BLE001 - one bad address must not stop the rest
                self.stderr.write(f"Could not email {users[pk].email}: {error}")
                continue
            sent += 1
            reached.update(g.pk for g in groups)
        # A group nobody could be emailed about stays due, so the next run tries again.
        for group in reachable:
            if not dry_run and group.pk not in reached:
                Group.objects.filter(pk=group.pk).update(reminded_at=group.reminded_at)

        count = len(reachable) if dry_run else len(reached)
        verb = "Would remind" if dry_run else "Reminded"
        self.stdout.write(
            f"{verb} the organisers of {count} group(s) in {sent} email(s); "
            f"{len(unreachable)} due group(s) have no organiser to email."
        )
        if count < len(reachable):
            raise CommandError("Some emails could not be sent; their groups stay due.")


def _members_by_organisation(organisation_ids) -> defaultdict:
    """organisation id -> the active members with an email address, who can be reminded."""
    found = defaultdict(list)
    memberships = (
        Membership.objects.filter(organisation_id__in=organisation_ids, user__is_active=True)
        .exclude(user__email="")
        .select_related("user__profile")
        .order_by("user_id")
    )
    for membership in memberships:
        found[membership.organisation_id].append(membership.user)
    return found


def _claim(group, now) -> bool:
    """Mark the group reminded, unless another run did since we looked: a conditional UPDATE,
    so two runs at the same time never email about the same group twice."""
    return bool(Group.objects.due_for_reminder(now).filter(pk=group.pk).update(reminded_at=now))


def _send(user, groups) -> None:
    """One email to one organiser about their due groups, each with its own link."""
    language = language_of(user)
    with translation.override(language):
        items = [
            {
                "name": group.name,
                "confirmed_at": group.confirmed_at,
                "confirm_url": emails.localized_url(
                    language, "accounts:confirm_by_link", confirmation_token(group)
                ),
                "public_url": emails.absolute_url(group.get_absolute_url()),
            }
            for group in groups
        ]
    emails.send(
        "freshness_reminder",
        user.email,
        language,
        {
            "groups": items,
            "days": settings.EMAIL_LINK_MAX_AGE // (24 * 3600),
            "workspace_url": emails.localized_url(language, "accounts:workspace"),
        },
    )
