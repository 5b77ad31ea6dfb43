"""What a search result shows, defined once: the API's fields and the search page's card.

A `Summary` holds a searchable group's public facts in every language, loaded in bulk (a few
queries for any number of groups) when the snapshot is built or updated, so that a search
serialises its results from memory. `api()` gives the JSON API's GroupSummary, and `CardGroup`
dresses a summary as the Group the one card template (directory/_group_card.html) reads, both in
the active language; labels of fixed choices come from gettext, those of session languages from
the snapshot's vocabulary.

Texts are kept per language as tuples in CONTENT_LANGUAGES order, read with the same fallback
as every page (lib.i18n.FALLBACKS). What many groups share (an organisation, a municipality) is
one object, so 100,000 summaries stay small.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from sys import intern
from types import SimpleNamespace
from uuid import UUID

import orjson
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language

from healingtogether.directory.models import EXPIRED_AFTER, STALE_AFTER, Group, Location, Status
from healingtogether.lib.geo import distance_km
from healingtogether.lib.i18n import CONTENT_LANGUAGES, FALLBACKS, current_language
from healingtogether.lib.kept import Kept
from healingtogether.places.models import Municipality

# The card shows the start of the description; the rest is on the group's page.
EXCERPT_WORDS = 30
CHUNK = 900  # ids per query: under SQLite's parameter limit

CHOICES = {
    "kind": Group.Kind,
    "facilitation": Group.Facilitation,
    "format": Group.Format,
    "cost": Group.Cost,
}


def pick(texts: tuple, language: str | None = None) -> tuple[str, str | None]:
    """(text, its language) from a tuple in CONTENT_LANGUAGES order, with the pages' fallback:
    the rule of lib.i18n.localized."""
    for code in FALLBACKS[language or current_language()]:
        text = texts[CONTENT_LANGUAGES.index(code)]
        if text:
            return text, code
    return "", None


@dataclass(frozen=True, slots=True)
class Organisation:
    public_id: UUID
    names: tuple


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality's names, as places.models.PlaceNameMixin reads them."""

    names: dict  # language -> name; "" for English (the local name)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names[""]


@dataclass(frozen=True, slots=True)
class Summary:
    pk: int
    public_id: UUID
    slug: str
    url_name: str  # the view of the group's page
    kind: str
    facilitation: str
    format: str
    cost: str
    website: str
    names: tuple
    excerpts: tuple  # the description's first EXCERPT_WORDS words, per language
    fresh_at: datetime | None
    confirmed_at: datetime | None
    checked_on: date | None  # compiled by our team from public pages on this day
    organisation: Organisation
    languages: tuple  # session language slugs
    topics: tuple
    postcode: str | None  # of the first location; None when it has none
    municipality: Place | None
    approximate: bool  # the first location is only its municipality's centre
    latitude: float | None
    longitude: float | None
    points: tuple  # (latitude, longitude) of every located location
    stamp: float  # the group's updated_at: a rendered card is reused while it stays the same

    @property
    def name(self) -> str:
        return pick(self.names)[0]

    def url(self) -> str:
        return _url_with_slug(self.url_name, get_language()).replace(SLUG, self.slug)

    @property
    def is_stale(self) -> bool:
        """The rule of Group.is_stale."""
        return self.fresh_at is None or timezone.now() - self.fresh_at > STALE_AFTER

    def distance_from(self, latitude: float, longitude: float) -> float | None:
        """Kilometres to the nearest location, to 0.1 km; None when none is located."""
        if not self.points:
            return None
        return round(min(distance_km(latitude, longitude, *point) for point in self.points), 1)


SLUG = "group-slug"


@lru_cache(maxsize=64)
def _url_with_slug(url_name: str, language: str) -> str:
    """A group page's address in this language, with SLUG for the slug: reversing it for each
    of a hundred results costs more than the rest of a card."""
    return reverse(url_name, args=[SLUG])


def _label(name: str, value: str) -> str:
    return str(dict(CHOICES[name].choices).get(value, value)) if value else ""


# A result's API answer but its distance, as JSON, kept per (group, its version, language,
# site): an answer of sixty results then encodes only its distances. At most this many are
# kept in a process (about 1 KB each).
API_FIELDS_KEPT = 10_000
_api_json = Kept(API_FIELDS_KEPT)


