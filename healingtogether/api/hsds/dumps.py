"""The HSDS API's full datasets as files: `services?full=true&format=ndjson` and its kin give
every public record in full, too much to build while a client waits (at 30,000 groups, longer
than a worker may take). `export_hsds --dumps` writes them, one file per variant and language,
into settings.HSDS_DUMP_DIR, again only once public data changed; the API serves the file with
its date, or says it is not there yet.

Each file holds exactly what the API's own pages give, one JSON record a line, in the same
order (services and their service-at-locations by slug, organisations by creation).
"""

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import translation

from healingtogether.api.http import data_changed_at
from healingtogether.lib.i18n import CONTENT_LANGUAGES

from . import records

# (endpoint, flag): the variants kept as files.
KINDS = [
    ("services", "full"),
    ("organizations", "full"),
    ("organizations", "full_service"),
    ("service_at_locations", "full"),
]
COMMAND = "python manage.py export_hsds --dumps"
CHUNK = 500


def folder() -> Path:
    return Path(settings.HSDS_DUMP_DIR)


def path_of(endpoint: str, flag: str, language: str) -> Path:
    return folder() / f"{endpoint}.{flag}.{language}.ndjson"


def made_at(endpoint: str, flag: str, language: str) -> datetime | None:
    """When the file was written, or None when there is none."""
    try:
        return datetime.fromtimestamp(path_of(endpoint, flag, language).stat().st_mtime, UTC)
    except FileNotFoundError:
        return None


def _organizations(terms, full_services: bool):
    organisations = list(records.public_organisations())
    for start in range(0, len(organisations), CHUNK):
        yield from records.organization_records(
            organisations[start : start + CHUNK], full_services=full_services, terms=terms
        )


def _write(outputs: dict, key, record) -> None:
    outputs[key].write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_language(outputs: dict) -> None:
    """Every variant in the active language. A service is built once for both the services
    and the service-at-locations files; organisations come in chunks, their groups read in one
    go per chunk."""
    terms = records.term_records()
    for group in records.listed_groups().order_by("slug").iterator(chunk_size=CHUNK):
        full = records.service(group, terms)
        _write(outputs, ("services", "full"), full)
        for index, loc in records.service_at_locations(group):
            record = records.service_at_location(group, index, loc)
            record["service"] = full
            _write(outputs, ("service_at_locations", "full"), record)
    for flag in ("full", "full_service"):
        for record in _organizations(terms, full_services=flag == "full_service"):
            _write(outputs, ("organizations", flag), record)


def up_to_date(languages=CONTENT_LANGUAGES) -> bool:
    """Every file is there and was written after the public data last changed."""
    changed = data_changed_at()
    for language in languages:
        for endpoint, flag in KINDS:
            written = made_at(endpoint, flag, language)
            if written is None or (changed is not None and written <= changed):
                return False
    return True


def write_all(languages=CONTENT_LANGUAGES) -> list[Path]:
    """Write every variant in every language. Each file appears whole or not at all: it is
    written beside its place under another name and moved there once complete."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        temporary = {}
        try:
            for kind in KINDS:
                handle, name = tempfile.mkstemp(dir=target, prefix=".", suffix=".part")
                temporary[kind] = (name, os.fdopen(handle, "w", encoding="utf-8"))
            with translation.override(language):
                _write_language({kind: out for kind, (_name, out) in temporary.items()})
            for kind, (name, out) in temporary.items():
                out.close()
                os.chmod(name, 0o644)
                os.replace(name, path_of(*kind, language))
                written.append(path_of(*kind, language))
        finally:
            for name, out in temporary.values():
                out.close()
                Path(name).unlink(missing_ok=True)
    return written
