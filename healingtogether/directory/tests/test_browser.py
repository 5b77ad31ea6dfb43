"""Every page type in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Each test opens the pages of one language at a phone's width and a desktop's, and asserts what a
person (or their screen reader) would notice: the page loads, axe-core finds no accessibility
violation, nothing is fetched from another host, and no cookie is left behind.
"""

from datetime import date
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from healingtogether.directory.models import Topic
from healingtogether.directory.tests.test_pages import LANGUAGES, PAGES
from healingtogether.lib.tests.chromium import WIDTHS, describe_violations
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_type_is_accessible_and_private(live_server, real_data, browser, lang):
    axe = Axe()
    own_host = urlsplit(live_server.url).netloc
    for size in WIDTHS.values():
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        requested = []
        page.on("request", lambda request, seen=requested: seen.append(request.url))
        for path in PAGES:
            url = live_server.url + path.format(lang=lang)
            response = page.goto(url)
            assert response.status == 200, url
            assert page.locator("html").get_attribute("lang") == lang
            results = axe.run(page)
            assert results.response["violations"] == [], (
                url,
                size,
                describe_violations(results.response["violations"]),
            )
        foreign = [u for u in requested if urlsplit(u).netloc != own_host]
        assert foreign == []
        assert context.cookies() == []
        context.close()


def test_the_search_works_without_javascript(live_server, real_data, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/nl/")
    page.locator("#near").fill("5000")
    page.locator("form.search-form button").click()
    page.wait_for_load_state()
    assert "/nl/search/" in page.url and "near=5000" in page.url
    # The person's networks for Namur are listed, with links to their pages.
    networks = page.locator("section[aria-labelledby=networks-title] li.card a")
    assert networks.count() >= 1
    assert all(
        href.startswith("/nl/networks/")
        for href in networks.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )
    context.close()


def test_a_compiled_group_page_with_similar_groups_is_accessible(live_server, real_data, browser):
    """The parts of a group page that real data brings (issue 14): who compiled it, its sources,
    an approximate place, "When it meets" and similar groups nearby, checked by axe-core."""
    grief = Topic.objects.get(slug="grief")
    gent = Municipality.objects.get(name_nl="Gent")
    groups = [
        make_group(
            confirmed_at=None,
            checked_on=date(2026, 12, 6),
            source_date=date(2025, 3, 14),
            sources=["https://example.org/deuil"],
            hours_nl="Elke eerste maandag van de maand, ’s avonds",
            topics=[grief],
        )
        for _ in range(3)
    ]
    for group in groups:
        make_location(group, approximate=True, municipality=gent, postcode="",
                      latitude=gent.latitude, longitude=gent.longitude)  # fmt: skip
    axe = Axe()
    for size in WIDTHS.values():
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        for path in (f"/nl/groups/{groups[0].slug}/", "/nl/where-groups-are-missing/"):
            page.goto(live_server.url + path)
            assert page.locator("#similar-title").count() == (1 if "groups/" in path else 0)
            results = axe.run(page)
            violations = results.response["violations"]
            assert violations == [], (path, size, describe_violations(violations))
        context.close()
