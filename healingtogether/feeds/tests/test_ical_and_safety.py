"""An .ics feed follows its series (moved and cancelled sessions included) and one-off events;
fetching refuses what is too slow, too big, of the wrong type or on a private address; and our
own Meeting Guide feed reads back into the same meetings."""

import gzip
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from healingtogether.directory.models import Group, Location, Schedule, Status
from healingtogether.feeds.models import Source

from .conftest import FIXTURES
from .test_meeting_guide import MEETINGS, add_source, sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel("2027-01-04 08:00 +01:00", tick=True):
        yield


def test_an_ics_series_keeps_its_moved_and_cancelled_sessions(server):
    server.serve("/agenda.ics", (FIXTURES / "calendar.ics").read_bytes(), "text/calendar")
    out = io.StringIO()
    call_command(
        "add_source",
        "--format",
        "ical",
        "--url",
        server.url("/agenda.ics"),
        "--name",
        "Deuil et Espoir",
        "--trusted",
        stdout=out,
    )
    source = Source.objects.get(pk=int(out.getvalue()))
    out, err, seconds = sync()
    print(f"ical first sync: {out.strip()} ({seconds:.2f} s)")
    assert "2 created, 0 updated, 0 unchanged, 0 archived" in out
    series = Group.objects.get(source_key__endswith="groupe-deuil-lundi@deuil-espoir.example.be")
    assert [s.isoformat() for s in series.next_sessions(5)] == [
        "2027-01-04T19:00:00+01:00",  # 11 January is an EXDATE
        "2027-01-19T19:00:00+01:00",  # 18 January moved to the Tuesday
        "2027-02-01T19:00:00+01:00",  # 25 January is cancelled
        "2027-02-08T19:00:00+01:00",
        "2027-02-15T19:00:00+01:00",
    ]
    assert series.locations.get().postcode == "1000"
    assert [t.slug for t in series.topics.all()] == ["grief"]
    assert "bienveillant" in series.description_fr and "<" not in series.description_fr
    assert "alert" not in series.description_fr
    assert series.website == "https://deuil-espoir.example.be/groupe-lundi"
    one_off = Group.objects.get(name_fr="Soirée d'échange ouverte")
    assert [s.isoformat() for s in one_off.next_sessions(3)] == ["2027-02-13T14:00:00+01:00"]
    assert not Group.objects.filter(name_fr="Atelier passé").exists()
    out, _err, seconds = sync()
    print(f"ical second sync: {out.strip()} ({seconds:.2f} s)")
    assert "not_modified" in out and "0 created, 0 updated" in out
    assert source.items.count() == 2


def failing_sync(server, path, **route) -> str:
    server.serve(path, **route)
    add_source(server, path=path)
    _out, err, _s = sync()
    return err


def test_a_slow_feed_fails_cleanly_and_the_others_still_sync(server, settings):
    settings.SOURCES_TIMEOUT = 1
    server.serve("/slow.json", json.dumps(MEETINGS), delay=2)
    add_source(server, path="/slow.json")
    server.serve("/meetings.json", json.dumps(MEETINGS))
    add_source(server)
    out, err, _s = sync()
    assert "failed" in out and "did not answer within 1 seconds" in err
    assert "4 created" in out


def test_an_oversized_feed_is_refused(server):
    big = b"[" + b" " * (5 * 1024 * 1024 + 10) + b"]"
    err = failing_sync(server, "/big.json", body=big)
    assert "larger than 5 MB" in err
    err = failing_sync(server, "/big2.json", body=big, hide_length=True)
    assert err.count("larger than 5 MB") == 2
    assert not Group.objects.filter(source_key__startswith="feed:").exists()


