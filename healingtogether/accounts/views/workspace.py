"""The organiser's workspace: their organisations and groups, and the forms to list and edit them.

Every change goes to our team first (see accounts/proposals.py): a new listing is pending and
invisible, an edit to a published group waits as a Revision while the public keeps seeing the
current version. Access is by membership only; anybody else gets a plain 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from healingtogether.accounts import proposals
from healingtogether.accounts.models import (
    Invitation,
    Revision,
    groups_of,
    is_moderator,
    organisations_of,
)
from healingtogether.accounts.workspace_forms import GroupForm, OrganisationForm
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Location, Status
from healingtogether.directory.schedule_text import describe
from healingtogether.lib import markdown
from healingtogether.places.models import Municipality


def _get_organisation_for_organiser(request, public_id):
    """An organisation the signed-in user is a member of; 404 for anybody else."""
    return get_object_or_404(organisations_of(request.user), public_id=public_id)


def _get_group_for_organiser(request, public_id):
    """A group of one of the user's organisations; 404 for anybody else."""
    return get_object_or_404(
        groups_of(request.user).select_related("organisation"), public_id=public_id
    )


def _pending_data(obj) -> dict | None:
    """The data of the revision waiting for review, if any: the organiser edits from there."""
    revision = obj.revisions.pending().first()
    return revision.data if revision else None


