"""An HSDS source reuses the import_hsds importer: its services arrive in the moderation queue,
and one the feed drops twice is archived."""

import io
import json
import uuid

import pytest
from django.core.management import call_command

from healingtogether.accounts.models import Revision
from healingtogether.directory.models import Group, Status
from healingtogether.feeds.models import Source

from .test_meeting_guide import sync

pytestmark = pytest.mark.django_db

ORGANISATION, FIRST, SECOND = (str(uuid.uuid4()) for _ in range(3))


def service(service_id, name):
    return {
        "id": service_id,
        "name": name,
        "status": "active",
        "organization": {"id": ORGANISATION, "name": "Rouwzorg Gent", "description": ""},
    }


def test_an_hsds_feed_arrives_for_moderators_and_follows_the_feed(server):
    services = [service(FIRST, "Rouwgroep Gent"), service(SECOND, "Praatgroep Gent")]
    server.serve("/services.json", json.dumps(services), etag=False)
    out = io.StringIO()
    call_command(
        "add_source",
        "--format",
        "hsds",
        "--url",
        server.url("/services.json"),
        "--name",
        "Rouwzorg",
        "--language",
        "nl",
        stdout=out,
    )
    source = Source.objects.get(pk=int(out.getvalue()))
    said, err, seconds = sync()
    print(f"hsds first sync: {said.strip()} ({seconds:.2f} s) {err}")
    first = Group.objects.get(source_key=f"hsds:{FIRST}")
    assert first.status == Status.PENDING and first.name_nl == "Rouwgroep Gent"
    assert Revision.objects.filter(group=first, state="pending").exists()
    assert source.items.count() == 2
    said, _err, _s = sync()
    assert "0 created, 0 updated, 3 unchanged, 0 archived" in said
    server.serve("/services.json", json.dumps(services[:1]), etag=False)
    sync()
    said, _err, seconds = sync()
    print(f"hsds removed twice: {said.strip()} ({seconds:.2f} s)")
    assert Group.objects.get(source_key=f"hsds:{SECOND}").status == Status.ARCHIVED
