"""What a parser gives the sync: one Entry per listing the feed describes, in listing data."""

import html
import re
from dataclasses import dataclass, field
from datetime import date

import nh3
from django.core.exceptions import ValidationError

from healingtogether.directory import listing
from healingtogether.directory.models import Group
from healingtogether.lib.text import fold
from healingtogether.lib.validators import validate_web_url
from healingtogether.places.models import PostalCode

POSTCODE = re.compile(r"(?<!\d)([1-9]\d{3})(?!\d)")
BELGIAN_COUNTRY = {"", "be", "bel", "belgium", "belgique", "belgie", "belgien", "belgica"}
# Belgium and a margin, as the HSDS importer checks it.
BELGIUM_BOX = (49.45, 51.55, 2.50, 6.45)


@dataclass
class Entry:
    key: str
    data: dict
    flags: list = field(default_factory=list)
    hidden: bool = False  # the feed says it is not held for now: not shown
    source_date: date | None = None
    # What decides "unchanged" (the data without what moves by itself, such as a chosen dtstart).
    stable: dict | None = None


@dataclass
class Parsed:
    entries: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # records left out, with why


def plain_text(value, limit: int | None = None) -> str:
    """Feed text as plain text: tags dropped (scripts and styles with their content), entities
    read, spaces tidied, line breaks kept. Pages escape it again when they show it."""
    if value is None:
        return ""
    text = html.unescape(nh3.clean(str(value).replace("\x00", ""), tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:limit] if limit else text


def web_url(value) -> str:
    value = plain_text(value)
    if not value or len(value) > listing.limit(Group, "website"):
        return ""
    try:
        validate_web_url(value)
    except ValidationError:
        return ""
    return value


def belgian_postcode(*texts) -> str:
    """The first Belgian postcode we know in these texts, or ""."""
    for text in texts:
        for code in POSTCODE.findall(str(text or "")):
            if PostalCode.objects.filter(code=code).exists():
                return code
    return ""


def is_belgian_country(country) -> bool:
    return fold(str(country or "")).replace(" ", "") in BELGIAN_COUNTRY


def in_belgium(latitude, longitude) -> bool:
    south, north, west, east = BELGIUM_BOX
    return south <= latitude <= north and west <= longitude <= east