@login_required
def workspace(request):
    """Each of the user's organisations with its groups and what our team still has to review."""
    pending = Revision.objects.pending()
    organisations = (
        organisations_of(request.user)
        .annotate(
            has_pending=Exists(pending.filter(organisation=OuterRef("pk"))),
            is_new=Exists(pending.filter(organisation=OuterRef("pk"), is_new=True)),
        )
        .order_by("slug")
    )
    rows = []
    for organisation in organisations:
        groups = organisation.groups.annotate(
            has_pending=Exists(pending.filter(group=OuterRef("pk"))),
            # Archived groups go last: they are history, not work to do.
            archived=Case(
                When(status=Status.ARCHIVED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ).order_by("archived", "slug")
        invitations = Invitation.objects.pending().filter(organisation=organisation)
        rows.append(
            {
                "organisation": organisation,
                "groups": list(groups),
                "invitations": list(invitations.order_by("created_at", "pk")),
            }
        )
    ctx = {"rows": rows, "review_time": review_time()}
    return render(request, "accounts/workspace/workspace.html", ctx)


@login_required
def new_organisation(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = proposals.create_organisation(form.listing_data(), request.user)
        messages.success(
            request,
            _(
                "Thank you. %(name)s is in your workspace: you can add its groups now. Our team "
                "reviews every listing before it appears on the site."
            )
            % {"name": organisation.name},
        )
        return redirect("accounts:workspace")
    return render(
        request, "accounts/workspace/organisation_form.html", {"form": form, "organisation": None}
    )


@login_required
def edit_organisation(request, public_id):
    organisation = _get_organisation_for_organiser(request, public_id)
    start = _pending_data(organisation) or listing.data_of(organisation)
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_from(start))
    if request.method == "POST" and form.is_valid():
        proposals.submit(organisation, form.listing_data(), request.user)
        messages.success(request, _submitted_message(organisation))
        return redirect("accounts:workspace")
    ctx = {
        "form": form,
        "organisation": organisation,
        "editing_pending": _pending_data(organisation) is not None,
    }
    return render(request, "accounts/workspace/organisation_form.html", ctx)


def review_time() -> str:
    """How long our team usually takes, in a plain sentence (settings.REVIEW_DAYS)."""
    days = settings.REVIEW_DAYS
    return ngettext(
        "Our team usually reviews a listing within %(days)s working day.",
        "Our team usually reviews a listing within %(days)s working days.",
        days,
    ) % {"days": days}


def _submitted_message(obj) -> str:
    if proposals.is_public(obj):
        text = _(
            "Thank you. Our team will review your changes. Until they approve them, the public "
            "keeps seeing the current version."
        )
    else:
        text = _(
            "Thank you. Our team reviews every listing before it appears on the site; we'll "
            "email you when it's done."
        )
    return f"{text} {review_time()}"


def _preview(form) -> dict:
    """What the organiser asked to see before sending: the schedule in words with its next five
    dates, and each description as the public page will show it (sanitised Markdown)."""
    preview = {"descriptions": [], "schedule": None, "schedule_problem": False}
    cleaned = getattr(form, "cleaned_data", {})
    for language in form.languages():
        text = cleaned.get(f"description_{language['code']}") or ""
        if text:
            preview["descriptions"].append(
                {"code": language["code"], "name": language["name"], "html": markdown.render(text)}
            )
    if form.schedule_errors():
        preview["schedule_problem"] = True
        return preview
    schedule = form.unsaved_schedule()
    if schedule is not None:
        preview["schedule"] = {
            "text": describe(schedule),
            "note": schedule.note,
            "dates": schedule.upcoming(5),
        }
    return preview


def _group_form_page(request, form, organisation, group=None):
    """Show a step of the group form; with the Preview button pressed, add the preview."""
    ctx = {
        "form": form,
        "organisation": organisation,
        "group": group,
        "is_draft": group is None or group.status == Status.DRAFT,
        "editing_pending": group is not None and _pending_data(group) is not None,
        "review_time": review_time(),
    }
    if request.method == "POST" and "preview" in request.POST and form.shows_schedule():
        ctx["preview"] = _preview(form)
    template = "group_form.html" if form.step == GroupForm.ESSENTIALS else "group_details.html"
    return render(request, f"accounts/workspace/{template}", ctx)


def _start(group) -> dict:
    """What the form starts from: the changes waiting for review, or the group as it is."""
    return _pending_data(group) or listing.data_of(group)


DRAFT_SAVED = gettext_lazy(
    "Saved as a draft: only your organisation sees it. Nothing is sent to our team until you "
    "press “Send for review”."
)


@login_required
def new_group(request, public_id):
    """Step 1, the essentials: saved as a draft, then step 2 (the details) follows."""
    organisation = _get_organisation_for_organiser(request, public_id)
    form = GroupForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if valid and "preview" not in request.POST:
        group = proposals.create_draft(organisation, form.listing_data())
        messages.success(request, DRAFT_SAVED)
        return redirect("accounts:group_details", public_id=group.public_id)
    return _group_form_page(request, form, organisation)


@login_required
def edit_group(request, public_id):
    """Step 1, the essentials. A draft is saved and step 2 follows; a group our team has seen
    already sends the change for review."""
    group = _get_group_for_organiser(request, public_id)
    start = _start(group)
    form = GroupForm(request.POST or None, initial=GroupForm.initial_from(start), start=start)
    valid = request.method == "POST" and form.is_valid()
    if valid and "preview" not in request.POST:
        if group.status == Status.DRAFT:
            proposals.save_draft(group, form.listing_data())
            messages.success(request, DRAFT_SAVED)
            return redirect("accounts:group_details", public_id=group.public_id)
        message = _submitted_message(group)
        proposals.submit(group, form.listing_data(), request.user)
        messages.success(request, message)
        return redirect("accounts:workspace")
    return _group_form_page(request, form, group.organisation, group)


@login_required
def group_details(request, public_id):
    """Step 2, the details. "Send for review" (the default button) sends the whole group to our
    team; a draft may also be kept as a draft."""
    group = _get_group_for_organiser(request, public_id)
    start = _start(group)
    form = GroupForm(
        # Bound on any POST: every field of this step may be left empty.
        request.POST if request.method == "POST" else None,
        initial=GroupForm.initial_from(start),
        start=start,
        step=GroupForm.DETAILS,
    )
    if request.method == "POST" and form.is_valid():
        if group.status == Status.DRAFT and "save_draft" in request.POST:
            proposals.save_draft(group, form.listing_data())
            messages.success(request, DRAFT_SAVED)
            return redirect("accounts:workspace")
        message = _submitted_message(group)
        proposals.submit(group, form.listing_data(), request.user)
        messages.success(request, message)
        return redirect("accounts:workspace")
    return _group_form_page(request, form, group.organisation, group)


def _preview_group(group, data: dict):
    """`group` as its public page would show `data`, in memory only: nothing is written, so
    what the public sees stays as it is until our team approves."""
    group = Group.objects.select_related("organisation").get(pk=group.pk)
    for name in listing.GROUP_FIELDS:
        if name in data:
            field = Group._meta.get_field(name)
            value = data[name]
            if value is None and not field.null:
                value = field.get_default()
            setattr(group, name, field.to_python(value))
    related = {
        name: model.objects.filter(slug__in=data.get(name) or []).order_by("pk")
        for name, model in listing.TERMS_AND_LANGUAGES.items()
    }
    locations = []
    for values in data.get("locations") or []:
        location = Location(group=group)
        for name in listing.LOCATION_FIELDS:
            if name in values and name != "municipality_id":
                setattr(location, name, values[name])
        known = Municipality.objects.filter(code=values.get("municipality_id")).first()
        location.municipality = known or listing.located(location.postcode or "")[0]
        locations.append(location)
    schedules = [listing.schedule_from(values, group) for values in data.get("schedules") or []]
    # The page reads these through group.topics.all, group.locations.all…: the prefetch cache
    # answers them without asking the database for the stored rows.
    group._prefetched_objects_cache = {**related, "locations": locations, "schedules": schedules}
    group.description_html = markdown.render(group.description)
    group.schedule_lines = [
        {"text": describe(schedule), "note": schedule.note}
        for schedule in sorted(schedules, key=lambda s: str(s.dtstart))
    ]
    group.upcoming = group.next_sessions(5)
    starts_ahead = group.next_start and group.next_start >= timezone.localdate()
    group.next_start_ahead = group.next_start if starts_ahead else None
    return group


@login_required
def preview_group(request, public_id):
    """The public page of a group with the changes waiting for review (or the draft), for its
    organisation and our team only, marked as a preview and kept out of search engines."""
    groups = Group.objects.all() if is_moderator(request.user) else groups_of(request.user)
    group = get_object_or_404(groups, public_id=public_id)
    pending = _pending_data(group)
    preview = _preview_group(group, pending or listing.data_of(group))
    ctx = {"group": preview, "similar": [], "is_preview": True, "has_pending": bool(pending)}
    response = render(request, "accounts/workspace/group_preview.html", ctx)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
def archive_group(request, public_id):
    """Take a group off the public site. GET asks first; POST does it."""
    group = _get_group_for_organiser(request, public_id)
    if request.method != "POST":
        return render(request, "accounts/workspace/archive_group.html", {"group": group})
    if group.status != Status.ARCHIVED:
        proposals.archive(group, request.user)
    messages.success(
        request,
        _("%(name)s is archived: it no longer appears on the site.") % {"name": group.name},
    )
    return redirect("accounts:workspace")


@login_required
@require_POST
def confirm_group(request, public_id):
    """The organiser says the group's details are still right."""
    group = _get_group_for_organiser(request, public_id)
    proposals.confirm(group, request.user)
    messages.success(
        request,
        _("Thank you: the details of %(name)s are confirmed as of today.") % {"name": group.name},
    )
    return redirect("accounts:workspace")


urlpatterns = [
    path("workspace/", workspace, name="workspace"),
    path("workspace/organisations/new/", new_organisation, name="new_organisation"),
    path(
        "workspace/organisations/<uuid:public_id>/edit/",
        edit_organisation,
        name="edit_organisation",
    ),
    path("workspace/organisations/<uuid:public_id>/groups/new/", new_group, name="new_group"),
    path("workspace/groups/<uuid:public_id>/edit/", edit_group, name="edit_group"),
    path("workspace/groups/<uuid:public_id>/details/", group_details, name="group_details"),
    path("workspace/groups/<uuid:public_id>/preview/", preview_group, name="preview_group"),
    path("workspace/groups/<uuid:public_id>/archive/", archive_group, name="archive_group"),
    path("workspace/groups/<uuid:public_id>/confirm/", confirm_group, name="confirm_group"),
]
