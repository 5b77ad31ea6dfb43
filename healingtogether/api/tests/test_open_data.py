"""/api/v1/ as open data: organisations, vocabularies and places besides groups; any site may
call it; clients revalidate cheaply; nobody may flood it; bad input gets a JSON answer."""

import logging
import socket

import pytest
import time_machine
from django.utils import timezone, translation

from healingtogether.directory.models import Group, Status
from healingtogether.test import make_group, make_schedule

pytestmark = pytest.mark.django_db


def test_a_group_with_a_schedule_links_its_calendar_in_the_language_asked(client, rich_group):
    body = client.get(f"/api/v1/groups/{rich_group.public_id}", {"lang": "nl"}).json()
    assert body["ics_url"].endswith("/nl/groups/deuil-namur/calendar.ics")
    assert client.get(body["ics_url"]).status_code == 200


def test_a_group_without_schedule_has_no_calendar_link(client):
    plain = make_group()
    assert client.get(f"/api/v1/groups/{plain.public_id}").json()["ics_url"] is None


def test_organisations_that_run_listed_groups(client, rich_group):
    make_group(name_fr="Caché", status=Status.PENDING)
    body = client.get("/api/v1/organisations", {"page_size": 200}).json()
    ours = next(o for o in body["results"] if o["id"] == str(rich_group.organisation.public_id))
    assert (ours["name"], ours["group_count"], ours["kind"]) == (
        "Cercle namurois",
        1,
        "association",
    )
    assert "Caché" not in {o["name"] for o in body["results"]}
    assert body["count"] == len(body["results"])


def test_one_organisation_with_its_groups(client, rich_group):
    body = client.get(f"/api/v1/organisations/{rich_group.organisation.public_id}").json()
    assert body["website"] == "https://cercle.example.be"
    assert [g["slug"] for g in body["groups"]] == ["deuil-namur"]
    assert body["url"].endswith("/organisations/cercle-namurois/")


