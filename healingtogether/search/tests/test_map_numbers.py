"""Numbers a browser reads (SVG coordinates) are written the same in every language: a French
page must not write cx="488,6", which the browser drops with the pin."""

import re

import pytest

from healingtogether.search.map import project
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

# Places with decimals in both coordinates once projected, so a decimal comma would show.
PLACES = [(50.4669, 4.8675), (50.4541, 4.8603), (50.4811, 4.8456)]


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_search_map_pins_have_coordinates_a_browser_can_read(client, lang, without_real_groups):
    for n, (lat, lon) in enumerate(PLACES):
        make_location(make_group(slug=f"namur-{n}"), latitude=lat, longitude=lon)
    html = client.get(f"/{lang}/search/", {"near": "5000"}).content.decode()
    [svg] = re.findall(r'<svg class="map-svg".*?</svg>', html, re.DOTALL)

    view_box = re.search(r'viewBox="([^"]*)"', svg).group(1)
    assert [float(n) for n in view_box.split()]  # four plain numbers
    circles = re.findall(r'<circle cx="([^"]*)" cy="([^"]*)" r="([^"]*)"', svg)
    assert len(circles) == len(PLACES)
    drawn = {(float(cx), float(cy)) for cx, cy, _r in circles}
    assert drawn == {project(lat, lon) for lat, lon in PLACES}
    for path in re.findall(r' d="([^"]*)"', svg):
        assert "," not in path
