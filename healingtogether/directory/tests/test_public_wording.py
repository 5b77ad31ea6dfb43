"""Words a person in crisis reads: what a helpline offers now, in plain words, never where a fact
came from; and no research notes in the public texts of data/.

The helpline text of a page is what sits next to the lines: the "Need to talk to someone now?"
band on every page (and on the 503 page), the helplines page's cards, a helpline's own page
(description and hours), and the crisis boxes of the guides.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext, ngettext

from healingtogether.directory.context_processors import HELPLINES
from healingtogether.lib import outage

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"
LANGUAGES = ["en", "fr", "nl", "de"]
GUIDES = sorted(p.name for p in (DATA / "articles").iterdir() if p.is_dir())
HELPLINE_PAGES = [f"/{{lang}}/groups/{slug}/" for slug in HELPLINES["en"]]

PAGES = [
    "/{lang}/",
    "/{lang}/search/?q=rouw&near=5000",
    "/{lang}/search/finder/",
    "/{lang}/search/topics/",
    "/{lang}/networks/",
    "/{lang}/networks/brumenta/",
    "/{lang}/networks/fusion-liege/",
    "/{lang}/helplines/",
    "/{lang}/guides/",
    *[f"/{{lang}}/guides/{slug}/" for slug in GUIDES],
    *HELPLINE_PAGES,
]

MONTHS = {
    "en": "january|february|march|april|may|june|july|august|september|october|november|december",
    "fr": "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre",
    "nl": "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december",
    "de": "januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember",
}

# Words that say where a fact came from or how sure we are of it, per language. Each is chosen
# so that plain helpline text ("dag en nacht", "chat: see the website") never contains it.
PROVENANCE = {
    "en": [
        r"\bconfirm",
        r"\bsources?\b",
        r"\bbrief\b",
        r"\bannounce",
        r"\bas of\b",
        r"\breported\b",
        r"\bstated\b",
        r"\bpress kit\b",
        r"\bsecondary\b",
        r"\bsince (19|20)\d\d\b",
        rf"\b(from|since|as of) ({MONTHS['en']})\b",
    ],
    "fr": [
        r"\bconfirm",
        r"\bsources?\b",
        r"cahier des charges",
        r"\bannonc",
        r"\bselon\b",
        r"dossier de presse",
        r"\bindiqué",
        r"\bdepuis (19|20)\d\d\b",
        rf"\b(à partir de|depuis) ({MONTHS['fr']})\b",
    ],
    "nl": [
        r"bevestig",
        r"\bbron(nen)?\b",
        r"\bopdracht\b",
        r"aangekondigd",
        r"\bvolgens\b",
        r"persmap",
        r"\bvermeld",
        r"\bsinds (19|20)\d\d\b",
        rf"\bvanaf ({MONTHS['nl']})\b",
    ],
    "de": [
        r"bestätig",
        r"quellen?\b",
        r"\bauftrag\b",
        r"angekündigt|ankündigung",
        r"\blaut\b",
        r"pressemappe",
        r"angegeben|\bangabe",
        r"\bseit (19|20)\d\d\b",
        rf"\bab ({MONTHS['de']})\b",
    ],
}


class HelplineText(HTMLParser):
    """Collects the text of the parts of a page that show or describe helplines."""

    # The band on every page and the guides' boxes; a helpline's own page adds its description
    # and hours, the helplines page its cards.
    MARKERS = {"help-now", "guide-help"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self, markers=()):
        super().__init__()
        self.markers = self.MARKERS | set(markers)
        self.depth = 0  # > 0 while inside a helpline part
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self.depth or classes & self.markers or tag == "blockquote":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, path: str = "") -> str:
        markers = set()
        if "/helplines/" in path:
            markers.add("cards")
        if any(path.endswith(f"/groups/{slug}/") for slug in HELPLINES["en"]):
            markers |= {"description", "when"}
        parser = cls(markers)
        parser.feed(html)
        return " ".join("".join(parser.parts).split())


def provenance_words(text: str, language: str) -> list[str]:
    return [
        match.group(0)
        for pattern in PROVENANCE[language]
        for match in re.finditer(pattern, text, re.IGNORECASE)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_helplines_say_what_you_can_do_now_never_where_it_came_from(client, page, lang):
    path = page.format(lang=lang)
    response = client.get(path)
    assert response.status_code == 200
    text = HelplineText.of(response.content.decode(), path)
    assert text, "the page shows no helpline text"
    assert provenance_words(text, lang) == [], text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_outage_page_helplines_are_plain_too(lang):
    response = outage.unavailable(RequestFactory().get(f"/{lang}/"))
    assert response.status_code == 503
    text = HelplineText.of(response.content.decode())
    assert "112" in text
    assert provenance_words(text, lang) == [], text


def test_the_helplines_say_night_and_day_in_plain_words(client):
    """The header says "24 h/24, 7 j/7", "dag en nacht", "rund um die Uhr", not "24/7"."""
    expected = {"fr": "24 h/24, 7 j/7", "nl": "dag en nacht", "de": "rund um die Uhr"}
    for lang, words in expected.items():
        text = HelplineText.of(client.get(f"/{lang}/").content.decode())
        assert words.lower() in text.lower()
        assert "24/7" not in text


# Public texts in data/ ----------------------------------------------------------------------

# Research notes found in the data before (and their kin): none may come back.
INTERNAL_NOTES = [
    "named in the brief",
    "secondary material",
    "secondary source",
    "found here",
    "not confirmed",
    "could not be confirmed",
    "could confirm",
    "no stored source",
    "as announced",
    "press kit",
    "stated zone",
    "sources de",
    "sources secondaires",
    "non confirmé",
    "cahier des charges",
    "selon l'annonce",
    "selon l’annonce",
    "dossier de presse",
    "zone indiquée",
    "annoncée comme",
    "secundaire bronnen",
    "bronnen uit",
    "niet bevestigd",
    "niet bevestigen",
    "vermeld in de opdracht",
    "zoals aangekondigd",
    "persmap",
    "opgegeven werkgebied",
    "vermeld als",
    "sekundärquellen",
    "nicht bestätigt",
    "nicht bestätigen",
    "im auftrag genannt",
    "laut ankündigung",
    "laut angabe",
    "laut pressemappe",
    "quellen von",
    "vorliegende quelle",
]


def public_texts():
    """(where, text) for every summary, hours, taxonomy label and guide in data/."""
    translations = json.loads((DATA / "be-resources.translations.json").read_text("utf-8"))
    for ident, record in translations.items():
        for field in ("summary", "hours"):
            for code, text in (record[field] or {}).items():
                yield f"{ident} {field} {code}", text
    taxonomy = json.loads((DATA / "taxonomy.json").read_text("utf-8"))
    for name, terms in taxonomy.items():
        for term in terms if isinstance(terms, list) else []:
            for code, text in term.get("label", {}).items():
                yield f"taxonomy {name} {term['slug']} {code}", text
    for path in sorted((DATA / "articles").glob("*/*.md")):
        yield f"guide {path.parent.name} {path.stem}", path.read_text("utf-8")


def test_no_public_text_in_data_carries_an_internal_note():
    found = [
        (where, note)
        for where, text in public_texts()
        for note in INTERNAL_NOTES
        if note in text.lower()
    ]
    assert found == []


# The native-speaker review's must-fixes ------------------------------------------------------

TOPICS_LEAD = (
    "Support groups and group therapy in Belgium, by what they help with: grief, anxiety, "
    "addiction, caring for someone and more."
)
CHOOSE = (
    "Choose what you are going through, or what someone close to you is going through, to see "
    "the groups that can help."
)
REVIEW_FIXES = [
    ("fr", "Intake interview first", "Entretien préalable"),
    (
        "fr",
        "If something is urgent, contact the organiser directly, or one of the helplines at the "
        "top of this page.",
        "Si votre signalement est urgent, contactez directement l’organisateur",
    ),
    (
        "fr",
        TOPICS_LEAD,
        "classés par thème : deuil, anxiété, dépendance, soutien à un proche, et bien d’autres.",
    ),
    (
        "nl",
        TOPICS_LEAD,
        "Steungroepen en groepstherapie in België, per thema: rouw, angst, verslaving, zorgen "
        "voor een naaste en meer.",
    ),
    (
        "nl",
        CHOOSE,
        "Kies waarmee je het moeilijk hebt, of waarmee iemand die je nastaat het moeilijk heeft, "
        "en bekijk welke groepen kunnen helpen.",
    ),
    (
        "nl",
        "If you are in danger, call 112. If you need to talk, these lines listen, free and "
        "anonymously.",
        "Deze lijnen luisteren naar je, gratis en anoniem.",
    ),
    ("de", CHOOSE, "was jemand durchmacht, der Ihnen nahesteht"),
]


def normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize(("lang", "msgid", "expected"), REVIEW_FIXES)
def test_the_review_wording_is_what_a_reader_sees(lang, msgid, expected):
    with translation.override(lang):
        assert normal(expected) in normal(gettext(msgid))


def test_dutch_says_the_links_work_in_the_plural():
    with translation.override("nl"):
        text = ngettext("The link works for %(days)s day.", "The links work for %(days)s days.", 3)
    assert text % {"days": 3} == "De links werken 3 dagen."


def catalogue_texts(code: str) -> list[str]:
    entries = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES/django.po"))
    return [t for e in entries for t in ([e.msgstr] if e.msgstr else e.msgstr_plural.values())]


def test_german_says_who_runs_a_group_warmly_and_in_one_gender_style():
    texts = catalogue_texts("de")
    masculine_only = re.compile(r"Anbieter|(?<!Besucherinnen und )\bBesuchern?\b")
    assert [t for t in texts if masculine_only.search(t)] == []
    assert any("Besucherinnen und Besuchern" in t for t in texts)


GUIDE_FIXES = [
    ("mental-health-networks-107/fr.md", "Demander de l’aide peut sembler un grand pas", "Tendre"),
    ("mental-health-networks-107/fr.md", "votre mutualité", "mutuelle"),
    ("mental-health-networks-107/nl.md", "zonder verwijzing", "voorschrift"),
    ("mental-health-networks-107/nl.md", "openbare netwerken", "publiek"),
    ("when-your-child-or-teenager-is-struggling/nl.md", "zijn openbaar", "publiek"),
    ("mental-health-networks-107/de.md", "Gesprächstelefon", "Zuhörtelefon"),
    ("when-your-child-or-teenager-is-struggling/de.md", "Kaleido Ostbelgien", "PMS"),
    *[
        (
            f"{slug}/de.md",
            "Telefone zur Suizidprävention gibt es auf Französisch unter 0800 32 123 und auf "
            "Niederländisch unter 1813",
            "Suizidpräventionslinie",
        )
        for slug in GUIDES
        if "0800 32 123" in (DATA / "articles" / slug / "de.md").read_text("utf-8")
    ],
]


@pytest.mark.parametrize(("guide", "present", "absent"), GUIDE_FIXES)
def test_the_guides_use_the_reviewed_words(guide, present, absent):
    text = (DATA / "articles" / guide).read_text("utf-8")
    assert present in text
    assert absent not in text


# Link targets, inline code and HTML tags keep their straight quotes.
NOT_TEXT = re.compile(r"\]\([^)]*\)|`[^`]*`|<[^>]+>")


def test_french_uses_one_kind_of_apostrophe():
    translations = json.loads((DATA / "be-resources.translations.json").read_text("utf-8"))
    taxonomy = json.loads((DATA / "taxonomy.json").read_text("utf-8"))
    texts = {
        "catalogue": catalogue_texts("fr"),
        "summaries and hours": [
            (record[field] or {}).get("fr", "")
            for record in translations.values()
            for field in ("summary", "hours")
        ],
        "taxonomy labels": [t["label"]["fr"] for terms in taxonomy.values() for t in terms],
        "guides": [p.read_text("utf-8") for p in (DATA / "articles").glob("*/fr.md")],
    }
    straight = {
        kind: [t for t in found if "'" in NOT_TEXT.sub("", t)] for kind, found in texts.items()
    }
    assert straight == {kind: [] for kind in texts}
    assert not any("24/7" in t for found in texts.values() for t in found)
