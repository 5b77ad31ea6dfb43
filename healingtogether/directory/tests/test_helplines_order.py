"""The helplines page in the order a person needs it: lines in their own language first, and
lines for adults before the lines for children and teenagers."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _numbers(client, lang):
    html = client.get(f"/{lang}/helplines/").content.decode()
    main = html.split('<main id="main"', 1)[1]
    return re.findall(r'<p class="phone-big"><a href="tel:[^"]*">([^<]+)</a>', main)


@pytest.mark.parametrize(
    ("lang", "first", "youth_after"),
    [
        # 112 answers in every language; then each language's own lines.
        ("fr", ["112", "0800 32 123", "107"], ["103"]),
        ("nl", ["112", "1813", "106"], ["102"]),
        ("de", ["112", "108"], []),
    ],
)
def test_the_visitors_language_comes_first_then_adults_before_youth(
    client, lang, first, youth_after
):
    numbers = _numbers(client, lang)
    assert {"102", "103"} <= set(numbers)
    assert numbers[: len(first)] == first
    # This language's line for children comes right after its lines for adults.
    assert numbers[len(first) : len(first) + len(youth_after)] == youth_after
    # Of the lines in other languages, those for children and teenagers come last.
    rest = numbers[len(first) + len(youth_after) :]
    youth = [n for n in rest if n in ("102", "103")]
    assert rest[len(rest) - len(youth) :] == youth


def test_english_pages_put_the_lines_for_young_people_last(client):
    numbers = _numbers(client, "en")
    assert numbers[0] == "112"
    assert sorted(numbers[-2:]) == ["102", "103"]
