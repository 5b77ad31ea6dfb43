"""What a visitor sees while the database is unreachable: a calm 503 that still lists the crisis
lines, built without touching the database.

The helplines every page shows come from the database (directory/context_processors.py), so the
outage page reads its own copy of them, once, from the bundled data/be-resources.json: the same
records the loader puts in the database, chosen by the same list (HELPLINES in
directory/context_processors.py), never a number typed by hand. This module is loaded with the
middleware, after the app registry is ready.
"""

import json
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape

from healingtogether.lib.helplines import HELPLINES as HELPLINE_IDS
from healingtogether.lib.i18n import FALLBACKS

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def _load_helplines() -> dict[str, list[dict]]:
    """{language: [{name, phone, hours}]} from the bundled data files."""
    data_dir = settings.BASE_DIR / "data"
    records = {r["id"]: r for r in json.loads((data_dir / "be-resources.json").read_text())}
    translations = json.loads((data_dir / "be-resources.translations.json").read_text())
    lines = {}
    for language, ids in HELPLINE_IDS.items():
        lines[language] = []
        for record_id in ids:
            record = records.get(record_id)
            if not record or not record.get("phone"):
                continue
            name = next(
                (record["name"][c] for c in FALLBACKS[language] if record["name"].get(c)), ""
            )
            hours = (translations.get(record_id, {}).get("hours") or {}).get(language, "")
            lines[language].append({"name": name, "phone": record["phone"], "hours": hours})
    return lines


HELPLINES = _load_helplines()


def _language(request) -> str:
    language = translation.get_language_from_path(request.path_info)
    if not language:
        language = translation.get_language_from_request(request)
    return language if language in HELPLINES else settings.LANGUAGE_CODE


def unavailable(request) -> HttpResponse:
    """The 503 for one request: JSON for the API, a translated page for everything else."""
    language = _language(request)
    with translation.override(language):
        if request.path_info.startswith("/api/"):
            # Like the API's other errors, in plain English for the program that reads it.
            response = JsonResponse({"errors": {"service": "temporarily unavailable"}}, status=503)
        else:
            context = {"helplines": HELPLINES[language], "LANGUAGE_CODE": language}
            try:
                body = render_to_string("503.html", context)
            except Exception:  # e.g. static files not collected: still answer plainly
                logger.exception("503.html could not be rendered")
                body = "<!doctype html><title>503</title><p>{}</p>".format(
                    escape(translation.gettext("We're sorry. Please try again in a moment."))
                )
            response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


def _database_error(exc: BaseException | None) -> bool:
    # The database cannot be reached or answer: refused or lost connections, a missing SQLite
    # file, a lock held too long. Errors in our own SQL (ProgrammingError, IntegrityError) stay
    # 500s, so a bug never hides behind "try again later".
    return isinstance(exc, (OperationalError, InterfaceError))


def _mark_request(sender, request=None, **kwargs):
    # Sent while Django handles an uncaught exception anywhere inside the middleware stack (a
    # middleware, a view, a template, a context processor); the middleware below then swaps the
    # 500 for a 503.
    if request is not None and _database_error(sys.exc_info()[1]):
        request._database_unavailable = True


got_request_exception.connect(_mark_request, dispatch_uid="healingtogether.outage")


def database_outage(get_response):
    """Answer every request with the outage page when the database fails during it."""

    def middleware(request):
        response = get_response(request)
        if getattr(request, "_database_unavailable", False):
            return unavailable(request)
        return response

    def process_exception(request, exception):
        if _database_error(exception):
            logger.warning("database unavailable: %s", str(exception).strip())
            return unavailable(request)
        return None

    middleware.process_exception = process_exception
    return middleware
