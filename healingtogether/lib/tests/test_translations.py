"""The French, Dutch and German catalogues are complete, and the site speaks them."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUES = {
    code: Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"
    for code in ("fr", "nl", "de")
}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize("code", CATALOGUES)
def test_no_entry_is_empty_or_fuzzy(code):
    catalogue = polib.pofile(str(CATALOGUES[code]))
    assert "fuzzy" not in catalogue.metadata_as_entry().flags
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert len(catalogue.translated_entries()) > 100


@pytest.mark.parametrize("code", CATALOGUES)
def test_translations_keep_every_placeholder(code):
    for entry in polib.pofile(str(CATALOGUES[code])):
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == wanted, entry.msgid
            continue
        # A plural's singular may leave the count out, as English does ("failed their last
        # sync"), or say it; the plural forms say everything the English plural says.
        plural = set(PLACEHOLDER.findall(entry.msgid_plural))
        for form, text in entry.msgstr_plural.items():
            found = set(PLACEHOLDER.findall(text))
            if int(form) == 0:
                assert wanted <= found <= wanted | plural, entry.msgid
            else:
                assert found == plural, entry.msgid_plural


@pytest.mark.parametrize(
    "code, expected",
    [("fr", "Lignes d’écoute"), ("nl", "Hulplijnen"), ("de", "Hilfetelefone")],
)
def test_the_site_speaks_each_language(code, expected):
    with translation.override(code):
        assert translation.gettext("Helplines") == expected
