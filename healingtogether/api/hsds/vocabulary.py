"""Our vocabularies as HSDS taxonomies, with ids that never change, and the way back: which of
our terms an imported taxonomy term stands for.

HSDS describes a service with taxonomy terms linked through attributes. Besides our topics,
audiences and approaches, the fixed choices of a group (kind, facilitation, format, cohort, cost,
referral, practicalities) and the kind of an organisation are taxonomies too, so that an export
read back by our importer gives the same listing.

Ids are UUIDv5 names under one fixed namespace: the same term has the same id in every export,
on every server, without a column to store it.
"""

import uuid
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import (
    Approach,
    Audience,
    Group,
    Language,
    Organisation,
    Topic,
)
from healingtogether.lib.i18n import CONTENT_LANGUAGES, localized
from healingtogether.lib.text import fold

# Never change this: every id we have published derives from it.
NAMESPACE = uuid.UUID("0b6c6a1e-58a4-5c39-9a57-3f3f7c1d2e10")

PRACTICALITIES = {
    "step_free": _("Step-free access"),
    "hearing_loop": _("Hearing loop"),
    "childcare": _("Childcare"),
    "evening": _("Meets in the evening"),
}
REFERRAL = {"required": _("Referral needed"), "not_required": _("No referral needed")}
# Facts with a value (the attribute's `value`): HSDS 3.0 has no field for them.
JOINING = {"next_start": _("Next start date"), "seats_left": _("Seats left")}


@dataclass(frozen=True)
class Vocabulary:
    """One taxonomy: `field` is the key of the listing data it fills (see directory.listing)."""

    key: str
    name: object
    description: object
    field: str
    model: type | None = None  # a taxonomy table: Topic, Audience, Approach
    choices: object = None  # TextChoices, or a dict of value -> label
    entity: str = "service"

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"taxonomy/{self.key}")

    def term_id(self, value: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"taxonomy/{self.key}/{value}")

    @property
    def many(self) -> bool:
        return self.model is not None or self.key == "practicality"

    def values(self) -> list[tuple[str, object]]:
        """(value, term) pairs: term is a model row or a lazy label."""
        if self.model is not None:
            return [(term.slug, term) for term in self.model.objects.select_related("parent")]
        if isinstance(self.choices, dict):
            return list(self.choices.items())
        return list(self.choices.choices)


VOCABULARIES = [
    Vocabulary("topic", _("Topics"), _("What a group helps with."), "topics", model=Topic),
    Vocabulary("audience", _("Audiences"), _("Who a group is for."), "audiences", model=Audience),
    Vocabulary("approach", _("Approaches"), _("How a group works."), "approaches", model=Approach),
    Vocabulary("kind", _("Kinds of group"), _("What kind of group it is."), "kind",
               choices=Group.Kind),
    Vocabulary("facilitation", _("Facilitation"), _("Who leads the sessions."), "facilitation",
               choices=Group.Facilitation),
    Vocabulary("format", _("Format"), _("In person, online or both."), "format",
               choices=Group.Format),
    Vocabulary("cohort", _("Joining"), _("How a person joins the group."), "cohort",
               choices=Group.Cohort),
    Vocabulary("cost", _("Cost"), _("What taking part costs."), "cost", choices=Group.Cost),
    Vocabulary("referral", _("Referral"), _("Whether a referral is needed."),
               "referral_required", choices=REFERRAL),
    Vocabulary("practicality", _("Practicalities"), _("Access and practical help."),
               "practicalities", choices=PRACTICALITIES),
    Vocabulary("joining", _("Joining details"),
               _("Dates and numbers about joining; the attribute's value holds them."),
               "joining", choices=JOINING),
    Vocabulary("organisation_kind", _("Kinds of organisation"),
               _("What kind of organisation it is."), "kind", choices=Organisation.Kind,
               entity="organization"),
]  # fmt: skip
BY_KEY = {v.key: v for v in VOCABULARIES}
BY_ID = {str(v.id): v for v in VOCABULARIES}


def child_id(parent: uuid.UUID, kind: str, index) -> str:
    """The id of a record that has none of its own (a location, a schedule, a phone): derived
    from its group's public id and its place among its kind, so every export repeats it."""
    return str(uuid.uuid5(parent, f"{kind}/{index}"))


def label(term, language: str) -> str:
    """A term's label in `language` (a model row falls back to the nearest language)."""
    if hasattr(term, "label_en"):
        return localized(term, "label", language)[0]
    with translation.override(language):
        return str(term)


def synonyms(term, language: str) -> str:
    if hasattr(term, "synonyms_en"):
        return localized(term, "synonyms", language)[0]
    return ""


