"""A logging filter that keeps what a log line must never say out of our logs: query strings
(search terms are health data), client addresses, and the secret parts of links from our emails.

Used by gunicorn's loggers (gunicorn.conf.py) and by Django's (settings.LOGGING). It rewrites the
finished message, and the traceback if any, so it works whatever the format of the line.
"""

import logging
import re

# The secret segments of links from our emails, after the language prefix: /en/confirm/<token>/,
# /en/invitations/<token>/, /en/account/verify/<uid>/<token>/,
# /en/account/password/reset/<uid>/<token>/. "resend", "sent" and "done" pages have one segment
# and stay as they are.
_SEGMENT = r"[^/\s?#\"']+"
TOKEN_PATHS = [
    re.compile(rf"(/[a-z]{{2}}/confirm/){_SEGMENT}"),
    re.compile(rf"(/[a-z]{{2}}/invitations/){_SEGMENT}"),
    re.compile(rf"(/[a-z]{{2}}/account/verify/){_SEGMENT}/{_SEGMENT}"),
    re.compile(rf"(/[a-z]{{2}}/account/password/reset/){_SEGMENT}/{_SEGMENT}"),
]
HIDDEN = "[hidden]"

QUERY = re.compile(r"\?[^\s\"']*")
IP_FIELD = re.compile(r"\bip=\S+?(?=:?\s|:?$)")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# IPv6 addresses with "::" (as most are written), or all eight groups.
IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){1,7}:(?:[0-9A-Fa-f]{0,4}:){0,6}[0-9A-Fa-f]{0,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
)


def scrub(text: str) -> str:
    for pattern in TOKEN_PATHS:
        text = pattern.sub(rf"\g<1>{HIDDEN}/", text)
    text = text.replace(f"{HIDDEN}//", f"{HIDDEN}/")
    text = QUERY.sub("", text)
    text = IP_FIELD.sub(f"ip={HIDDEN}", text)
    text = IPV4.sub(HIDDEN, text)
    return IPV6.sub(HIDDEN, text)


class PrivateRequestFilter(logging.Filter):
    """Let every record through, with query strings, addresses and link tokens cut out."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
