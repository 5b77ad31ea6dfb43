"""Our team's side: the moderation queue, reviewing revisions, checking credentials, handling
visitors' reports, the audit log and a small dashboard.

Every page is for moderators only. A signed-in person without the `accounts.moderate` permission
gets the same plain 404 as for a page that does not exist; an anonymous visitor is sent to login.
Each decision goes through the models (`Revision.decide`, `proposals.confirm`), which write the
audit log, so this module only shows things and forwards what a moderator chose.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from healingtogether.directory import listing
from healingtogether.directory.models import (
    EXPIRED_AFTER,
    REMIND_AFTER,
    STALE_AFTER,
    Confidence,
    Coverage,
    Group,
    Location,
    Status,
    Topic,
)
from healingtogether.directory.schedule_text import describe
from healingtogether.lib.charts import bar_chart
from healingtogether.lib.http import safe_next
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.places.models import Province, Region

from .. import claims, proposals
from ..models import (
    AlreadyDecided,
    AuditEntry,
    Claim,
    OrganisationNotApproved,
    Report,
    Revision,
    is_moderator,
)
from ..moderation_forms import DecisionForm, ResolveReportForm

# Each section of the queue shows its oldest items first, this many at most, with the full count.
QUEUE_SECTION_SIZE = 25
AUDIT_PAGE_SIZE = 50
DATE = "DATE_FORMAT"


def moderator_required(view):
    """Sign in first; then anyone who is not on our team gets a 404, as if nothing were here."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _pending_revision(group_field: str = "pk"):
    """The pk of a group's revision waiting for review, for annotating many rows at once;
    `group_field` names the group on the outer row."""
    pending = Revision.objects.pending().filter(group=OuterRef(group_field))
    return Subquery(pending.values("pk")[:1])


# The queue ----------------------------------------------------------------------------------


def _section(queryset) -> dict:
    return {"items": list(queryset[:QUEUE_SECTION_SIZE]), "count": queryset.count()}


def _stale_groups(now):
    """Listed groups that say "may be out of date", the longest unconfirmed first."""
    return (
        Group.objects.listed()
        .stale(now)
        .select_related("organisation")
        .annotate(pending_revision=_pending_revision())
        .order_by(F("confirmed_at").asc(nulls_first=True), "pk")
    )


def _unchecked_credentials():
    """Groups that give a credential number our team has not checked yet."""
    return (
        Group.objects.exclude(credential_number="")
        .filter(credential_checked_at__isnull=True)
        .exclude(status=Status.ARCHIVED)
        .select_related("organisation")
        .annotate(pending_revision=_pending_revision())
        .order_by("created_at", "pk")
    )


