"""The public JSON API, /api/v1/: typed function views with django-ninja, read-only.

Every answer is open data (api/http.py): any site may read it, each client is rate-limited, and
ETag and Last-Modified let clients revalidate with a 304. The OpenAPI document at
/api/v1/openapi.json lists every answer an operation gives, errors included.
"""

from datetime import timedelta
from typing import Literal
from uuid import UUID

import orjson
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError as NinjaValidationError

from healingtogether.directory.models import (
    Approach,
    Audience,
    Group,
    Language,
    Location,
    Organisation,
    Topic,
)
from healingtogether.lib import outage
from healingtogether.lib.text import tidy
from healingtogether.places.models import Municipality, find_place
from healingtogether.search import engine, summary

from . import schemas
from .http import open_data
from .schemas import answer

api = NinjaAPI(
    title="Healing Together API",
    version="1",
    description=(
        "Group therapy and support groups in Belgium, as open data. Read-only; any site may "
        "call it (CORS). Each client may make a limited number of requests a minute (429 "
        "beyond). Answers carry an ETag and a Last-Modified date: send them back as "
        "If-None-Match or If-Modified-Since to get a 304 when nothing changed. Labels come in "
        "the language of `lang` (en, fr, nl or de), else of Accept-Language."
    ),
    urls_namespace="api",
    docs_url=None,
    docs_decorator=open_data,
)
api.add_decorator(open_data, mode="view")

LanguageCode = Literal["en", "fr", "nl", "de"]
# What every operation may answer besides its own 200.
COMMON = {304: None, 400: schemas.Errors, 429: schemas.Errors}


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request, error):
    errors = {}
    for item in error.errors:
        name = next((str(p) for p in reversed(item.get("loc", [])) if isinstance(p, str)), "?")
        if name in ("query", "path"):
            name = "?"
        errors[name] = engine._message(name, item)
    return api.create_response(request, {"errors": errors}, status=400)


@api.exception_handler(engine.SearchError)
def unsearchable(request, error):
    return api.create_response(request, {"errors": error.errors}, status=400)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, error):
    """The database can't be reached: the same 503 as every other page, even with DEBUG on
    (ninja would otherwise answer with its own traceback)."""
    return outage.unavailable(request)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"errors": {"id": "not found"}}, status=404)


def _language(lang: str | None) -> str:
    """The language of labels: `lang` when it is one of ours, else the request's."""
    return lang if lang in ("en", "fr", "nl", "de") else translation.get_language() or "en"


@api.get("/groups", response={200: schemas.SearchOut, **COMMON}, tags=["groups"])
def search_groups(request, params: Query[engine.SearchParams]):
    """Search listed groups: the same parameters and results as the search page."""
    with translation.override(_language(params.lang)):
        results = engine.run(params)
        # Serialised from the snapshot's summaries: no query, whatever the page size. The answer
        # is plain data made to SearchOut's shape (api/tests check it against the OpenAPI
        # document), so it is encoded as it is rather than validated field by field again.
        request.data_changed_at = results.changed_at
        site = request.build_absolute_uri("/")[:-1]
        answer = {
            "count": results.count,
            "page": params.page,
            "crisis": results.crisis,
            "suggested_topics": results.suggested_topics,
            "results": summary.api(results.summaries, site, results.distances),
            "online": (
                summary.api(results.online_summaries, site)
                if results.online_summaries is not None
                else None
            ),
            "regional": summary.api(results.regional_summaries, site),
            "regional_count": results.regional_count,
            "facets": {
                name: [
                    {"value": v["value"], "label": v["label"], "count": v["count"]} for v in values
                ]
                for name, values in results.facets.items()
            },
        }
        return HttpResponse(orjson.dumps(answer), content_type="application/json")


@api.get(
    "/groups/{group_id}",
    response={200: schemas.GroupDetail, 404: schemas.Errors, **COMMON},
    tags=["groups"],
)
def group_detail(request, group_id: str, response: HttpResponse, lang: LanguageCode | None = None):
    """One listed group in full, with its next sessions and, when it meets on a schedule, the
    address of its calendar (.ics)."""
    try:
        public_id = UUID(group_id)
    except ValueError as error:
        raise Http404 from error
    group = get_object_or_404(
        Group.objects.listed()
        .select_related("organisation")
        .prefetch_related(
            "topics",
            "audiences",
            "approaches",
            "session_languages",
            "schedules",
            "locations__municipality",
        ),
        public_id=public_id,
    )
    response["Last-Modified"] = http_date(_group_changed_at(group).timestamp())
    with translation.override(_language(lang)):
        return answer(schemas.GroupDetail, group, request)


def _group_changed_at(group):
    """When this answer last changed: an edit, or the start of a session, which moves the list
    of next sessions on by one."""
    now = timezone.now()
    recent = group.next_sessions(500, after=now - timedelta(days=400))
    passed = [start for start in recent if start <= now]
    return max([group.updated_at, group.organisation.updated_at, *passed[-1:]])


