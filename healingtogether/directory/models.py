"""Organisations, their groups, where and when the groups meet, and the taxonomy that describes
them. The fields follow Open Referral HSDS 3.0 (organization, service, location, schedule,
taxonomy_term) so that open-data import and export are a mapping, not a rewrite.
"""

import uuid
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from healingtogether.lib.geo import unit_vector
from healingtogether.lib.i18n import localized
from healingtogether.places.models import Municipality


class TranslatedMixin:
    """`obj.text("name")` reads a per-language field in the page's language, with a fallback."""

    def text(self, field: str) -> str:
        return localized(self, field)[0]

    def text_language(self, field: str) -> str | None:
        return localized(self, field)[1]


class ChoiceLabelsMixin:
    """`get_FOO_display()` read from a table made once per field. Django makes the table again
    on every call: 30 µs for a group's kind, asked for eight times by a group's page."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        # force_str: the labels are lazy, translated in the language of the moment.
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)


@cache
def _choice_labels(field) -> dict:
    return dict(make_hashable(field.flatchoices))


class TaxonomyTerm(TranslatedMixin, models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    label_en = models.CharField(_("label (en)"), max_length=100)
    label_fr = models.CharField(_("label (fr)"), max_length=100)
    label_nl = models.CharField(_("label (nl)"), max_length=100)
    label_de = models.CharField(_("label (de)"), max_length=100)
    # Other words people use for the same thing, comma-separated, indexed for search.
    synonyms_en = models.TextField(_("synonyms (en)"), blank=True)
    synonyms_fr = models.TextField(_("synonyms (fr)"), blank=True)
    synonyms_nl = models.TextField(_("synonyms (nl)"), blank=True)
    synonyms_de = models.TextField(_("synonyms (de)"), blank=True)
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="children"
    )

    class Meta:
        abstract = True
        ordering = ["slug"]

    @property
    def label(self) -> str:
        return self.text("label")

    def __str__(self) -> str:
        return self.label


class Topic(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Audience(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class Approach(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("approach")
        verbose_name_plural = _("approaches")


class Language(TaxonomyTerm):
    """A language the sessions are held in, sign languages included (slug: ISO 639 or LSFB/VGT)."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("session language")
        verbose_name_plural = _("session languages")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Coverage(models.TextChoices):
    """Where a resource serves people: a region, the German-speaking Community, or everywhere."""

    NATIONAL = "national", _("All of Belgium")
    BRUSSELS = "brussels", _("Brussels-Capital Region")
    FLANDERS = "flanders", _("Flanders")
    WALLONIA = "wallonia", _("Wallonia")
    GERMAN_SPEAKING = "german_speaking", _("German-speaking Community")


class Organisation(TranslatedMixin, models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        PUBLIC_NETWORK = "public_network", _("Public mental-health network")
        PRIVATE_PRACTICE = "private_practice", _("Private practice")
        HOSPITAL_SERVICE = "hospital_service", _("Hospital service")
        PLATFORM = "platform", _("Platform")
        PUBLIC_SERVICE = "public_service", _("Public service")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    name_en = models.CharField(_("name (en)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (fr)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (nl)"), max_length=200, blank=True)
    name_de = models.CharField(_("name (de)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (en)"), blank=True)
    description_fr = models.TextField(_("description (fr)"), blank=True)
    description_nl = models.TextField(_("description (nl)"), blank=True)
    description_de = models.TextField(_("description (de)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source_key = models.CharField(
        _("source key"),
        max_length=120,
        blank=True,
        help_text=_("Where this record was loaded from."),
    )
    # When our team first approved this organisation's details (or loaded them ourselves). Until
    # then none of its groups can be published, so nothing it says reaches the public unreviewed.
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="directory_organisation_unique_source_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(name_en="", name_fr="", name_nl="", name_de=""),
                name="directory_organisation_has_a_name",
            ),
        ]

    @property
    def name(self) -> str:
        return self.text("name")

    @property
    def description(self) -> str:
        return self.text("description")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation", args=[self.slug])


BRUSSELS = ZoneInfo("Europe/Brussels")