def _compiled_groups():
    """Listings our team compiled from public pages that a moderator still has to look at: not
    checked since (nobody confirmed them), or still waiting to be published. The ones waiting
    (the compiler was least sure) first, then the least sure, then the oldest."""
    waiting_first = Case(
        When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    least_sure_first = Case(
        When(confidence=Confidence.LOW, then=Value(0)),
        When(confidence=Confidence.MEDIUM, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Group.objects.filter(checked_on__isnull=False)
        .filter(Q(confirmed_at__isnull=True) | Q(status=Status.PENDING))
        .exclude(status__in=[Status.ARCHIVED, Status.DRAFT])
        .select_related("organisation")
        .annotate(pending_revision=_pending_revision())
        .order_by(waiting_first, least_sure_first, "checked_on", "pk")
    )


def _pending_claims():
    return (
        Claim.objects.pending()
        .select_related("group__organisation", "organisation", "requested_by")
        .order_by("created_at", "pk")
    )


@moderator_required
def queue(request):
    now = timezone.now()
    revisions = Revision.objects.pending().select_related(
        "group__organisation", "organisation", "author"
    )
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("group")
        .annotate(pending_revision=_pending_revision("group"))
    )
    stale = _section(_stale_groups(now))
    for group in stale["items"]:
        group.days_unconfirmed = (now - group.confirmed_at).days if group.confirmed_at else None
    pending_claims = _section(_pending_claims())
    for claim in pending_claims["items"]:
        claim.match = claims.match(claim)
    ctx = {
        "revisions": _section(revisions.order_by("created_at", "pk")),
        "claims": pending_claims,
        "sources": _section(_compiled_groups()),
        "reports": _section(reports.order_by("created_at", "pk")),
        "credentials": _section(_unchecked_credentials()),
        "stale": stale,
        "section_size": QUEUE_SECTION_SIZE,
        "stale_days": STALE_AFTER.days,
    }
    return render(request, "moderation/queue.html", ctx)


# A revision, field by field -----------------------------------------------------------------


def _field_label(model, name: str, label) -> str:
    if name in listing.TERMS_AND_LANGUAGES:
        # Many-to-many fields have no translated name of their own; their models do.
        return capfirst(listing.TERMS_AND_LANGUAGES[name]._meta.verbose_name_plural)
    return capfirst(str(label))


def _term_labels(changes) -> dict:
    """{field: {slug: label in the page's language}} for the taxonomy fields that changed."""
    labels = {}
    for name, _label, old, new in changes:
        if name in listing.TERMS_AND_LANGUAGES:
            slugs = {*(old or []), *(new or [])}
            model = listing.TERMS_AND_LANGUAGES[name]
            labels[name] = {term.slug: term.label for term in model.objects.filter(slug__in=slugs)}
    return labels


def _place(values: dict) -> str:
    """A proposed location as a person writes it: "Rue X 1, 5000 Namur — ramp at the back"."""
    municipality, _lat, _lon = listing.located(values.get("postcode") or "")
    town = " ".join(p for p in (values.get("postcode"), municipality and municipality.name) if p)
    text = ", ".join(p for p in (values.get("name"), values.get("address"), town) if p)
    if values.get("postcode") and municipality is None:
        text += " " + _("(not a Belgian postcode we know)")
    if values.get("access_notes"):
        text += f" — {values['access_notes']}"
    return text


def _schedule(values: dict) -> str:
    """A proposed schedule in words, as the organiser's preview said it; the raw fields when the
    data cannot make a schedule (then the moderator sees exactly what was sent)."""
    try:
        text = describe(listing.schedule_from(values))
    except (ValidationError, TypeError, ValueError, AttributeError, KeyError):
        given = {k: v for k, v in values.items() if v not in (None, "") and k != "note"}
        text = ", ".join(f"{k}: {v}" for k, v in given.items())
    if values.get("note"):
        text += f" — {values['note']}"
    return text


def _readable(model, name: str, value, term_labels: dict) -> list[str]:
    """One value of listing data as the lines a moderator reads; [] when nothing is given."""
    if value in (None, "", []):
        return []
    if name in listing.TERMS_AND_LANGUAGES:
        return [term_labels.get(name, {}).get(slug, slug) for slug in value]
    if name == "locations":
        return [_place(values) for values in value]
    if name == "schedules":
        return [_schedule(values) for values in value]
    field = model._meta.get_field(name)
    if field.choices:
        return [str(dict(field.flatchoices).get(value, value))]
    if isinstance(field, models.BooleanField):
        return [_("Yes") if value else _("No")]
    if isinstance(field, models.DateField) and isinstance(value, str) and parse_date(value):
        return [date_format(parse_date(value), DATE)]
    return [str(value)]


def _content_language(name: str) -> str | None:
    """The language a per-language field is written in: "nl" for "description_nl"."""
    base, _sep, code = name.rpartition("_")
    return code if code in CONTENT_LANGUAGES and base in ("name", "description", "hours") else None


def _comparison(revision) -> tuple[list[dict], bool]:
    """The rows of the revision's table and whether they compare with what the public sees.

    A pending edit is compared with the published listing. A new listing, and any revision
    already decided (its data may now be what the public sees), is shown as it was proposed.
    """
    target = revision.target
    model = type(target)
    compares = revision.state == Revision.State.PENDING and not revision.is_new
    if compares:
        changes = listing.diff(model, listing.data_of(target), revision.data)
    else:
        # Every field, given or not ("Referral: not given", "Step-free access: No"), so the
        # moderator reads all the public page will say.
        fields = listing.GROUP_FIELDS if model is Group else listing.ORGANISATION_FIELDS
        names = [*fields, *(n for n in revision.data if n not in fields)]
        label = listing.field_label
        changes = [(name, label(model, name), None, revision.data.get(name)) for name in names]
    terms = _term_labels(changes)
    rows = [
        {
            "name": name,
            "label": _field_label(model, name, label),
            "before": _readable(model, name, old, terms),
            "after": _readable(model, name, new, terms),
            "is_text": name.startswith("description"),
            "lang": _content_language(name),
        }
        for name, label, old, new in changes
    ]
    return rows, compares


def _credential_offer(revision, rows) -> bool:
    """Offer "credential checked" when the group shows a number nobody checked, unless this
    pending edit changes that number (check the new one once it is approved)."""
    group = revision.group
    if group is None or not group.credential_number or group.credential_checked_at:
        return False
    changes_number = any(row["name"] == "credential_number" for row in rows)
    return revision.is_new or revision.state != Revision.State.PENDING or not changes_number


def _decide(request, revision, form):
    """Forward the moderator's decision; a decision taken first by someone else wins."""
    try:
        revision.decide(request.user, approve=form.approves, note=form.cleaned_data["note"])
    except AlreadyDecided:
        messages.warning(request, _already_decided(revision))
        return redirect("accounts:revision", pk=revision.pk)
    except OrganisationNotApproved:
        messages.warning(
            request,
            _(
                "This group cannot be published yet: please review its organisation’s details "
                "first. Nothing was changed."
            ),
        )
        return redirect("accounts:revision", pk=revision.pk)
    name = revision.target.name
    if form.approves:
        messages.success(request, _("“%(name)s” is approved and public.") % {"name": name})
    else:
        messages.success(
            request, _("“%(name)s” is rejected; the organiser gets your note.") % {"name": name}
        )
    return redirect("accounts:moderation")


def _already_decided(revision) -> str:
    revision.refresh_from_db()
    if revision.state == Revision.State.WITHDRAWN:
        return _(
            "The organiser sent a newer version of this listing in the meantime. Nothing was "
            "changed; please review the newer version."
        )
    return _(
        "Another moderator already decided about this listing. Nothing was changed and no "
        "email was sent; their decision is shown below."
    )


@moderator_required
def revision(request, pk):
    revision = get_object_or_404(
        Revision.objects.select_related(
            "group__organisation", "organisation", "author", "decided_by"
        ),
        pk=pk,
    )
    pending = revision.state == Revision.State.PENDING
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not pending:
            messages.warning(request, _already_decided(revision))
            return redirect("accounts:revision", pk=revision.pk)
        if form.is_valid():
            return _decide(request, revision, form)
    rows, compares = _comparison(revision)
    newer = None
    if revision.state == Revision.State.WITHDRAWN:
        newer = revision.target.revisions.pending().first()
    organisation = revision.group.organisation if revision.group_id else revision.organisation
    ctx = {
        "revision": revision,
        "target": revision.target,
        "organisation": organisation,
        # A group's review shows what its organisation has waiting, beside it.
        "organisation_revision": revision.group_id and organisation.revisions.pending().first(),
        "organisation_unapproved": bool(revision.group_id) and organisation.approved_at is None,
        "rows": rows,
        "compares": compares,
        "pending": pending,
        "form": form,
        "newer": newer,
        "offer_credential_check": _credential_offer(revision, rows),
    }
    return render(request, "moderation/revision.html", ctx)


# Small actions on a group -------------------------------------------------------------------


@moderator_required
@require_POST
def check_credential(request, public_id):
    """Our team checked the facilitator's visa or INAMI/RIZIV number: the group page says so."""
    group = get_object_or_404(Group.objects.exclude(credential_number=""), public_id=public_id)
    now = timezone.now()
    with transaction.atomic():
        # Conditional, so two moderators clicking at once write one line in the log.
        checked = Group.objects.filter(pk=group.pk, credential_checked_at__isnull=True).update(
            credential_checked_at=now, updated_at=now
        )
        if checked:
            AuditEntry.record(request.user, AuditEntry.Action.CREDENTIAL_CHECKED, group)
    if checked:
        messages.success(
            request,
            _("The credential of “%(name)s” is marked as checked today.") % {"name": group.name},
        )
    else:
        messages.info(
            request,
            _("The credential of “%(name)s” was already checked.") % {"name": group.name},
        )
    # Back to the page the action was posted from, if it is ours.
    back = safe_next(request, request.POST.get("next", ""), reverse("accounts:moderation"))
    return redirect(back)


@moderator_required
@require_POST
def confirm_details(request, public_id):
    """A moderator vouches that a group's details are still right (after a call, say)."""
    group = get_object_or_404(Group.objects.exclude(status=Status.ARCHIVED), public_id=public_id)
    proposals.confirm(group, request.user)
    messages.success(
        request, _("The details of “%(name)s” are confirmed as of today.") % {"name": group.name}
    )
    # Back to the page the action was posted from, if it is ours.
    back = safe_next(request, request.POST.get("next", ""), reverse("accounts:moderation"))
    return redirect(back)


def _back(request):
    """Back to the page the action was posted from, if it is ours."""
    back = safe_next(request, request.POST.get("next", ""), reverse("accounts:moderation"))
    return redirect(back)


@moderator_required
@require_POST
def sources_checked(request, public_id):
    """A moderator read the sources of a compiled listing and found them right: that counts as
    a confirmation by our team (audited, with a note saying how)."""
    group = get_object_or_404(
        Group.objects.exclude(status=Status.ARCHIVED).filter(checked_on__isnull=False),
        public_id=public_id,
    )
    if group.confirmed_at is None:
        proposals.confirm(group, request.user, note=_("The sources were checked by a moderator."))
    messages.success(
        request,
        _("The sources of “%(name)s” are marked as checked; its details count as confirmed today.")
        % {"name": group.name},
    )
    return _back(request)


@moderator_required
@require_POST
def publish_compiled(request, public_id):
    """Publish a compiled listing that waits (the compiler was not sure enough to publish it)."""
    group = get_object_or_404(
        Group.objects.filter(checked_on__isnull=False).select_related("organisation"),
        public_id=public_id,
    )
    name = {"name": group.name}
    if group.status != Status.PENDING:
        messages.info(request, _("“%(name)s” is not waiting to be published.") % name)
        return _back(request)
    with transaction.atomic():
        published = listing.set_status(
            Group.objects.filter(pk=group.pk, status=Status.PENDING), Status.PUBLISHED
        )
        if published:
            AuditEntry.record(
                request.user,
                AuditEntry.Action.APPROVED,
                group,
                note=_("Published from “Sources to check”."),
            )
    if published:
        messages.success(request, _("“%(name)s” is published.") % name)
    else:
        messages.warning(
            request,
            _(
                "“%(name)s” cannot be published yet: please review its organisation’s details "
                "first. Nothing was changed."
            )
            % name,
        )
    return _back(request)


# Visitors' reports --------------------------------------------------------------------------


@moderator_required
def report(request, pk):
    report = get_object_or_404(
        Report.objects.select_related("group__organisation", "resolved_by"), pk=pk
    )
    form = ResolveReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        with transaction.atomic():
            # Conditional, so a report resolved by two moderators at once is logged once.
            resolved = Report.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolved_by=request.user
            )
            if resolved:
                AuditEntry.record(
                    request.user,
                    AuditEntry.Action.REPORT_RESOLVED,
                    report.group,
                    note=note,
                    report=report,
                )
        if resolved:
            messages.success(request, _("The report is resolved."))
            return redirect("accounts:moderation")
        messages.info(request, _("Another moderator already resolved this report."))
        return redirect("accounts:report", pk=report.pk)
    group = report.group
    resolution = AuditEntry.objects.filter(
        report=report, action=AuditEntry.Action.REPORT_RESOLVED
    ).first()
    ctx = {
        "report": report,
        "group": group,
        "is_listed": group.status == Status.PUBLISHED,
        "pending_revision": group.revisions.pending().first(),
        "resolution": resolution,
        "form": form,
    }
    return render(request, "moderation/report.html", ctx)