@api.get("/networks", response={200: schemas.NetworksOut, **COMMON}, tags=["networks"])
def networks(request, postcode: str, lang: LanguageCode | None = None):
    """The adult and youth mental-health networks whose area includes this postcode."""
    postcode = postcode.strip()
    found, municipalities = find_place(postcode) if postcode.isdigit() else (None, [])
    if not municipalities:
        raise engine.SearchError({"postcode": _("Give a Belgian postcode, such as 5000.")})
    with translation.override(_language(lang)):
        adult, youth = Group.objects.networks_for(municipalities)
        networks = {
            "postcode": found,
            "municipalities": [m.name for m in municipalities],
            "adult": adult,
            "youth": youth,
        }
        return answer(schemas.NetworksOut, networks, request)


def _public_organisations():
    listed = Group.objects.listed()
    return (
        Organisation.objects.filter(groups__in=listed)
        .annotate(group_count=Count("groups", filter=Q(groups__in=listed), distinct=True))
        .order_by("slug")
    )


# Page parameters of /organisations: ASCII digits only (engine.QueryNumber), within bounds.
PAGE = Query(1, ge=1, le=10_000)
PAGE_SIZE = Query(50, ge=1, le=200)


@api.get(
    "/organisations",
    response={200: schemas.OrganisationsOut, **COMMON},
    tags=["organisations"],
)
def organisations(
    request,
    page: engine.QueryNumber = PAGE,
    page_size: engine.QueryNumber = PAGE_SIZE,
    lang: LanguageCode | None = None,
):
    """The organisations that run at least one listed group, by slug."""
    found = _public_organisations()
    start = (page - 1) * page_size
    with translation.override(_language(lang)):
        listed = {"count": found.count(), "page": page, "results": found[start : start + page_size]}
        return answer(schemas.OrganisationsOut, listed, request)


@api.get(
    "/organisations/{organisation_id}",
    response={200: schemas.OrganisationDetail, 404: schemas.Errors, **COMMON},
    tags=["organisations"],
)
def organisation_detail(request, organisation_id: str, lang: LanguageCode | None = None):
    """One organisation with its listed groups."""
    try:
        public_id = UUID(organisation_id)
    except ValueError as error:
        raise Http404 from error
    groups = (
        Group.objects.listed()
        .select_related("organisation")
        .prefetch_related(
            "topics",
            "session_languages",
            Prefetch("locations", Location.objects.select_related("municipality")),
        )
    )
    organisation = get_object_or_404(
        _public_organisations().prefetch_related(
            Prefetch("groups", groups, to_attr="listed_groups")
        ),
        public_id=public_id,
    )
    with translation.override(_language(lang)):
        return answer(schemas.OrganisationDetail, organisation, request)


def _terms(request, model, lang):
    with translation.override(_language(lang)):
        return [answer(schemas.TermOut, t, request) for t in model.objects.select_related("parent")]


@api.get("/topics", response={200: list[schemas.TermOut], **COMMON}, tags=["vocabulary"])
def topics(request, lang: LanguageCode | None = None):
    """What groups help with: the `topic` values of a search, with labels and synonyms."""
    return _terms(request, Topic, lang)


@api.get("/audiences", response={200: list[schemas.TermOut], **COMMON}, tags=["vocabulary"])
def audiences(request, lang: LanguageCode | None = None):
    """Who groups are for: the `audience` values of a search."""
    return _terms(request, Audience, lang)


@api.get("/approaches", response={200: list[schemas.TermOut], **COMMON}, tags=["vocabulary"])
def approaches(request, lang: LanguageCode | None = None):
    """How groups work (CBT, mindfulness, ...)."""
    return _terms(request, Approach, lang)


@api.get("/languages", response={200: list[schemas.TermOut], **COMMON}, tags=["vocabulary"])
def languages(request, lang: LanguageCode | None = None):
    """The languages sessions are held in: the `language` values of a search."""
    return _terms(request, Language, lang)


@api.get("/places", response={200: schemas.PlacesOut, **COMMON}, tags=["places"])
def places(request, q: str, lang: LanguageCode | None = None):
    """A postcode or a municipality name (in any official language) -> its municipalities;
    an empty list when nothing matches."""
    typed = tidy(q, 100)
    if not typed:
        raise engine.SearchError({"q": _("Give a postcode or the name of a municipality.")})
    postcode, found = find_place(typed)
    municipalities = (
        Municipality.objects.filter(code__in=[m.code for m in found])
        .select_related("province", "region")
        .prefetch_related("postal_codes")
        .order_by("code")
    )
    with translation.override(_language(lang)):
        found = {"query": typed, "postcode": postcode, "municipalities": municipalities}
        return answer(schemas.PlacesOut, found, request)
