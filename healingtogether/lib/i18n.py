"""Content written in several languages: one column per language, read with a fallback.

A listing may be written in only some of our languages. `localized()` gives the text in the page's
language when it exists, and otherwise the first language it was written in, so the template can
say which language the text is in.
"""

from django.conf import settings
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