@pytest.mark.parametrize("ident", ["acme", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_organisation_is_a_json_404(client, ident):
    response = client.get(f"/api/v1/organisations/{ident}")
    assert response.status_code == 404 and "errors" in response.json()


@pytest.mark.parametrize("path", ["topics", "audiences", "approaches", "languages"])
def test_vocabularies_have_labels_in_the_language_asked(client, path):
    dutch = {t["slug"]: t for t in client.get(f"/api/v1/{path}", {"lang": "nl"}).json()}
    german = {t["slug"]: t for t in client.get(f"/api/v1/{path}", {"lang": "de"}).json()}
    assert dutch.keys() == german.keys() and dutch
    assert any(dutch[s]["label"] != german[s]["label"] for s in dutch)


def test_topic_labels_synonyms_and_parents(client):
    topics = {t["slug"]: t for t in client.get("/api/v1/topics", {"lang": "nl"}).json()}
    assert topics["grief"]["label"] == "Rouw en verlies"
    assert "rouwverwerking" in topics["grief"]["synonyms"]
    assert topics["suicide_bereavement"]["parent"] == "grief"


@pytest.mark.parametrize("q", ["4000", "Luik", "liege", "Lüttich"])
def test_a_postcode_or_a_name_in_any_language_finds_the_municipality(client, q):
    body = client.get("/api/v1/places", {"q": q, "lang": "fr"}).json()
    assert [m["name"] for m in body["municipalities"]] == ["Liège"]
    assert "4000" in body["municipalities"][0]["postcodes"]
    assert body["postcode"] == ("4000" if q == "4000" else None)


def test_a_place_we_do_not_know_is_an_empty_list(client):
    assert client.get("/api/v1/places", {"q": "Atlantis"}).json()["municipalities"] == []


@pytest.mark.parametrize(
    "path, params, field",
    [
        ("/api/v1/places", {}, "q"),
        ("/api/v1/places", {"q": " "}, "q"),
        ("/api/v1/topics", {"lang": "es"}, "lang"),
        ("/api/v1/organisations", {"page_size": "0"}, "page_size"),
        ("/api/v1/organisations", {"page": "x"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, path, params, field):
    response = client.get(path, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_any_site_may_read_the_api(client, rich_group):
    for path in ("/api/v1/groups", "/api/v1/topics", "/api/v1/openapi.json", "/api/v1/places"):
        response = client.get(path, HTTP_ORIGIN="https://partner.example")
        assert response["Access-Control-Allow-Origin"] == "*", path


def test_an_unchanged_answer_revalidates_with_a_304(client, rich_group):
    first = client.get("/api/v1/groups", {"q": "deuil"})
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    by_etag = client.get("/api/v1/groups", {"q": "deuil"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304 and by_etag.content == b""
    by_date = client.get(
        "/api/v1/groups", {"q": "deuil"}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert by_date.status_code == 304


def test_a_change_gives_a_new_answer(client, rich_group):
    first = client.get(f"/api/v1/groups/{rich_group.public_id}")
    Group.objects.filter(pk=rich_group.pk).update(
        name_fr="Groupe deuil Namur-centre", updated_at=timezone.now()
    )
    again = client.get(
        f"/api/v1/groups/{rich_group.public_id}",
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )
    assert again.status_code == 200 and again.json()["name"] == "Groupe deuil Namur-centre"


def test_a_passed_session_makes_the_group_modified(client):
    with time_machine.travel("2026-03-01 12:00 +01:00", tick=False):
        group = make_group(slug="tuesdays")
        make_schedule(group)
    with time_machine.travel("2026-03-02 12:00 +01:00", tick=False):
        monday = client.get(f"/api/v1/groups/{group.public_id}")
    with time_machine.travel("2026-03-04 12:00 +01:00", tick=False):
        wednesday = client.get(
            f"/api/v1/groups/{group.public_id}", HTTP_IF_MODIFIED_SINCE=monday["Last-Modified"]
        )
    assert wednesday.status_code == 200
    assert wednesday.json()["next_sessions"][0] != monday.json()["next_sessions"][0]


def test_a_client_that_asks_too_often_gets_a_429_in_json(client, settings):
    settings.API_RATE_LIMIT = 3
    codes = [client.get("/api/v1/topics").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/hsds/taxonomies")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    with translation.override("en"):
        assert response.json() == {
            "errors": {"rate": "Too many requests. Wait a minute and try again."}
        }


def test_an_api_rate_limit_of_zero_lets_every_request_through(client, settings):
    settings.API_RATE_LIMIT = 0
    codes = {client.get("/api/v1/topics").status_code for _ in range(5)}
    assert codes == {200}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_redis_counts_in_memory_with_a_warning_never_an_error_page(
    client, settings, caplog
):
    # Whether or not the redis package is installed, nothing answers on that port.
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.API_RATE_LIMIT = 3
    with caplog.at_level(logging.WARNING, logger="healingtogether.lib.ratelimit"):
        codes = [client.get("/api/v1/topics").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    warnings = [r.getMessage() for r in caplog.records if r.name.endswith("ratelimit")]
    assert len(warnings) == 1
    assert "counting in this process's memory" in warnings[0]


def test_the_api_sets_no_cookie(client, rich_group):
    for path in ("/api/v1/groups", "/api/hsds/services", "/en/groups/deuil-namur/calendar.ics"):
        assert not client.get(path).cookies, path


# Shared caches key the API's answers on the URL and Accept-Language (Vary): the language cookie
# a visitor of the site carries must not change them, and searches must not be kept at all.


def cache_control(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize(
    "path, label",
    [
        ("/api/v1/topics", lambda body: {t["slug"]: t["label"] for t in body}["grief"]),
        ("/api/hsds/taxonomies", lambda body: sorted(t["name"] for t in body["contents"])),
    ],
)
def test_the_api_speaks_the_accept_language_not_the_language_cookie(client, path, label):
    english = label(client.get(path, HTTP_ACCEPT_LANGUAGE="en").json())
    french = label(client.get(path, HTTP_ACCEPT_LANGUAGE="fr").json())
    assert english != french
    client.cookies["django_language"] = "fr"
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert label(response.json()) == english
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    # `lang` still wins over both.
    assert label(client.get(path, {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en").json()) == french


def test_the_site_still_follows_the_language_cookie_where_the_address_has_none(client):
    client.cookies["django_language"] = "nl"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/nl/"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/groups", {"q": "grief"}),
        ("/api/v1/groups", {"near": "5000"}),
        ("/api/v1/places", {"q": "Namur"}),
        ("/api/v1/networks", {"postcode": "5000"}),
        ("/api/hsds/services", {"search": "grief"}),
        ("/api/hsds/services", {"postcode": "5000"}),
        ("/api/hsds/organizations", {"search": "cercle"}),
        ("/api/hsds/taxonomy_terms", {"search": "grief"}),
        ("/en/search/calendar.ics", {"q": "grief"}),
        ("/fr/search/calendar.ics", {"near": "Namur"}),
    ],
)
def test_answers_to_a_search_are_kept_only_by_the_askers_own_cache(
    client, rich_group, path, params
):
    response = client.get(path, params)
    assert response.status_code == 200
    directives = cache_control(response)
    assert "private" in directives and "public" not in directives


@pytest.mark.parametrize(
    "path", ["/api/v1/groups", "/api/v1/topics", "/api/hsds/services", "/en/search/calendar.ics"]
)
def test_answers_without_search_terms_stay_shareable(client, rich_group, path):
    directives = cache_control(client.get(path))
    assert "public" in directives and "private" not in directives
