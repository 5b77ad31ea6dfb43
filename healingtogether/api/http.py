"""What every open-data answer shares (JSON API, HSDS, calendars): any site may read it (CORS),
each client is counted (rate limit), and a client that has it already revalidates cheaply (ETag,
Last-Modified, 304 Not Modified).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.db.models import Max
from django.http import JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group, Organisation
from healingtogether.lib.ratelimit import client_key, limited

# Requests per client per window (seconds); settings may change them.
RATE_LIMIT = 600
RATE_WINDOW = 60
# Caches may keep an answer this long before asking again (seconds).
MAX_AGE = 300
# Query parameters that hold what a person looked for or where they are: answers to them are
# for the asker's own cache only, never a shared one (a proxy, a CDN).
SEARCH_TERMS = ("q", "near", "search", "postcode", "place")


def rate_limit() -> tuple[int, int]:
    return (
        getattr(settings, "API_RATE_LIMIT", RATE_LIMIT),
        getattr(settings, "API_RATE_WINDOW", RATE_WINDOW),
    )


def data_changed_at():
    """When public data last changed: the latest update of a group or an organisation. Every
    change of what the public sees (an edit, a publication, an archival) moves one of them."""
    latest = [
        Group.objects.aggregate(at=Max("updated_at"))["at"],
        Organisation.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    return max((at for at in latest if at is not None), default=None)


def too_many_requests(window: int) -> JsonResponse:
    response = JsonResponse(
        {"errors": {"rate": _("Too many requests. Wait a minute and try again.")}}, status=429
    )
    response["Retry-After"] = str(window)
    return response


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def open_data(view):
    """Wrap a read-only view: CORS for GET, a per-client rate limit (429 in JSON), an ETag from
    the content and a Last-Modified from the data, answering 304 when the client has it already.

    A view may set Last-Modified itself when its answer also changes with time (next sessions).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        limit, window = rate_limit()
        # A limit of 0 turns it off (settings.API_RATE_LIMIT).
        if limit and limited("open-data", client_key(request), limit, window):
            response = too_many_requests(window)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                response = _conditional(request, response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        patch_vary_headers(response, ["Accept-Language"])
        if response.status_code in (200, 304):
            if holds_search_terms(request):
                patch_cache_control(response, private=True, max_age=MAX_AGE)
            else:
                patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return wrapped


def holds_search_terms(request) -> bool:
    return any(value.strip() for name in SEARCH_TERMS for value in request.GET.getlist(name))


def _conditional(request, response):
    response["ETag"] = etag_of(response.content)
    if not response.has_header("Last-Modified"):
        # A search says when the data it was answered from changed (its snapshot's version);
        # other answers ask the database.
        changed = getattr(request, "data_changed_at", None) or data_changed_at()
        if changed is not None:
            response["Last-Modified"] = http_date(changed.timestamp())
    conditional = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=_timestamp(response.get("Last-Modified")),
        response=response,
    )
    return conditional


def _timestamp(header: str | None) -> int | None:
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(header) if header else None
