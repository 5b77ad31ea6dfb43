"""Fixtures of the browser tests of every app: Debian's Chromium driven by Playwright, and the real
places and resources in the live server's database."""

import os

import pytest
from playwright.sync_api import sync_playwright

from conftest import load_real_data
from healingtogether.directory.models import Group
from healingtogether.lib.tests.chromium import CHROMIUM_ARGS


@pytest.fixture
def real_data():
    # The live server's transactional database is emptied after each browser test.
    if not Group.objects.exists():
        load_real_data()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own database calls are
    # still synchronous, so Django's guard against ORM calls inside a loop does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
