"""What the JSON API answers: one schema per resource, so the OpenAPI document is the truth.

Each schema is also the serialiser: its fields say what the answer holds and, when a field is
not simply the attribute of the same name, a `resolve_<field>` beside it says where the value
comes from. Adding a field to a resource is one line here. Build an answer with `answer()`
inside the `translation.override` of the request's language: labels and texts are read then.
"""

from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from django.urls import reverse
from ninja import Schema as NinjaSchema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from healingtogether.lib.i18n import CONTENT_LANGUAGES, localized

from .calendar import has_calendar


class Schema(NinjaSchema):
    """ninja's Schema, except that an answer already built is taken as it is: ninja validates
    a view's answer once more (a list of answers, say), and the resolvers, which read models,
    must not run again on the built answer (pydantic's own rule for a model instance)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info: ValidationInfo) -> Any:
        if isinstance(values, cls):
            return values
        if isinstance(values, dict):
            # Plain data already (an envelope, or a search result built from the snapshot's
            # summaries): validated as it is, no resolver reads a model.
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))


S = TypeVar("S", bound=Schema)


def answer(schema: type[S], source: Any, request, **context) -> S:
    """`source` (a model instance, or a dict for the envelopes) as `schema`. Resolvers find the
    request, and whatever else the view passes, in their `context`."""
    return schema.from_orm(source, context={"request": request, **context})


# An empty text or choice is absent: null, not "".
OrNone = Annotated[str | None, BeforeValidator(lambda value: value or None)]
# Related terms (a manager or a list of them, or their slugs already) as their slugs.
Slugs = Annotated[
    list[str],
    BeforeValidator(lambda terms: [t if isinstance(t, str) else t.slug for t in terms]),
]


def _absolute_url(obj, context) -> str:
    return context["request"].build_absolute_uri(obj.get_absolute_url())


class PublicId(Schema):
    """A resource others may refer to: its `id` is the public UUID, never the database key."""

    id: UUID

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class OrganisationRef(PublicId):
    name: str


class LocationOut(Schema):
    postcode: str
    municipality: str | None
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_municipality(location) -> str | None:
        return location.municipality.name if location.municipality else None


class GroupSummary(PublicId):
    slug: str
    name: str
    kind: str
    facilitation: OrNone
    format: OrNone
    languages: Slugs
    topics: Slugs
    cost: OrNone
    organisation: OrganisationRef
    location: LocationOut | None
    distance_km: float | None
    url: str
    website: OrNone

    @staticmethod
    def resolve_languages(group) -> list:
        return list(group.session_languages.all())

    @staticmethod
    def resolve_location(group):
        """The first place the group meets, if any."""
        return next(iter(group.locations.all()), None)

    @staticmethod
    def resolve_distance_km(group, context) -> float | None:
        """How far from the place searched, when the view passes `distances` (by group pk)."""
        return context.get("distances", {}).get(group.pk)

    @staticmethod
    def resolve_url(group, context) -> str:
        return _absolute_url(group, context)


class FacetValue(Schema):
    value: str
    label: str
    count: int


class SuggestedTopic(Schema):
    slug: str
    label: str


class SearchOut(Schema):
    count: int
    page: int
    # The query says the person may be in danger: show the crisis lines (/helplines) first.
    crisis: bool = Field(description="The query says the person may be in danger now.")
    suggested_topics: list[SuggestedTopic] = Field(
        description="Up to three topics close in meaning to the query, best first."
    )
    results: list[GroupSummary]
    online: list[GroupSummary] | None
    regional: list[GroupSummary] = Field(
        description="Near a place (`near`): listings that serve it without meeting within "
        "`radius_km` of it and without meeting online: first those whose service area includes "
        "the place, then those that cover all of Belgium; mental-health networks are left out "
        "(see /networks). The same filters as `results` apply; not counted in `facets`. At most "
        "`page_size` of them; empty without `near`."
    )
    regional_count: int = Field(
        description="How many listings `regional` would list without the `page_size` limit."
    )
    facets: dict[str, list[FacetValue]]


class ScheduleOut(Schema):
    freq: str
    interval: int
    byday: str
    bymonthday: str
    dtstart: str
    until: str | None
    opens_at: str
    closes_at: str
    note: str

    @staticmethod
    def resolve_dtstart(schedule) -> str:
        return schedule.dtstart.isoformat()

    @staticmethod
    def resolve_until(schedule) -> str | None:
        return schedule.until.isoformat() if schedule.until else None

    @staticmethod
    def resolve_opens_at(schedule) -> str:
        return schedule.opens_at.strftime("%H:%M")

    @staticmethod
    def resolve_closes_at(schedule) -> str:
        return schedule.closes_at.strftime("%H:%M")


class GroupDetail(GroupSummary):
    description: str
    description_language: str | None
    audiences: Slugs
    approaches: Slugs
    age_min: int | None
    age_max: int | None
    cohort: OrNone
    cost_amount: str
    referral_required: bool | None
    phone: OrNone
    email: OrNone
    schedules: list[ScheduleOut]
    next_sessions: list[datetime]
    confirmed_at: datetime | None
    ics_url: str | None

    @staticmethod
    def resolve_next_sessions(group) -> list[datetime]:
        return group.next_sessions(5)

    @staticmethod
    def resolve_ics_url(group, context) -> str | None:
        if not has_calendar(group):
            return None
        return context["request"].build_absolute_uri(reverse("calendar:group", args=[group.slug]))


class NetworkOut(PublicId):
    name: str
    url: str
    website: OrNone

    @staticmethod
    def resolve_url(group, context) -> str:
        return _absolute_url(group, context)


class NetworksOut(Schema):
    postcode: str
    municipalities: list[str]
    adult: list[NetworkOut]
    youth: list[NetworkOut]


class Errors(Schema):
    errors: dict[str, str]


class OrganisationSummary(PublicId):
    slug: str
    name: str
    kind: OrNone
    website: OrNone
    url: str
    # Annotated on the queryset: how many of its groups are listed.
    group_count: int

    @staticmethod
    def resolve_url(organisation, context) -> str:
        return _absolute_url(organisation, context)


class OrganisationsOut(Schema):
    count: int
    page: int
    results: list[OrganisationSummary]


class OrganisationDetail(OrganisationSummary):
    description: str
    description_language: str | None
    email: OrNone
    phone: OrNone
    # Prefetched by the view into `listed_groups`: only the groups that are listed.
    groups: list[GroupSummary]

    @staticmethod
    def resolve_description_language(organisation) -> str | None:
        return organisation.text_language("description")

    @staticmethod
    def resolve_groups(organisation) -> list:
        return organisation.listed_groups


class TermOut(Schema):
    slug: str
    label: str
    synonyms: list[str]
    parent: str | None

    @staticmethod
    def resolve_synonyms(term) -> list[str]:
        synonyms = localized(term, "synonyms")[0]
        return [s.strip() for s in synonyms.split(",") if s.strip()]

    @staticmethod
    def resolve_parent(term) -> str | None:
        return term.parent.slug if term.parent_id else None


class MunicipalityOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    postcodes: list[str]
    province: str | None
    region: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_names(place) -> dict[str, str]:
        return {
            code: getattr(place, f"name_{code}")
            for code in CONTENT_LANGUAGES
            if getattr(place, f"name_{code}", "")
        }

    @staticmethod
    def resolve_postcodes(place) -> list[str]:
        return sorted(p.code for p in place.postal_codes.all())

    @staticmethod
    def resolve_province(place) -> str | None:
        return place.province.name if place.province_id else None

    @staticmethod
    def resolve_region(place) -> str:
        return place.region.name


class PlacesOut(Schema):
    query: str
    postcode: str | None
    municipalities: list[MunicipalityOut]
