"""Reconcile a source's feed with the listings it created before.

Each source syncs in its own transaction: one source's failure never stops the others and never
leaves half its changes. New and changed listings go through the one listing writer: a trusted
source's changes are applied at once, with an audit entry "changed by source <name>"; anyone
else's become revisions in the moderation queue (`proposals.submit`). A listing the feed has left
out of ARCHIVE_AFTER syncs in a row is archived, never deleted.
"""

import hashlib
import json
import logging
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healingtogether.accounts import proposals
from healingtogether.accounts.models import AuditEntry, Revision
from healingtogether.api.hsds import files, importer
from healingtogether.directory import listing
from healingtogether.directory.models import Group, Status

from . import ical
from .entries import Entry
from .fetch import FetchError, Response, fetch, read_upload
from .meeting_guide import parser as meeting_guide
from .models import ARCHIVE_AFTER, Item, Source

logger = logging.getLogger(__name__)
PARSERS = {Source.Format.MEETING_GUIDE: meeting_guide.parse, Source.Format.ICAL: ical.parse}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    errors: list = field(default_factory=list)
    reports: list = field(default_factory=list)  # points for moderators, such as an address abroad
    changes: list = field(default_factory=list)  # (what, key, name) per listing, for --dry-run
    seconds: float = 0.0
    result: str = ""

    def as_dict(self) -> dict:
        values = asdict(self)
        values["errors"] = len(self.errors)
        values["reports"] = len(self.reports)
        del values["changes"]
        return values


class _DryRun(Exception):
    pass