# The audit log ------------------------------------------------------------------------------


@moderator_required
def audit_log(request):
    entries = AuditEntry.objects.select_related("actor", "group", "organisation", "revision")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/audit_log.html", {"page": page})


# The dashboard ------------------------------------------------------------------------------


def listings_per_province() -> tuple[list[tuple[str, int]], int]:
    """Published listings per province, Brussels-Capital as its own area, and online-only ones
    as their own bar; then how many give no meeting place at all.

    Every province is listed, with 0 where we have nothing: the point is to see where Belgium
    lacks groups. A group meeting in two provinces counts in both. Listings without a place are
    mostly networks and helplines that serve a whole area; as a bar they would dwarf the rest,
    so the page says their number in words.
    """
    listed = Group.objects.listed()
    located = (
        Location.objects.filter(group__in=listed)
        .exclude(group__format=Group.Format.ONLINE)
        .values("municipality__arrondissement__province", "municipality__region")
        .annotate(groups=Count("group", distinct=True))
    )
    per_province, brussels = {}, 0
    for row in located:
        province = row["municipality__arrondissement__province"]
        if province:
            per_province[province] = per_province.get(province, 0) + row["groups"]
        elif row["municipality__region"] == Region.BRUSSELS:
            brussels += row["groups"]
    elsewhere = listed.aggregate(
        online=Count("pk", filter=Q(format=Group.Format.ONLINE), distinct=True),
        unplaced=Count(
            "pk",
            filter=~Q(format=Group.Format.ONLINE) & Q(locations__municipality__isnull=True),
            distinct=True,
        ),
    )
    rows = [
        (Coverage.BRUSSELS.label, brussels),
        *((p.name, per_province.get(p.code, 0)) for p in Province.objects.order_by("code")),
        (gettext_lazy("Online only"), elsewhere["online"]),
    ]
    return rows, elsewhere["unplaced"]


