"""The guided finder in a real browser, in every language: what a person reads at each step."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation

from healingtogether.lib.tests.chromium import WIDTHS, describe_violations
from healingtogether.search.finder import LED_BY, MEET, WHO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "fr", "nl", "de"]
# What Python's repr of a tuple or a list leaves in a page when a template prints one. (Plain
# brackets alone are fine: "Flemish Sign Language (VGT)".)
ARTEFACTS = ("('", "')", "',", "['", "']", "[]", ", [", '("', '")')


def _expected(lang: str) -> dict[str, list[str]]:
    """The answers each step offers, in this language, by the question's title."""
    with translation.override(lang):
        return {
            "who": [str(label) for label, _audiences in WHO.values()],
            "meet": [str(label) for label in MEET.values()],
            "preferences": [str(label) for label in LED_BY.values()],
        }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_finder_step_reads_as_plain_words(live_server, real_data, browser, lang):
    expected = _expected(lang)
    if lang != "en":
        # The answers are translated, not left in English.
        assert expected["who"] != _expected("en")["who"]
    width, height = WIDTHS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/search/finder/")
    seen = []
    for step in ("who", "topics", "meet", "language", "preferences"):
        form = page.locator("main form.finder")
        text = form.inner_text()
        seen.append(step)
        for artefact in ARTEFACTS:
            assert artefact not in text, (lang, step, artefact, text)
        for label in expected.get(step, []):
            assert label in text, (lang, step, label, text)
        # Every answer on the screen has a label a person can read.
        labels = form.locator("label").all_inner_texts()
        assert labels, (lang, step)
        for label in labels:
            assert label.strip() and not label.strip().startswith(("(", "[")), (lang, step, label)
        if step == "meet":
            page.locator("#meet-online").check()
        elif form.locator("input[type=radio]").count():
            form.locator("input[type=radio]").first.check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert seen == ["who", "topics", "meet", "language", "preferences"]
    # The last answer leads to the results, in the same language.
    assert f"/{lang}/search/finder/" in page.url and "step=5" in page.url
    assert page.locator("html").get_attribute("lang") == lang
    results = page.locator("main").inner_text()
    assert "('" not in results and "[]" not in results
    context.close()


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_person_in_danger_sees_the_lines_to_call_on_the_first_screen(
    live_server, real_data, browser, size
):
    # JavaScript stays on only for axe-core: the page itself has none.
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    query = "who=me&topic=suicidal_thoughts&meet=either&postcode=5000&step=5"
    page.goto(f"{live_server.url}/fr/search/finder/?{query}")
    assert page.locator("script").count() == 0
    box = page.locator("section.call-box")
    assert box.is_visible()
    top = box.bounding_box()
    # The box starts on the first screen, and the first of its lines can be tapped there.
    assert top["y"] < size[1]
    first_line = box.locator("a.phone-big").first
    assert first_line.inner_text() == "0800 32 123"
    assert first_line.bounding_box()["y"] + first_line.bounding_box()["height"] <= size[1]
    # Nothing of the results comes before it.
    networks = page.locator("#networks-title").bounding_box()
    assert top["y"] < networks["y"]
    violations = Axe().run(page).response["violations"]
    assert violations == [], describe_violations(violations)
    context.close()
