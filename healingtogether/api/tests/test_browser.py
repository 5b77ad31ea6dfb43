"""JSON-LD and meta tags in a real browser: Debian's Chromium, with our Content-Security-Policy
(script-src 'self'), must run no script from them and report no violation."""

import json
import os

import pytest
from playwright.sync_api import sync_playwright

from conftest import load_real_data
from healingtogether.directory.models import Group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


@pytest.fixture
def page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser.new_page()
        browser.close()


def test_json_ld_passes_the_content_security_policy(live_server, page):
    if not Group.objects.exists():
        load_real_data()
    group = Group.objects.listed().exclude(kind__in=Group.NETWORK_KINDS).first()
    Group.objects.filter(pk=group.pk).update(name_fr="</script><script>window.hacked=1</script>")
    group.refresh_from_db()
    url = f"{live_server.url}/fr/groups/{group.slug}/"
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    response = page.goto(url)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@graph"][0]["name"] == "</script><script>window.hacked=1</script>"
    assert page.evaluate("window.hacked") is None
    assert (
        page.locator('link[rel="canonical"]')
        .get_attribute("href")
        .endswith(f"/fr/groups/{group.slug}/")
    )
    assert [m for m in messages if "Content Security Policy" in m or "Refused" in m] == []
