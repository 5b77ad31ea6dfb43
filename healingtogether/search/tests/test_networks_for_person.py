"""The right networks for the right person, and crisis lines first when a person says they are
in danger: in the guided finder, the search page and the networks of a place."""

import re

import pytest
from django.utils import translation
from django.utils.html import escape

from healingtogether.directory import listing
from healingtogether.directory.models import Group
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

FINDER = "/{lang}/search/finder/"
NAMUR_ADULT = "/networks/reseau-sante-namur/"
NAMUR_YOUTH = "/networks/kirikou/"
# Deinze, like some 270 municipalities, has a youth network on our list but no adult one yet.
NO_ADULT_NETWORK = "Deinze"
# Aarschot has an adult network on our list but no youth one yet.
NO_YOUTH_NETWORK = "Aarschot"
# As the page writes them, with the apostrophe escaped.
NO_ADULT = escape("We don't know yet which network for adults covers this place.")
NO_YOUTH = escape(
    "We don't know yet which network for children and young people covers this place."
)


def _networks_section(html: str) -> str:
    return html.split('id="networks-title"', 1)[1].split("</section>", 1)[0]


def _finder(client, lang="en", **answers) -> str:
    params = {"meet": "near", "step": 5, **answers}
    response = client.get(FINDER.format(lang=lang), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "first", "second"),
    [
        ("me", NAMUR_ADULT, NAMUR_YOUTH),
        ("close", NAMUR_ADULT, NAMUR_YOUTH),
        ("young", NAMUR_YOUTH, NAMUR_ADULT),
    ],
)
def test_the_finder_offers_the_persons_own_networks_first(client, who, first, second):
    section = _networks_section(_finder(client, who=who, postcode="5000"))
    assert section.index(first) < section.index(second)


def test_an_adult_is_told_when_we_know_no_adult_network_never_offered_a_youth_one_alone(client):
    section = _networks_section(_finder(client, who="me", postcode=NO_ADULT_NETWORK))
    youth_card = re.search(r'<li class="card">\s*<h3><a href="/en/networks/', section)
    assert youth_card, "the youth network is still offered, after the message"
    message = section.index(NO_ADULT)
    assert message < youth_card.start()
    assert section.index('href="/en/networks/"') < youth_card.start()


def test_a_young_person_is_told_when_we_know_no_youth_network(client):
    section = _networks_section(_finder(client, who="young", postcode=NO_YOUTH_NETWORK))
    assert section.index(NO_YOUTH) < section.index('<li class="card">')
    assert 'href="/en/networks/"' in section


@pytest.mark.parametrize(
    ("audience", "first", "second"),
    [([], NAMUR_ADULT, NAMUR_YOUTH), (["adolescents"], NAMUR_YOUTH, NAMUR_ADULT)],
)
def test_the_search_audience_filter_puts_the_matching_networks_first(
    client, audience, first, second
):
    html = client.get("/en/search/", {"near": "5000", "audience": audience}).content.decode()
    section = _networks_section(html)
    assert section.index(first) < section.index(second)


def test_a_search_near_a_place_without_an_adult_network_says_so(client):
    html = client.get("/en/search/", {"near": NO_ADULT_NETWORK}).content.decode()
    section = _networks_section(html)
    assert section.index(NO_ADULT) < section.index('<li class="card">')


def test_the_networks_of_a_place_say_what_we_dont_know_first_for_the_person(client):
    html = client.get("/en/networks/for/", {"place": NO_ADULT_NETWORK}).content.decode()
    assert html.index(NO_ADULT) < html.index('<li class="card">')
    html = client.get(
        "/en/networks/for/", {"place": "5000", "audience": ["children"]}
    ).content.decode()
    assert html.index("/en" + NAMUR_YOUTH) < html.index("/en" + NAMUR_ADULT)
    assert NO_ADULT not in html and NO_YOUTH not in html


# The crisis call box ---------------------------------------------------------------------------

CALL_BOX = re.compile(r'<section class="notice call-box".*?</section>', re.DOTALL)
# The lines each language's box offers, from data/be-resources.json through lib/helplines.py.
LINES = {
    "fr": ["0800 32 123", "107"],
    "nl": ["1813", "106"],
    "de": ["108"],
    "en": ["0800 32 123", "1813", "107", "106", "108"],
}


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
@pytest.mark.parametrize("topic", ["suicidal_thoughts", "crisis"])
def test_a_person_in_danger_meets_the_lines_to_call_before_anything_else(client, lang, topic):
    grief = make_group(slug="namur-group")
    make_location(grief)
    html = _finder(client, lang=lang, who="me", topic=topic, meet="either", postcode="5000")
    main = html.split('<main id="main"', 1)[1]
    [box] = CALL_BOX.findall(main)
    # Right under the page's title: before the results, the networks and everything else.
    assert main.index("</h1>") < main.index(box)
    before = main[main.index("</h1>") + 5 : main.index(box)]
    assert before.strip() == ""
    numbers = re.findall(r'<a class="phone-big" href="tel:[^"]*">([^<]+)</a>', box)
    assert numbers == LINES[lang]
    assert '<a class="phone" href="tel:112">112</a>' in box
    with translation.override(lang):
        assert translation.gettext("You can talk to someone now") in box
    if lang != "en":
        assert "day and night" not in box  # translated, not left in English
    day_and_night = {"en": "day and night", "fr": "jour et nuit", "nl": "dag en nacht"}
    if lang in day_and_night:
        assert day_and_night[lang] in box
    else:
        assert "Tag und Nacht" in box


def test_the_call_box_needs_no_place_and_no_javascript(client):
    html = _finder(client, topic="suicidal_thoughts", meet="online")
    [box] = CALL_BOX.findall(html)
    assert "<script" not in box and "0800 32 123" in box
    # Other answers get the usual results, without the box.
    html = _finder(client, topic="grief", meet="online")
    assert "call-box" not in html


def test_the_networks_form_remembers_who_they_are_for(client):
    html = client.get(
        "/en/networks/for/", {"place": "5000", "audience": ["children", "<b>"]}
    ).content.decode()
    assert '<input type="hidden" name="audience" value="children">' in html
    assert "&lt;b&gt;" not in html and 'value="<b>"' not in html


def test_a_network_card_shows_the_networks_change_at_once(client):
    # Network cards are kept per process (directory/_network_blocks.html): under the network's
    # last change, so a new description is on the next page, not five minutes later.
    network = Group.objects.get(slug="reseau-sante-namur")
    before = _networks_section(client.get("/en/search/", {"near": "5000"}).content.decode())
    assert "Zanzibar listens" not in before
    listing.save(network, {"description_en": "Zanzibar listens to every adult in Namur."})
    after = _networks_section(client.get("/en/search/", {"near": "5000"}).content.decode())
    assert "Zanzibar listens" in after
    assert after.count("Zanzibar listens") == 1
