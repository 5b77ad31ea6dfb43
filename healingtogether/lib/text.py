"""Text normalisation shared by search and place lookups."""

import unicodedata


def fold(text: str) -> str:
    """Lowercase, without accents, with runs of whitespace made single: "Liège " -> "liege"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
