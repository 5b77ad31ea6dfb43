"""Our map of Belgium: the generated boundaries, the networks' areas and the map tag."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from playwright.sync_api import sync_playwright

from conftest import load_real_data
from healingtogether.directory.models import Group
from healingtogether.places.models import Municipality
from healingtogether.search.map import _assign, network_shapes, project

pytestmark = pytest.mark.django_db

MAP_JSON = Path(settings.BASE_DIR) / "data" / "belgium-map.json"
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "draw_map.py"


def _data():
    return json.loads(MAP_JSON.read_text(encoding="utf-8"))


def _svgs(html):
    return re.findall(r"<svg.*?</svg>", html, re.DOTALL)


def _points(d):
    """Every point of path data written as 'M x y l dx dy … z' or 'M x y x y … Z'."""
    points, numbers, relative, x, y = [], [], False, 0.0, 0.0
    for token in re.findall(r"[MlzZ]|-?\d+(?:\.\d+)?", d):
        if token in "MlzZ":
            relative = token == "l"
            continue
        numbers.append(float(token))
        if len(numbers) == 2:
            x, y = (x + numbers[0], y + numbers[1]) if relative else numbers
            points.append((x, y))
            numbers = []
    return points


def _box(paths):
    points = [p for d in paths for p in _points(d)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _render(**kwargs):
    template = Template(
        "{% load maps %}{% belgium_map kind=kind points=points highlight=highlight %}"
    )
    context = {"kind": "adult", "points": None, "highlight": None, **kwargs}
    with translation.override("en"):
        return template.render(Context(context))


def test_the_map_covers_nearly_every_municipality():
    drawn = {code for canton in _data()["cantons"] for code in canton["municipalities"]}
    municipalities = set(Municipality.objects.values_list("code", flat=True))
    missing = municipalities - drawn
    assert len(municipalities) > 500
    # Every municipality lies in some canton today; allow 1% for a future merger.
    assert len(missing) <= len(municipalities) // 100, sorted(missing)


def test_every_canton_has_a_shape_inside_the_view_box():
    data = _data()
    width, height = (int(n) for n in data["viewBox"].split()[2:])
    assert len(data["cantons"]) == 162
    for canton in data["cantons"]:
        x0, y0, x1, y1 = _box([canton["d"]])
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, canton["id"]
    assert "NGI" in data["source"] and "CC BY 4.0" in data["source"]


def test_the_script_draws_the_same_map_twice_and_the_committed_one_is_current(tmp_path):
    outputs = [tmp_path / "first.json", tmp_path / "second.json"]
    for output in outputs:
        subprocess.run(
            [sys.executable, str(SCRIPT), "--output", str(output)],
            check=True,
            capture_output=True,
            cwd=settings.BASE_DIR,
        )
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert outputs[0].read_bytes() == MAP_JSON.read_bytes()
    assert MAP_JSON.stat().st_size < 250_000


def test_every_network_with_a_service_area_links_to_its_page_from_the_map(client):
    html = client.get("/en/networks/").content.decode()
    maps = "".join(_svgs(html))
    networks = Group.objects.listed().networks().filter(service_area__isnull=False).distinct()
    assert networks.count() >= 19
    for network in networks:
        link = re.search(
            rf'<a href="{network.get_absolute_url()}" class="map-area[^"]*" '
            r'aria-label="[^"]+"><title>[^<]+</title><path d="M',
            maps,
        )
        assert link, network.slug


def test_networks_whose_area_we_dont_know_are_listed_under_the_map(client):
    html = client.get("/en/networks/").content.decode()
    maps = "".join(_svgs(html))
    unknown = Group.objects.listed().networks().filter(service_area__isnull=True)
    assert unknown.exists()
    listed = html.split("We don't know yet which area these networks serve")[1]
    for network in unknown:
        assert f'href="{network.get_absolute_url()}"' not in maps
        assert f'<li><a href="{network.get_absolute_url()}">' in listed.split("</details>")[0]


def test_a_network_smaller_than_any_canton_still_gets_its_best_canton():
    cantons = _data()["cantons"]
    counts = Counter(code for canton in cantons for code in canton["municipalities"])
    index, canton = next((i, c) for i, c in enumerate(cantons) if len(c["municipalities"]) >= 3)
    code = next(code for code in canton["municipalities"] if counts[code] == 1)
    # One municipality of three or more is no majority: the canton is drawn all the same.
    assert _assign({1: frozenset({code})}) == {1: [index]}


def test_brussels_lies_inside_the_map_and_the_brussels_network():
    x, y = project(50.8467, 4.3525)
    width, height = (float(n) for n in _data()["viewBox"].split()[2:])
    assert 0 < x < width and 0 < y < height
    [(network, paths)] = network_shapes([Group.objects.get(slug="brumenta")])
    x0, y0, x1, y1 = _box(paths)
    assert x0 < x < x1 and y0 < y < y1
    # The whole region is small: about 20 km across, some 60 px at this scale.
    assert x1 - x0 < 80 and y1 - y0 < 80


def test_the_shapes_are_computed_once_per_process(django_assert_num_queries):
    networks = list(Group.objects.listed().networks())
    first = network_shapes(networks)
    with django_assert_num_queries(1):
        assert network_shapes(networks) == first


def test_the_map_asks_no_other_host_and_needs_no_inline_style(client):
    html = client.get("/en/networks/").content.decode()
    svgs = _svgs(html)
    assert len(svgs) == 2
    for svg in svgs:
        assert "http://" not in svg and "https://" not in svg and "//" not in svg
        assert " style=" not in svg and "<style" not in svg
        assert "<script" not in svg


def test_points_are_links_with_names():
    points = [
        {"lat": 50.4669, "lon": 4.8675, "label": "Grief group in Namur", "url": "/en/groups/a/"},
        {"lat": 48.8566, "lon": 2.3522, "label": "Paris is off the map", "url": "/en/groups/b/"},
        {"lat": None, "lon": None, "label": "Online only", "url": "/en/groups/c/"},
    ]
    html = _render(points=points)
    svg = _svgs(html)[0]
    x, y = project(50.4669, 4.8675)
    assert (
        f'<a href="/en/groups/a/" class="map-point" aria-label="Grief group in Namur">'
        f'<title>Grief group in Namur</title><circle cx="{x}" cy="{y}"'
    ) in svg
    assert "/en/groups/b/" not in html and "/en/groups/c/" not in html
    assert "The dots are the groups found." in html


def test_a_points_label_is_shown_as_text_never_as_markup():
    label = 'Groupe "Deuil" <script>alert(1)</script> & co'
    points = [{"lat": 50.4669, "lon": 4.8675, "label": label, "url": "/en/groups/a/?x=1&y=2"}]
    html = _render(points=points)
    escaped = "Groupe &quot;Deuil&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert "<script>" not in html
    assert f'aria-label="{escaped}"><title>{escaped}</title>' in html  # the dot on the map
    assert f'<li><a href="/en/groups/a/?x=1&amp;y=2">{escaped}</a></li>' in html  # the list


def test_highlighted_networks_stand_out_and_say_so():
    brumenta = Group.objects.get(slug="brumenta")
    html = _render(highlight=[brumenta.pk])
    assert re.search(
        r'<a href="/en/networks/brumenta/" class="map-area [^"]*map-area-highlight"', html
    )
    assert html.count("map-area-highlight") == 1
    assert "(your network)" in html


def test_a_second_map_draws_the_networks_from_memory_with_its_own_points(
    django_assert_num_queries,
):
    # A search near a place shows the map again and again: its networks' part is kept per
    # process (search/map.py: drawn_map), so only the points are drawn for each search.
    brumenta = Group.objects.get(slug="brumenta")
    first = _render(highlight=[brumenta.pk])
    namur = {"lat": 50.4669, "lon": 4.8675, "label": "Grief group in Namur", "url": "/en/g/a/"}
    with django_assert_num_queries(0):
        second = _render(highlight=[brumenta.pk], points=[namur])
    assert second.count("map-area-highlight") == 1
    assert first.count('class="map-area') == second.count('class="map-area') >= 10
    assert 'aria-label="Grief group in Namur"' in second and "Grief group" not in first
    # Another language, or another person's network, is drawn for itself.
    with translation.override("fr"):
        french = Template("{% load maps %}{% belgium_map highlight=h %}").render(
            Context({"h": [brumenta.pk]})
        )
    assert "(votre réseau)" in french and 'href="/fr/networks/brumenta/"' in french
    assert "map-area-highlight" not in _render()


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_the_networks_page_shows_both_maps_in_every_language(client, lang):
    response = client.get(f"/{lang}/networks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<figure class="map"') == 2
    assert f'href="/{lang}/networks/brumenta/" class="map-area' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_areas_are_reached_by_tab_and_turn_the_focus_colour(live_server, monkeypatch):
    # The live server's transactional database is emptied after each browser test.
    if not Group.objects.exists():
        load_real_data()
    # Playwright's sync API runs an event loop in this thread (see test_browser.py).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(java_script_enabled=False)
        page.goto(live_server.url + "/en/networks/")
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "[document.activeElement.getAttribute('class') || '',"
                " document.activeElement.getAttribute('href'),"
                " getComputedStyle(document.activeElement).fill]"
            )
            if "map-area" in focused[0]:
                break
        browser.close()
    assert "map-area" in focused[0]
    assert focused[1].startswith("/en/networks/")
    assert focused[2] == "rgb(179, 70, 29)"  # --focus in static/css/site.css