def api(summaries, site: str, distances: dict | None = None) -> list:
    """The API's GroupSummary (api/schemas.py) of each of these, in the active language, as
    JSON for orjson to put in an answer as it is (orjson.Fragment). `site` is the address the
    page's paths follow (scheme and host, no slash at the end); `distances`, by pk, this
    search's."""
    language = current_language()
    distances = distances or {}
    found = []
    for summary in summaries:
        key = (summary.pk, summary.stamp, language, site)
        rest = _api_json.get(key, lambda s=summary: _api_rest(s, language, site))
        distance = orjson.dumps(distances.get(summary.pk))
        found.append(orjson.Fragment(b'{"distance_km":' + distance + rest))
    return found


def _api_rest(summary: Summary, language: str, site: str) -> bytes:
    """A result's JSON after its first field, the distance: from the comma on."""
    fields = _api_fields_of(summary, language)
    fields["url"] = site + fields["url"]
    return b"," + orjson.dumps(fields)[1:]


def _api_fields_of(summary: Summary, language: str) -> dict:
    location = None
    if summary.postcode is not None:
        location = {
            "postcode": summary.postcode,
            "municipality": summary.municipality.name(language) if summary.municipality else None,
            "latitude": summary.latitude,
            "longitude": summary.longitude,
        }
    return {
        "id": str(summary.public_id),
        "slug": summary.slug,
        "name": summary.name,
        "kind": summary.kind,
        "facilitation": summary.facilitation or None,
        "format": summary.format or None,
        "languages": list(summary.languages),
        "topics": list(summary.topics),
        "cost": summary.cost or None,
        "organisation": {
            "id": str(summary.organisation.public_id),
            "name": pick(summary.organisation.names)[0],
        },
        "location": location,
        "url": summary.url(),  # the path: api() puts the site before it
        "website": summary.website or None,
    }


class CardGroup:
    """A summary dressed as the Group that the one card template (directory/_group_card.html)
    reads, so a search result and a group in any other list are the same card."""

    def __init__(self, found: Summary, language_labels: dict):
        self._s = found
        self._labels = language_labels
        self.name = found.name
        self.facilitation = found.facilitation
        self.format = found.format
        self.cost = found.cost
        self.confirmed_at = found.confirmed_at
        self.checked_on = found.checked_on
        self.is_stale = found.is_stale
        self.is_compiled = found.checked_on is not None and found.confirmed_at is None
        self.description, self.description_language = pick(found.excerpts, current_language())

    def get_absolute_url(self) -> str:
        return self._s.url()

    def get_kind_display(self) -> str:
        return _label("kind", self._s.kind)

    def get_facilitation_display(self) -> str:
        return _label("facilitation", self._s.facilitation)

    def get_format_display(self) -> str:
        return _label("format", self._s.format)

    def get_cost_display(self) -> str:
        return _label("cost", self._s.cost)

    @property
    def locations(self):
        found = self._s
        if found.postcode is None and found.municipality is None:
            return _All([])
        place = (
            SimpleNamespace(name=found.municipality.name(current_language()))
            if found.municipality
            else None
        )
        return _All([SimpleNamespace(municipality=place, approximate=found.approximate)])

    @property
    def session_languages(self):
        return _All([SimpleNamespace(label=self._labels.get(s, s)) for s in self._s.languages])


class _All:
    """What a template's `.all` of a related manager gives, for CardGroup."""

    def __init__(self, items):
        self._items = items

    def all(self):
        return self._items


# Loading ---------------------------------------------------------------------------------------

EXCERPT_CHARS = 2000


def chunks(ids):
    """The ids, sorted, in slices of CHUNK: one IN (...) list each."""
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _pairs(selections, path: str) -> dict:
    """group pk -> tuple of `path` values (sorted), for the groups of these querysets."""
    found: dict = {}
    for selection in selections:
        for pk, value in selection.values_list("id", path):
            if value is not None:
                found.setdefault(pk, []).append(intern(value))
    return {pk: tuple(sorted(values)) for pk, values in found.items()}


def _places(codes) -> dict:
    found = {}
    for municipality in Municipality.objects.filter(code__in=codes):
        names = {code: getattr(municipality, f"name_{code}") for code in ("nl", "fr", "de")}
        names[""] = municipality.local_name
        found[municipality.code] = Place(names)
    return found


