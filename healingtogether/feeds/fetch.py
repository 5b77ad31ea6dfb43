"""Fetch a feed safely: http(s) only, public addresses only, small and quick.

The host name is resolved here and the connection goes to the address that was checked, so a
name that resolves to a public address for the check and to a private one for the connection
(DNS rebinding) gets nowhere. Redirects are followed by hand, at most MAX_REDIRECTS, each one
checked like the first address. settings.SOURCES_ALLOW_PRIVATE lifts the address check (tests,
or a deployment whose feeds live on its own network).
"""

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_REDIRECTS = 3
CONTENT_TYPES = {
    "meeting_guide": {"application/json", "text/json", "text/plain"},
    "hsds": {"application/json", "text/json", "text/plain"},
    "ical": {"text/calendar", "text/plain", "application/ics", "application/octet-stream"},
}


class FetchError(Exception):
    """A feed that could not be fetched; the message says why, for moderators."""


@dataclass
class Response:
    status: int  # 200, or 304 when the feed has not changed
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def user_agent() -> str:
    return f"HealingTogether-FeedSync/1.0 (+{settings.SITE_URL})"


def _address(host: str, port: int) -> str:
    """The address to connect to: the first the name resolves to, refused unless public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(_("%(host)s cannot be resolved.") % {"host": host}) from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not settings.SOURCES_ALLOW_PRIVATE:
        for address in addresses:
            if (
                address.is_loopback
                or address.is_private
                or address.is_link_local
                or address.is_multicast
                or address.is_reserved
                or address.is_unspecified
                or not address.is_global
            ):
                raise FetchError(
                    _("%(host)s resolves to %(address)s, which is not a public address; refused.")
                    % {"host": host, "address": address}
                )
    return str(addresses[0])


class _Pinned(http.client.HTTPConnection):
    """Connects to the address we checked, whatever the name resolves to by now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _read(response, deadline: float, timeout: int) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_BYTES:
        raise FetchError(_("The feed is larger than %(size)d MB; refused.") % {"size": MAX_MB})
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(
                _("The feed took longer than %(seconds)d seconds; stopped.") % {"seconds": timeout}
            )
        chunk = response.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(_("The feed is larger than %(size)d MB; refused.") % {"size": MAX_MB})
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(body: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        text = inflater.decompress(body, MAX_BYTES + 1)
    except zlib.error as error:
        raise FetchError(_("The feed's gzip compression is broken.")) from error
    if len(text) > MAX_BYTES or inflater.unconsumed_tail:
        raise FetchError(_("The feed is larger than %(size)d MB; refused.") % {"size": MAX_MB})
    return text


def read_upload(field) -> bytes:
    """The content of a source's uploaded file (a FieldFile), at most MAX_MB; raises FetchError."""
    try:
        with field.open("rb") as handle:
            body = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise FetchError(
            _("The uploaded file %(name)s cannot be read.") % {"name": field.name}
        ) from error
    if len(body) > MAX_BYTES:
        raise FetchError(_("The feed is larger than %(size)d MB; refused.") % {"size": MAX_MB})
    return body


def fetch(url: str, kind: str, etag: str = "", last_modified: str = "") -> Response:
    """GET `url` for a feed of format `kind`, conditionally; raises FetchError."""
    timeout = settings.SOURCES_TIMEOUT
    deadline = time.monotonic() + timeout
    for _redirect in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(_("%(url)s is not an http or https address; refused.") % {"url": url})
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _address(parts.hostname, port)
        kind_of = _PinnedTLS if parts.scheme == "https" else _Pinned
        connection = kind_of(parts.hostname, port, address, timeout=timeout)
        headers = {"User-Agent": user_agent(), "Accept-Encoding": "gzip", "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("%(url)s redirects without saying where.") % {"url": url})
                url = urljoin(url, location)
                continue
            if response.status == 304:
                return Response(304, etag=etag, last_modified=last_modified)
            if response.status != 200:
                raise FetchError(
                    _("%(url)s answered %(status)s.") % {"url": url, "status": response.status}
                )
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if content_type and content_type.lower() not in CONTENT_TYPES[kind]:
                raise FetchError(
                    _("%(url)s sent %(type)s, which is not a feed of this format; refused.")
                    % {"url": url, "type": content_type}
                )
            body = _read(response, deadline, timeout)
            if (response.getheader("Content-Encoding") or "").lower() == "gzip":
                body = _gunzip(body)
            return Response(
                200,
                body,
                etag=response.getheader("ETag") or "",
                last_modified=response.getheader("Last-Modified") or "",
            )
        except TimeoutError as error:
            raise FetchError(
                _("%(url)s did not answer within %(seconds)d seconds.")
                % {"url": url, "seconds": timeout}
            ) from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(
                _("%(url)s could not be fetched (%(error)s).") % {"url": url, "error": error}
            ) from error
        finally:
            connection.close()
    raise FetchError(
        _("%(url)s redirects more than %(count)d times; stopped.")
        % {"url": url, "count": MAX_REDIRECTS}
    )
