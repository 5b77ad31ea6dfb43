"""The glossary (docs/glossary.md) is the one place the fixed terms are translated: every
catalogue entry whose English uses a term says it as the glossary does, so the words a person
learns on one page ("mutualité", "Überweisung", "openbare netwerken") mean the same on the next.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
GLOSSARY = BASE / "docs" / "glossary.md"
LANGUAGES = {"fr": 2, "nl": 3, "de": 4}  # column of each language in the table of terms


def normal(text: str) -> str:
    return " ".join(text.replace("'", "’").replace("\u00a0", " ").replace("\u202f", " ").split())


def glossary_terms() -> list[dict]:
    """The rows of the "Terms" table: {"en": [forms], "fr": [...], "nl": [...], "de": [...]}."""
    section = GLOSSARY.read_text("utf-8").split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("Term", "") or set(cells[0]) <= {"-"}:
            continue
        row = {"term": cells[0], "en": [f.strip() for f in cells[1].split(" / ")]}
        for code, column in LANGUAGES.items():
            row[code] = [normal(f).lower() for f in cells[column].split(" / ")]
        rows.append(row)
    return rows


def catalogue(code: str):
    return polib.pofile(str(BASE / "locale" / code / "LC_MESSAGES" / "django.po"))


def uses(english: str, forms: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", english, re.I) for f in forms)


def test_the_glossary_names_the_terms_the_issue_fixed():
    terms = {row["term"].split(" (")[0] for row in glossary_terms()}
    assert {
        "support group",
        "group therapy",
        "speech circle",
        "peer-led",
        "referral",
        "first-line psychologist",
        "mutual insurer",
        "mental-health network",
        "helpline",
    } <= terms


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_translation_of_a_glossary_term_follows_the_glossary(code):
    rows = glossary_terms()
    drift = []
    for entry in catalogue(code):
        english = " ".join(filter(None, [entry.msgid, entry.msgid_plural]))
        english = english.replace("Open Referral", "")  # a standard's name, not a referral
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for row in rows:
            if not uses(english, row["en"]):
                continue
            for text in translations:
                if not any(form in normal(text).lower() for form in row[code]):
                    drift.append((row["term"], entry.msgid, text))
    assert drift == []
