"""sync_sources with a Meeting Guide feed: Belgian meetings in French and Dutch become peer-led
12-step groups that follow the feed (created once, updated when the feed changes, archived once
gone twice), a trusted source's changes show at once and anyone else's wait for a moderator."""

import io
import json
import time

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from healingtogether.accounts.models import AuditEntry, Revision
from healingtogether.directory.models import Group, Organisation, Status
from healingtogether.feeds.models import Source

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel("2027-01-04 08:00 +01:00", tick=True):
        yield


MEETINGS = json.loads((FIXTURES / "meetings.json").read_text(encoding="utf-8"))


def add_source(server, trusted=True, path="/meetings.json", **options) -> Source:
    out = io.StringIO()
    args = ["--format", "meeting_guide", "--url", server.url(path), "--name", "AA Belgique"]
    call_command("add_source", *args, *(["--trusted"] if trusted else []), stdout=out)
    return Source.objects.get(pk=int(out.getvalue()))


def sync(*args) -> tuple[str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    call_command("sync_sources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), time.monotonic() - started


def feed_groups(source):
    return Group.objects.filter(source_key__startswith=f"feed:{source.pk}:")


def group(source, key) -> Group:
    return Group.objects.get(source_key=f"feed:{source.pk}:{key}")


def test_first_sync_creates_the_belgian_meetings(server, client):
    server.serve("/meetings.json", json.dumps(MEETINGS), etag=False)
    source = add_source(server)
    out, err, seconds = sync()
    print(f"meeting guide first sync: {out.strip()} ({seconds:.2f} s)")
    assert "4 created, 0 updated, 0 unchanged, 0 archived, 1 errors" in out
    assert "Sans identifiant" not in out and "#6" in err  # the meeting without a slug
    assert "lille-centre" in err and "Lille" in err  # reported: an address abroad has no place

    monday = group(source, "bxl-lundi-soir")
    assert monday.status == Status.PUBLISHED
    assert monday.kind == Group.Kind.SUPPORT_GROUP
    assert monday.facilitation == Group.Facilitation.PEER
    assert [a.slug for a in monday.approaches.all()] == ["twelve_steps"]
    assert monday.cohort == Group.Cohort.DROP_IN and monday.step_free
    assert [lang.slug for lang in monday.session_languages.all()] == ["fr"]
    assert monday.locations.get().municipality is not None
    assert str(monday.source_date) == "2026-11-30"
    assert [s.isoformat() for s in monday.next_sessions(2)] == [
        "2027-01-04T19:30:00+01:00",
        "2027-01-11T19:30:00+01:00",
    ]
    with translation.override("fr"):
        page = client.get(monday.get_absolute_url())
    text = page.content.decode()
    assert "Groupe du lundi soir" in text
    assert "Gros Livre, Discussion" in text  # the other types, in the reader's language
    assert "<script>alert" not in text and "Sonnez" in text

    saturday = group(source, "gent-zaterdag")
    assert saturday.name_nl == "Zaterdaggroep Gent"  # a Dutch meeting's texts are Dutch
    assert saturday.schedules.get().byday == "WE,SA"
    assert "stop" in saturday.description_en and "stoppen" in saturday.description_nl
    online = group(source, "online-zondag")
    assert online.format == Group.Format.ONLINE and not online.locations.exists()
    assert not feed_groups(source).filter(source_key__endswith="liege-midi").exists()
    assert not group(source, "lille-centre").locations.exists()
    note = AuditEntry.objects.filter(group=monday).first().note
    assert note == "changed by source AA Belgique"
    source.refresh_from_db()
    assert source.last_result == Source.Result.OK and source.last_counts["created"] == 4


def test_second_sync_changes_nothing(server):
    server.serve("/meetings.json", json.dumps(MEETINGS), etag=False)
    source = add_source(server)
    sync()
    before = (AuditEntry.objects.count(), Revision.objects.count(), Group.objects.count())
    updated = list(feed_groups(source).values_list("updated_at", flat=True))
    out, _err, seconds = sync()
    print(f"meeting guide second sync: {out.strip()} ({seconds:.2f} s)")
    assert "0 created, 0 updated, 4 unchanged, 0 archived" in out
    assert (AuditEntry.objects.count(), Revision.objects.count(), Group.objects.count()) == before
    assert list(feed_groups(source).values_list("updated_at", flat=True)) == updated


def test_an_edited_feed_updates_the_listing(server):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    source = add_source(server)
    sync()
    edited = json.loads(json.dumps(MEETINGS))
    edited[0]["time"], edited[0]["end_time"] = "20:00", "21:30"
    server.serve("/meetings.json", json.dumps(edited))
    out, _err, seconds = sync()
    print(f"meeting guide edited feed: {out.strip()} ({seconds:.2f} s)")
    assert "0 created, 1 updated, 3 unchanged, 0 archived" in out
    monday = group(source, "bxl-lundi-soir")
    assert monday.next_sessions(1)[0].isoformat() == "2027-01-04T20:00:00+01:00"


def test_a_meeting_missing_twice_is_archived_never_deleted(server, client):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    source = add_source(server)
    sync()
    server.serve("/meetings.json", json.dumps(MEETINGS[1:]))
    out, _err, _s = sync()
    assert "0 archived" in out
    assert group(source, "bxl-lundi-soir").status == Status.PUBLISHED
    out, _err, seconds = sync()  # the same feed again: a 304, and still missing
    print(f"meeting guide removed twice: {out.strip()} ({seconds:.2f} s)")
    assert "not_modified" in out and "1 archived" in out
    monday = group(source, "bxl-lundi-soir")
    assert monday.status == Status.ARCHIVED
    assert client.get(monday.get_absolute_url()).status_code in (404, 410)
    # It comes back when the feed lists it again.
    server.serve("/meetings.json", json.dumps(MEETINGS))
    sync()
    assert group(source, "bxl-lundi-soir").status == Status.PUBLISHED


def test_a_feed_that_has_not_changed_costs_nothing(server, django_assert_max_num_queries):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    add_source(server)
    sync()
    before = AuditEntry.objects.count()
    with django_assert_max_num_queries(6):
        out, _err, seconds = sync()
    print(f"meeting guide 304: {out.strip()} ({seconds:.2f} s)")
    assert "not_modified, 0 created, 0 updated, 0 unchanged, 0 archived" in out
    path, headers = server.requests[-1]
    assert headers["If-None-Match"].startswith('"')
    assert "HealingTogether" in headers["User-Agent"] and headers["Accept-Encoding"] == "gzip"
    assert AuditEntry.objects.count() == before


def test_an_untrusted_source_waits_for_a_moderator(server, client):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    source = add_source(server, trusted=False)
    out, _err, _s = sync()
    assert "4 created" in out
    assert not feed_groups(source).filter(status=Status.PUBLISHED).exists()
    assert Revision.objects.pending().count() == 4
    lille = group(source, "lille-centre").revisions.pending().get()
    assert any("Lille" in flag for flag in lille.flags)
    monday = group(source, "bxl-lundi-soir")
    assert client.get(monday.get_absolute_url()).status_code == 404


def last_sync_fields(source) -> dict:
    source.refresh_from_db()
    names = ["last_sync_at", "last_result", "last_counts", "last_errors", "failures", "etag"]
    return {name: getattr(source, name) for name in [*names, "last_modified", "failing_since"]}


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(server):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    source = add_source(server, trusted=False)
    written = (Organisation.objects.count(), AuditEntry.objects.count())
    out, _err, _s = sync("--dry-run")
    print(f"meeting guide dry run: {out.strip()}")
    assert "4 created, 0 updated, 0 unchanged, 0 archived" in out
    assert "would be created: bxl-lundi-soir (Groupe du lundi soir)" in out
    assert "would be created: gent-zaterdag (Zaterdaggroep Gent)" in out
    assert "dry run: nothing was written" in out
    assert not feed_groups(source).exists() and not source.items.exists()
    assert not Revision.objects.exists()
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == written
    assert last_sync_fields(source)["last_sync_at"] is None
    assert last_sync_fields(source)["etag"] == ""

    # Once synced for real, with one meeting already left out once: a changed meeting and the
    # one left out a second time are announced, and still nothing moves.
    sync()
    server.serve("/meetings.json", json.dumps(MEETINGS[1:]))
    sync()
    edited = json.loads(json.dumps(MEETINGS[1:]))
    edited[0]["time"] = "12:30"
    server.serve("/meetings.json", json.dumps(edited))
    before = last_sync_fields(source)
    written = (Group.objects.count(), Revision.objects.count(), AuditEntry.objects.count())
    pending = list(Revision.objects.values_list("pk", "data"))
    out, _err, _s = sync("--dry-run")
    print(f"meeting guide dry run after changes: {out.strip()}")
    assert f"would be updated: {edited[0]['slug']}" in out
    assert "would be archived: bxl-lundi-soir" in out
    assert "1 updated" in out and "1 archived" in out
    assert last_sync_fields(source) == before
    assert (Group.objects.count(), Revision.objects.count(), AuditEntry.objects.count()) == written
    assert list(Revision.objects.values_list("pk", "data")) == pending
    assert group(source, "bxl-lundi-soir").status != Status.ARCHIVED
    assert source.items.get(key="bxl-lundi-soir").missing == 1