def listings_per_topic() -> list[tuple[str, int]]:
    """Published listings per topic, every topic shown, the most frequent first."""
    topics = Topic.objects.annotate(
        listed=Count("groups", filter=Q(groups__status=Status.PUBLISHED), distinct=True)
    )
    return sorted(((t.label, t.listed) for t in topics), key=lambda row: (-row[1], row[0]))


def freshness(now=None) -> list[tuple[str, int]]:
    """Published listings by how long ago someone confirmed their details."""
    now = now or timezone.now()
    remind, stale, expired = now - REMIND_AFTER, now - STALE_AFTER, now - EXPIRED_AFTER
    counts = Group.objects.listed().aggregate(
        fresh=Count("pk", filter=Q(confirmed_at__gte=remind)),
        reminded=Count("pk", filter=Q(confirmed_at__lt=remind, confirmed_at__gte=stale)),
        stale=Count("pk", filter=Q(confirmed_at__lt=stale, confirmed_at__gte=expired)),
        expired=Count("pk", filter=Q(confirmed_at__lt=expired)),
        never=Count("pk", filter=Q(confirmed_at__isnull=True)),
    )
    days = {"remind": REMIND_AFTER.days, "stale": STALE_AFTER.days, "expired": EXPIRED_AFTER.days}
    return [
        (_("Confirmed in the last %(remind)d days") % days, counts["fresh"]),
        (_("%(remind)d to %(stale)d days ago: organisers are reminded") % days, counts["reminded"]),
        (_("%(stale)d to %(expired)d days ago: “may be out of date”") % days, counts["stale"]),
        (_("More than %(expired)d days ago: out of search results") % days, counts["expired"]),
        (_("Never confirmed"), counts["never"]),
    ]