# Freshness: a listing nobody has confirmed for a while fades out instead of misleading people.
REMIND_AFTER = timedelta(days=150)  # organisers are asked to confirm their details
STALE_AFTER = timedelta(days=180)  # the page says "may be out of date"; it ranks lower
EXPIRED_AFTER = timedelta(days=365)  # it leaves search results; its page still answers


class Confidence(models.TextChoices):
    """How sure our team was of a compiled listing's facts."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class DatePrecision(models.TextChoices):
    """How much of a date a source gave: "2023", "2023-10" or "2023-10-11"."""

    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class GroupQuerySet(models.QuerySet):
    def listed(self):
        """What the public may see: published listings only."""
        return self.filter(status=Status.PUBLISHED)

    def searchable(self, now=None):
        """Listed and fresh within EXPIRED_AFTER: what search results may show."""
        return self.listed().filter(fresh_at__gte=(now or timezone.now()) - EXPIRED_AFTER)

    def stale(self, now=None):
        """Not confirmed or checked for STALE_AFTER: the rule of Group.is_stale, for querysets.
        Says nothing of the status; chain it after listed() for what the public sees. The search
        snapshot mirrors it in numpy (search.engine._stale)."""
        cutoff = (now or timezone.now()) - STALE_AFTER
        return self.filter(models.Q(fresh_at__isnull=True) | models.Q(fresh_at__lt=cutoff))

    def due_for_reminder(self, now=None):
        """Listed groups unconfirmed for REMIND_AFTER whose organisers were not reminded since
        their last confirmation."""
        cutoff = (now or timezone.now()) - REMIND_AFTER
        return self.listed().filter(
            models.Q(confirmed_at__lt=cutoff) | models.Q(confirmed_at__isnull=True),
            models.Q(reminded_at__isnull=True) | models.Q(reminded_at__lt=models.F("confirmed_at")),
        )

    def for_cards(self):
        """With what a group card (templates/directory/_group_card.html) shows, fetched in two
        more queries for the whole list rather than three for each card."""
        return self.prefetch_related(
            "session_languages",
            models.Prefetch("locations", Location.objects.select_related("municipality")),
        )

    def networks(self):
        return self.filter(kind__in=Group.NETWORK_KINDS)

    def helplines(self):
        return self.filter(kind=Group.Kind.HELPLINE)

    def groups(self):
        """Groups people join (Group.GROUP_KINDS), without the resources that point to them."""
        return self.filter(kind__in=Group.GROUP_KINDS)

    def refresh_next_sessions(self, after=None) -> int:
        """Store each group's next session start, for sorting; returns how many changed."""
        changed = []
        now = timezone.now()
        for group in self.prefetch_related("schedules").iterator(chunk_size=1000):
            sessions = group.next_sessions(1, after=after)
            value = sessions[0] if sessions else None
            if group.next_session_at != value:
                # updated_at moves too, so search snapshots see the new order.
                group.next_session_at, group.updated_at = value, now
                changed.append(group)
        Group.objects.bulk_update(changed, ["next_session_at", "updated_at"], batch_size=1000)
        return len(changed)

    def serving_municipality(self, municipality_codes):
        """Networks whose service area includes one of these municipalities (REFNIS codes)."""
        return self.filter(service_area__code__in=municipality_codes).distinct()

    def networks_for(self, municipalities) -> tuple[list, list]:
        """The listed (adult, youth) networks serving any of these municipalities, by name."""
        serving = sorted(
            self.listed()
            .networks()
            .serving_municipality([m.code for m in municipalities])
            .for_cards(),
            key=lambda group: group.name.lower(),
        )
        return (
            [g for g in serving if g.kind == Group.Kind.ADULT_NETWORK],
            [g for g in serving if g.kind == Group.Kind.YOUTH_NETWORK],
        )


