"""Search from memory: the snapshot carries what a result shows, so a search runs (almost) no
SQL, and a change to one group reaches it by a delta, not a rebuild."""

import dataclasses
import re
import urllib.parse

import numpy as np
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.http import http_date

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Language, Status, Topic
from healingtogether.search import snapshot
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|BEGIN|REPLACE)", re.IGNORECASE)


@pytest.fixture
def many(settings, without_real_groups):
    """Thirty groups around Namur with every fact a result shows, and a few online; the
    snapshot checks for changes only every minute, as a busy process does."""
    settings.SEARCH_RECHECK_SECONDS = 60
    grief = Topic.objects.get(slug="grief")
    languages = list(Language.objects.filter(slug__in=["fr", "nl"]))
    groups = []
    for n in range(30):
        group = make_group(
            slug=f"circle-{n:02d}",
            name_fr=f"Cercle de parole {n}",
            topics=[grief],
            languages=languages,
            cost="free",
            format="hybrid" if n % 3 else "in_person",
        )
        make_location(group, latitude=50.4669 + n / 1000, longitude=4.8675)
        groups.append(group)
    for n in range(5):
        groups.append(make_group(slug=f"online-{n}", format="online", languages=languages))
    return groups


def _warm(client, *urls):
    for url in urls:
        assert client.get(url).status_code == 200


def _another_page_size(url: str) -> str:
    """The same search with another page size: after it the process knows the snapshot, the
    place and the words, but a search of `url` is still worked out, not answered from the
    searches engine.run keeps, so a query added on that path would be counted."""
    parts = urllib.parse.urlsplit(url)
    asked = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "page_size"]
    return parts._replace(query=urllib.parse.urlencode([*asked, ("page_size", "7")])).geturl()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"topic": "grief", "page_size": 30},
        {"near": "5000", "radius_km": 25, "page_size": 30},
        {"near": "namur", "format": "hybrid", "sort": "newest"},
    ],
)
def test_an_api_search_without_words_runs_no_query(client, many, params, django_assert_num_queries):
    _warm(client, _another_page_size("/api/v1/groups?" + urllib.parse.urlencode(params)))
    with django_assert_num_queries(0):
        body = client.get("/api/v1/groups", params).json()
    assert body["results"]
    result = next(r for r in body["results"] if r["slug"].startswith("circle-"))
    assert result["languages"] == ["fr", "nl"]
    assert result["topics"] == ["grief"]
    assert result["location"]["postcode"] == "5000"
    assert result["organisation"]["name"].startswith("Association")


def test_an_api_search_with_new_words_runs_no_query(client, many, django_assert_max_num_queries):
    _warm(client, "/api/v1/groups?q=parole")
    with django_assert_max_num_queries(0):
        body = client.get("/api/v1/groups", {"q": "cercle", "page_size": 30}).json()
    assert body["count"] == 30


@pytest.mark.parametrize(
    "url",
    [
        "/en/search/",
        "/fr/search/?topic=grief&page_size=30",
        "/nl/search/?near=5000&radius_km=25&page_size=30",
        "/en/search/?q=cercle&near=namur",
    ],
)
def test_the_search_page_runs_no_query_once_its_place_is_known(
    client, many, url, django_assert_max_num_queries
):
    _warm(client, _another_page_size(url.replace("cercle", "parole")))
    with django_assert_max_num_queries(0):
        page = client.get(url)
    assert page.status_code == 200
    assert "Cercle de parole" in page.content.decode()


def test_an_anonymous_api_search_writes_nothing(client, many):
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            client.get("/api/v1/groups", {"near": "5000", "q": "cercle"})
            client.get("/api/v1/groups", {"topic": "grief"})
    writes = [q["sql"] for q in captured.captured_queries if WRITES.match(q["sql"])]
    assert writes == []


