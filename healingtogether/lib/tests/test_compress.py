"""Responses compressed for the browsers that accept gzip (lib/compress.py)."""

import gzip
import json

import pytest
from django.test import Client

from healingtogether.test import make_group

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_a_page_comes_compressed_padded_by_a_random_length_each_time(client):
    make_group(name_en="Tuesday circle")
    plain = client.get("/en/search/?q=circle")
    sizes = set()
    for _ in range(6):
        packed = client.get("/en/search/?q=circle", **GZIP)
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        assert int(packed["Content-Length"]) == len(packed.content)
        assert gzip.decompress(packed.content) == plain.content
        # The padding is the gzip member's file name: flagged, after the ten bytes of header.
        assert packed.content[3] & 0x08
        name = packed.content[10 : packed.content.index(b"\0", 10)]
        assert 2 <= len(name) <= 100 and name.isalnum()
        sizes.add(len(packed.content))
    # The same page, a different length most times: its size tells nothing of a guess (BREACH).
    assert len(sizes) > 1


def test_an_api_answer_keeps_a_weak_etag_that_still_answers_304(client):
    make_group(name_en="Tuesday circle")
    packed = client.get("/api/v1/groups?q=circle", **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    answer = json.loads(gzip.decompress(packed.content))
    assert "Tuesday circle" in [result["name"] for result in answer["results"]]
    assert packed["ETag"].startswith('W/"')
    again = client.get("/api/v1/groups?q=circle", HTTP_IF_NONE_MATCH=packed["ETag"], **GZIP)
    assert again.status_code == 304


def test_a_streamed_answer_is_compressed_too(client):
    make_group(name_en="Tuesday circle")
    path = "/api/hsds/services?format=ndjson&search=circle"
    plain = b"".join(Client().get(path).streaming_content)
    packed = client.get(path, **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(packed.streaming_content)) == plain
    assert b"Tuesday circle" in plain


def test_a_short_answer_is_sent_as_it_is(client):
    response = client.get("/healthz", **GZIP)
    assert "Content-Encoding" not in response
