"""What the JSON API answers: one schema per resource, so the OpenAPI document is the truth."""

from datetime import datetime
from uuid import UUID

from ninja import Schema


class OrganisationRef(Schema):
    id: UUID
    name: str


class LocationOut(Schema):
    postcode: str
    municipality: str | None
    latitude: float | None
    longitude: float | None


class GroupSummary(Schema):
    id: UUID
    slug: str
    name: str
    kind: str
    facilitation: str | None
    format: str | None
    languages: list[str]
    topics: list[str]
    cost: str | None
    organisation: OrganisationRef
    location: LocationOut | None
    distance_km: float | None
    url: str
    website: str | None


class FacetValue(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    count: int
    page: int
    results: list[GroupSummary]
    online: list[GroupSummary] | None
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


class GroupDetail(GroupSummary):
    description: str
    description_language: str | None
    audiences: list[str]
    approaches: list[str]
    age_min: int | None
    age_max: int | None
    cohort: str | None
    cost_amount: str
    referral_required: bool | None
    phone: str | None
    email: str | None
    schedules: list[ScheduleOut]
    next_sessions: list[datetime]
    confirmed_at: datetime | None
    ics_url: str | None


class NetworkOut(Schema):
    id: UUID
    name: str
    url: str
    website: str | None


class NetworksOut(Schema):
    postcode: str
    municipalities: list[str]
    adult: list[NetworkOut]
    youth: list[NetworkOut]


class Errors(Schema):
    errors: dict[str, str]


class OrganisationSummary(Schema):
    id: UUID
    slug: str
    name: str
    kind: str | None
    website: str | None
    url: str
    group_count: int


class OrganisationsOut(Schema):
    count: int
    page: int
    results: list[OrganisationSummary]


class OrganisationDetail(OrganisationSummary):
    description: str
    description_language: str | None
    email: str | None
    phone: str | None
    groups: list[GroupSummary]


class TermOut(Schema):
    slug: str
    label: str
    synonyms: list[str]
    parent: str | None


class MunicipalityOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    postcodes: list[str]
    province: str | None
    region: str
    latitude: float | None
    longitude: float | None


class PlacesOut(Schema):
    query: str
    postcode: str | None
    municipalities: list[MunicipalityOut]
