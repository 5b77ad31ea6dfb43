"""One table of queries, run as it is on SQLite (FTS5) and on PostgreSQL (tsvector): CI runs the
whole suite on both, so both must give exactly these results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healingtogether.directory.models import Group, Topic
from healingtogether.search.text import clean_query, matching_ids, word_matches
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    grief = Topic.objects.get(slug="grief")
    anxiety = Topic.objects.get(slug="anxiety")
    return {
        "fr-grief": make_group(
            slug="fr-grief",
            name_fr="Groupe de parole",
            description_fr="Un lieu pour parler de la perte d'un proche.",
            topics=[grief],
        ),
        "nl-anxiety": make_group(
            slug="nl-anxiety",
            name_fr="",
            name_nl="Praatgroep",
            description_fr="",
            description_nl="Voor mensen die met angst en paniek leven.",
            topics=[anxiety],
        ),
        "de-groups": make_group(
            slug="de-groups",
            name_fr="",
            name_de="Gesprächsgruppen für Eltern",
            description_fr="",
            description_de="Wir treffen uns jeden Monat.",
        ),
        "anxiety-in-text": make_group(
            slug="anxiety-in-text",
            name_fr="Atelier du mardi",
            description_fr="Quand l'anxiété prend trop de place, on en parle ensemble.",
        ),
    }


def _found(q):
    found, in_head = matching_ids(q)
    slugs = dict(Group.objects.filter(pk__in=found, slug__in=QUERY_SLUGS).values_list("pk", "slug"))
    # Matches in the names or taxonomy first, then alphabetically.
    return sorted(slugs.values(), key=lambda s: (s not in {slugs.get(pk) for pk in in_head}, s))


QUERY_SLUGS = ["fr-grief", "nl-anxiety", "de-groups", "anxiety-in-text"]

QUERIES = [
    # A grief group described only in French, found in each language.
    ("rouw", ["fr-grief"]),
    ("deuil", ["fr-grief"]),
    ("grief", ["fr-grief"]),
    ("Trauer", ["fr-grief"]),
    ("bereavement", ["fr-grief"]),
    # Accents folded either way.
    ("anxiete", ["nl-anxiety", "anxiety-in-text"]),
    ("ANXIÉTÉ", ["nl-anxiety", "anxiety-in-text"]),
    # Each language's own plural.
    ("gesprächsgruppe", ["de-groups"]),
    ("praatgroepen", ["nl-anxiety"]),
    ("groupes", ["fr-grief"]),
    # The last word as a prefix, for someone still typing, from three letters.
    ("gesp", ["de-groups"]),
    ("perte d'un pro", ["fr-grief"]),
    ("pra", ["nl-anxiety"]),
    ("pr", []),
    # Every word must match (the HSDS API's search).
    ("angst paniek", ["nl-anxiety"]),
    ("deuil eltern", []),
]


@pytest.mark.parametrize("q, expected", QUERIES)
def test_the_same_queries_give_the_same_groups_on_every_database(groups, q, expected):
    assert _found(q) == expected


def test_name_and_topic_matches_rank_above_description_matches(groups):
    # Anxiety is the topic of nl-anxiety, and only a word of anxiety-in-text's description.
    assert _found("anxiété") == ["nl-anxiety", "anxiety-in-text"]


# What means something to FTS5 or tsquery, and other things that break naive query building.
QUERY_SYNTAX = ['"', "*", ":", "(", ")", "-", "&", "|", "!", "NEAR", "OR", "AND", "NOT", 'a "b',
                "\\", "x\x00y", "'); DROP TABLE x; --", "café:*", "NEAR(a b)", "^start",
                "{head}:x", "a -b"]  # fmt: skip


@pytest.mark.parametrize("q", QUERY_SYNTAX)
def test_query_syntax_characters_never_cause_an_error(groups, q):
    matching_ids(q)


def test_a_long_query_is_cut_to_200_characters():
    assert len(clean_query("deuil " * 100)) == 200


def test_a_text_search_asks_the_database_once_for_every_word(groups):
    # Each round trip is time a visitor waits: one query gives, for each word, the matches and
    # those in names or taxonomy.
    with CaptureQueriesContext(connection) as queries:
        assert len(word_matches("rouw angst paniek")) == 3
    assert len(queries) == 1


def test_each_word_gives_its_own_matches_on_every_database(groups):
    # Search ranks groups by how many words they match: each word's groups, and those with the
    # word in their names or taxonomy. "de" and "the" count for nothing; "zwkrqt" for no group.
    slugs = dict(Group.objects.filter(slug__in=QUERY_SLUGS).values_list("pk", "slug"))

    def named(ids):
        return sorted(slugs[pk] for pk in ids if pk in slugs)

    found = word_matches("deuil de the angst zwkrqt")
    assert [(named(ids), named(in_head)) for ids, in_head in found] == [
        (["fr-grief"], ["fr-grief"]),
        (["nl-anxiety"], ["nl-anxiety"]),
        ([], []),
    ]
