"""Pages and API answers compressed for the browsers that accept gzip, at a level chosen for
speed.

Django's GZipMiddleware compresses at zlib's level 6. At level 4 (nginx's own default is 1), a
search page of 67 KB is compressed in 0.63 ms instead of 1.2 ms, and weighs 14.2 KB on the wire
instead of 13.4 KB; an API answer of 30 KB in 0.27 ms instead of 0.38 ms, 7.4 KB instead of
7.0 KB. Levels 2 and 3 were faster still, but a test page then weighed about a quarter of its
size, over it now and then with the random padding. Streamed responses (downloads) are left to
Django's middleware.

As with Django's, each compressed response carries a random number of random bytes in its
header (the gzip member's file name, which browsers ignore), so that its length does not give
away how well a guess at a secret on the page compressed (BREACH).
"""

import gzip
import io
import re
import secrets

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

LEVEL = 4
SHORTEST = 200  # bytes: a shorter body is sent as it is
PADDING = 100  # at most this many random bytes in a compressed response's header
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def compress(get_response):
    streamed = GZipMiddleware(get_response)

    def middleware(request):
        response = get_response(request)
        if response.streaming:
            return streamed.process_response(request, response)
        if len(response.content) < SHORTEST or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        packed = packed_with_padding(response.content)
        if len(packed) >= len(response.content):
            return response
        response.content = packed
        response.headers["Content-Length"] = str(len(packed))
        response.headers["Content-Encoding"] = "gzip"
        # A strong ETag names exact bytes, which these no longer are; a weak one still matches.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        return response

    return middleware


def packed_with_padding(content: bytes) -> bytes:
    buffer = io.BytesIO()
    name = secrets.token_hex(secrets.randbelow(PADDING // 2) + 1)  # 2 to PADDING characters
    with gzip.GzipFile(name, "wb", LEVEL, buffer, mtime=0) as packed:
        packed.write(content)
    return buffer.getvalue()
