"""Feeds that groups already publish their meetings in, and the listings each one keeps current.

A Source is a feed a moderator subscribed to (Meeting Guide JSON, iCalendar, or HSDS); `sync`
fetches and reconciles it. An Item ties one of the source's own stable keys (a Meeting Guide
`slug`, an iCalendar `UID`, an HSDS `id`) to the group it created, so that the next sync updates
that group instead of making another, and archives it once the feed has left it out twice.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import Approach, Audience, Group, Organisation, Topic
from healingtogether.lib.i18n import CONTENT_LANGUAGES

from .fetch import MAX_BYTES, MAX_MB

# A source that failed this many syncs in a row is shown to moderators.
FAILING_AFTER = 3
# A listing the feed left out of this many successful syncs in a row is archived.
ARCHIVE_AFTER = 2


def validate_size(value) -> None:
    """An uploaded feed file is at most MAX_MB (a file already stored but gone is not judged)."""
    try:
        size = value.size
    except OSError:
        return
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The feed is larger than %(size)d MB; refused."),
            code="too_large",
            params={"size": MAX_MB},
        )


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
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("Where the feed is published (http or https)."),
    )
    file = models.FileField(
        _("uploaded file"),
        upload_to="sources/",
        blank=True,
        validators=[validate_size],
        help_text=_("Instead of an address: the feed as a file, at most 5 MB."),
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
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # For an uploaded file: the SHA-256 of the content last synced, the same content is unchanged.
    file_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="feeds_source_url_or_file",
                violation_error_message=_(
                    "Give the feed's address or upload its file: one of the two, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if bool(self.url) == bool(self.file):
            raise ValidationError(
                {
                    "file": _(
                        "Give the feed's address or upload its file: one of the two, not both."
                    )
                },
                code="url_or_file",
            )

    @property
    def is_failing(self) -> bool:
        return self.failures >= FAILING_AFTER

    @property
    def last_error(self) -> str:
        """The first error of the last sync, as plain text (it may quote the feed)."""
        return str(self.last_errors[0]) if self.last_errors else ""

    @classmethod
    def failing(cls):
        """Active sources that failed FAILING_AFTER syncs in a row, the longest failing first."""
        return cls.objects.filter(active=True, failures__gte=FAILING_AFTER).order_by(
            models.F("failing_since").asc(nulls_first=True), "name"
        )


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
