"""Pages that are the same for every visitor without an account (home, a topic, a group) may be
kept for a few minutes by the browser and by shared caches: `@public_page` marks a view, and
`public_cache` (a middleware outside the session and CSRF ones, so it sees every cookie they
set) sends `Cache-Control: public, max-age=300` on its answer, but only when nothing in it is
personal: a GET or HEAD answered 200, from a request that carries no session cookie (no one is
signed in, no message waits), with no cookie set by the answer (a CSRF token, a message, a
language). Anything else gets no such header: the browser asks again.
"""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control

MAX_AGE = 300


def public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapped


def is_public(request, response) -> bool:
    return (
        getattr(response, "public_page", False)
        and request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.cookies
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not response.has_header("Cache-Control")
    )


def public_cache(get_response):
    def middleware(request):
        response = get_response(request)
        if is_public(request, response):
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return middleware
