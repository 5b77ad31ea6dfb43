"""Multilingual text search: index groups, turn what a person typed into a query, match.

A query word matches a document when any of its terms (the word folded, and its French, Dutch,
English and German stems) is in the document; the last word also matches as a prefix, for people
still typing. Every word must match. Terms are [a-z0-9] only, so nothing a person types can break
the FTS5 or tsquery syntax.
"""

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from healingtogether.directory.models import Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.text import fold, index_text, terms, words

from .models import GroupText

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12


def _labels(terms_qs) -> list[str]:
    """Labels and synonyms in every language, the parent's too: a group about bereavement after
    suicide is found by "grief"."""
    texts = []
    for term in terms_qs:
        while term is not None:
            for code in CONTENT_LANGUAGES:
                texts += [getattr(term, f"label_{code}"), getattr(term, f"synonyms_{code}")]
            term = term.parent
    return texts


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
    for group in groups:
        head = index_text(
            *(getattr(group, f"name_{c}") for c in CONTENT_LANGUAGES),
            *_labels(group.topics.all()),
            *_labels(group.audiences.all()),
            *_labels(group.approaches.all()),
        )
        body = index_text(
            *(getattr(group, f"description_{c}") for c in CONTENT_LANGUAGES),
            *(getattr(group.organisation, f"name_{c}") for c in CONTENT_LANGUAGES),
        )
        rows.append(GroupText(group=group, head=head, body=body))
    with transaction.atomic():
        GroupText.objects.filter(group__in=[g.pk for g in groups]).delete()
        GroupText.objects.bulk_create(rows)
    return len(rows)


def clean_query(q: str) -> str:
    """What we search for: NUL bytes dropped, cut to 200 characters, spaces tidied."""
    return " ".join(q.replace("\x00", "").split())[:MAX_QUERY_LENGTH]


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


# The SQL below is built from constants only; what a person typed reaches the database as a
# query parameter, never inside the SQL text (hence the noqa on S608 and S611).


def _match_sql(head_only: bool) -> str:
    """SQL selecting the ids of matching groups, with one parameter: the query expression."""
    if connection.vendor == "postgresql":
        document = "head" if head_only else "head || ' ' || body"
        return (
            "SELECT group_id FROM search_grouptext WHERE "  # noqa: S608
            f"to_tsvector('simple'::regconfig, {document}) @@ to_tsquery('simple'::regconfig, %s)"
        )
    # On SQLite the head-only restriction is part of the expression (an FTS5 column filter).
    return (
        "SELECT t.group_id FROM search_grouptext t "
        "JOIN search_grouptext_fts f ON f.rowid = t.id WHERE search_grouptext_fts MATCH %s"
    )


def matching(queryset, q: str):
    """The groups of `queryset` that match `q`, annotated with `name_match`: true when every
    word is found in the names or the taxonomy, which ranks those groups first.

    Returns (queryset, whether there were words to search for).
    """
    parsed = query_terms(q)
    if not parsed:
        return queryset, False
    expression = _expression(parsed)
    head_expression = expression if connection.vendor == "postgresql" else f"head : ({expression})"
    table = Group._meta.db_table
    queryset = queryset.filter(pk__in=RawSQL(_match_sql(head_only=False), [expression]))  # noqa: S611
    in_head = RawSQL(f"{table}.id IN ({_match_sql(head_only=True)})", [head_expression])  # noqa: S611
    queryset = queryset.annotate(name_match=in_head)
    return queryset, True
