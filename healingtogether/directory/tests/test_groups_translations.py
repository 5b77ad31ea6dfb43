"""Every group's summary and schedule can be read in French, Dutch and German.

A visitor who reads the site in French, Dutch or German must never meet a group
described only in English, nor an empty description. The texts live in
data/be-groups.translations.json, keyed by the id of each record of data/be-groups.json.
"""

import json

import pytest

from healingtogether.directory.loading import DATA_DIR

GROUPS = json.loads((DATA_DIR / "be-groups.json").read_text(encoding="utf-8"))
TRANSLATIONS = json.loads((DATA_DIR / "be-groups.translations.json").read_text(encoding="utf-8"))
LANGUAGES = ("en", "fr", "nl", "de")


def test_translations_name_only_groups_that_exist():
    unknown = sorted(set(TRANSLATIONS) - {group["id"] for group in GROUPS})
    assert unknown == [], f"translations for groups that are not in be-groups.json: {unknown}"


@pytest.mark.parametrize("group", GROUPS, ids=lambda group: group["id"])
def test_group_summary_and_schedule_read_in_every_language(group):
    key = group["id"]
    assert key in TRANSLATIONS, f"{key}: no translations"
    entry = TRANSLATIONS[key]

    summary = entry.get("summary") or {}
    assert summary.get("en") == group["summary"], f"{key}: English summary differs"
    for language in LANGUAGES:
        text = summary.get(language)
        assert isinstance(text, str) and text.strip(), f"{key}: no summary in {language}"

    assert "schedule" in entry, f"{key}: no schedule entry"
    if group["schedule"] is None:
        assert entry["schedule"] is None, f"{key}: the source has no schedule"
    else:
        schedule = entry["schedule"]
        assert schedule is not None, f"{key}: schedule not translated"
        assert schedule.get("en") == group["schedule"], f"{key}: English schedule differs"
        for language in LANGUAGES:
            text = schedule.get(language)
            assert isinstance(text, str) and text.strip(), f"{key}: no schedule in {language}"
