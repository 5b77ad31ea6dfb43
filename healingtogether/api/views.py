"""The public JSON API, /api/v1/: typed function views with django-ninja, read-only."""

from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError as NinjaValidationError

from healingtogether.directory.models import Group
from healingtogether.places.models import find_place
from healingtogether.search import engine

from . import schemas, serialize

api = NinjaAPI(
    title="Healing Together API",
    version="1",
    description="Group therapy and support groups in Belgium, as open data.",
    urls_namespace="api",
    docs_url=None,
)


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


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"errors": {"id": "not found"}}, status=404)


def _language(lang: str | None) -> str:
    """The language of labels: `lang` when it is one of ours, else the request's."""
    return lang if lang in ("en", "fr", "nl", "de") else translation.get_language() or "en"


@api.get("/groups", response={200: schemas.SearchOut, 400: schemas.Errors}, tags=["groups"])
def search_groups(request, params: Query[engine.SearchParams]):
    """Search listed groups: the same parameters and results as the search page."""
    with translation.override(_language(params.lang)):
        results = engine.run(params)
        return {
            "count": results.count,
            "page": params.page,
            "results": [
                serialize.group_summary(g, request, results.distances.get(g.pk))
                for g in results.groups
            ],
            "online": (
                [serialize.group_summary(g, request) for g in results.online]
                if results.online is not None
                else None
            ),
            "facets": {
                name: [{k: v[k] for k in ("value", "label", "count")} for v in values]
                for name, values in results.facets.items()
            },
        }


@api.get(
    "/groups/{group_id}",
    response={200: schemas.GroupDetail, 404: schemas.Errors},
    tags=["groups"],
)
def group_detail(request, group_id: str, lang: str | None = None):
    """One listed group in full, with its next sessions."""
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
    with translation.override(_language(lang)):
        return serialize.group_detail(group, request)


@api.get("/networks", response={200: schemas.NetworksOut, 400: schemas.Errors}, tags=["networks"])
def networks(request, postcode: str, lang: str | None = None):
    """The adult and youth mental-health networks whose area includes this postcode."""
    postcode = postcode.strip()
    found, municipalities = find_place(postcode) if postcode.isdigit() else (None, [])
    if not municipalities:
        raise engine.SearchError({"postcode": _("Give a Belgian postcode, such as 5000.")})
    with translation.override(_language(lang)):
        adult, youth = Group.objects.networks_for(municipalities)
        return {
            "postcode": found,
            "municipalities": [m.name for m in municipalities],
            "adult": [serialize.network(g, request) for g in adult],
            "youth": [serialize.network(g, request) for g in youth],
        }
