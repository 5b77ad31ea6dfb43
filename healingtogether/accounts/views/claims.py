"""Claiming a compiled listing: the organiser's request, and a moderator's decision about it.

The rules live in accounts/claims.py; these views show them and forward what people chose. A
claim that cannot be made or decided (the listing has an organiser, is not public, was already
asked for, was decided by someone else, or does not exist) gets a plain message and changes
nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group, Status

from .. import claims
from ..models import AlreadyDecided, Claim, OrganisationNotApproved, organisations_of
from ..moderation_forms import DecisionForm
from ..workspace_forms import ClaimForm
from .auth import email_verified
from .moderation import moderator_required


@login_required
def claim_group(request, public_id):
    """ "Is this your group? Claim it": pick one of your organisations and ask our team."""
    group = get_object_or_404(
        Group.objects.exclude(status=Status.DRAFT).select_related("organisation"),
        public_id=public_id,
    )
    organisations = organisations_of(request.user).order_by("slug")
    ctx = {"group": group, "verified": email_verified(request.user), "form": None}
    if not ctx["verified"]:
        return render(request, "accounts/claim.html", ctx)
    ctx["refused"] = claims.problem(group, request.user)
    if ctx["refused"] or not organisations.exists():
        return render(request, "accounts/claim.html", ctx)
    form = ClaimForm(organisations, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claims.request(group, form.cleaned_data["organisation"], request.user)
        except claims.ClaimRefused as refused:
            ctx["refused"] = refused.message
            return render(request, "accounts/claim.html", ctx)
        messages.success(
            request,
            _(
                "Thank you. Our team will check that %(name)s is yours and email you; until "
                "then the listing stays as it is."
            )
            % {"name": group.name},
        )
        return redirect("accounts:workspace")
    ctx["form"] = form
    return render(request, "accounts/claim.html", ctx)


def _missing(request):
    messages.warning(request, _("We could not find that claim. Nothing was changed."))
    return redirect("accounts:moderation")


@moderator_required
def claim(request, pk):
    """A moderator compares the organiser's address with the listing's, then decides."""
    claim = (
        Claim.objects.select_related(
            "group__organisation", "organisation", "requested_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        return _missing(request)
    pending = claim.state == Claim.State.PENDING
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not pending:
            messages.warning(request, _claim_already_decided())
            return redirect("accounts:claim", pk=claim.pk)
        if form.is_valid():
            return _decide(request, claim, form)
    ctx = {
        "claim": claim,
        "group": claim.group,
        "match": claims.match(claim),
        "pending": pending,
        "form": form,
        "has_organiser": claims.has_organiser(claim.group),
    }
    return render(request, "moderation/claim.html", ctx)


def _claim_already_decided() -> str:
    return _(
        "Another moderator already decided about this claim. Nothing was changed and no email "
        "was sent; their decision is shown below."
    )


def _decide(request, claim, form):
    approve = form.approves
    try:
        claims.decide(claim, request.user, approve, form.cleaned_data["note"])
    except AlreadyDecided:
        messages.warning(request, _claim_already_decided())
        return redirect("accounts:claim", pk=claim.pk)
    except OrganisationNotApproved:
        messages.warning(
            request,
            _(
                "This claim cannot be approved yet: please review the details of %(name)s "
                "first. Nothing was changed."
            )
            % {"name": claim.organisation.name},
        )
        return redirect("accounts:claim", pk=claim.pk)
    except claims.ClaimRefused as refused:
        messages.warning(request, refused.message)
        return redirect("accounts:claim", pk=claim.pk)
    values = {"name": claim.group.name, "organisation": claim.organisation.name}
    if approve:
        message = _("%(organisation)s now looks after “%(name)s”; the organiser gets an email.")
    else:
        message = _("The claim on “%(name)s” is rejected; the organiser gets your note.")
    messages.success(request, message % values)
    return redirect("accounts:moderation")


urlpatterns = [
    path("workspace/groups/<uuid:public_id>/claim/", claim_group, name="claim_group"),
    path("moderation/claims/<int:pk>/", claim, name="claim"),
]
