"""Reporting a problem on a group's page: no account, no email address, no cookie; spam-proofed."""

from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from healingtogether.accounts.models import Report
from healingtogether.lib.ratelimit import client_key
from healingtogether.test import make_group, said

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return make_group(slug="grief-circle", name_en="Grief circle")


@pytest.fixture
def visitor():
    """A real browser's client: CSRF is enforced, as on the site."""
    return Client(enforce_csrf_checks=True)


URL = "/fr/groups/grief-circle/report/"


def test_a_report_is_stored_with_the_page_language_and_thanked(visitor, group):
    response = visitor.post(URL, {"message": "Le numéro de téléphone a changé.", "website": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/fr/groups/grief-circle/"' in html
    report = Report.objects.get()
    assert (report.group, report.message, report.language) == (
        group,
        "Le numéro de téléphone a changé.",
        "fr",
    )
    assert report.resolved_at is None


def test_reporting_sets_no_cookie(visitor, group):
    for response in [
        visitor.get("/fr/groups/grief-circle/"),
        visitor.post(URL, {"message": "Ce groupe n'existe plus."}),
        visitor.post(URL, {"message": ""}),
        visitor.get(URL),
    ]:
        assert "Set-Cookie" not in response.headers
        assert not response.cookies


def test_a_filled_trap_is_thanked_the_same_and_nothing_is_kept(visitor, group):
    person = visitor.post(URL, {"message": "Le groupe a déménagé."})
    robot = visitor.post(URL, {"message": "Cheap pills", "website": "http://spam.example"})
    assert robot.status_code == person.status_code == 200
    assert robot.content == person.content
    assert [r.message for r in Report.objects.all()] == ["Le groupe a déménagé."]


@pytest.mark.parametrize(
    "message, words",
    [("", "Tell us in a few words what is wrong."), ("   ", "Tell us in a few words")],
)
def test_an_empty_message_shows_the_form_again_with_a_message(visitor, group, message, words):
    response = visitor.post("/en/groups/grief-circle/report/", {"message": message})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="report-message-hint report-message-error"' in html
    assert html.index('class="errors"') < html.index("<textarea")
    assert not Report.objects.exists()


def test_a_message_too_long_is_kept_in_the_form_and_refused(visitor, group):
    message = "The group moved. " * 200
    response = visitor.post("/en/groups/grief-circle/report/", {"message": message})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please keep it to 2000 characters" in html
    assert "The group moved. The group moved." in html
    assert not Report.objects.exists()


def test_a_message_of_2000_characters_is_accepted(visitor, group):
    response = visitor.post(URL, {"message": "x" * 2000})
    assert response.status_code == 200
    assert len(Report.objects.get().message) == 2000


def test_a_message_is_escaped_when_the_form_comes_back(visitor, group):
    message = "<script>alert(1)</script>" + "x" * 2000
    html = visitor.post(URL, {"message": message}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_more_than_five_reports_an_hour_are_refused_kindly(visitor, group):
    for n in range(5):
        assert visitor.post(URL, {"message": f"Problem {n}"}).status_code == 200
    response = visitor.post(URL, {"message": "One more"})
    assert response.status_code == 429
    assert 'href="/fr/groups/grief-circle/"' in response.content.decode()
    assert Report.objects.count() == 5


def test_the_rate_limit_counts_per_visitor(group):
    for _n in range(5):
        Client(REMOTE_ADDR="192.0.2.1").post(URL, {"message": "Problem"})
    other = Client(REMOTE_ADDR="192.0.2.2").post(URL, {"message": "Another problem"})
    assert other.status_code == 200
    assert Report.objects.count() == 6


def test_a_network_can_be_reported_too(visitor):
    response = visitor.post("/en/groups/brumenta/report/", {"message": "New address."})
    assert response.status_code == 200
    assert Report.objects.get().group.slug == "brumenta"


def test_opening_the_report_address_shows_the_form(client, group):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<textarea" in html and said("Leave this field empty", "fr") in unescape(html)


@pytest.mark.parametrize("slug", ["no-such-group", "kalima"])
def test_an_unknown_or_unlisted_group_is_a_404(visitor, slug):
    # kalima is one of the bundled resources waiting for review: not public.
    response = visitor.post(f"/en/groups/{slug}/report/", {"message": "Hello"})
    assert response.status_code == 404
    assert not Report.objects.exists()


# What the rate limit keeps about a visitor -----------------------------------------------------

DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "healingtogether_cache",
}


def test_a_reports_rate_limit_counter_never_reaches_the_database(group):
    # Production's shared cache is a database table, copied into every backup.
    with override_settings(CACHES={**settings.CACHES, "default": DATABASE_CACHE}):
        call_command("createcachetable")
        visitor = Client(REMOTE_ADDR="192.0.2.7")
        assert visitor.post(URL, {"message": "Problem"}).status_code == 200
        visitor.get("/api/v1/groups")
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM healingtogether_cache")
            keys = [row[0] for row in cursor.fetchall()]
    assert Report.objects.count() == 1
    assert not [key for key in keys if "rl:" in key or "report" in key]


def test_a_visitors_counters_for_reports_and_the_api_cannot_be_matched(group):
    visitor = Client(REMOTE_ADDR="192.0.2.7")
    visitor.post(URL, {"message": "Problem"})
    visitor.get("/api/v1/groups")
    keys = list(caches["ratelimit"]._cache)  # what the counters' memory holds
    report_keys = [key for key in keys if ":report:" in key]
    api_keys = [key for key in keys if ":open-data:" in key]
    assert report_keys and api_keys
    hashes = {
        scope: {key.split(":")[-2] for key in found}
        for scope, found in (("report", report_keys), ("api", api_keys))
    }
    assert not hashes["report"] & hashes["api"]
    address = client_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.7"))
    assert not [key for key in keys if address in key]


def test_the_hashed_address_changes_every_day():
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    with time_machine.travel(datetime(2026, 3, 1, 0, 5, tzinfo=UTC), tick=False):
        morning = client_key(request)
    with time_machine.travel(datetime(2026, 3, 1, 23, 55, tzinfo=UTC), tick=False):
        evening = client_key(request)
    with time_machine.travel(datetime(2026, 3, 2, 0, 5, tzinfo=UTC), tick=False):
        next_day = client_key(request)
    assert morning == evening != next_day