def test_a_gzipped_feed_is_read_and_a_gzip_bomb_refused(server):
    zipped = {"headers": {"Content-Encoding": "gzip"}}
    server.serve("/meetings.json", gzip.compress(json.dumps(MEETINGS).encode()), **zipped)
    add_source(server)
    out, _err, _s = sync()
    assert "4 created" in out
    bomb = gzip.compress(b"[" + b" " * (6 * 1024 * 1024) + b"]")
    assert len(bomb) < 100_000  # small on the wire, too large once read
    err = failing_sync(server, "/bomb.json", body=bomb, **zipped)
    assert "larger than 5 MB" in err


def test_a_page_instead_of_a_feed_is_refused(server):
    err = failing_sync(server, "/page.json", body="<html></html>", content_type="text/html")
    assert "text/html" in err


def test_a_private_address_is_refused_without_the_setting(server, settings):
    settings.SOURCES_ALLOW_PRIVATE = False
    server.serve("/meetings.json", json.dumps(MEETINGS))
    source = add_source(server)
    out, err, _s = sync()
    assert "127.0.0.1" in err and "not a public address" in err
    assert server.requests == []
    # ...after a redirect too.
    settings.SOURCES_ALLOW_PRIVATE = True
    server.serve("/hop.json", b"", redirect="http://localhost:1/meetings.json")
    Source.objects.filter(pk=source.pk).update(url=server.url("/hop.json"))
    settings.SOURCES_ALLOW_PRIVATE = False
    sync()
    source.refresh_from_db()
    assert source.last_result == Source.Result.FAILED


def test_three_redirects_are_followed_and_a_fourth_refused(server):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    for hop in range(4):
        following = f"/hop{hop + 1}.json" if hop < 3 else "/meetings.json"
        server.serve(f"/hop{hop}.json", b"", redirect=server.url(following))
    add_source(server, path="/hop1.json")  # three redirects to the feed
    out, _err, _s = sync()
    assert "4 created" in out
    err = failing_sync(server, "/hop0.json", body=b"", redirect=server.url("/hop1.json"))
    assert "redirects more than 3 times" in err


def test_three_failures_in_a_row_show_to_moderators(server, admin_client):
    server.serve("/page.json", "<html></html>", content_type="text/html")
    source = add_source(server, path="/page.json")
    for _ in range(3):
        _out, err, _s = sync()
    assert "failed 3 syncs in a row" in err
    page = admin_client.get(reverse("admin:feeds_source_changelist") + "?failing=yes")
    assert source.name in page.content.decode()


def test_our_own_feed_reads_back_into_the_same_meetings(server, client):
    server.serve("/meetings.json", json.dumps(MEETINGS))
    add_source(server)
    sync()
    ours = client.get("/api/meeting-guide.json").json()
    assert {m["name"] for m in ours} >= {"Groupe du lundi soir", "Zaterdaggroep Gent"}
    for record in ours:  # the specification's required and weekly fields
        assert record["name"] and record["slug"]
        assert record["time"][2] == ":" and len(record["time"]) == 5
        assert all(
            0 <= d <= 6
            for d in (record["day"] if isinstance(record["day"], list) else [record["day"]])
        )

    def shape(meetings):
        return sorted(
            (
                m["name"],
                json.dumps(m["day"]),
                m["time"],
                m.get("end_time"),
                m.get("postal_code"),
                tuple(sorted(t for t in m.get("types", []) if t in {"O", "X", "FR", "NL", "EN"})),
            )
            for m in meetings
        )

    before = shape(ours)
    # A fresh directory, fed by our own feed.
    Location.objects.all().delete()
    Schedule.objects.all().delete()
    Group.objects.filter(source_key__startswith="feed:").update(
        status=Status.ARCHIVED, source_key=""
    )
    Source.objects.all().delete()
    server.serve(
        "/ours.json", json.dumps([m for m in ours if m["name"] in {x["name"] for x in MEETINGS}])
    )
    add_source(server, path="/ours.json")
    sync()
    again = client.get("/api/meeting-guide.json").json()
    assert shape(again) == [m for m in before if m[0] in {x["name"] for x in MEETINGS}]