class Group(ChoiceLabelsMixin, TranslatedMixin, models.Model):
    """A group, or a resource such as a network or a helpline (HSDS: service)."""

    class Kind(models.TextChoices):
        THERAPY_GROUP = "therapy_group", _("Therapy group")
        SUPPORT_GROUP = "support_group", _("Support group")
        SPEECH_CIRCLE = "speech_circle", _("Speech circle")
        PSYCHOEDUCATION = "psychoeducation", _("Psycho-education")
        ADULT_NETWORK = "adult_network", _("Mental-health network for adults")
        YOUTH_NETWORK = "youth_network", _("Mental-health network for children and young people")
        PLATFORM = "platform", _("Platform")
        HELPLINE = "helpline", _("Helpline")
        DIRECTORY = "directory", _("Directory")
        ASSOCIATION = "association", _("Support association")

    class Facilitation(models.TextChoices):
        PROFESSIONAL = "professional", _("Led by a professional")
        PEER = "peer", _("Peer-led")
        CO_FACILITATED = "co_facilitated", _("Co-led by a professional and a peer")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    class Cohort(models.TextChoices):
        DROP_IN = "dropin", _("Drop in, no registration")
        OPEN = "open", _("Open for registration")
        CLOSED = "closed", _("Closed group, next start date announced")
        INTAKE = "intake", _("Intake interview first")
        WAITING_LIST = "waiting_list", _("Waiting list")

    class Cost(models.TextChoices):
        FREE = "free", _("Free")
        REIMBURSED = "reimbursed", _("Reimbursed or reduced fee")
        PAID = "paid", _("Paid")
        DONATION = "donation", _("Free donation")

    class Credential(models.TextChoices):
        VISA = "visa", _("Belgian health-professional visa")
        INAMI = "inami", _("INAMI/RIZIV number")

    NETWORK_KINDS = (Kind.ADULT_NETWORK, Kind.YOUTH_NETWORK)
    # Groups a person joins and meets in, as opposed to the networks, lines, platforms,
    # directories and associations that point to them.
    GROUP_KINDS = (Kind.THERAPY_GROUP, Kind.SUPPORT_GROUP, Kind.SPEECH_CIRCLE, Kind.PSYCHOEDUCATION)

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="groups", verbose_name=_("organisation")
    )
    name_en = models.CharField(_("name (en)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (fr)"), max_length=200, blank=True)
    name_nl = models.CharField(_("name (nl)"), max_length=200, blank=True)
    name_de = models.CharField(_("name (de)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (en)"), blank=True)
    description_fr = models.TextField(_("description (fr)"), blank=True)
    description_nl = models.TextField(_("description (nl)"), blank=True)
    description_de = models.TextField(_("description (de)"), blank=True)
    # When a line or office can be reached, in words ("24/7"); regular meetings are Schedules.
    hours_en = models.CharField(_("hours (en)"), max_length=300, blank=True)
    hours_fr = models.CharField(_("hours (fr)"), max_length=300, blank=True)
    hours_nl = models.CharField(_("hours (nl)"), max_length=300, blank=True)
    hours_de = models.CharField(_("hours (de)"), max_length=300, blank=True)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    facilitation = models.CharField(
        _("facilitation"), max_length=20, choices=Facilitation.choices, blank=True
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="groups")
    audiences = models.ManyToManyField(Audience, blank=True, related_name="groups")
    approaches = models.ManyToManyField(Approach, blank=True, related_name="groups")
    session_languages = models.ManyToManyField(
        Language, blank=True, related_name="groups", verbose_name=_("languages of the sessions")
    )
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    coverage = models.CharField(_("coverage"), max_length=20, choices=Coverage.choices, blank=True)
    service_area = models.ManyToManyField(
        Municipality, blank=True, related_name="groups", verbose_name=_("service area")
    )

    cohort = models.CharField(_("cohort"), max_length=20, choices=Cohort.choices, blank=True)
    next_start = models.DateField(_("next start date"), null=True, blank=True)
    seats_left = models.PositiveSmallIntegerField(_("seats left"), null=True, blank=True)
    cost = models.CharField(_("cost"), max_length=20, choices=Cost.choices, blank=True)
    cost_amount = models.CharField(_("amount"), max_length=100, blank=True)
    # None: the listing does not say.
    referral_required = models.BooleanField(_("referral required"), null=True, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    childcare = models.BooleanField(_("childcare"), default=False)
    evening = models.BooleanField(_("meets in the evening"), default=False)

    credential_kind = models.CharField(
        _("credential"), max_length=10, choices=Credential.choices, blank=True
    )
    credential_number = models.CharField(_("credential number"), max_length=40, blank=True)
    credential_checked_at = models.DateTimeField(_("credential checked at"), null=True, blank=True)

    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # When the organiser or a moderator last confirmed the facts: never set by an ordinary save.
    confirmed_at = models.DateTimeField(_("details confirmed at"), null=True, blank=True)
    # A listing our team compiled from public pages: the day it checked them (not a
    # confirmation), the date of those pages when known, short quotes from them, and how sure the
    # compiler was.
    checked_on = models.DateField(_("compiled from public sources on"), null=True, blank=True)
    source_date = models.DateField(_("date of the sources"), null=True, blank=True)
    # Pages often give only a year or a month: `source_date` is then the first day of it, and
    # this says how much of it the page gave (see source_date_text).
    source_date_precision = models.CharField(
        _("precision of the date of the sources"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
    )
    evidence = models.JSONField(_("evidence quotes"), default=list, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, blank=True
    )
    # The later of confirmed_at and checked_on: what freshness (stale, expired, the order of
    # results) counts from. Derived; kept by the listing writer (directory/listing.py).
    fresh_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(
        _("freshness reminder sent at"), null=True, blank=True, editable=False
    )
    source_key = models.CharField(
        _("source key"),
        max_length=120,
        blank=True,
        help_text=_("Where this record was loaded from."),
    )
    # Derived from the schedules by refresh_next_sessions() so results can be sorted by it in SQL;
    # the page always shows dates computed afresh.
    next_session_at = models.DateTimeField(null=True, blank=True, editable=False)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    # What a loader of our compiled data wrote last (`listing.data_of` right after loading): a
    # re-run updates the listing only while it still reads so, and keeps anyone's edits since.
    loaded_data = models.JSONField(null=True, blank=True, editable=False)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="directory_group_unique_source_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(name_en="", name_fr="", name_nl="", name_de=""),
                name="directory_group_has_a_name",
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="directory_group_age_range_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="directory_group_status_kind"),
            models.Index(fields=["next_session_at"], name="directory_group_next_session"),
            models.Index(fields=["confirmed_at"], name="directory_group_confirmed_at"),
            models.Index(fields=["fresh_at"], name="directory_group_fresh_at"),
            # Search snapshots ask for the latest update to know when to rebuild.
            models.Index(fields=["updated_at"], name="directory_group_updated_at"),
        ]

    @property
    def name(self) -> str:
        return self.text("name")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def description_language(self) -> str | None:
        return self.text_language("description")

    @property
    def hours(self) -> str:
        return self.text("hours")

    def next_sessions(self, n: int = 5, after=None) -> list[datetime]:
        """The next n session starts over all of the group's schedules, soonest first."""
        starts = {
            start for schedule in self.schedules.all() for start in schedule.upcoming(n, after)
        }
        return sorted(starts)[:n]

    @property
    def is_stale(self) -> bool:
        """Unconfirmed for STALE_AFTER: the page warns that the details may be out of date.
        GroupQuerySet.stale() is the same rule for querysets."""
        return self.fresh_at is None or timezone.now() - self.fresh_at > STALE_AFTER

    @property
    def is_expired(self) -> bool:
        """Unconfirmed for EXPIRED_AFTER: no longer in search results."""
        return self.fresh_at is None or timezone.now() - self.fresh_at > EXPIRED_AFTER

    @property
    def source_date_text(self) -> str:
        """The date of the sources as precisely as they gave it, in the current language:
        "2023", "October 2023" or "11 October 2023"; "" when unknown."""
        if self.source_date is None:
            return ""
        shape = {
            DatePrecision.YEAR: "Y",
            DatePrecision.MONTH: "YEAR_MONTH_FORMAT",
        }.get(self.source_date_precision, "DATE_FORMAT")
        return date_format(self.source_date, shape)

    @property
    def is_compiled(self) -> bool:
        """Compiled by our team from public pages and not confirmed since by anyone."""
        return self.checked_on is not None and self.confirmed_at is None

    def compute_fresh_at(self):
        """The later of the confirmation and the day our team checked the public sources."""
        checked = (
            datetime.combine(self.checked_on, time.min, tzinfo=BRUSSELS)
            if self.checked_on
            else None
        )
        return max((m for m in (self.confirmed_at, checked) if m is not None), default=None)

    @property
    def is_network(self) -> bool:
        return self.kind in self.NETWORK_KINDS

    @property
    def is_group(self) -> bool:
        """A group people join and meet in (Group.GROUP_KINDS)."""
        return self.kind in self.GROUP_KINDS

    def get_absolute_url(self) -> str:
        view = "directory:network" if self.is_network else "directory:group"
        return reverse(view, args=[self.slug])


class Location(models.Model):
    """Where a group meets (HSDS: location). Coordinates are the postcode's centroid unless the
    organiser gives a precise point."""

    group = models.ForeignKey(Group, models.CASCADE, related_name="locations")
    name = models.CharField(_("place name"), max_length=200, blank=True)
    address = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    municipality = models.ForeignKey(
        Municipality, models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # The point on the unit sphere, derived from latitude and longitude (see lib/geo.py).
    x = models.FloatField(null=True, blank=True, editable=False)
    y = models.FloatField(null=True, blank=True, editable=False)
    z = models.FloatField(null=True, blank=True, editable=False)
    access_notes = models.CharField(_("access notes"), max_length=300, blank=True)
    # Only the municipality is known: the point is its centre, and pages say so.
    approximate = models.BooleanField(_("approximate location"), default=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="directory_location_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="directory_location_latitude_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="directory_location_longitude_valid",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.address, self.postcode) if p)

    def save(self, *args, **kwargs):
        self.set_unit_vector()
        super().save(*args, **kwargs)

    def set_unit_vector(self):
        """Derive x, y, z from the coordinates; call it before bulk_create, which skips save()."""
        if self.latitude is None or self.longitude is None:
            self.x = self.y = self.z = None
        else:
            self.x, self.y, self.z = unit_vector(self.latitude, self.longitude)


WEEKDAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}


