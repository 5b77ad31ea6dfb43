"""Content written in several languages: one column per language, read with a fallback.

A listing may be written in only some of our languages. `localized()` gives the text in the page's
language when it exists, and otherwise the first language it was written in, so the template can
say which language the text is in.
"""

from functools import lru_cache
from urllib.parse import unquote

from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.translation import get_language

CONTENT_LANGUAGES = ("en", "fr", "nl", "de")

# When the page's language is missing, try the languages a reader of that page most likely
# understands before the others.
FALLBACKS = {
    "en": ("en", "fr", "nl", "de"),
    "fr": ("fr", "en", "nl", "de"),
    "nl": ("nl", "en", "fr", "de"),
    "de": ("de", "en", "fr", "nl"),
}


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in FALLBACKS else settings.LANGUAGE_CODE


def localized(obj, field: str, language: str | None = None) -> tuple[str, str | None]:
    """The text of `field` on `obj` as (text, language it is written in); ("", None) if empty."""
    for code in FALLBACKS[language or current_language()]:
        text = getattr(obj, f"{field}_{code}", "")
        if text:
            return text, code
    return "", None


def translated_fields(field: str) -> list[str]:
    return [f"{field}_{code}" for code in CONTENT_LANGUAGES]


def path_in_language(path: str, code: str) -> str | None:
    """This page's path (no query) in another language, or None when it is not one of our
    pages. Remembered: every page links to itself in each language twice (the language menu and
    the alternates in its head), and resolving then reversing a path each time was a tenth of a
    search page's rendering."""
    return _path_in_language(path, get_language(), code, settings.ROOT_URLCONF)


@lru_cache(maxsize=4096)
def _path_in_language(path: str, active: str, code: str, urlconf: str) -> str | None:
    # `active` and `urlconf` are in the key because a path resolves in the active language's
    # prefix, with the URLconf of the moment (tests may change it).
    try:
        resolve(unquote(path))
    except Resolver404:
        return None
    return translate_url(path, code)
