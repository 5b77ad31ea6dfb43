"""Our map of Belgium: the networks' areas drawn from the canton paths in data/belgium-map.json.

scripts/draw_map.py makes that file from the NGI's canton boundaries. A network's area is the
cantons whose municipalities are mostly (more than half) in its service area; a canton no network
of the map claims is drawn in a neutral colour. Neighbouring cantons share their borders vertex for
vertex, so an area is sent as one outline, the edges of its cantons that no two of them share, and
two areas touch where an edge has different owners on its two sides (for the colours). The areas'
strokes draw the borders: the pages carry no canton's inner borders (issue 7, page weight).
"""

import json
import re
from collections import Counter, defaultdict
from functools import cache
from html import escape
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from healingtogether.directory.models import Group

KINDS = {"adult": Group.Kind.ADULT_NETWORK, "youth": Group.Kind.YOUTH_NETWORK}
# How long a process keeps the networks' part of a map, drawn (like the helplines strip): a
# network's new name or area is on every map within this many seconds.
NETWORKS_SECONDS = 300
# Fill classes in static/css/site.css (.map-fill-0 …): neighbouring areas never share one.
PALETTE_SIZE = 4

_TOKEN = re.compile(r"[MZ]|-?\d+(?:\.\d+)?")


def _rings(d: str) -> list[list[tuple[str, str]]]:
    """The rings of a path written as 'M x y x y … Z', points kept as the strings they are."""
    rings, numbers = [], []
    for token in _TOKEN.findall(d):
        if token == "M":
            numbers = []
        elif token == "Z":
            rings.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
        else:
            numbers.append(token)
    return rings


# Coordinates are drawn to whole SVG units: the map is 796 units wide and shown at most about 600
# px wide, so a unit is below a screen pixel, and every digit saved is saved on every page that
# inlines a map (the search page's weight budget is 60 KB).
def _units(value: str) -> int:
    return round(float(value))


def _numbers(values) -> str:
    """Numbers joined as tightly as SVG path syntax allows: a minus sign separates by itself."""
    out = []
    for value in values:
        if out and value >= 0:
            out.append(" ")
        out.append(str(value))
    return "".join(out)


def _relative(lines, closed: bool) -> str:
    """Path data with relative moves ('M x y l dx dy …'), much shorter than the JSON's absolute
    coordinates: the maps are inlined in the page. Closed lines may repeat their first point."""
    parts = []
    for line in lines:
        points = [(_units(x), _units(y)) for x, y in line]
        if closed and len(points) > 1 and points[-1] == points[0]:
            points.pop()
        (x, y), steps = points[0], []
        for nx, ny in points[1:]:
            # Points closer than a unit round to the same place: nothing to draw.
            if (nx, ny) != (x, y):
                steps += [nx - x, ny - y]
            x, y = nx, ny
        if not steps:
            continue
        parts.append(f"M{_numbers(points[0])}l{_numbers(steps)}" + "z" * closed)
    return "".join(parts)


