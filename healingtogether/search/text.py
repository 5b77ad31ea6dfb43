"""Multilingual text search: index groups, turn what a person typed into a query, match.

A query word matches a document when any of its terms (the word folded, and its French, Dutch,
English and German stems) is in the document; the last word also matches as a prefix, for people
still typing. Every word must match. Terms are [a-z0-9] only, so nothing a person types can break
the FTS5 or tsquery syntax.
"""

from django.db import connection, transaction

from healingtogether.directory.models import Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.text import fold, index_text, terms, tidy, words

from .models import GroupText

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12


def _labels(term) -> str:
    """A term's labels and synonyms in every language, its parents' too: a group about
    bereavement after suicide is found by "grief"."""
    texts = []
    while term is not None:
        for code in CONTENT_LANGUAGES:
            texts += [getattr(term, f"label_{code}"), getattr(term, f"synonyms_{code}")]
        term = term.parent
    return " ".join(texts)


def index_groups(groups=None, chunk_size: int = 1000) -> int:
    """(Re)build the index rows of these groups (all by default). Returns how many.

    Works in chunks: each chunk's old rows are deleted and new ones inserted in one statement,
    so indexing 100,000 synthetic groups takes seconds rather than minutes.
    """
    groups = (
        (groups if groups is not None else Group.objects.all())
        .select_related("organisation")
        .prefetch_related("topics__parent", "audiences__parent", "approaches__parent")
    )
    count = 0
    chunk = []
    for group in groups.iterator(chunk_size=chunk_size):
        chunk.append(group)
        if len(chunk) == chunk_size:
            count += _index_chunk(chunk)
            chunk = []
    return count + (_index_chunk(chunk) if chunk else 0)


def _index_chunk(groups) -> int:
    rows = []
    # Many groups share the same few dozen terms: index each term's words once per chunk.
    term_text = {}

    def taxonomy(group) -> str:
        found = []
        for term in [*group.topics.all(), *group.audiences.all(), *group.approaches.all()]:
            key = (type(term), term.pk)
            if key not in term_text:
                term_text[key] = index_text(_labels(term))
            found.append(term_text[key])
        return " ".join(found)

    for group in groups:
        names = index_text(*(getattr(group, f"name_{c}") for c in CONTENT_LANGUAGES))
        head = " ".join(dict.fromkeys(f"{names} {taxonomy(group)}".split()))
        body = index_text(
            *(getattr(group, f"description_{c}") for c in CONTENT_LANGUAGES),
            *(getattr(group.organisation, f"name_{c}") for c in CONTENT_LANGUAGES),
        )
        rows.append(GroupText(group=group, head=head, body=body))
    with transaction.atomic():
        GroupText.objects.filter(group__in=[g.pk for g in groups]).delete()
        GroupText.objects.bulk_create(rows)
    return len(rows)


def follow_listings(sender, group_ids, **kwargs) -> None:
    """The one listing writer announced changed groups: bring their index rows up to date."""
    ids = sorted(group_ids)
    # In slices, so that a hundred thousand ids never become one SQL statement's parameters.
    for start in range(0, len(ids), 1000):
        index_groups(Group.objects.filter(pk__in=ids[start : start + 1000]))


def clean_query(q: str) -> str:
    """What we search for: NUL bytes dropped, cut to 200 characters, spaces tidied."""
    return tidy(q, MAX_QUERY_LENGTH)


def query_terms(q: str) -> list[tuple[list[str], str | None]]:
    """For each word: its terms, and a prefix when it is the last word (else None)."""
    found = []
    typed = words(clean_query(q))[:MAX_WORDS]
    for position, word in enumerate(typed):
        prefix = fold(word) if position == len(typed) - 1 and len(fold(word)) >= 2 else None
        if prefix:
            prefix = "".join(c for c in prefix if c.isascii() and c.isalnum()) or None
        word_terms = sorted(terms(word))
        if word_terms or prefix:
            found.append((word_terms, prefix))
    return found


def _expression(parsed) -> str:
    """The query in the database's own syntax: FTS5 on SQLite, tsquery on PostgreSQL."""
    postgres = connection.vendor == "postgresql"
    groups = []
    for word_terms, prefix in parsed:
        if postgres:
            options = [*word_terms, *([f"{prefix}:*"] if prefix else [])]
        else:
            options = [*(f'"{t}"' for t in word_terms), *([f'"{prefix}"*'] if prefix else [])]
        groups.append("(" + (" | " if postgres else " OR ").join(options) + ")")
    return (" & " if postgres else " AND ").join(groups)


# The SQL below is constant; what a person typed reaches the database as a query parameter,
# never inside the SQL text.


# PostgreSQL: one round trip gives both lists, each as one array, from the GIN indexes of the
# narrow search_groupterms table (migration 0002).
POSTGRESQL_MATCH = "SELECT found, in_head FROM search_matching_ids(%s)"
# SQLite: the head-only restriction is part of the expression (an FTS5 column filter).
SQLITE_MATCH = "SELECT rowid FROM search_grouptext_fts WHERE search_grouptext_fts MATCH %s"


def matching_ids(q: str) -> tuple[list[int], list[int]] | None:
    """The ids of the groups matching `q`, and of those matching it in their names or taxonomy
    (which rank first); None when `q` has no words to search for."""
    parsed = query_terms(q)
    if not parsed:
        return None
    expression = _expression(parsed)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_MATCH, [expression])
            found, in_head = cursor.fetchone()
            return list(found), list(in_head)
        cursor.execute(SQLITE_MATCH, [expression])
        found = [row[0] for row in cursor.fetchall()]
        cursor.execute(SQLITE_MATCH, [f"head : ({expression})"])
        in_head = [row[0] for row in cursor.fetchall()]
    return found, in_head
