"""Text normalisation shared by search and place lookups."""

import functools
import re
import unicodedata


def tidy(text: str, limit: int) -> str:
    """What a person typed, safe to use: NUL bytes dropped, spaces tidied, cut to `limit`."""
    return " ".join(text.replace("\x00", "").split())[:limit]


# A number from a query string: ASCII digits only, and few enough that int() is cheap. str.isdigit()
# also accepts "²" and "١٢", which int() refuses or reads; int() refuses 4,300 digits and more.
WHOLE_NUMBER = re.compile(r"[0-9]{1,7}")


def whole_number(value) -> int | None:
    """`value` as an int when it is 1 to 7 ASCII digits (surrounding spaces allowed), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return int(value) if WHOLE_NUMBER.fullmatch(value) else None


def fold(text: str) -> str:
    """Lowercase, without accents, with runs of whitespace made single: "Liège " -> "liege"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


STEM_LANGUAGES = ("french", "dutch", "english", "german")
_stemmers = None


def _all_stemmers():
    global _stemmers
    if _stemmers is None:
        import snowballstemmer

        _stemmers = [snowballstemmer.stemmer(language) for language in STEM_LANGUAGES]
    return _stemmers


def words(text: str) -> list[str]:
    """The words of a text, lowercase but with their accents (stemmers need them)."""
    return re.findall(r"[^\W_]+", text.casefold())


# Stemming a word in four languages with pure-Python stemmers costs about 0.4 ms, and texts reuse
# the same few thousand words: remembering them makes indexing many groups fast.
@functools.lru_cache(maxsize=100_000)
def terms(word: str) -> frozenset[str]:
    """A word folded, and its French, Dutch, English and German stems, folded too.

    "groupes", "groepen" and "groups" each reduce to their own language's stem, so a query and a
    document meet whatever language either is written in. Only [a-z0-9] survive, which keeps
    every term safe inside an FTS5 or tsquery expression.
    """
    found = {fold(word)}
    found.update(fold(stemmer.stemWord(word)) for stemmer in _all_stemmers())
    return frozenset(t for t in (re.sub(r"[^a-z0-9]", "", t) for t in found) if t)


def index_text(*texts: str) -> str:
    """Every term of the texts, once each, space-separated: what the search index stores."""
    seen = {}
    for text in texts:
        for word in words(text or ""):
            for term in sorted(terms(word)):
                seen.setdefault(term, None)
    return " ".join(seen)