def _digest(entry: Entry) -> str:
    text = json.dumps([entry.stable or entry.data, entry.hidden], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _note(source: Source) -> str:
    return _("changed by source %(name)s") % {"name": source.name}


def _organisation(source: Source):
    if source.organisation is None:
        record = {"approved_at": timezone.now()} if source.trusted else {}
        source.organisation = listing.create_organisation(
            {f"name_{source.language}": source.name[:200]}, **record
        )
        Source.objects.filter(pk=source.pk).update(organisation=source.organisation)
    return source.organisation


def _group_key(source: Source, key: str) -> str:
    value = f"feed:{source.pk}:{key}"
    if len(value) > listing.limit(Group, "source_key"):
        value = f"feed:{source.pk}:#" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return value


def _archive(source: Source, group: Group, note: str) -> bool:
    if group.status == Status.ARCHIVED:
        return False
    group.revisions.pending().filter(author__isnull=True).update(state=Revision.State.WITHDRAWN)
    listing.set_status(Group.objects.filter(pk=group.pk), Status.ARCHIVED)
    AuditEntry.record(None, AuditEntry.Action.ARCHIVED, group, note=note)
    return True


def _write(source: Source, group: Group, entry: Entry) -> None:
    """The entry's data onto the group, trusted or through moderation."""
    if source.trusted:
        listing.save(group, entry.data, source_date=entry.source_date)
        if not entry.hidden:
            listing.set_status(Group.objects.filter(pk=group.pk), Status.PUBLISHED)
        AuditEntry.record(None, AuditEntry.Action.APPROVED, group, note=_note(source))
    else:
        if entry.source_date:
            listing.update(Group.objects.filter(pk=group.pk), source_date=entry.source_date)
        proposals.submit(group, entry.data, None, flags=entry.flags)


def _name(entry: Entry) -> str:
    return next((v for k, v in entry.data.items() if k.startswith("name_") and v), "")


def _reconcile(source: Source, entries: list[Entry], counts: Counts) -> None:
    items = {item.key: item for item in source.items.select_related("group")}
    now = timezone.now()
    for entry in entries:
        counts.reports.extend(f"{entry.key}: {flag}" for flag in entry.flags)
        item = items.pop(entry.key, None)
        digest = _digest(entry)
        if item is None:
            if entry.hidden:
                continue
            group = listing.create_group(
                _organisation(source),
                {
                    "kind": entry.data.get("kind"),
                    **{k: v for k, v in entry.data.items() if k.startswith("name_")},
                },
                source_key=_group_key(source, entry.key),
            )
            _write(source, group, entry)
            Item.objects.create(
                source=source, key=entry.key, group=group, digest=digest, seen_at=now
            )
            counts.created += 1
            counts.changes.append(("created", entry.key, _name(entry)))
            continue
        group = item.group
        item.missing, item.seen_at = 0, now
        if item.digest == digest and not (group.status == Status.ARCHIVED and not entry.hidden):
            counts.unchanged += 1
        elif group.revisions.pending().filter(author__isnull=False).exists():
            counts.errors.append(
                f"{entry.key}: "
                + _("not updated: its organiser's own change is waiting for review.")
            )
        elif entry.hidden:
            if _archive(source, group, _note(source)):
                counts.archived += 1
                counts.changes.append(("archived", entry.key, group.name))
            item.digest = digest
        else:
            _write(source, group, entry)
            item.digest = digest
            counts.updated += 1
            counts.changes.append(("updated", entry.key, _name(entry)))
        item.save()
    _missing(source, items.values(), counts)


def _missing(source: Source, items, counts: Counts) -> None:
    """Items the feed left out this time: archived once missing ARCHIVE_AFTER times in a row."""
    for item in items:
        item.missing += 1
        item.save(update_fields=["missing"])
        if item.missing >= ARCHIVE_AFTER:
            note = _("no longer in the feed of source %(name)s") % {"name": source.name}
            if _archive(source, item.group, note):
                counts.archived += 1
                counts.changes.append(("archived", item.key, item.group.name))


def _sync_hsds(source: Source, body: bytes, counts: Counts) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "services.json"
        path.write_bytes(body)
        try:
            dataset = files.read(path)
        except files.DatasetError as error:
            raise ValueError(str(error)) from error
        plan = importer.plan(dataset, source.language)
    if plan.problems:
        raise ValueError("; ".join(plan.problems[:20]))
    outcome = importer.write(plan)
    counts.created, counts.updated, counts.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    counts.errors.extend(outcome.skipped)
    items = {item.key: item for item in source.items.all()}
    now = timezone.now()
    for planned in plan.groups:
        key = str(planned.hsds_id)
        group = Group.objects.filter(source_key=importer.source_key(key)).first()
        if group is None:
            continue
        item = items.pop(key, None) or Item(source=source, key=key)
        item.group, item.missing, item.seen_at = group, 0, now
        item.save()
    _missing(source, items.values(), counts)


def _defaults(source: Source) -> dict:
    return {
        name: list(getattr(source, name).values_list("slug", flat=True))
        for name in ("topics", "audiences", "approaches")
    }


def _load(source: Source):
    """The source's feed: fetched conditionally from its address, or read from its uploaded file
    (a file whose content is the same as last time is "not modified", like a 304). Returns the
    response and the validators to record once the sync has succeeded."""
    if source.file:
        body = read_upload(source.file)
        digest = hashlib.sha256(body).hexdigest()
        if digest == source.file_digest:
            return Response(304), {}
        return Response(200, body), {"file_digest": digest}
    response = fetch(source.url, source.format, source.etag, source.last_modified)
    if response.status == 304:
        return response, {}
    return response, {"etag": response.etag, "last_modified": response.last_modified}


def sync(source: Source, dry_run: bool = False) -> Counts:
    """Fetch and reconcile one source; records the outcome on the source (unless dry_run)."""
    started = time.monotonic()
    counts = Counts()
    validators = {}
    try:
        with transaction.atomic():
            response, loaded = _load(source)
            if response.status == 304:
                counts.result = Source.Result.NOT_MODIFIED
                _missing(source, source.items.filter(missing__gt=0).select_related("group"), counts)
            else:
                with listing.changes():
                    if source.format == Source.Format.HSDS:
                        _sync_hsds(source, response.body, counts)
                    else:
                        parsed = PARSERS[source.format](
                            response.body, source.language, _defaults(source), timezone.localdate()
                        )
                        counts.errors.extend(parsed.errors)
                        _reconcile(source, parsed.entries, counts)
                counts.result = Source.Result.OK
                validators = loaded
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except (FetchError, ValueError) as error:
        counts.result = Source.Result.FAILED
        counts.errors = [str(error)]
    except Exception as error:  # one source's failure never stops the others
        logger.exception("sync of source %s failed", source.pk)
        counts.result = Source.Result.FAILED
        counts.errors = [
            _("The sync failed unexpectedly (%(error)s).") % {"error": type(error).__name__}
        ]
    counts.seconds = round(time.monotonic() - started, 3)
    if not dry_run:
        _record(source, counts, validators)
    return counts


def _record(source: Source, counts: Counts, validators: dict) -> None:
    failed = counts.result == Source.Result.FAILED
    now = timezone.now()
    values = {
        "last_sync_at": now,
        "last_result": counts.result,
        "last_counts": counts.as_dict(),
        "last_errors": [*counts.errors, *counts.reports][:100],
        "failures": source.failures + 1 if failed else 0,
        "failing_since": (source.failing_since or now) if failed else None,
        **validators,
    }
    Source.objects.filter(pk=source.pk).update(**values)
    for name, value in values.items():
        setattr(source, name, value)
