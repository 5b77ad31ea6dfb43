"""One search behind the search page and the API: parameters -> filters -> ranked, faceted results.

`SearchParams` is the one schema both take (the API documents it in OpenAPI; the page parses the
same fields from its GET form). `run()` applies the filters once, counts each facet with the other
filters applied (so a facet's count is the count you get by choosing it), sorts, and pages.
"""

from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _
from pydantic import BaseModel, Field, ValidationError, field_validator

from healingtogether.directory.models import (
    Audience,
    Coverage,
    Group,
    Language,
    Location,
    Topic,
)
from healingtogether.lib.geo import bounding_box, distance_km, min_dot, unit_vector
from healingtogether.places.models import PostalCode, Province, find_place

from .text import MAX_QUERY_LENGTH, clean_query, matching

MULTI = ("topic", "audience", "kind", "facilitation", "format", "language", "cost", "cohort")
FACETS = (*MULTI, "referral", "region", "province")
SORTS = ("relevance", "distance", "newest", "next_session")
REGIONS = [c for c in Coverage.values if c != Coverage.NATIONAL]

# Fixed choices; topics, audiences, session languages and provinces come from the database.
CHOICES = {
    "kind": Group.Kind,
    "facilitation": Group.Facilitation,
    "format": Group.Format,
    "cost": Group.Cost,
    "cohort": Group.Cohort,
}
TAXONOMY = {"topic": Topic, "audience": Audience, "language": Language}
RELATION = {"topic": "topics", "audience": "audiences", "language": "session_languages"}


class SearchParams(BaseModel):
    """What a person can ask for. Lists take one or more values (any of them matches)."""

    q: str = Field("", description="Words to look for, in any of our languages.")
    near: str = Field("", description="A Belgian postcode or a municipality name.")
    radius_km: int = Field(25, ge=1, le=200, description="Distance from `near`, in km.")
    topic: list[str] = Field([], description="Topic slugs.")
    audience: list[str] = Field([], description="Audience slugs.")
    kind: list[str] = Field([], description="Kinds of group.")
    facilitation: list[str] = Field([], description="professional, peer or co_facilitated.")
    format: list[str] = Field([], description="in_person, online or hybrid.")
    language: list[str] = Field([], description="Languages the sessions are held in.")
    cost: list[str] = Field([], description="free, reimbursed, paid or donation.")
    referral: bool | None = Field(None, description="false: no referral needed.")
    cohort: list[str] = Field([], description="dropin, open, closed, intake or waiting_list.")
    region: str = Field("", description="brussels, flanders, wallonia or german_speaking.")
    province: str = Field("", description="A province's NIS code, e.g. 90000 for Namur.")
    sort: Literal["relevance", "distance", "newest", "next_session"] = "relevance"
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)
    lang: Literal["en", "fr", "nl", "de"] | None = Field(
        None, description="Language of the labels; Accept-Language otherwise."
    )

    @field_validator("q", "near", mode="before")
    @classmethod
    def _tidy(cls, value):
        return clean_query(value if isinstance(value, str) else str(value))[:MAX_QUERY_LENGTH]

    @field_validator("region", "province", mode="before")
    @classmethod
    def _strip(cls, value):
        return str(value).replace("\x00", "").strip()[:40]

    @field_validator(*MULTI, mode="before")
    @classmethod
    def _listify(cls, value):
        values = value if isinstance(value, list) else [value]
        return [str(v).replace("\x00", "").strip()[:60] for v in values if str(v).strip()]


class SearchError(Exception):
    """The parameters cannot be searched: `errors` maps each field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


def _message(field_name: str, error: dict) -> str:
    kind = error.get("type", "")
    if field_name == "radius_km":
        return _("Choose a distance between 1 and 200 km.")
    if field_name == "page_size":
        return _("Choose a page size between 1 and 100.")
    if field_name == "page":
        return _("Choose a page number from 1.")
    if field_name == "referral":
        return _("Use true or false.")
    if field_name in ("sort", "lang") or kind == "literal_error":
        return _("This value is not one of the choices.")
    return _("This value is not valid.")


def parse(data: dict) -> SearchParams:
    """Validate raw parameters (a dict of strings or lists), or raise SearchError."""
    try:
        return SearchParams.model_validate(data)
    except ValidationError as error:
        raise SearchError(
            {str(e["loc"][0]): _message(str(e["loc"][0]), e) for e in error.errors()}
        ) from error


def from_querydict(querydict) -> dict:
    """A request's GET parameters as the dict SearchParams expects (lists for list fields)."""
    data = {}
    for key in querydict:
        if key in MULTI:
            data[key] = querydict.getlist(key)
        elif key in SearchParams.model_fields:
            value = querydict.get(key, "")
            if value != "" or key in ("q", "near"):
                data[key] = value
    return data


@dataclass
class Place:
    label: str
    postcode: str | None
    municipalities: list
    latitude: float
    longitude: float


@dataclass
class Results:
    params: SearchParams
    count: int
    groups: list
    online: list | None
    facets: dict
    place: Place | None
    distances: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))


def _check_choices(params: SearchParams) -> dict[str, str]:
    errors = {}
    for name, choices in CHOICES.items():
        unknown = [v for v in getattr(params, name) if v not in choices.values]
        if unknown:
            errors[name] = _("Unknown value: %(value)s.") % {"value": unknown[0]}
    for name, model in TAXONOMY.items():
        wanted = set(getattr(params, name))
        if wanted:
            known = set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))
            if wanted - known:
                errors[name] = _("Unknown value: %(value)s.") % {"value": sorted(wanted - known)[0]}
    if params.region and params.region not in REGIONS:
        errors["region"] = _("Unknown value: %(value)s.") % {"value": params.region}
    if params.province and not Province.objects.filter(code=params.province).exists():
        errors["province"] = _("Unknown value: %(value)s.") % {"value": params.province}
    if params.sort == "distance" and not params.near:
        errors["sort"] = _("Sorting by distance needs a postcode or municipality.")
    return errors


def find_near(text: str) -> Place | None:
    """The place a person typed, with the coordinates distances are measured from."""
    postcode, municipalities = find_place(text)
    if not municipalities:
        return None
    if postcode:
        point = PostalCode.objects.get(code=postcode)
        lat, lon = point.latitude, point.longitude
    else:
        located = [m for m in municipalities if m.latitude is not None]
        lat = sum(m.latitude for m in located) / len(located)
        lon = sum(m.longitude for m in located) / len(located)
    return Place(text, postcode, municipalities, lat, lon)


