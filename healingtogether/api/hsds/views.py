"""The HSDS 3.0 API profile under /api/hsds/: our public listings as Open Referral services,
organisations, taxonomies and service-at-locations, with the specification's page wrapper and
query parameters. Read-only and open: see api/http.py for CORS, rate limits and revalidation.
"""

import json
import math
import os
import threading
import uuid
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from healingtogether.api.http import data_changed_at, open_data, too_many_requests
from healingtogether.directory.models import Group, Location
from healingtogether.lib.emails import absolute_url
from healingtogether.lib.geo import distance_km
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.lib.ratelimit import client_key, limited
from healingtogether.lib.text import fold, tidy, whole_number
from healingtogether.search import engine
from healingtogether.search.text import matching_ids

from . import dumps, records, spec
from .vocabulary import BY_ID, VOCABULARIES

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
# Pages of full records (full, full_service) are heavier: at most this many a page.
FULL_MAX_PER_PAGE = 50
# Full records and whole datasets (ndjson) per client per window (seconds), besides the
# open-data limit every request counts against; settings may change them.
FULL_RATE_LIMIT = 20
FULL_RATE_WINDOW = 60
NDJSON = "application/x-ndjson; charset=utf-8"


class BadParameters(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


class TooMany(Exception):
    """This client asked for full records too often in this window."""

    def __init__(self, window: int):
        self.window = window
        super().__init__(window)


def _count_heavy(request, heavy: bool) -> None:
    """Count a request for full records or a whole dataset against its own small limit, so
    that one client cannot keep every worker busy while staying within the open-data limit."""
    if not heavy:
        return
    limit = getattr(settings, "HSDS_FULL_RATE_LIMIT", FULL_RATE_LIMIT)
    window = getattr(settings, "HSDS_FULL_RATE_WINDOW", FULL_RATE_WINDOW)
    if limited("hsds-full", client_key(request), limit, window):
        raise TooMany(window)


def _errors(errors: dict, status: int) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def hsds_view(view):
    """An HSDS endpoint: open data, labels in the language asked for, errors in JSON.

    CSRF protection would answer another method with a 403 page before we can; these views
    change nothing and refuse every method but GET and HEAD with a 405 in JSON, so they skip it.
    """

    @csrf_exempt
    @open_data
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            refused = _errors({"method": _("Only GET is allowed.")}, 405)
            refused["Allow"] = "GET, HEAD"  # what a 405 must say (RFC 9110)
            return refused
        language = request.GET.get("lang") or translation.get_language() or "en"
        if language not in CONTENT_LANGUAGES:
            return _errors({"lang": _("Use en, fr, nl or de.")}, 400)
        try:
            with translation.override(language):
                return view(request, *args, **kwargs)
        except BadParameters as error:
            return _errors(error.errors, 400)
        except TooMany as error:
            return too_many_requests(error.window)
        except Http404:
            return _errors({"id": _("Not found.")}, 404)

    return wrapped


# Parameters


def _flag(request, name: str) -> bool:
    value = request.GET.get(name, "").strip().lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise BadParameters({name: _("Use true or false.")})


def _whole(request, name: str, default: int, low: int, high: int) -> int:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    number = whole_number(value)
    if number is None or not low <= number <= high:
        raise BadParameters(
            {name: _("Use a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return number


def _uuid_param(request, name: str) -> uuid.UUID | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadParameters({name: _("This is not an id (a UUID).")}) from None


def _page(request, full: bool = False) -> tuple[int, int]:
    return (
        _whole(request, "page", 1, 1, 100_000),
        _whole(
            request,
            "per_page",
            min(DEFAULT_PER_PAGE, FULL_MAX_PER_PAGE) if full else DEFAULT_PER_PAGE,
            1,
            FULL_MAX_PER_PAGE if full else MAX_PER_PAGE,
        ),
    )


def _format(request) -> str:
    value = request.GET.get("format", "json").strip() or "json"
    if value not in ("json", "ndjson"):
        raise BadParameters({"format": _("Use json or ndjson.")})
    return value


def _modified_after(request):
    value = request.GET.get("modified_after", "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadParameters(
            {"modified_after": _("Use a date and time such as 2025-01-31T12:00:00Z.")}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _term(request):
    term_id = _uuid_param(request, "taxonomy_term_id")
    if term_id is None:
        return None
    for vocab in VOCABULARIES:
        for value, _term in vocab.values():
            if vocab.term_id(value) == term_id:
                return vocab, value
    raise BadParameters({"taxonomy_term_id": _("No taxonomy term has this id.")})


def _taxonomy(request):
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    if taxonomy_id is None:
        return None
    if str(taxonomy_id) not in BY_ID:
        raise BadParameters({"taxonomy_id": _("No taxonomy has this id.")})
    return BY_ID[str(taxonomy_id)]


def _place(request):
    """(the place of `postcode`, found as search finds it, and the proximity in metres or None)
    from `postcode` and `proximity`."""
    code = tidy(request.GET.get("postcode", ""), 10)
    proximity = request.GET.get("proximity", "").strip()
    if proximity and not code:
        raise BadParameters({"proximity": _("Give a postcode to measure the proximity from.")})
    if not code:
        return None, None
    place = engine.find_near(code) if code.isdigit() else None
    if place is None:
        raise BadParameters({"postcode": _("Give a Belgian postcode, such as 5000.")})
    if not proximity:
        return place, None
    try:
        metres = float(proximity)
    except ValueError:
        metres = -1
    if not 0 < metres <= 200_000:
        raise BadParameters({"proximity": _("Use a distance in metres, up to 200000.")})
    return place, metres


# Filters


def _term_filter(vocab, value) -> Q:
    if vocab.model is not None:
        return Q(**{f"{vocab.field}__slug": value})
    if vocab.key == "referral":
        return Q(referral_required=value == "required")
    if vocab.key in ("practicality",):
        return Q(**{value: True})
    if vocab.key == "joining":
        return Q(**{f"{value}__isnull": False})
    if vocab.entity == "organization":
        return Q(organisation__kind=value)
    return Q(**{vocab.field: value})


def _taxonomy_filter(vocab) -> Q:
    if vocab.model is not None:
        return Q(**{f"{vocab.field}__isnull": False})
    if vocab.key == "referral":
        return Q(referral_required__isnull=False)
    if vocab.key == "practicality":
        return Q(step_free=True) | Q(hearing_loop=True) | Q(childcare=True) | Q(evening=True)
    if vocab.key == "joining":
        return Q(next_start__isnull=False) | Q(seats_left__isnull=False)
    if vocab.entity == "organization":
        return ~Q(organisation__kind="")
    return ~Q(**{vocab.field: ""})


def _near(groups, place, metres):
    """The groups whose area covers the postcode, and those that meet there: in it or its
    municipalities; or, with a proximity, the ones a search near the postcode within that
    distance finds (search.engine.nearby, the one "near me")."""
    covering = Q(service_area__in=place.municipalities)
    if metres is None:
        return groups.filter(
            covering
            | Q(locations__postcode=place.postcode)
            | Q(locations__municipality__in=place.municipalities)
        )
    return groups.filter(covering | Q(pk__in=engine.nearby(place, metres / 1000)))


class _NearestFirst:
    """A queryset's groups in the order of `nearest` (engine.nearby), then the others (those
    covering the place) in the queryset's order, fetched a page or a chunk at a time: the part
    of a queryset `services` uses (slices, count, iterator)."""

    def __init__(self, groups, nearest: list[int]):
        rank = {pk: n for n, pk in enumerate(nearest)}
        self.groups = groups
        self.pks = sorted(
            groups.values_list("pk", flat=True), key=lambda pk: rank.get(pk, len(rank))
        )

    def count(self) -> int:
        return len(self.pks)

    def __getitem__(self, chosen: slice) -> list:
        pks = self.pks[chosen]
        found = self.groups.in_bulk(pks)
        return [found[pk] for pk in pks]

    def iterator(self, chunk_size: int):
        for start in range(0, len(self.pks), chunk_size):
            yield from self[start : start + chunk_size]


def _filtered_groups(request):
    groups = Group.objects.listed()
    search = tidy(request.GET.get("search", ""), 200)
    if search:
        found = matching_ids(search)
        if found is not None:
            groups = groups.filter(pk__in=found[0])
    term = _term(request)
    if term:
        groups = groups.filter(_term_filter(*term))
    taxonomy = _taxonomy(request)
    if taxonomy:
        groups = groups.filter(_taxonomy_filter(taxonomy))
    organisation_id = _uuid_param(request, "organization_id")
    if organisation_id:
        groups = groups.filter(organisation__public_id=organisation_id)
    modified_after = _modified_after(request)
    if modified_after:
        groups = groups.filter(updated_at__gte=modified_after)
    place, metres = _place(request)
    if place:
        groups = _near(groups, place, metres)
    # Filters across relations may repeat a group: ids once, then the full rows.
    return Group.objects.filter(pk__in=groups.values("pk"))


# Answers


def _paged(request, items, total: int, page: int, per_page: int) -> JsonResponse:
    pages = math.ceil(total / per_page)
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(items),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not items,
            "contents": items,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _streamed(rows, render, lines: bool = False) -> StreamingHttpResponse:
    """Every result, one JSON object per line, without pages (format=ndjson). With `lines`,
    `render` turns each row into several records."""
    language = translation.get_language()

    def output():
        with translation.override(language):
            for row in rows:
                for record in render(row) if lines else [render(row)]:
                    yield json.dumps(record, ensure_ascii=False) + "\n"

    return StreamingHttpResponse(output(), content_type=NDJSON)


# The filters of each list: a whole dataset comes from a file, which has none.
SERVICE_FILTERS = (
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "postcode",
    "proximity",
)


def _dump(request, endpoint: str, flag: str, filters=()):
    """A whole dataset in full, from the file `export_hsds --dumps` wrote (see dumps.py), with
    its date; a 503 saying so when there is none yet. Never built while the client waits."""
    used = [name for name in filters if request.GET.get(name, "").strip()]
    if used:
        raise BadParameters(
            {
                used[0]: _(
                    "The whole dataset (format=ndjson with %(flag)s=true) comes without filters: "
                    "leave this out, or ask for pages with format=json."
                )
                % {"flag": flag}
            }
        )
    path = dumps.path_of(endpoint, flag, translation.get_language())
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        missing = _errors(
            {
                "format": _(
                    "The whole dataset has not been written yet (“%(command)s” writes it). "
                    "Meanwhile, ask for pages with format=json."
                )
                % {"command": dumps.COMMAND}
            },
            503,
        )
        missing["Retry-After"] = "3600"
        return missing
    stat = os.fstat(handle.fileno())
    response = FileResponse(handle, content_type=NDJSON)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["ETag"] = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    answer = get_conditional_response(
        request, etag=response["ETag"], last_modified=int(stat.st_mtime), response=response
    )
    if answer is not response:
        handle.close()
    return answer


def _one(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


@hsds_view
def root(request):
    """What this API is: HSDS version, profile and OpenAPI document, whose work HSDS is, and
    where the whole datasets are, in this language, with when they were written (null: not
    written yet)."""
    language = translation.get_language()
    return _one(
        {
            "version": spec.VERSION,
            "profile": absolute_url(reverse("directory:about")) + "#open-data",
            "openapi_url": absolute_url(reverse("hsds:openapi")),
            "attribution": {
                "text": spec.ATTRIBUTION,
                "url": spec.ATTRIBUTION_URL,
                "license": spec.LICENSE,
                "license_url": spec.LICENSE_URL,
            },
            "full_datasets": [
                {
                    "url": absolute_url(
                        f"{reverse(f'hsds:{endpoint}')}?{flag}=true&format=ndjson&lang={language}"
                    ),
                    "language": language,
                    "last_modified": records.iso(dumps.made_at(endpoint, flag, language)),
                }
                for endpoint, flag in dumps.KINDS
            ],
        }
    )


@hsds_view
def openapi(request):
    return _one(document())


@hsds_view
def services(request):
    minimal, full = _flag(request, "minimal"), _flag(request, "full")
    page, per_page = _page(request, full=full and not minimal)
    form = _format(request)
    _count_heavy(request, full or form == "ndjson")
    if full and not minimal and form == "ndjson":
        return _dump(request, "services", "full", SERVICE_FILTERS)
    groups = _filtered_groups(request).select_related("organisation").order_by("slug")
    if full:
        groups = groups.prefetch_related(*records.GROUP_PREFETCH)
    elif not minimal:
        groups = groups.prefetch_related("audiences")
    place, metres = _place(request)
    if metres is not None:
        # Near a place, the nearest first: the order of a search sorted by distance.
        groups = _NearestFirst(groups, engine.nearby(place, metres / 1000))
    terms = records.term_records() if full and not minimal else None

    def render(group):
        if minimal:
            return {"id": str(group.public_id), "last_modified": records.iso(group.updated_at)}
        return records.service(group, terms) if full else records.service_summary(group)

    if form == "ndjson":
        return _streamed(groups.iterator(chunk_size=500), render)
    start = (page - 1) * per_page
    items = [render(g) for g in groups[start : start + per_page]]
    return _paged(request, items, groups.count(), page, per_page)


@hsds_view
def service(request, service_id):
    group = records.listed_groups().filter(public_id=_parse_id(service_id)).first()
    if group is None:
        raise Http404
    return _one(records.service(group))


def _organisations(request):
    found = records.public_organisations()
    search = fold(tidy(request.GET.get("search", ""), 200))
    if search:
        words = search.split()
        found = [
            org
            for org in found
            if all(w in fold(" ".join([org.name, org.description])) for w in words)
        ]
    return list(found)


def _organisation_records(orgs, full: bool, full_service: bool) -> list[dict]:
    if not (full or full_service):
        return [records.organization_summary(org) for org in orgs]
    return records.organization_records(orgs, full_services=full_service)


@hsds_view
def organizations(request):
    full, full_service = _flag(request, "full"), _flag(request, "full_service")
    page, per_page = _page(request, full=full or full_service)
    form = _format(request)
    _count_heavy(request, full or full_service or form == "ndjson")
    if form == "ndjson" and (full or full_service):
        flag = "full_service" if full_service else "full"
        return _dump(request, "organizations", flag, ("search",))
    found = _organisations(request)
    if form == "ndjson":
        return _streamed(found, records.organization_summary)
    start = (page - 1) * per_page
    items = _organisation_records(found[start : start + per_page], full, full_service)
    return _paged(request, items, len(found), page, per_page)


@hsds_view
def organization(request, organization_id):
    org = records.public_organisations().filter(public_id=_parse_id(organization_id)).first()
    if org is None:
        raise Http404
    return _one(_organisation_records([org], True, _flag(request, "full_service"))[0])


@hsds_view
def taxonomies(request):
    page, per_page = _page(request)
    search = fold(tidy(request.GET.get("search", ""), 200))
    found = [
        records.taxonomy(v)
        for v in VOCABULARIES
        if not search or search in fold(f"{v.name} {v.description} {v.key}")
    ]
    if _format(request) == "ndjson":
        return _streamed(found, lambda record: record)
    start = (page - 1) * per_page
    return _paged(request, found[start : start + per_page], len(found), page, per_page)


@hsds_view
def taxonomy(request, taxonomy_id):
    found = BY_ID.get(str(_parse_id(taxonomy_id)))
    if found is None:
        raise Http404
    return _one(records.taxonomy(found))


@hsds_view
def taxonomy_terms(request):
    page, per_page = _page(request)
    search = fold(tidy(request.GET.get("search", ""), 200))
    vocabulary = _taxonomy(request)
    parent_id = _uuid_param(request, "parent_id")
    top_only = _flag(request, "top_only")
    found = []
    for record in records.all_taxonomy_terms():
        if vocabulary and record["taxonomy_id"] != str(vocabulary.id):
            continue
        if parent_id and record.get("parent_id") != str(parent_id):
            continue
        if top_only and record.get("parent_id"):
            continue
        if search and search not in fold(
            f"{record['name']} {record['description']} {record['code']}"
        ):
            continue
        found.append(record)
    if _format(request) == "ndjson":
        return _streamed(found, lambda record: record)
    start = (page - 1) * per_page
    return _paged(request, found[start : start + per_page], len(found), page, per_page)


@hsds_view
def taxonomy_term(request, term_id):
    wanted = str(_parse_id(term_id))
    for record in records.all_taxonomy_terms():
        if record["id"] == wanted:
            return _one(record)
    raise Http404


# Service at location: one per location of a listed group. Their ids are derived (see
# vocabulary.child_id), so finding one by id needs a map, kept per process and rebuilt when the
# data changes.
_sal_index = {"version": None, "ids": {}}
_sal_lock = threading.Lock()


def _sal_ids() -> dict:
    version = (data_changed_at(), Location.objects.count())
    with _sal_lock:
        if _sal_index["version"] != version:
            ids = {}
            rows = Location.objects.filter(group__in=Group.objects.listed()).order_by("pk")
            positions = {}
            for location_pk, group_pk, public_id in rows.values_list(
                "pk", "group_id", "group__public_id"
            ):
                index = positions.get(group_pk, 0)
                positions[group_pk] = index + 1
                ids[records.child_id(public_id, "service_at_location", index)] = (
                    group_pk,
                    location_pk,
                )
            _sal_index.update(version=version, ids=ids)
        return _sal_index["ids"]


def _sal_record(group, index, loc, full: bool, terms=None) -> dict:
    record = records.service_at_location(group, index, loc)
    if full:
        record["service"] = records.service(group, terms)
        return record
    record["location"] = {k: v for k, v in record["location"].items() if not isinstance(v, list)}
    record["service"] = records.service_summary(group)
    return record


def _sal_rows(request) -> list[tuple[int, int]]:
    """(group pk, location pk) of every service-at-location asked for, in order: plain
    numbers, so a page only loads the groups it shows."""
    locations = Location.objects.filter(group__in=_filtered_groups(request)).order_by(
        "group__slug", "pk"
    )
    place, metres = _place(request)
    rows = []
    for group_pk, location_pk, lat, lon in locations.values_list(
        "group_id", "pk", "latitude", "longitude"
    ):
        if metres is not None and (
            lat is None or distance_km(place.latitude, place.longitude, lat, lon) > metres / 1000
        ):
            continue
        rows.append((group_pk, location_pk))
    return rows


def _sal_records(rows, full: bool) -> list[dict]:
    groups = records.listed_groups().in_bulk({group_pk for group_pk, _ in rows})
    terms = records.term_records() if full else None
    found = []
    for group_pk, location_pk in rows:
        group = groups[group_pk]
        for index, loc in records.service_at_locations(group):
            if loc.pk == location_pk:
                found.append(_sal_record(group, index, loc, full=full, terms=terms))
    return found


@hsds_view
def service_at_locations(request):
    full = _flag(request, "full")
    page, per_page = _page(request, full=full)
    form = _format(request)
    _count_heavy(request, full or form == "ndjson")
    if full and form == "ndjson":
        return _dump(request, "service_at_locations", "full", SERVICE_FILTERS)
    rows = _sal_rows(request)
    if form == "ndjson":
        chunks = (rows[i : i + 200] for i in range(0, len(rows), 200))
        return _streamed(chunks, lambda chunk: _sal_records(chunk, full), lines=True)
    start = (page - 1) * per_page
    items = _sal_records(rows[start : start + per_page], full)
    return _paged(request, items, len(rows), page, per_page)


@hsds_view
def service_at_location(request, sal_id):
    found = _sal_ids().get(str(_parse_id(sal_id)))
    if found is None:
        raise Http404
    group = records.listed_groups().filter(pk=found[0]).first()
    if group is None:
        raise Http404
    for index, loc in records.service_at_locations(group):
        if loc.pk == found[1]:
            return _one(_sal_record(group, index, loc, full=True))
    raise Http404


# The OpenAPI document: the specification's own, completed with who we are, where the API
# lives, and what we add (lang) or answer besides 200 (errors in JSON).


def document() -> dict:
    doc = json.loads(json.dumps(spec.openapi()))
    doc["info"] = {
        "title": "Healing Together HSDS API",
        "version": "1",
        "summary": "Group therapy and support groups in Belgium, as Open Referral HSDS 3.0.",
        "description": (
            "Published listings of Healing Together in the Human Services Data Specification "
            f"(HSDS) {spec.VERSION}. This document adapts the specification's openapi.json: "
            f"{spec.ATTRIBUTION} ({spec.ATTRIBUTION_URL}), licensed under {spec.LICENSE}. "
            "It is shared under the same licence. Texts come in the language of `lang` "
            "(en, fr, nl or de) or of Accept-Language. Errors are JSON objects "
            '{"errors": {"<parameter>": "<message>"}}: 400 for a bad parameter, 404 for an '
            "unknown id, 429 when a client asks too often. Full records (full, full_service) "
            "come at most 50 a page and count against a smaller limit of their own; whole "
            "datasets in full (format=ndjson) are files written ahead, without filters, dated "
            "by Last-Modified and listed at the root (full_datasets)."
        ),
        "license": {"name": spec.LICENSE, "url": spec.LICENSE_URL},
    }
    doc["servers"] = [{"url": absolute_url("/api/hsds")}]
    doc["components"]["parameters"]["lang"] = {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of names, descriptions and labels: en, fr, nl or de.",
        "schema": {"type": "string", "enum": list(CONTENT_LANGUAGES)},
    }
    doc["components"]["schemas"]["Errors"] = {
        "type": "object",
        "properties": {"errors": {"type": "object", "additionalProperties": {"type": "string"}}},
        "required": ["errors"],
    }
    errors = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "get":
                continue
            operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/lang"})
            responses = operation.setdefault("responses", {})
            responses["400"] = {"description": "A parameter is not valid.", **errors}
            responses["429"] = {"description": "Too many requests from this client.", **errors}
            if "{id}" in path:
                responses["404"] = {"description": "No public record has this id.", **errors}
            if path in ("/services", "/organizations", "/service_at_locations"):
                responses["503"] = {
                    "description": "The whole dataset (format=ndjson in full) is not written yet.",
                    **errors,
                }
    root = doc["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    root["schema"]["properties"]["full_datasets"] = {
        "type": "array",
        "description": (
            "The whole datasets in full (format=ndjson), in the language asked, and when each "
            "was written (null: not yet)."
        ),
        "items": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "format": "uri"},
                "language": {"type": "string"},
                "last_modified": {"type": ["string", "null"], "format": "date-time"},
            },
        },
    }
    return doc
