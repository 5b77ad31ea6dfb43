"""Keeping listings true: the one-click confirmation from a reminder email, and the "something
wrong on this page?" form on every group page.

Neither needs an account. Both are exempt from CSRF on purpose, and each says why below; neither
sets a cookie, because a seeker's visit never does.
"""

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from healingtogether.accounts import proposals
from healingtogether.accounts.models import Report
from healingtogether.accounts.tokens import Verdict, read_confirmation_token
from healingtogether.directory.models import Group
from healingtogether.directory.schedule_text import describe
from healingtogether.lib.i18n import current_language
from healingtogether.lib.ratelimit import client_key, limited

# The audit log's note for a confirmation made through the emailed link (it has no actor).
CONFIRMED_BY_LINK = "Confirmed with the link in a freshness reminder email."

REPORT_MAX_LENGTH = 2000
# A person who noticed a mistake sends one message, maybe two; five an hour stops a flood.
REPORTS_PER_WINDOW = 5
REPORT_WINDOW = 3600


def _schedule_lines(group) -> list[str]:
    return [describe(s) for s in sorted(group.schedules.all(), key=lambda s: (s.dtstart, s.pk))]


# The signed token is the authority here, not a session: whoever holds the emailed link may
# confirm, and a forged request cannot produce a valid token, so a CSRF token would add nothing
# (and would need a cookie the organiser may not have).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_by_link(request, token):
    """The page behind the link in a freshness reminder. GET only shows the details and one
    button, because mail scanners open links; only the button's POST confirms."""
    reading = read_confirmation_token(token)
    if reading.verdict in (Verdict.EXPIRED, Verdict.INVALID):
        ctx = {
            "expired": reading.verdict is Verdict.EXPIRED,
            "days": settings.EMAIL_LINK_MAX_AGE // (24 * 3600),
        }
        return render(request, "accounts/confirm_invalid.html", ctx, status=400)
    group = reading.group
    if reading.verdict is Verdict.USED:
        return render(request, "accounts/confirm_done.html", {"group": group, "already": True})
    if request.method == "POST":
        proposals.confirm(group, None, note=CONFIRMED_BY_LINK)
        return render(request, "accounts/confirm_done.html", {"group": group, "already": False})
    ctx = {"group": group, "schedule_lines": _schedule_lines(group)}
    return render(request, "accounts/confirm.html", ctx)


class ReportForm(forms.Form):
    """What a visitor tells us. `website` is a trap for robots: people never see it."""

    message = forms.CharField(
        label=_("What is wrong on this page?"),
        max_length=REPORT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": _("Tell us in a few words what is wrong."),
            "max_length": _(
                "Please keep it to %(limit_value)d characters; this is %(show_value)d."
            ),
        },
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    @property
    def is_from_a_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())


# Nothing private can be forged here: anyone may report a problem without an account, so a
# CSRF token would protect nothing, and it would need a cookie, which seekers never get.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report_problem(request, slug):
    """A visitor says something on a group's page is wrong; it goes to the moderation queue.
    No account, no email address, no cookie; a honeypot and a rate limit keep spam out."""
    group = get_object_or_404(Group.objects.listed().select_related("organisation"), slug=slug)
    if request.method != "POST":
        return render(request, "directory/report_form.html", {"group": group})
    if limited("report", client_key(request), REPORTS_PER_WINDOW, REPORT_WINDOW):
        return render(request, "directory/report_limited.html", {"group": group}, status=429)
    form = ReportForm(request.POST)
    if form.is_from_a_robot:
        # The same thanks as for a person, so a robot learns nothing; nothing is kept.
        return render(request, "directory/report_thanks.html", {"group": group})
    if not form.is_valid():
        ctx = {"group": group, "report_form": form}
        return render(request, "directory/report_form.html", ctx, status=400)
    Report.objects.create(
        group=group, message=form.cleaned_data["message"], language=current_language()
    )
    return render(request, "directory/report_thanks.html", {"group": group})


urlpatterns = [
    path("confirm/<str:token>/", confirm_by_link, name="confirm_by_link"),
    path("groups/<slug:slug>/report/", report_problem, name="report_problem"),
]
