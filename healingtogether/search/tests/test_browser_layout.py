"""The search page's layout in a real browser (Chromium through Playwright), at a phone's width
and a desktop's: the "sort" select stays inside its column, clear of the results, and nothing
runs off the side of the screen (issue 14, item 10)."""

import pytest

from healingtogether.lib.tests.chromium import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH = "/{lang}/search/?q=rouw&near=5000"

BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {
    select: box(document.querySelector('#sort')),
    filters: box(document.querySelector('.filters')),
    results: box(document.querySelector('.results')),
    viewport: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
  };
}"""


def overlaps(a, b) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_sort_select_stays_in_its_column_at_phone_and_desktop_widths(
    live_server, real_data, browser, lang
):
    for name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(live_server.url + SEARCH.format(lang=lang))
        boxes = page.evaluate(BOXES)
        select, filters, results = boxes["select"], boxes["filters"], boxes["results"]
        where = (lang, name, boxes)
        # The select lies within the filters' column and never over the results.
        assert filters["left"] - 0.5 <= select["left"], where
        assert select["right"] <= filters["right"] + 0.5, where
        assert not overlaps(select, results), where
        # Nothing is wider than the screen: no sideways scrolling.
        assert boxes["scroll"] <= boxes["viewport"], where
        context.close()
