"""A schedule in plain words, in the page's language."""

from datetime import date, time

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from healingtogether.directory.models import Schedule
from healingtogether.directory.schedule_text import describe


def schedule(**fields) -> Schedule:
    defaults = {
        "freq": Schedule.Freq.WEEKLY,
        "interval": 1,
        "byday": "TU",
        "dtstart": date(2026, 1, 6),
        "opens_at": time(19, 0),
        "closes_at": time(21, 0),
    }
    return Schedule(**{**defaults, **fields})


ENGLISH = [
    (
        {"freq": "MONTHLY", "byday": "2TU"},
        "Every second Tuesday of the month, 19:00–21:00, from 6 January 2026",
    ),
    (
        {
            "byday": "MO,TH",
            "dtstart": date(2026, 1, 5),
            "until": date(2026, 6, 29),
            "opens_at": time(10, 0),
            "closes_at": time(11, 30),
        },
        "Every week on Monday and Thursday, 10:00–11:30, from 5 January 2026 until 29 June 2026",
    ),
    (
        {"interval": 2, "byday": "WE", "dtstart": date(2026, 1, 7)},
        "Every 2 weeks on Wednesday, 19:00–21:00, from 7 January 2026",
    ),
    (
        {"freq": "MONTHLY", "byday": "", "bymonthday": "15", "dtstart": date(2026, 1, 15)},
        "On the 15th of every month, 19:00–21:00, from 15 January 2026",
    ),
    (
        {"freq": "MONTHLY", "byday": "-1FR"},
        "Every last Friday of the month, 19:00–21:00, from 6 January 2026",
    ),
    (
        {"freq": "MONTHLY", "interval": 3, "byday": "1MO"},
        "Every 3 months on the first Monday, 19:00–21:00, from 6 January 2026",
    ),
    (
        {"freq": "MONTHLY", "byday": "", "bymonthday": "22,1", "interval": 2},
        "On the 1st and 22nd, every 2 months, 19:00–21:00, from 6 January 2026",
    ),
    (
        {"byday": "", "count": 8},
        "Every week on Tuesday, 19:00–21:00, from 6 January 2026, 8 sessions",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), ENGLISH)
def test_it_describes_schedules_in_english(fields, expected):
    with translation.override("en"):
        assert describe(schedule(**fields)) == expected


def test_it_reads_a_revision_s_data_as_well():
    data = {
        "freq": "MONTHLY",
        "interval": 1,
        "byday": "2TU",
        "bymonthday": "",
        "dtstart": "2026-01-06",
        "until": None,
        "count": None,
        "opens_at": "19:00:00",
        "closes_at": "21:00:00",
        "valid_from": None,
        "valid_to": None,
        "note": "",
    }
    with translation.override("en"):
        assert describe(data) == describe(schedule(freq="MONTHLY", byday="2TU"))


@pytest.mark.parametrize(
    ("language", "weekday", "first_date"),
    [
        ("fr", "mardi", "6 janvier 2026"),
        ("nl", "dinsdag", "6 januari 2026"),
        ("de", "Dienstag", "6. Januar 2026"),
    ],
)
def test_it_names_days_and_months_in_the_page_language(language, weekday, first_date):
    with translation.override(language):
        text = describe(schedule(freq="MONTHLY", byday="2TU", until=date(2026, 6, 30)))
    assert weekday in text
    assert first_date in text
    assert "19:00–21:00" in text
    assert "Tuesday" not in text
    assert "January" not in text


@pytest.fixture
def french_sentence(monkeypatch):
    """A French translation of the sentence that puts the dates first, as a translator might.
    (Set in Django's loaded catalogue; monkeypatch puts back whatever was there.)"""
    catalog = trans_real.translation("fr")._catalog._catalogs[0]
    monkeypatch.setitem(
        catalog,
        "%(rule)s, %(start)s–%(end)s, from %(first)s",
        "Depuis le %(first)s : %(rule)s, de %(start)s à %(end)s",
    )


def test_translators_can_reorder_the_sentence(french_sentence):
    with translation.override("fr"):
        text = describe(schedule(byday="TU"))
    assert text.startswith("Depuis le 6 janvier 2026 : ")
    assert text.endswith("de 19:00 à 21:00")
    assert "mardi" in text


@pytest.mark.parametrize(
    ("language", "bymonthday", "expected"),
    [
        ("fr", "1", "Le 1er de chaque mois, 19:00–21:00"),
        ("fr", "21", "Le 21 de chaque mois, 19:00–21:00"),
        ("fr", "1,21", "Le 1er et 21 de chaque mois"),
        ("nl", "1", "Op de 1e van elke maand"),
        ("de", "1", "Jeden Monat am 1., 19:00–21:00"),
        ("en", "1", "On the 1st of every month"),
    ],
)
def test_the_first_of_the_month_reads_as_each_language_says_it(language, bymonthday, expected):
    with translation.override(language):
        text = describe(schedule(freq="MONTHLY", byday="", bymonthday=bymonthday))
    assert text.startswith(expected)
