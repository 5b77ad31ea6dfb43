"""Multilingual text search: index groups, turn what a person typed into a query, match.

A query word matches a document when any of its terms (the word folded, its French, Dutch,
English and German stems, and the other names of a service it names, SAME_WORDS) is in the
document; the last word also matches as a prefix, for people
still typing, once it has three letters (so "AA" finds Alcoholics Anonymous, not Aalst). Little
words ("de", "ma", "mijn", "the") are left out unless the query has nothing else. Search ranks
the groups by how many of the other words they match; the HSDS API's `search` keeps the groups
matching every word. Terms are [a-z0-9] only, so nothing a person types can break the FTS5 or
tsquery syntax.

The index rows (search_grouptext) are written here, and two indexes read them: the database's
(FTS5 on SQLite, tsvector on PostgreSQL: `word_matches`, `matching_ids`, for the HSDS API's
`search` filter) and the search snapshot's own inverted lists (wordindex.py), which a search
uses: the same groups, in a few milliseconds and no SQL, where a broad word cost the database
40-80 ms at 100,000 groups.
"""

from django.db import connection, transaction

from healingtogether.directory.models import Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.text import fold, index_text, terms, tidy, words

from .models import GroupText

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
# A word shorter than this matches whole words only, even as the last word.
MIN_PREFIX = 3

# Little words of our four languages that say nothing about what a person looks for, folded.
# Not here: words that are also a topic's word somewhere ("na" is Narcotics Anonymous, "son" a
# son in English, "seul" and "alleen" loneliness, "man" men, "act" a therapy).
_LITTLE_WORDS = {
    "fr": "a au aux avec ce ces cet cette d de des du elle elles en est et etre il ils j je l la "
    "le les leur leurs m ma me mes moi mon n ne nos notre nous on ont ou par pour qu que qui s "
    "sa sans se ses sont suis sur t ta te tes toi ton tu un une vos votre vous y",
    "nl": "aan ben bent bij dat de deze die dit door een en er het hij hun ik in is je jij jou "
    "jouw me met mij mijn naar of om ons onze op over te tot u uit van voor was wat we wij ze "
    "zij zijn",
    "en": "am an and are as at be been by for from had has have he her his i is it its me my of "
    "on or our she that the their them they this to was we were with you your",
    "de": "am an auf aus bei bin bist das dass dem den der des dich die dir du ein eine einem "
    "einen einer eines er es fur hat habe haben ich ihr im in ist mein meine meinem meinen "
    "meiner mich mir mit sein seine sie sind und uns von vom wir zu zum zur",
}
STOP_WORDS = frozenset(word for text in _LITTLE_WORDS.values() for word in text.split())

# Services that have a name in each of Belgium's languages, folded: a person in Ghent types
# "OCMW" where Namur writes "CPAS" and Eupen "ÖSHZ" (the public social welfare centre); a CGG in
# Flanders is a service de santé mentale (SSM) in Wallonia and Brussels. A query word that is one
# of them also matches the others, so the groups these services run are found whichever name a
# person knows. (SSM is also a synonym of the topic "mental health", in the taxonomy: so CGG finds
# that topic's groups too, without changing the topic's own words.)
_SAME_SERVICE = [
    {"cpas", "ocmw", "oshz", "pcsw"},
    {"cgg", "ssm"},
]
SAME_WORDS = {word: names for names in _SAME_SERVICE for word in names}


def _labels(term) -> str:
    """A term's labels and synonyms in every language, its parents' too: a group about
    bereavement after suicide is found by "grief"."""
    texts = []
    while term is not None:
        for code in CONTENT_LANGUAGES:
            texts += [getattr(term, f"label_{code}"), getattr(term, f"synonyms_{code}")]
        term = term.parent
    return " ".join(texts)


def taxonomy_text(term) -> str:
    """The index terms a taxonomy term puts in the head of each of its groups."""
    return index_text(_labels(term))


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
                term_text[key] = taxonomy_text(term)
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
    """For each word that says something: its terms, and a prefix when it is the last word and
    has at least MIN_PREFIX letters (else None). Little words (STOP_WORDS) are left out, unless
    every word is one."""
    found = []
    typed = words(clean_query(q))[:MAX_WORDS]
    little = {n for n, word in enumerate(typed) if fold(word) in STOP_WORDS}
    if len(little) == len(typed):
        little = set()
    for position, word in enumerate(typed):
        if position in little:
            continue
        prefix = None
        if position == len(typed) - 1:
            prefix = "".join(c for c in fold(word) if c.isascii() and c.isalnum())
            prefix = prefix if len(prefix) >= MIN_PREFIX else None
        word_terms = terms(word)
        word_terms = sorted(word_terms.union(*(SAME_WORDS.get(t, ()) for t in word_terms)))
        if word_terms or prefix:
            found.append((word_terms, prefix))
    return found


def _expression(word_terms: list[str], prefix: str | None) -> str:
    """One word's query in the database's own syntax: FTS5 on SQLite, tsquery on PostgreSQL."""
    if connection.vendor == "postgresql":
        options = [*word_terms, *([f"{prefix}:*"] if prefix else [])]
        return "(" + " | ".join(options) + ")"
    options = [*(f'"{t}"' for t in word_terms), *([f'"{prefix}"*'] if prefix else [])]
    return "(" + " OR ".join(options) + ")"


# What a person typed reaches the database as query parameters, never inside the SQL text.

# PostgreSQL: one round trip gives, for each word, both lists as arrays, from the GIN indexes
# of the narrow search_groupterms table (migration 0003).
POSTGRESQL_MATCH = """SELECT word.n, matched.found, matched.in_head
    FROM unnest(%s::text[]) WITH ORDINALITY AS word(query, n)
    CROSS JOIN LATERAL search_matching_ids(word.query) AS matched
    ORDER BY word.n"""
# SQLite: one statement of two FTS5 matches per word, the second restricted to the head column
# (an FTS5 column filter). Only the word's position, a number, is part of the SQL text.
SQLITE_MATCH = (
    "SELECT {n}, 0, rowid FROM search_grouptext_fts WHERE search_grouptext_fts MATCH %s "
    "UNION ALL "
    "SELECT {n}, 1, rowid FROM search_grouptext_fts WHERE search_grouptext_fts MATCH %s"
)


def word_matches(q: str) -> list[tuple[list[int], list[int]]] | None:
    """For each word of `q` that counts: the ids of the groups it matches, and of those it
    matches in their names or taxonomy. None when `q` has no words to search for. One query on
    either database."""
    parsed = query_terms(q)
    if not parsed:
        return None
    expressions = [_expression(word_terms, prefix) for word_terms, prefix in parsed]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_MATCH, [expressions])
            return [(list(found), list(in_head)) for _n, found, in_head in cursor.fetchall()]
        sql = " UNION ALL ".join(SQLITE_MATCH.format(n=n) for n in range(len(expressions)))
        cursor.execute(sql, [p for e in expressions for p in (e, f"head : {e}")])
        found = [([], []) for _ in expressions]
        for n, in_head, group_id in cursor.fetchall():
            found[n][in_head].append(group_id)
    return found


def matching_ids(q: str) -> tuple[list[int], list[int]] | None:
    """The ids of the groups matching every word of `q`, and of those matching every word in
    their names or taxonomy; None when `q` has no words to search for. For the HSDS API's
    `search` filter; search itself ranks by how many words match (word_matches)."""
    found = word_matches(q)
    if found is None:
        return None
    every = set.intersection(*(set(ids) for ids, _in_head in found))
    in_head = set.intersection(*(set(ids) for _ids, ids in found))
    return sorted(every), sorted(in_head)
