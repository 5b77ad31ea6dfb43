"""The organiser's workspace: their organisations and groups, and the forms to list and edit them.

Every change goes to our team first (see accounts/proposals.py): a new listing is pending and
invisible, an edit to a published group waits as a Revision while the public keeps seeing the
current version. Access is by membership only; anybody else gets a plain 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from healingtogether.accounts import proposals
from healingtogether.accounts.models import (
    Invitation,
    Revision,
    groups_of,
    organisations_of,
)
from healingtogether.accounts.workspace_forms import GroupForm, OrganisationForm
from healingtogether.directory import listing
from healingtogether.directory.models import Status
from healingtogether.directory.schedule_text import describe
from healingtogether.lib import markdown


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
    return render(request, "accounts/workspace/workspace.html", {"rows": rows})


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


def _submitted_message(obj) -> str:
    if proposals.is_public(obj):
        return _(
            "Thank you. Our team will review your changes. Until they approve them, the public "
            "keeps seeing the current version."
        )
    return _(
        "Thank you. Our team reviews every listing before it appears on the site; we'll email "
        "you when it's done."
    )


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
    """Show the group form; with the Preview button pressed, add the preview to it."""
    ctx = {
        "form": form,
        "organisation": organisation,
        "group": group,
        "editing_pending": group is not None and _pending_data(group) is not None,
    }
    if request.method == "POST" and "preview" in request.POST:
        ctx["preview"] = _preview(form)
    return render(request, "accounts/workspace/group_form.html", ctx)


@login_required
def new_group(request, public_id):
    organisation = _get_organisation_for_organiser(request, public_id)
    form = GroupForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if valid and "preview" not in request.POST:
        group = proposals.create_group(organisation, form.listing_data(), request.user)
        messages.success(request, _submitted_message(group))
        return redirect("accounts:workspace")
    return _group_form_page(request, form, organisation)


@login_required
def edit_group(request, public_id):
    group = _get_group_for_organiser(request, public_id)
    start = _pending_data(group) or listing.data_of(group)
    form = GroupForm(request.POST or None, initial=GroupForm.initial_from(start), start=start)
    valid = request.method == "POST" and form.is_valid()
    if valid and "preview" not in request.POST:
        message = _submitted_message(group)
        proposals.submit(group, form.listing_data(), request.user)
        messages.success(request, message)
        return redirect("accounts:workspace")
    return _group_form_page(request, form, group.organisation, group)


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
    path("workspace/groups/<uuid:public_id>/archive/", archive_group, name="archive_group"),
    path("workspace/groups/<uuid:public_id>/confirm/", confirm_group, name="confirm_group"),
]
