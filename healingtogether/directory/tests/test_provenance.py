"""Where a listing's facts come from, told plainly on its page and its card (issue 14, item 3):
compiled by our team from public pages, or confirmed by the organiser; its sources; when it meets;
and an approximate place said to be approximate."""

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine

from healingtogether.directory import listing
from healingtogether.directory.models import Group, Topic
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location, said

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = datetime(2026, 12, 20, 12, 0, tzinfo=BRUSSELS)
COMPILED = "Compiled by our team from public pages on %(date)s — not yet confirmed by the organiser"
CONFIRMED = "Confirmed by the organiser on %(date)s"
# How each page writes 6 December 2026 (DATE_FORMAT of each language).
DECEMBER_6 = {"en": "6 December 2026", "fr": "6 décembre 2026", "nl": "6 december 2026",
              "de": "6. Dezember 2026"}  # fmt: skip


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def compiled_group(**fields):
    defaults = {
        "name_fr": "Groupe deuil Gent",
        "confirmed_at": None,
        "checked_on": date(2026, 12, 6),
        "source_date": date(2025, 3, 14),
        "sources": ["https://example.org/deuil", "https://example.be/agenda"],
        "confidence": "high",
        "hours_en": "First Monday of each month, evening",
        "hours_fr": "Le premier lundi du mois, en soirée",
        "hours_nl": "Elke eerste maandag van de maand, ’s avonds",
        "hours_de": "Jeden ersten Montag im Monat, abends",
        "topics": [Topic.objects.get(slug="grief")],
    }
    return make_group(**{**defaults, **fields})


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_a_compiled_listing_says_who_compiled_it_and_when_in_every_language(client, lang):
    group = compiled_group()
    with time_machine.travel(TODAY, tick=False):
        html = client.get(f"/{lang}/groups/{group.slug}/").content.decode()
    text = text_of(html)
    assert said(COMPILED, lang, date=DECEMBER_6[lang]) in text
    assert said(CONFIRMED, lang, date=DECEMBER_6[lang]) not in text
    for source in group.sources:
        assert f'<a href="{source}" rel="noreferrer">' in html
    march_14 = {"en": "14 March 2025", "fr": "14 mars 2025", "nl": "14 maart 2025",
                "de": "14. März 2025"}[lang]  # fmt: skip
    assert said("Date shown on the source: %(date)s.", lang, date=march_14) in text


def test_a_compiled_listing_without_a_source_date_gives_none(client):
    group = compiled_group(source_date=None)
    with time_machine.travel(TODAY, tick=False):
        text = text_of(client.get(f"/en/groups/{group.slug}/").content.decode())
    assert "Date shown on the source" not in text
    assert "Compiled by our team from public pages on 6 December 2026" in text


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_a_confirmed_listing_says_the_organiser_confirmed_it(client, lang):
    group = make_group(confirmed_at=datetime(2026, 12, 6, 10, 0, tzinfo=BRUSSELS))
    with time_machine.travel(TODAY, tick=False):
        text = text_of(client.get(f"/{lang}/groups/{group.slug}/").content.decode())
    assert said(CONFIRMED, lang, date=DECEMBER_6[lang]) in text
    assert said(COMPILED, lang, date=DECEMBER_6[lang]) not in text


def test_a_compiled_listing_confirmed_since_says_confirmed(client):
    group = compiled_group()
    listing.update(
        Group.objects.filter(pk=group.pk),
        confirmed_at=datetime(2026, 12, 18, 9, 0, tzinfo=BRUSSELS),
    )
    with time_machine.travel(TODAY, tick=False):
        text = text_of(client.get(f"/en/groups/{group.slug}/").content.decode())
    assert "Confirmed by the organiser on 18 December 2026" in text
    assert "Compiled by our team" not in text


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_compiled_listing_says_so_on_its_search_card(client, lang):
    group = compiled_group(
        name_fr="Cercle de deuil de Gand", description_fr="Pour parler du deuil."
    )
    make_location(group, postcode="9000", municipality=Municipality.objects.get(name_nl="Gent"),
                  latitude=51.05, longitude=3.72)  # fmt: skip
    with time_machine.travel(TODAY, tick=False):
        html = client.get(f"/{lang}/search/?q=Cercle+de+deuil+de+Gand").content.decode()
    card = html[html.index(group.get_absolute_url()) :]
    card = text_of(card[: card.index("</li>")])
    assert said(COMPILED, lang, date=DECEMBER_6[lang]) in card


def test_a_stale_compiled_listing_says_when_our_team_compiled_it(client):
    group = compiled_group()
    with time_machine.travel(datetime(2027, 6, 20, 12, 0, tzinfo=BRUSSELS), tick=False):
        text = text_of(client.get(f"/en/groups/{group.slug}/").content.decode())
    assert (
        "These details may be out of date: our team compiled them from public pages on "
        "6 December 2026. Check with the organiser before you go."
    ) in text
    assert "the organiser last confirmed them on" not in text


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_a_groups_schedule_text_shows_under_when_it_meets(client, lang):
    group = compiled_group()
    html = client.get(f"/{lang}/groups/{group.slug}/").content.decode()
    when = html[html.index('id="when-title"') :]
    heading = text_of(when[: when.index("</h2>")].split(">", 1)[1])
    assert heading == said("When it meets", lang)
    assert getattr(group, f"hours_{lang}") in unescape(when[: when.index("</section>")])


def test_a_helpline_keeps_its_own_hours_heading(client):
    line = Group.objects.get(slug="zelfmoordlijn-1813")
    html = client.get(f"/en/groups/{line.slug}/").content.decode()
    if line.hours:
        assert '<h2 id="when-title">When</h2>' in html
    assert "When it meets" not in html


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_an_approximate_place_says_so_and_shows_no_street(client, lang):
    group = compiled_group()
    make_location(
        group,
        approximate=True,
        address="Rue Inventée 9",
        postcode="9000",
        municipality=Municipality.objects.get(name_nl="Gent"),
        latitude=51.05,
        longitude=3.72,
    )
    text = text_of(client.get(f"/{lang}/groups/{group.slug}/").content.decode())
    gent = Municipality.objects.get(name_nl="Gent")
    with_name = {"fr": gent.name_fr, "de": gent.name_de or gent.name_nl}.get(lang, gent.name_nl)
    assert said("%(place)s (approximate location)", lang, place=with_name) in text
    assert "Rue Inventée" not in text


def test_a_compiled_resource_says_so_on_its_network_page(client):
    network = Group.objects.get(slug="brumenta")
    listing.update(
        Group.objects.filter(pk=network.pk), confirmed_at=None, checked_on=date(2026, 11, 28)
    )
    with time_machine.travel(TODAY, tick=False):
        text = text_of(client.get("/nl/networks/brumenta/").content.decode())
    assert said(COMPILED, "nl", date="28 november 2026") in text