def group_terms(group) -> list[tuple[Vocabulary, str]]:
    """The (vocabulary, value) pairs that describe a group, in vocabulary order."""
    found = []
    for vocabulary in VOCABULARIES:
        if vocabulary.entity != "service":
            continue
        if vocabulary.model is not None:
            slugs = sorted(t.slug for t in getattr(group, vocabulary.field).all())
            found += [(vocabulary, slug) for slug in slugs]
        elif vocabulary.key == "referral":
            if group.referral_required is not None:
                value = "required" if group.referral_required else "not_required"
                found.append((vocabulary, value))
        elif vocabulary.key == "practicality":
            found += [(vocabulary, name) for name in PRACTICALITIES if getattr(group, name)]
        elif vocabulary.key == "joining":
            found += [(vocabulary, name) for name in JOINING if getattr(group, name) is not None]
        elif getattr(group, vocabulary.field):
            found.append((vocabulary, getattr(group, vocabulary.field)))
    return found


def attribute_value(group, vocabulary: Vocabulary, value: str) -> str | None:
    """The value an attribute carries, for the terms that have one (next start, seats left)."""
    if vocabulary.key != "joining":
        return None
    fact = getattr(group, value)
    return fact.isoformat() if hasattr(fact, "isoformat") else str(fact)


def organisation_terms(organisation) -> list[tuple[Vocabulary, str]]:
    kind = BY_KEY["organisation_kind"]
    return [(kind, organisation.kind)] if organisation.kind else []


class Matcher:
    """Which of our terms an imported taxonomy term stands for.

    A term matches by its id (our own export), then by code or name against our values, labels
    and synonyms in every language, accents and case aside. When the term's taxonomy is one of
    ours (by id or name), only that vocabulary is searched; otherwise our topics, audiences and
    approaches are tried first, then the fixed choices.
    """

    def __init__(self):
        self.by_id = {}
        self.by_word: dict[str, list[tuple[Vocabulary, str]]] = {}
        self.taxonomy_names = {}
        for vocabulary in VOCABULARIES:
            for code in CONTENT_LANGUAGES:
                self.taxonomy_names[fold(label(vocabulary.name, code))] = vocabulary
            self.taxonomy_names[fold(vocabulary.key)] = vocabulary
            for value, term in vocabulary.values():
                self.by_id[str(vocabulary.term_id(value))] = (vocabulary, value)
                words = {fold(value), fold(value.replace("_", " "))}
                for code in CONTENT_LANGUAGES:
                    words.add(fold(label(term, code)))
                    words.update(fold(s) for s in synonyms(term, code).split(","))
                for word in words - {""}:
                    self.by_word.setdefault(word, []).append((vocabulary, value))

    def vocabulary_of(self, taxonomy_id: str | None, taxonomy_name: str | None):
        if taxonomy_id and taxonomy_id in BY_ID:
            return BY_ID[taxonomy_id]
        return self.taxonomy_names.get(fold(taxonomy_name or ""))

    def match(self, term: dict, taxonomy_name: str | None = None):
        """(vocabulary, value) for an HSDS taxonomy_term record, or None."""
        if str(term.get("id")) in self.by_id:
            return self.by_id[str(term["id"])]
        vocabulary = self.vocabulary_of(term.get("taxonomy_id"), taxonomy_name)
        for word in (term.get("code"), term.get("name")):
            candidates = self.by_word.get(fold(str(word or "")), [])
            if vocabulary is not None:
                candidates = [c for c in candidates if c[0] is vocabulary]
            if candidates:
                return candidates[0]
        return None


# Session languages: our slugs are ISO 639-1 codes, except the two Belgian sign languages.
ISO_CODES = {"lsfb": "sfb", "vgt": "vgt"}
ISO_639_2 = {
    "ara": "ar", "deu": "de", "ger": "de", "eng": "en", "spa": "es", "fra": "fr", "fre": "fr",
    "ita": "it", "nld": "nl", "dut": "nl", "pol": "pl", "por": "pt", "ron": "ro", "rum": "ro",
    "rus": "ru", "tur": "tr", "ukr": "uk", "sfb": "lsfb", "vgt": "vgt",
}  # fmt: skip


def language_code(slug: str) -> str:
    """The ISO 639 code HSDS expects for one of our session languages."""
    return ISO_CODES.get(slug, slug)


def session_languages() -> dict[str, str]:
    """Every code and name (folded) of our session languages -> its slug."""
    found = {}
    for language in Language.objects.all():
        for code in CONTENT_LANGUAGES:
            found.setdefault(fold(label(language, code)), language.slug)
        found[language.slug] = language.slug
    found.update({code: slug for code, slug in ISO_639_2.items() if slug in found.values()})
    return found


def session_language(record: dict, known: dict[str, str]) -> str | None:
    """Our session language slug for an HSDS language record (by code, then by name);
    `known` is what session_languages() gives."""
    for value in (record.get("code"), record.get("name")):
        slug = known.get(fold(str(value or "")))
        if slug:
            return slug
    return None
