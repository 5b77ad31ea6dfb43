"""Test set-up shared by every app.

The real places and bundled resources are loaded once into the test database, so tests look at
the same Belgium a visitor sees. Browser tests run last: their live server needs a transactional
database, which is emptied after each of them. `make test` runs the tests in one process per core
(pytest-xdist): each has its own test database and takes tests in the order sorted here, so in
each process too the browser tests come after the others.
"""

import io

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from healingtogether.search import snapshot

# Passwords are hashed with a fast hasher in tests only (see STYLE.md, section 2).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Meaning (search/meaning.py) embeds every group a test writes, some 50 ms each on this machine's
# CPU: tests run without it, and the tests of meaning (search/tests/test_meaning.py) turn it on.
settings.SEARCH_SEMANTIC = False
# Every search sees the rows the test just wrote (see search/snapshot.py).
settings.SEARCH_RECHECK_SECONDS = 0
# The shared cache is a database table in production; tests run in one process, and clearing an
# in-memory cache between tests needs no database access.
settings.CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    },
    "process": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "process"},
}


def load_real_data():
    call_command("load_places", stdout=io.StringIO())
    call_command("load_resources", stdout=io.StringIO())
    call_command("load_groups", stdout=io.StringIO())
    call_command("load_articles", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_real_data()


@pytest.fixture(autouse=True)
def fresh_cache():
    for alias in settings.CACHES:
        caches[alias].clear()
    snapshot.forget()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
    snapshot.forget()


@pytest.fixture(autouse=True)
def english_to_begin_with():
    """Each test starts in the source language, whatever page the previous one asked for: a
    request for /fr/… leaves French active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def without_real_groups(db):
    """Tests that count or order every group near a place, or look for a place or topic nobody
    serves, see only the groups they make: the real groups of be-groups.json are archived for the
    test (its transaction puts them back)."""
    from healingtogether.directory import listing
    from healingtogether.directory.models import Group, Status

    listing.update(
        Group.objects.filter(source_key__startswith="be-groups:"), status=Status.ARCHIVED
    )
