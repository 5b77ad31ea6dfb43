"""A source can be a file a moderator uploads instead of an address: the same readers make the
same listings from it, an unchanged file costs nothing, and a file that is too large, or a source
with neither an address nor a file (or both), is refused with a plain reason."""

import io
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from healingtogether.directory.models import Group
from healingtogether.feeds.models import Source

from .conftest import FIXTURES
from .test_meeting_guide import MEETINGS, add_source, sync

pytestmark = pytest.mark.django_db

TOO_LARGE = b"[" + b" " * (5 * 1024 * 1024 + 10) + b"]"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel("2027-01-04 08:00 +01:00", tick=True):
        yield


def add_file_source(path, *extra) -> Source:
    out = io.StringIO()
    args = ["--format", "meeting_guide", "--file", str(path), "--name", "AA fichier", "--trusted"]
    call_command("add_source", *args, *extra, stdout=out)
    return Source.objects.get(pk=int(out.getvalue()))


def meetings_of(source) -> list:
    """What a visitor would see of each listing the source made: name, when, where, status."""
    groups = Group.objects.filter(source_key__startswith=f"feed:{source.pk}:").prefetch_related(
        "schedules", "locations"
    )
    return sorted(
        (
            group.source_key.split(":", 2)[2],
            group.name,
            group.status,
            group.format,
            tuple((s.byday, s.opens_at, s.closes_at) for s in group.schedules.all()),
            tuple((place.postcode, place.address) for place in group.locations.all()),
        )
        for group in groups
    )


def test_an_uploaded_meeting_guide_file_makes_the_same_meetings_as_the_feed(
    server, tmp_path, uploads
):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    served = add_source(server)
    path = tmp_path / "meetings.json"
    path.write_text(json.dumps(MEETINGS), encoding="utf-8")
    uploaded = add_file_source(path)
    assert uploaded.file.name.startswith("sources/")
    assert (uploads / uploaded.file.name).read_bytes() == path.read_bytes()

    out, _err, seconds = sync()
    print(f"meeting guide file first sync: {out.strip()} ({seconds:.2f} s)")
    assert out.count("4 created, 0 updated, 0 unchanged, 0 archived") == 2
    assert len(meetings_of(uploaded)) == 4
    assert meetings_of(uploaded) == meetings_of(served)

    # The same file again is unchanged and touches nothing; no request goes anywhere for it.
    requests = len(server.requests)
    out, _err, _s = sync("--source", str(uploaded.pk))
    assert "not_modified, 0 created, 0 updated, 0 unchanged, 0 archived" in out
    assert len(server.requests) == requests
    uploaded.refresh_from_db()
    assert uploaded.last_result == Source.Result.NOT_MODIFIED and uploaded.failures == 0


def test_a_new_upload_updates_the_listings(admin_client, tmp_path):
    path = tmp_path / "meetings.json"
    path.write_text(json.dumps(MEETINGS), encoding="utf-8")
    source = add_file_source(path)
    sync()
    edited = json.loads(json.dumps(MEETINGS))
    edited[0]["time"], edited[0]["end_time"] = "20:00", "21:30"
    page = admin_client.post(
        reverse("admin:feeds_source_change", args=[source.pk]),
        {
            "name": source.name,
            "format": source.format,
            "language": source.language,
            "trusted": "on",
            "active": "on",
            "file": SimpleUploadedFile("meetings.json", json.dumps(edited).encode()),
        },
    )
    assert page.status_code == 302
    out, _err, _s = sync()
    assert "0 created, 1 updated, 3 unchanged, 0 archived" in out
    monday = Group.objects.get(source_key=f"feed:{source.pk}:bxl-lundi-soir")
    assert monday.next_sessions(1)[0].isoformat() == "2027-01-04T20:00:00+01:00"


def admin_add(admin_client, **fields):
    data = {"name": "Agenda Deuil", "format": "ical", "language": "fr", "active": "on"}
    return admin_client.post(reverse("admin:feeds_source_add"), {**data, **fields})


def test_a_moderator_uploads_a_calendar_in_the_admin(admin_client):
    ics = (FIXTURES / "calendar.ics").read_bytes()
    page = admin_add(
        admin_client, file=SimpleUploadedFile("agenda.ics", ics, "text/calendar"), trusted="on"
    )
    assert page.status_code == 302
    source = Source.objects.get(name="Agenda Deuil")
    assert not source.url and source.file.name.startswith("sources/agenda")
    out, _err, _s = sync()
    assert "2 created" in out


def test_a_file_over_5_mb_is_refused(admin_client, tmp_path):
    page = admin_add(admin_client, file=SimpleUploadedFile("big.ics", TOO_LARGE))
    assert page.status_code == 200
    assert "The feed is larger than 5 MB; refused." in page.content.decode()
    path = tmp_path / "big.json"
    path.write_bytes(TOO_LARGE)
    with pytest.raises(CommandError, match="larger than 5 MB"):
        add_file_source(path)
    assert not Source.objects.exists()


def test_a_file_that_grew_too_large_on_disk_fails_cleanly(tmp_path, uploads):
    path = tmp_path / "meetings.json"
    path.write_text(json.dumps(MEETINGS), encoding="utf-8")
    source = add_file_source(path)
    (uploads / source.file.name).write_bytes(TOO_LARGE)
    out, err, _s = sync()
    assert "failed" in out and "larger than 5 MB" in err
    assert not Group.objects.filter(source_key__startswith="feed:").exists()


NEITHER_OR_BOTH = "Give the feed&#x27;s address or upload its file: one of the two, not both."


def test_a_source_with_neither_an_address_nor_a_file_or_both_is_refused(
    admin_client, server, tmp_path
):
    page = admin_add(admin_client)
    assert page.status_code == 200 and NEITHER_OR_BOTH in page.content.decode()
    both = admin_add(
        admin_client,
        url="https://deuil.example.be/agenda.ics",
        file=SimpleUploadedFile("agenda.ics", (FIXTURES / "calendar.ics").read_bytes()),
    )
    assert both.status_code == 200 and NEITHER_OR_BOTH in both.content.decode()

    path = tmp_path / "meetings.json"
    path.write_text(json.dumps(MEETINGS), encoding="utf-8")
    command = ["add_source", "--format", "meeting_guide", "--name", "AA"]
    with pytest.raises(CommandError, match="one of the arguments --url --file is required"):
        call_command(*command, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command(*command, "--url", server.url("/m.json"), "--file", str(path))
    assert not Source.objects.exists()

    # Nor can anything else write one: the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(name="Nowhere", format="ical")
