"""Small helpers about requests and redirects, shared by every app."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, candidate: str | None = None, fallback: str = "") -> str:
    """Where to go after a form: `candidate` (by default the `next` field of the POST, else of
    the query string) if it stays on this site, else `fallback`; never an open redirect."""
    if candidate is None:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else fallback