def _edges(rings) -> Counter:
    """The edges of some rings, each as its two point strings in sorted order, with how many
    times the rings run along it (a ring may go out along an edge and back)."""
    return Counter(
        (a, b) if a < b else (b, a)
        for ring in rings
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def _lines(edges) -> list[list]:
    """A set of edges joined into lines where they meet. Around a region every point has an even
    number of edges, so each line comes back to where it started: the region's closed outline."""
    following = defaultdict(list)
    for a, b in sorted(edges):
        following[a].append(b)
        following[b].append(a)
    lines = []
    for start in sorted(following):
        while following[start]:
            line, current = [start], start
            while following[current]:
                nxt = following[current].pop(0)
                following[nxt].remove(current)
                line.append(nxt)
                current = nxt
            lines.append(line)
    return lines


class _Map:
    """The drawn cantons, read once per process, with the lookups the pages need."""

    def __init__(self, data: dict):
        self.source = data["source"]
        self.view_box = data["viewBox"]
        self.projection = data["projection"]
        self.cantons = data["cantons"]
        self.edges = [_edges(_rings(c["d"])) for c in self.cantons]
        self.municipalities = [frozenset(c["municipalities"]) for c in self.cantons]
        self.cantons_of = defaultdict(list)
        for index, codes in enumerate(self.municipalities):
            for code in codes:
                self.cantons_of[code].append(index)
        # Each edge between two cantons, as the two point strings and the pair of cantons.
        sides = defaultdict(list)
        for index, canton in enumerate(self.cantons):
            for ring in _rings(canton["d"]):
                for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                    sides[(a, b) if a < b else (b, a)].append(index)
        self.shared_edges = [
            (edge, tuple(owners))
            for edge, owners in sorted(sides.items())
            if len(owners) == 2 and owners[0] != owners[1]
        ]

    def area(self, indexes) -> str:
        """Path data of the region some cantons make together: the edges they run along an odd
        number of times. An edge between two of them (or out and back along a spike) cancels, so
        the borders inside the region are not drawn, nor sent. Drawn with the even-odd fill rule,
        the lines cut out any hole, such as Brussels inside Flemish Brabant."""
        counts = Counter()
        for index in indexes:
            counts.update(self.edges[index])
        return _relative(_lines(edge for edge, n in counts.items() if n % 2), closed=True)


@cache
def _map() -> _Map:
    path = Path(settings.BASE_DIR) / "data" / "belgium-map.json"
    return _Map(json.loads(path.read_text(encoding="utf-8")))


def project(lat: float, lon: float) -> tuple[float, float]:
    """A point's place on the map, in the SVG's own units (the projection of draw_map.py)."""
    p = _map().projection
    x = (lon - p["west"]) * p["x_per_degree"]
    y = (p["north"] - lat) * p["y_per_degree"]
    return round(x, 1), round(y, 1)


def _assign(areas: dict[int, frozenset]) -> dict[int, list[int]]:
    """Which cantons each network's area is drawn with, by network id.

    A canton goes to the network that has more than half of its municipalities; if two do (their
    service areas overlap), to the larger share, then the smaller id. A network that wins no canton
    at all is still drawn, with the canton where it has the largest share.
    """
    m = _map()
    best = {}
    shares = defaultdict(dict)
    for network_id in sorted(areas):
        codes = areas[network_id]
        for index in sorted({i for code in codes for i in m.cantons_of.get(code, ())}):
            share = len(m.municipalities[index] & codes) / len(m.municipalities[index])
            shares[network_id][index] = share
            if share > 0.5 and (index not in best or share > best[index][0]):
                best[index] = (share, network_id)
    drawn = defaultdict(list)
    for index, (_, network_id) in sorted(best.items()):
        drawn[network_id].append(index)
    for network_id in sorted(areas):
        if not drawn[network_id] and shares[network_id]:
            free = {i: s for i, s in shares[network_id].items() if i not in best}
            candidates = free or shares[network_id]
            drawn[network_id].append(max(sorted(candidates), key=candidates.get))
    return {network_id: sorted(drawn[network_id]) for network_id in areas if drawn[network_id]}


class _Layout:
    """One map's areas: the cantons of each network, the region they draw, their colours."""

    def __init__(self, areas: dict[int, frozenset]):
        m = _map()
        self.cantons = _assign(areas)
        owner = {}
        for network_id, indexes in self.cantons.items():
            for index in indexes:
                owner.setdefault(index, network_id)
        self.neutral = [i for i in range(len(m.cantons)) if i not in owner]
        self.paths = {n: m.area(indexes) for n, indexes in self.cantons.items()}
        self.neutral_path = m.area(self.neutral)
        touching = defaultdict(set)
        for _edge, (one, other) in m.shared_edges:
            a, b = owner.get(one), owner.get(other)
            if a != b and a is not None and b is not None:
                touching[a].add(b)
                touching[b].add(a)
        # Greedy colouring, largest areas first, so that neighbours differ.
        self.colour = {}
        for network_id in sorted(self.cantons, key=lambda n: (-len(self.cantons[n]), n)):
            taken = {self.colour.get(n) for n in touching[network_id]}
            self.colour[network_id] = next(
                (c for c in range(PALETTE_SIZE) if c not in taken), network_id % PALETTE_SIZE
            )


_layouts: dict[tuple, _Layout] = {}


def _layout(networks) -> _Layout:
    """The layout for these networks, computed once per process for each set of networks and
    service-area sizes: a changed service area changes its size in all but rare edits."""
    ids = sorted(n.pk for n in networks)
    sizes = dict(
        Group.service_area.through.objects.filter(group_id__in=ids)
        .values_list("group_id")
        .annotate(size=Count("municipality_id"))
    )
    key = tuple((pk, sizes.get(pk, 0)) for pk in ids)
    if key not in _layouts:
        areas = defaultdict(set)
        rows = Group.service_area.through.objects.filter(group_id__in=ids)
        for group_id, code in rows.values_list("group_id", "municipality_id"):
            areas[group_id].add(code)
        if len(_layouts) > 32:
            _layouts.clear()
        _layouts[key] = _Layout({pk: frozenset(codes) for pk, codes in areas.items()})
    return _layouts[key]


def network_shapes(networks, layout=None) -> list[tuple[Group, list[str]]]:
    """Each network that has a service area, with the path of the region it is drawn with (one
    path, as a list so a caller can draw several)."""
    networks = list(networks)
    paths = (layout or _layout(networks)).paths
    return [(n, [paths[n.pk]]) for n in networks if n.pk in paths]


def map_context(kind: str, highlight=None) -> dict:
    """What the networks' part of a map needs (templates/search/_map.html) for the networks of
    one kind ("adult" or "youth"), with the networks to emphasise (ids)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    m = _map()
    networks = sorted(
        Group.objects.listed().filter(kind=KINDS[kind]), key=lambda g: (g.name.lower(), g.pk)
    )
    layout = _layout(networks)
    highlighted = {getattr(h, "pk", h) for h in highlight or ()}
    areas = [
        {
            "network": network,
            "paths": paths,
            "colour": layout.colour[network.pk],
            "highlighted": network.pk in highlighted,
        }
        for network, paths in network_shapes(networks, layout)
    ]
    on_map = {area["network"].pk for area in areas}
    return {
        "map_id": f"map-{kind}",
        "kind": kind,
        "view_box": m.view_box,
        "neutral": layout.neutral_path,
        "areas": areas,
        "networks": networks,
        "unknown": [n for n in networks if n.pk not in on_map],
    }


def drawn_points(points) -> list[dict]:
    """The points ({lat, lon, label, url}) that fall on the map, with their x and y on it."""
    width, height = (float(n) for n in _map().view_box.split()[2:])
    drawn = []
    for point in points or ():
        if point.get("lat") is None or point.get("lon") is None:
            continue
        x, y = project(point["lat"], point["lon"])
        if 0 <= x <= width and 0 <= y <= height:
            drawn.append({"x": x, "y": y, "label": point["label"], "url": point.get("url")})
    return drawn


# Where a map's points go in its kept HTML (drawn_map): markup, which no escaped text can be.
_GAP = "<!--points-->"


def drawn_map(kind: str, points=None, highlight=None) -> str:
    """templates/search/_map.html as HTML. All of it but the points is drawn once and kept per
    process for NETWORKS_SECONDS, under the kind, the language and the networks to emphasise, with
    points and without: a search near a place then reads no network and renders no template (a
    map took 0.3 ms of such a search page when only its areas were kept). The points, which
    change with every search, go in the gaps left for them."""
    highlighted = sorted({getattr(h, "pk", h) for h in highlight or ()})
    key = f"map:{kind}:{get_language()}:{','.join(map(str, highlighted))}"
    cache = caches["process"]
    drawn = cache.get(key)
    if drawn is None:
        context = map_context(kind, highlight=highlighted)
        gap = mark_safe(_GAP)  # noqa: S308 - our own comment, split on just below
        drawn = {
            dotted: render_to_string(
                "search/_map.html",
                {**context, "points": dotted, "points_svg": gap, "points_list": gap},
            ).split(_GAP)
            for dotted in (False, True)
        }
        cache.set(key, drawn, NETWORKS_SECONDS)
    drawn_at = drawn_points(points)
    # (the map, the dots in its SVG, the list beside it): without points, only the SVG's gap.
    before, *after = drawn[bool(drawn_at)]
    return mark_safe(  # noqa: S308 - _marks escapes every text from data
        before + "".join(fill + part for fill, part in zip(_marks(drawn_at), after, strict=False))
    )


def _marks(points) -> tuple[str, str]:
    """The points as HTML: their dots in the SVG (each a link to its group when it has one)
    and their list beside the map. Built here rather than with two loops in the template, which
    took a tenth of a search page's rendering time, with the standard library's escape of
    each label and address."""
    dots, items = [], []
    for point in points:
        label = escape(point["label"])
        x, y = point["x"], point["y"]
        if point["url"]:
            url = escape(point["url"])
            dots.append(
                f'<a href="{url}" class="map-point" aria-label="{label}"><title>{label}</title>'
                f'<circle cx="{x}" cy="{y}" r="7"/></a>'
            )
            items.append(f'<li><a href="{url}">{label}</a></li>')
        else:
            dots.append(
                f'<circle class="map-point" cx="{x}" cy="{y}" r="7"><title>{label}</title></circle>'
            )
            items.append(f"<li>{label}</li>")
    return "\n".join(dots), "\n".join(items)
