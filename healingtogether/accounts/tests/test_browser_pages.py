"""Every organiser and moderator page type in Chromium, checked by axe-core at a phone's width and
a desktop's: forms with and without errors, the review of a change, reports, the audit log and
the dashboard, the pages reached from links in emails."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from healingtogether.accounts import proposals
from healingtogether.accounts.models import Claim, Invitation, Report, Revision
from healingtogether.accounts.tokens import confirmation_token
from healingtogether.directory import listing
from healingtogether.lib.tests.chromium import WIDTHS, describe_violations
from healingtogether.test import (
    make_group,
    make_location,
    make_moderator,
    make_organisation,
    make_organiser,
    make_schedule,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a calm password 4 tests"


def _log_in(context, live_server, email):
    page = context.new_page()
    page.goto(live_server.url + "/en/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _check(axe, page, url):
    response = page.goto(url)
    assert response.status in (200, 400), (url, response.status)
    violations = axe.run(page).response["violations"]
    assert violations == [], (url, describe_violations(violations))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_organiser_and_moderator_pages_are_accessible(live_server, real_data, browser, lang):
    group = make_group(
        name_fr="Groupe du jeudi", credential_kind="inami", credential_number="12345678901"
    )
    make_location(group)
    make_schedule(group)
    organiser = make_organiser(group.organisation, email="ana@example.org")
    make_moderator()
    revision = proposals.submit(
        group, listing.data_of(group) | {"name_fr": "Groupe du vendredi"}, organiser
    )
    report = Report.objects.create(group=group, message="Le numéro ne répond plus.")
    # Approved, so it may invite; one invitation waits, with its button to withdraw it.
    Revision.objects.create(organisation=group.organisation, data={}, state=Revision.State.APPROVED)
    Invitation.objects.create(
        organisation=group.organisation, email="bram@example.org", invited_by=organiser
    )
    # Compiled by our team: one to claim, one claimed (its sources beside the claim), one waiting.
    compiled = {
        "checked_on": date(2026, 12, 6),
        "confirmed_at": None,
        "confidence": "medium",
        "sources": ["https://example.org/agenda"],
        "evidence": ["Réunion <b>chaque</b> mardi soir"],
        "email": "info@example.org",
        "website": "https://www.example.org/",
    }
    to_claim = make_group(organisation=make_organisation(), **compiled)
    claimed = make_group(organisation=make_organisation(), **compiled)
    make_group(
        organisation=make_organisation(), status="pending", **compiled | {"confidence": "low"}
    )
    claim = Claim.objects.create(
        group=claimed, organisation=group.organisation, requested_by=organiser
    )
    with translation.override(lang):
        organiser_pages = [
            reverse("accounts:claim_group", args=[to_claim.public_id]),
            reverse("accounts:workspace"),
            reverse("accounts:account"),
            reverse("accounts:invite", args=[group.organisation.public_id]),
            reverse("accounts:edit_organisation", args=[group.organisation.public_id]),
            reverse("accounts:edit_group", args=[group.public_id]),
            reverse("accounts:new_group", args=[group.organisation.public_id]),
        ]
        moderator_pages = [
            reverse("accounts:moderation"),
            reverse("accounts:revision", args=[revision.pk]),
            reverse("accounts:report", args=[report.pk]),
            reverse("accounts:claim", args=[claim.pk]),
            reverse("accounts:audit_log"),
            reverse("accounts:dashboard"),
        ]
        anonymous_pages = [
            to_claim.get_absolute_url(),  # "Is this your group? Claim it"
            reverse("accounts:login"),
            reverse("accounts:signup"),
            reverse("accounts:password_reset"),
            reverse("accounts:confirm_by_link", args=[confirmation_token(group)]),
            reverse("accounts:confirm_by_link", args=["forged"]),
        ]
    axe = Axe()
    for width, height in WIDTHS.values():
        viewport = {"viewport": {"width": width, "height": height}}
        anonymous = browser.new_context(**viewport)
        page = anonymous.new_page()
        for path in anonymous_pages:
            _check(axe, page, live_server.url + path)
        # A form sent back with errors, as a person would see it.
        page.goto(live_server.url + f"/{lang}/account/signup/")
        page.locator("form button[type=submit]").first.click()
        violations = axe.run(page).response["violations"]
        assert violations == [], ("signup with errors", describe_violations(violations))
        anonymous.close()

        for email, paths in (
            ("ana@example.org", organiser_pages),
            ("moderator@example.org", moderator_pages),
        ):
            context = browser.new_context(**viewport)
            page = _log_in(context, live_server, email)
            for path in paths:
                _check(axe, page, live_server.url + path)
            context.close()


def test_the_group_form_in_two_steps_fits_a_phone(live_server, real_data, browser):
    """The first step is a short page on a phone (the whole form was 10,300 px long), nothing
    scrolls sideways, and both steps, their errors and the preview are accessible."""
    organisation = make_organisation()
    make_organiser(organisation, email="ana@example.org")
    draft = make_group(organisation=organisation, status="draft", name_fr="Groupe du jeudi")
    make_location(draft)
    make_schedule(draft)
    with translation.override("en"):
        new_group = reverse("accounts:new_group", args=[organisation.public_id])
        paths = [
            new_group,
            reverse("accounts:edit_group", args=[draft.public_id]),
            reverse("accounts:group_details", args=[draft.public_id]),
            reverse("accounts:preview_group", args=[draft.public_id]),
        ]
    axe = Axe()
    heights = {}
    for name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = _log_in(context, live_server, "ana@example.org")
        for path in paths:
            _check(axe, page, live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, path)
        page.goto(live_server.url + new_group)
        heights[name] = page.evaluate("document.documentElement.scrollHeight")
        # Sent empty: the errors, as a person would see them.
        page.get_by_role("button", name="Save the draft and continue").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 1
        violations = axe.run(page).response["violations"]
        assert violations == [], (name, "group form with errors", describe_violations(violations))
        context.close()
    assert heights["phone"] < 7000, heights