def searchable_among(ids) -> list[int]:
    """Which of these groups are searchable (GroupQuerySet.searchable()'s rule), looked up by
    pk: on SQLite, adding the status to the query makes it scan the status index instead."""
    cutoff = timezone.now() - EXPIRED_AFTER
    found = []
    for chunk in chunks(ids):
        for pk, status, fresh_at in Group.objects.filter(pk__in=chunk).values_list(
            "id", "status", "fresh_at"
        ):
            if status == Status.PUBLISHED and fresh_at is not None and fresh_at >= cutoff:
                found.append(pk)
    return sorted(found)


def load(ids=None, checked: bool = False) -> dict[int, Summary]:
    """The summaries of the searchable groups (of those among these `ids` when given; `checked`
    when they are all searchable already), in a handful of queries whatever their number: a
    group that is not searchable has none."""
    searchable = Group.objects.all() if checked else Group.objects.searchable()
    slices = None
    if ids is None:
        selections = [searchable]
    else:
        slices = list(chunks(ids))
        selections = [searchable.filter(pk__in=chunk) for chunk in slices]
    # Only the start of a description is shown: reading that much keeps a build's memory low.
    # (Thirty words in more than EXCERPT_CHARS characters would be cut short.)
    starts = {
        f"start_{code}": Substr(f"description_{code}", 1, EXCERPT_CHARS)
        for code in CONTENT_LANGUAGES
    }
    fields = [*(f"name_{code}" for code in CONTENT_LANGUAGES), *starts]
    network = Case(
        When(kind__in=Group.NETWORK_KINDS, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = []
    for selection in selections:
        rows += selection.annotate(network=network, **starts).values_list(
            "id",
            "public_id",
            "slug",
            "network",
            "kind",
            "facilitation",
            "format",
            "cost",
            "website",
            "fresh_at",
            "confirmed_at",
            "updated_at",
            "checked_on",
            "organisation__public_id",
            *(f"organisation__name_{code}" for code in CONTENT_LANGUAGES),
            *fields,
        )
    if not rows:
        return {}
    languages = _pairs(selections, "session_languages__slug")
    topics = _pairs(selections, "topics__slug")

    locations: dict = {}
    for n, selection in enumerate(selections):
        of_groups = {"group_id__in": slices[n]} if slices else {"group__in": selection}
        for group_id, postcode, municipality, lat, lon, approximate in (
            Location.objects.filter(**of_groups)
            .order_by("id")
            .values_list(
                "group_id", "postcode", "municipality_id", "latitude", "longitude", "approximate"
            )
        ):
            locations.setdefault(group_id, []).append(
                (postcode, municipality, lat, lon, approximate)
            )
    places = _places({loc[1] for found in locations.values() for loc in found if loc[1]})

    organisations: dict = {}
    found = {}
    n = len(CONTENT_LANGUAGES)
    for row in rows:
        (pk, public_id, slug, is_network, kind, facilitation, fmt, cost, website) = row[:9]
        kind, facilitation, fmt, cost = (intern(v or "") for v in (kind, facilitation, fmt, cost))
        fresh_at, confirmed_at, updated_at, checked_on, org_id = row[9:14]
        org_names = tuple(row[14 : 14 + n])
        texts = row[14 + n :]
        names, descriptions = tuple(texts[:n]), texts[n:]
        organisation = organisations.get(org_id)
        if organisation is None or organisation.names != org_names:
            organisation = organisations[org_id] = Organisation(org_id, org_names)
        located = locations.get(pk, [])
        first = located[0] if located else None
        found[pk] = Summary(
            pk=pk,
            public_id=public_id,
            slug=slug,
            url_name="directory:network" if is_network else "directory:group",
            kind=kind,
            facilitation=facilitation,
            format=fmt,
            cost=cost,
            website=website,
            names=names,
            excerpts=tuple(
                Truncator(text).words(EXCERPT_WORDS, truncate=" …") if text else ""
                for text in descriptions
            ),
            fresh_at=fresh_at,
            confirmed_at=confirmed_at,
            checked_on=checked_on,
            organisation=organisation,
            languages=languages.get(pk, ()),
            topics=topics.get(pk, ()),
            postcode=first[0] if first else None,
            municipality=places.get(first[1]) if first else None,
            approximate=bool(first and first[4]),
            latitude=first[2] if first else None,
            longitude=first[3] if first else None,
            points=tuple((lat, lon) for _p, _m, lat, lon, _a in located if lat is not None),
            stamp=updated_at.timestamp() if updated_at else 0.0,
        )
    return found
