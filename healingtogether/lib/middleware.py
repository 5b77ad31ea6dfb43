"""Response headers that keep a seeker's visit private and the page safe, and the language of
the API."""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header

# Everything a page needs is served by us: no other host is ever contacted, and no inline script
# can run, so an injected <script> does nothing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def accept_language(request) -> str:
    """The first of our languages the Accept-Language header asks for; else the default."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def api_language(get_response):
    """/api/ answers are in the language of `lang` (each view reads it) or of Accept-Language,
    never of the django_language cookie that LocaleMiddleware also reads: a cache that keys its
    copies on Accept-Language alone (Vary) would otherwise hand one visitor's French answer to
    everyone who asked in English. Comes right after LocaleMiddleware."""

    def middleware(request):
        if request.path_info.startswith("/api/"):
            language = accept_language(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware
