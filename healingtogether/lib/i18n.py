"""Content written in several languages: one column per language, read with a fallback.

A listing may be written in only some of our languages. `localized()` gives the text in the page's
language when it exists, and otherwise the first language it was written in, so the template can
say which language the text is in.
"""

from functools import lru_cache
from urllib.parse import unquote

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import get_language, override

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
    found = _paths_in_languages(path, get_language(), settings.ROOT_URLCONF)
    return None if found is None else found[code]


@lru_cache(maxsize=1024)
def _paths_in_languages(path: str, active: str, urlconf: str) -> dict[str, str] | None:
    """The path in each of our languages: resolved once, then reversed in each language (as
    django.urls.translate_url does, which resolves it again for each). `active` and `urlconf`
    are in the key because a path resolves in the active language's prefix, with the URLconf of
    the moment (tests may change it)."""
    try:
        match = resolve(unquote(path))
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    found = {}
    for code in settings.LANGUAGE_CODES:
        with override(code):
            try:
                found[code] = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:  # a page without a name, or not in this language
                found[code] = path
    return found