class Schedule(models.Model):
    """When a group meets, as HSDS 3.0 schedule fields (an iCalendar RRULE in columns)."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    group = models.ForeignKey(Group, models.CASCADE, related_name="schedules")
    freq = models.CharField(_("frequency"), max_length=10, choices=Freq.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    byday = models.CharField(
        _("days"),
        max_length=40,
        blank=True,
        help_text=_("Comma-separated: MO,TU or 2TU for the second Tuesday."),
    )
    bymonthday = models.CharField(_("days of the month"), max_length=40, blank=True)
    dtstart = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of sessions"), null=True, blank=True)
    opens_at = models.TimeField(_("starts at"))
    closes_at = models.TimeField(_("ends at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval__gte=1), name="directory_schedule_interval_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="directory_schedule_opens_before_closing",
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("dtstart")),
                name="directory_schedule_until_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freq} {self.byday or self.bymonthday} {self.opens_at:%H:%M}"

    def clean(self):
        """The rules of the constraints above, in words: forms and importers ask here."""
        problems = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            problems["closes_at"] = _("The end time must be after the start time.")
        if self.dtstart and self.until and self.until < self.dtstart:
            problems["until"] = _("The last date can't be before the first date.")
        if problems:
            raise ValidationError(problems)

    def _rule(self):
        byweekday = []
        for token in filter(None, (t.strip() for t in self.byday.split(","))):
            day = WEEKDAYS[token[-2:]]
            byweekday.append(day(int(token[:-2])) if token[:-2] else day)
        bymonthday = [int(d) for d in self.bymonthday.split(",") if d.strip()] or None
        start = datetime.combine(self.dtstart, self.opens_at)
        return rrule.rrule(
            rrule.WEEKLY if self.freq == self.Freq.WEEKLY else rrule.MONTHLY,
            dtstart=start,
            interval=self.interval,
            byweekday=byweekday or None,
            bymonthday=bymonthday,
            until=datetime.combine(self.until, time.max) if self.until else None,
            count=self.count,
        )

    def upcoming(self, n: int = 5, after: datetime | None = None) -> list[datetime]:
        """The next n sessions' start times, aware, in Europe/Brussels."""
        now = timezone.localtime(after or timezone.now()).replace(tzinfo=None)
        found = []
        for start in self._rule().xafter(now - timedelta(seconds=1)):
            day = start.date()
            if self.valid_to and day > self.valid_to:
                break
            if self.valid_from and day < self.valid_from:
                continue
            found.append(timezone.make_aware(start))
            if len(found) == n:
                break
        return found