@moderator_required
def dashboard(request):
    listings = _("Published listings")
    per_province, unplaced = listings_per_province()
    charts = [
        bar_chart(
            "chart-provinces",
            _("Published listings per province"),
            per_province,
            label_heading=_("Province"),
            value_heading=listings,
        ),
        bar_chart(
            "chart-topics",
            _("Published listings per topic"),
            listings_per_topic(),
            label_heading=_("Topic"),
            value_heading=listings,
        ),
        bar_chart(
            "chart-freshness",
            _("How fresh the published listings are"),
            freshness(),
            label_heading=_("Details last confirmed"),
            value_heading=listings,
        ),
    ]
    ctx = {"charts": charts, "listed": Group.objects.listed().count(), "unplaced": unplaced}
    return render(request, "moderation/dashboard.html", ctx)


urlpatterns = [
    path("moderation/", queue, name="moderation"),
    path("moderation/revisions/<int:pk>/", revision, name="revision"),
    path(
        "moderation/groups/<uuid:public_id>/credential/",
        check_credential,
        name="check_credential",
    ),
    path("moderation/groups/<uuid:public_id>/confirm/", confirm_details, name="moderation_confirm"),
    path(
        "moderation/groups/<uuid:public_id>/sources-checked/",
        sources_checked,
        name="sources_checked",
    ),
    path("moderation/groups/<uuid:public_id>/publish/", publish_compiled, name="publish_compiled"),
    path("moderation/reports/<int:pk>/", report, name="report"),
    path("moderation/log/", audit_log, name="audit_log"),
    path("moderation/dashboard/", dashboard, name="dashboard"),
]
