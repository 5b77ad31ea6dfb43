import pytest
from django.urls import translate_url
from django.utils.translation import override

from healingtogether.lib.i18n import path_in_language


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/fr/search/",
        "/fr/groups/cercle-du-mardi/",
        "/fr/groups/cercle-du-mardi/calendar.ics",
        "/fr/helplines/",
    ],
)
def test_a_page_in_each_language_is_the_address_django_would_translate_it_to(path):
    """Resolved once and reversed in each language, a page's address in the other languages is
    the one translate_url gives (which resolves it again for each language)."""
    with override("fr"):
        for code in ("en", "fr", "nl", "de"):
            assert path_in_language(path, code) == translate_url(path, code)
        assert path_in_language(path, "nl").startswith("/nl/")


def test_an_address_that_is_not_one_of_our_pages_has_no_translation():
    with override("fr"):
        assert path_in_language("/fr/no-such-page/", "nl") is None
        assert path_in_language("/fr/groups/caf%C3%A9/", "nl") is None  # not a slug