def test_last_modified_is_the_latest_change_and_a_revalidation_costs_nothing(
    client, many, django_assert_num_queries
):
    first = client.get("/api/v1/groups", {"topic": "grief"})
    latest = max(Group.objects.values_list("updated_at", flat=True))
    assert first["Last-Modified"] == http_date(latest.timestamp())
    with django_assert_num_queries(0):
        again = client.get("/api/v1/groups", {"topic": "grief"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def _slugs(client, **params):
    return [r["slug"] for r in client.get("/api/v1/groups", params).json()["results"]]


def test_a_saved_change_is_searchable_at_once_without_a_rebuild(client, many):
    _warm(client, "/api/v1/groups")
    builds = snapshot.builds
    group = many[4]
    listing.save(group, {"name_fr": "Cercle des jardiniers", "cost": "paid"})
    body = client.get("/api/v1/groups", {"cost": "paid"}).json()
    assert [r["name"] for r in body["results"]] == ["Cercle des jardiniers"]
    assert "circle-04" in _slugs(client, q="jardiniers")
    assert "circle-04" not in _slugs(client, cost="free", page_size=100)
    new = make_group(slug="brand-new", cost="paid")
    assert set(_slugs(client, cost="paid")) == {"brand-new", "circle-04"}
    assert snapshot.builds == builds
    listing.set_status(Group.objects.filter(pk__in=[group.pk, new.pk]), Status.ARCHIVED)
    assert _slugs(client, cost="paid") == []
    assert "circle-04" not in _slugs(client, page_size=100)
    assert client.get("/api/v1/groups").json()["count"] == len(many) - 1 + _others()
    assert snapshot.builds == builds


def _others() -> int:
    """Listed groups that are not the fixture's (the bundled networks and helplines)."""
    return (
        Group.objects.searchable()
        .exclude(slug__startswith="circle-")
        .exclude(slug__startswith="online-")
        .exclude(slug="brand-new")
        .count()
    )


def test_a_deleted_group_leaves_the_results(client, many):
    _warm(client, "/api/v1/groups")
    many[7].delete()
    assert "circle-07" not in _slugs(client, page_size=100)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language", ["en", "fr", "nl", "de"])
def test_a_result_card_says_what_the_directory_card_says(client, many, language):
    group = many[1]
    make_location(group, latitude=50.4669, longitude=4.8675)
    listing.changed([group.pk])
    page = client.get(f"/{language}/search/", {"q": "Cercle de parole 1", "page_size": 30})
    group = Group.objects.for_cards().get(pk=group.pk)
    with translation.override(language):
        expected = render_to_string(
            "directory/_group_card.html",
            {"group": group, "distance": None, "LANGUAGE_CODE": language},
        )
    assert _text(expected) in _text(page.content.decode())


def test_a_delta_keeps_the_facets_rows_per_value_as_a_rebuild_would(client, many):
    """Each multi facet's rows per value (Snapshot._postings) follow a delta without scanning
    the whole matrix again: a group given a new topic (and a new language) is chosen and counted
    by it, and the lists equal those made from scratch. So do every facet's bitsets, a value no
    group had before included."""
    _warm(client, "/api/v1/groups?topic=grief&language=fr")
    client.get("/api/v1/groups")  # counts each facet over every row: by their bitsets
    builds = snapshot.builds
    listing.save(many[2], {"topics": ["anxiety"]})
    listing.save(many[3], {"session_languages": ["de"]})
    listing.save(many[4], {"cost": "donation"})
    body = client.get("/api/v1/groups", {"topic": "anxiety"}).json()
    assert "circle-02" in [r["slug"] for r in body["results"]]
    assert "circle-03" in _slugs(client, language="de")
    snap = snapshot.current()
    assert snapshot.builds == builds and snap.postings
    for facet, (rows, starts) in snap.postings.items():
        scratch = snapshot.Snapshot._postings(
            dataclasses.replace(snap, postings={}), facet
        )  # made again from the matrix
        for value in range(len(starts) - 1):
            ours = sorted(rows[starts[value] : starts[value + 1]].tolist())
            fresh = sorted(scratch[0][scratch[1][value] : scratch[1][value + 1]].tolist())
            assert ours == fresh, (facet, snap.values[facet][value])
    # The bitsets that count many rows (Snapshot._bits) follow the delta too.
    assert set(snap.bits) == set(snap.values)
    for facet, bits in snap.bits.items():
        flags = snapshot._flags(snap.multi, snap.scalar, facet, len(snap.values[facet]))
        assert np.array_equal(bits, snapshot._packed(flags.T)), facet
    counts = {v["value"]: v["count"] for v in body["facets"]["topic"]}
    assert counts["anxiety"] == body["count"]
    costs = client.get("/api/v1/groups").json()["facets"]["cost"]
    assert {v["value"]: v["count"] for v in costs}["donation"] == 1


def test_bitsets_grow_by_a_word_and_by_a_value_as_rows_are_added():
    """A delta that passes a multiple of 64 rows, with a value no row had, sets the same bits as
    packing the whole matrix again."""
    matrix = np.random.default_rng(3).random((130, 5)) < 0.3
    matrix[:100, 4] = False  # a value the first hundred rows did not have
    bits = snapshot._packed(matrix[:100, :4].T)
    grown = snapshot._bits_with(bits, matrix[100:], 100, 5)
    assert np.array_equal(grown, snapshot._packed(matrix.T))
