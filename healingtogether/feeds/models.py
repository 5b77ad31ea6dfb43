"""Feeds that groups already publish their meetings in, and the listings each one keeps current.

A Source is a feed a moderator subscribed to (Meeting Guide JSON, iCalendar, or HSDS); `sync`
fetches and reconciles it. An Item ties one of the source's own stable keys (a Meeting Guide
`slug`, an iCalendar `UID`, an HSDS `id`) to the group it created, so that the next sync updates
that group instead of making another, and archives it once the feed has left it out twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import Approach, Audience, Group, Organisation, Topic
from healingtogether.lib.i18n import CONTENT_LANGUAGES

# A source that failed this many syncs in a row is shown to moderators.
FAILING_AFTER = 3
# A listing the feed left out of this many successful syncs in a row is archived.
ARCHIVE_AFTER = 2


class Source(models.Model):
    class Format(models.TextChoices):
        MEETING_GUIDE = "meeting_guide", _("Meeting Guide JSON")
        ICAL = "ical", _("iCalendar (.ics)")
        HSDS = "hsds", _("Open Referral HSDS")

    class Result(models.TextChoices):
        OK = "ok", _("Synchronised")
        NOT_MODIFIED = "not_modified", _("Unchanged since the last sync")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=200)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    url = models.URLField(
        _("address"), max_length=500, help_text=_("Where the feed is published (http or https).")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("organisation"),
        help_text=_("The organisation the listings belong to; one is made from the name if empty."),
    )
    language = models.CharField(
        _("language of the texts"),
        max_length=2,
        choices=[(code, code) for code in CONTENT_LANGUAGES],
        default="fr",
    )
    topics = models.ManyToManyField(Topic, blank=True, verbose_name=_("topics"))
    audiences = models.ManyToManyField(Audience, blank=True, verbose_name=_("audiences"))
    approaches = models.ManyToManyField(Approach, blank=True, verbose_name=_("approaches"))
    trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_(
            "Changes are applied at once, with an audit entry. Otherwise they wait for a moderator."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_result = models.CharField(
        _("result of the last sync"), max_length=20, choices=Result.choices, blank=True
    )
    last_counts = models.JSONField(_("counts of the last sync"), default=dict, blank=True)
    last_errors = models.JSONField(_("errors of the last sync"), default=list, blank=True)
    failures = models.PositiveSmallIntegerField(_("failed syncs in a row"), default=0)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        return self.failures >= FAILING_AFTER


class Item(models.Model):
    """One listing a source keeps: its key in the feed, the group, and what the feed said."""

    source = models.ForeignKey(Source, models.CASCADE, related_name="items")
    key = models.CharField(max_length=200)
    group = models.ForeignKey(Group, models.CASCADE, related_name="+")
    # A digest of the listing data the feed gave last time: the same digest is "unchanged".
    digest = models.CharField(max_length=64, blank=True)
    # Successful syncs in a row whose feed left this key out.
    missing = models.PositiveSmallIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("listing of a source")
        verbose_name_plural = _("listings of sources")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="feeds_item_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.key}"
