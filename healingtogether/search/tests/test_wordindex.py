"""The snapshot's own text index (search/wordindex.py): the same groups as the database's index
for whatever a person types, kept up to date by a delta, and no SQL for the words."""

import re

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healingtogether.directory import listing
from healingtogether.search import snapshot
from healingtogether.search.text import word_matches
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db

# What people type: single words in our four languages, prefixes still being typed, several
# words, accents, little words alone and among others, words nobody wrote, an abbreviation.
QUERIES = [
    "deuil",
    "rouw",
    "Trauer",
    "grief",
    "alcool",
    "alcohol",
    "AA",
    "burn-out",
    "burn out",
    "gro",
    "groupe de parole",
    "praat",
    "praatgroep",
    "Gesprächsgruppe",
    "deuil périnatal",
    "périnat",
    "étudiants",
    "mantelzorgcafé",
    "rouw ouders",
    "deuil enf",
    "angst jongeren",
    "violences conjugales",
    "kanker",
    "Krebs",
    "dementie alzheimer",
    "de",
    "de la",
    "the grief of my mother",
    "zwkrqtplof",
    "deuil zwkrqtplof",
    "psy",
    "ps",
    "jongdem",
    "LGBTQIA+",
    "2024",
]


def _from_the_database(snap, q):
    """The masks text_masks gave when it asked the database (word_matches), row by row."""
    found = word_matches(q)
    if found is None:
        return None
    matched = np.zeros(snap.size, dtype=np.int8)
    in_head = np.zeros(snap.size, dtype=np.int8)
    for ids, head_ids in found:
        matched += snap.mask_of(ids)
        in_head += snap.mask_of(head_ids)
    return matched > 0, in_head == len(found), len(found) - matched


def _same(snap, q):
    ours, theirs = snap.text_masks(q), _from_the_database(snap, q)
    if theirs is None:
        return ours is None
    return all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))


@pytest.mark.parametrize("q", QUERIES)
def test_the_snapshot_finds_the_groups_the_database_index_finds(q):
    snap = snapshot.current()
    assert _same(snap, q), q


def test_broad_words_find_many_real_groups_in_names_and_taxonomy():
    snap = snapshot.current()
    anywhere, every_in_head, _missed = snap.text_masks("deuil")
    assert anywhere.sum() > 5
    assert every_in_head.sum() > 5
    assert not (anywhere & ~snap.live).any()


def _rows_of(snap, q, pk):
    anywhere, in_head, _missed = snap.text_masks(q)
    row = snap.sorter[np.searchsorted(snap.sorted_ids, pk)]
    return bool(anywhere[row]), bool(in_head[row])


def test_a_renamed_group_is_found_by_its_new_name_only_without_a_rebuild():
    group = make_group(slug="jardiniers", name_fr="Cercle des jardiniers")
    snap = snapshot.current()
    assert _rows_of(snap, "jardiniers", group.pk) == (True, True)
    builds = snapshot.builds
    listing.save(group, {"name_fr": "Cercle des potiers zwoggelbeek"})
    snap = snapshot.current()
    assert snapshot.builds == builds
    assert snap.dropped == 1  # a delta: the old row dropped, the new one appended
    assert not snap.text_masks("jardiniers")[0].any()
    assert _rows_of(snap, "potiers", group.pk) == (True, True)
    # A word new to the whole index, whole and as a prefix being typed.
    assert _rows_of(snap, "zwoggelbeek", group.pk) == (True, True)
    assert _rows_of(snap, "cercle zwoggel", group.pk) == (True, True)
    for q in ["jardiniers", "potiers", "zwoggel", "cercle des", "deuil", "gro"]:
        assert _same(snap, q), q
    # A second delta, on top of the first: the row the first appended is dropped in turn.
    listing.save(group, {"name_fr": "Cercle des jardiniers"})
    snap = snapshot.current()
    assert (snapshot.builds, snap.dropped) == (builds, 2)
    assert _rows_of(snap, "jardiniers", group.pk) == (True, True)
    assert not snap.text_masks("zwoggelbeek")[0].any()
    for q in ["jardiniers", "potiers", "zwoggel", "cercle des"]:
        assert _same(snap, q), q


def test_a_delta_gives_a_group_its_new_topics_words():
    group = make_group(slug="tuin", name_fr="Cercle des jardiniers")
    snapshot.current()
    builds = snapshot.builds
    assert not _rows_of(snapshot.current(), "alcool", group.pk)[1]
    listing.save(group, {"topics": ["alcohol"]})
    snap = snapshot.current()
    assert snapshot.builds == builds
    assert _rows_of(snap, "alcool", group.pk) == (True, True)
    for q in ["alcool", "alcohol", "jardiniers", "addict"]:
        assert _same(snap, q), q


TEXT_TABLES = re.compile(r"search_grouptext|search_groupterms|search_matching_ids", re.I)


def test_an_api_search_with_words_asks_the_database_nothing_about_the_words(client):
    assert client.get("/api/v1/groups", {"q": "rouw"}).status_code == 200  # warm
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/groups", {"q": "deuil"}).json()
    assert body["count"] > 0
    assert not [q["sql"] for q in captured.captured_queries if TEXT_TABLES.search(q["sql"])]
