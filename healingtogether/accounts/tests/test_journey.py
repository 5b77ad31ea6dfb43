"""The whole organiser journey in a real browser, as people live it: an organiser signs up,
verifies their email, lists a group in two languages and sends it for review; a moderator
approves it; a seeker then finds it with the public search. axe-core checks every organiser and
moderator page on the way.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from healingtogether.directory.models import Group, Status
from healingtogether.lib.tests.chromium import describe_violations
from healingtogether.test import make_moderator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a calm password 4 tests"


def _go(page, control):
    """Click something that loads a new page, and wait until it has: on a busy machine the next
    step would otherwise read the page being left."""
    with page.expect_navigation():
        control.click()


def _accessible(axe, page):
    violations = axe.run(page).response["violations"]
    assert violations == [], (page.url, describe_violations(violations))


def _link_in(message) -> str:
    """The path of the one link to our site in an email."""
    url = re.search(r"https?://\S+/verify/\S+/", message.body).group(0)
    return urlsplit(url).path


def test_journey_from_sign_up_to_being_found(live_server, real_data, browser):
    axe = Axe()

    # An organiser signs up and verifies their address.
    organiser = browser.new_context()
    page = organiser.new_page()
    page.goto(live_server.url + "/en/account/signup/")
    _accessible(axe, page)
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    _go(page, page.get_by_role("button", name="Create my account"))
    assert "ana@example.org" in mail.outbox[-1].to
    page.goto(live_server.url + _link_in(mail.outbox[-1]))
    _go(page, page.get_by_role("button", name="Verify and open my account"))
    page.wait_for_url("**/en/workspace/")
    _accessible(axe, page)

    # They create their organisation, then a group in English and French.
    _go(page, page.get_by_role("link", name="Create your organisation"))
    _accessible(axe, page)
    page.locator("input[name=name_en]").fill("Friends of Tuesday")
    page.get_by_label("What kind of organisation is it?").select_option("association")
    _go(page, page.get_by_role("button", name="Create the organisation"))
    page.wait_for_url("**/en/workspace/")
    _go(page, page.get_by_role("link", name=re.compile("Add a group")))
    _accessible(axe, page)
    page.locator("input[name=name_en]").fill("Grief circle of Ghent")
    page.locator("textarea[name=description_en]").fill("We meet to talk about *loss*.")
    page.get_by_role("tab", name="French").click()
    page.locator("input[name=name_fr]").fill("Cercle de deuil de Gand")
    page.locator("textarea[name=description_fr]").fill("Un groupe pour parler du deuil.")
    page.get_by_label("What kind of group is it?").select_option("support_group")
    page.get_by_label("Who leads the group?").select_option("peer")
    page.get_by_label("How does the group meet?").select_option("in_person")
    page.get_by_label("Postcode").fill("9000")
    page.get_by_role("checkbox", name="Tuesday").check()
    page.get_by_label("Starts at").fill("19:00")
    page.get_by_label("Ends at").fill("21:00")
    page.get_by_label("First date").fill("2026-01-06")
    _go(page, page.get_by_role("button", name="Preview").first)
    # The preview is the form sent back by the server: wait for it, however busy the machine.
    expect(page.get_by_text("Every week on Tuesday").first).to_be_visible()
    _accessible(axe, page)
    # The essentials are saved as a draft; the details come after, then the review.
    _go(page, page.get_by_role("button", name="Save the draft and continue"))
    page.wait_for_url("**/details/")
    _accessible(axe, page)
    _go(page, page.get_by_role("button", name="Send for review"))
    page.wait_for_url("**/en/workspace/")
    group = Group.objects.get(name_en="Grief circle of Ghent")
    assert group.status == Status.PENDING
    assert page.get_by_text("Waiting for review").count() > 0

    # Until a moderator approves it, nobody else sees it.
    seeker = browser.new_context()
    public = seeker.new_page()
    assert public.goto(live_server.url + group.get_absolute_url()).status == 404

    # A moderator logs in, opens the queue and reviews the group: its organisation is new, so the
    # review leads to the organisation's details first, which the moderator approves.
    make_moderator()
    moderator = browser.new_context()
    page = moderator.new_page()
    page.goto(live_server.url + "/en/account/login/")
    page.get_by_label("Email address").fill("moderator@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    _go(page, page.get_by_role("button", name="Log in"))
    page.goto(live_server.url + "/en/moderation/")
    _accessible(axe, page)
    _go(page, page.get_by_role("link", name=re.compile("Grief circle of Ghent")).first)
    _accessible(axe, page)
    _go(page, page.get_by_role("link", name=re.compile("review the changes to Friends of Tuesday")))
    _go(page, page.get_by_role("button", name=re.compile("Approve")))
    _go(page, page.get_by_role("link", name=re.compile("Grief circle of Ghent")).first)
    _go(page, page.get_by_role("button", name=re.compile("Approve")))
    expect(page.get_by_text("Approved").first).to_be_visible()
    assert any("ana@example.org" in m.to for m in mail.outbox[1:])

    # A seeker on the French site finds it, with nothing remembered about them.
    public.goto(live_server.url + "/fr/search/?q=deuil+gand")
    assert public.get_by_role("link", name="Cercle de deuil de Gand").count() == 1
    assert seeker.cookies() == []
    for context in (organiser, seeker, moderator):
        context.close()