def _within(place: Place, radius_km: int):
    """Locations within radius_km of the place: a bounding box on the indexed coordinates, then
    the exact great-circle test as a dot product of unit vectors (see lib/geo.py)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(place.latitude, place.longitude, radius_km)
    x0, y0, z0 = unit_vector(place.latitude, place.longitude)
    return (
        Location.objects.filter(
            latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
        )
        .annotate(dot=F("x") * x0 + F("y") * y0 + F("z") * z0)
        .filter(dot__gte=min_dot(radius_km))
    )


def _conditions(params: SearchParams) -> dict[str, Q]:
    """One condition per facet field that has a value."""
    conditions = {}
    for name in CHOICES:
        if getattr(params, name):
            conditions[name] = Q(**{f"{name}__in": getattr(params, name)})
    for name, relation in RELATION.items():
        if getattr(params, name):
            ids = Group.objects.filter(**{f"{relation}__slug__in": getattr(params, name)})
            conditions[name] = Q(pk__in=ids.values("pk"))
    if params.referral is not None:
        conditions["referral"] = Q(referral_required=params.referral)
    if params.region:
        conditions["region"] = Q(coverage=params.region)
    if params.province:
        located = Location.objects.filter(municipality__province_id=params.province)
        conditions["province"] = Q(pk__in=located.values("group_id"))
    return conditions


def _facet_counts(queryset, name: str) -> dict[str, int]:
    if name in RELATION:
        through = getattr(Group, RELATION[name]).through
        column = {"topic": "topic", "audience": "audience", "language": "language"}[name]
        rows = (
            through.objects.filter(group__in=queryset.values("pk"))
            .values(f"{column}__slug")
            .annotate(n=Count("group_id"))
        )
        return {row[f"{column}__slug"]: row["n"] for row in rows}
    if name == "province":
        rows = (
            Location.objects.filter(group__in=queryset.values("pk"))
            .exclude(municipality__province=None)
            .values("municipality__province_id")
            .annotate(n=Count("group_id", distinct=True))
        )
        return {row["municipality__province_id"]: row["n"] for row in rows}
    column = {"referral": "referral_required", "region": "coverage"}.get(name, name)
    rows = queryset.order_by().values(column).annotate(n=Count("pk"))
    counts = {}
    for row in rows:
        value = row[column]
        if value in ("", None):
            continue
        counts["true" if value is True else "false" if value is False else value] = row["n"]
    return counts


def _facet_labels(name: str) -> dict[str, str]:
    if name in CHOICES:
        return {value: str(label) for value, label in CHOICES[name].choices}
    if name in TAXONOMY:
        return {term.slug: term.label for term in TAXONOMY[name].objects.all()}
    if name == "referral":
        return {"false": _("No referral needed"), "true": _("Referral needed")}
    if name == "region":
        return {value: str(label) for value, label in Coverage.choices}
    return {p.code: p.name for p in Province.objects.all()}


def facets(base, conditions: dict[str, Q], params: SearchParams) -> dict[str, list[dict]]:
    """For each facet, its values with counts, the other filters applied."""
    found = {}
    for name in FACETS:
        queryset = base
        for other, condition in conditions.items():
            if other != name:
                queryset = queryset.filter(condition)
        counts = _facet_counts(queryset, name)
        labels = _facet_labels(name)
        chosen = getattr(params, name)
        chosen = set(chosen) if isinstance(chosen, list) else {str(chosen).lower()} - {"", "none"}
        found[name] = sorted(
            (
                {
                    "value": value,
                    "label": labels.get(value, value),
                    "count": count,
                    "chosen": value in chosen,
                }
                for value, count in counts.items()
            ),
            key=lambda item: (-item["count"], item["label"]),
        )
    return found


def run(params: SearchParams) -> Results:
    """Search. Raises SearchError naming the field when a value cannot be searched."""
    errors = _check_choices(params)
    place = None
    if params.near:
        place = find_near(params.near)
        if place is None:
            errors["near"] = _(
                "We don't know the place “%(near)s”. Try a Belgian postcode such as 1000, or "
                "the name of a municipality."
            ) % {"near": params.near}
    if errors:
        raise SearchError(errors)

    base, searched = matching(Group.objects.listed(), params.q)
    online = None
    if place:
        nearby = _within(place, params.radius_km)
        online_base = base.filter(format=Group.Format.ONLINE)
        base = base.filter(
            format__in=[Group.Format.IN_PERSON, Group.Format.HYBRID],
            pk__in=nearby.values("group_id"),
        )
    conditions = _conditions(params)
    matches = base
    for condition in conditions.values():
        matches = matches.filter(condition)
    count = matches.count()

    order = []
    if params.sort == "relevance" and searched:
        order.append(F("name_match").desc())
    if place and params.sort in ("relevance", "distance"):
        order.append(F("closest").desc())
        x0, y0, z0 = unit_vector(place.latitude, place.longitude)
        matches = matches.annotate(
            closest=Max(F("locations__x") * x0 + F("locations__y") * y0 + F("locations__z") * z0)
        )
    if params.sort == "newest":
        order.append(F("created_at").desc())
    if params.sort == "next_session":
        order.append(F("next_session_at").asc(nulls_last=True))
    order += [F("confirmed_at").desc(nulls_last=True), "slug"]

    start = (params.page - 1) * params.page_size
    page = list(
        matches.order_by(*order)
        .select_related("organisation")
        .prefetch_related("topics", "session_languages", "locations__municipality")[
            start : start + params.page_size
        ]
    )
    distances = {}
    if place:
        for group in page:
            located = [loc for loc in group.locations.all() if loc.latitude is not None]
            if located:
                distances[group.pk] = round(
                    min(
                        distance_km(place.latitude, place.longitude, loc.latitude, loc.longitude)
                        for loc in located
                    ),
                    1,
                )
        online_matches = online_base
        for condition in conditions.values():
            online_matches = online_matches.filter(condition)
        online = list(
            online_matches.order_by("-confirmed_at", "slug")
            .select_related("organisation")
            .prefetch_related("topics", "session_languages")[:50]
        )
    return Results(
        params=params,
        count=count,
        groups=page,
        online=online,
        facets=facets(base, conditions, params),
        place=place,
        distances=distances,
    )
