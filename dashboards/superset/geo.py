"""Region outlines for Superset's map, from the county shapes the repository already bundles
(sources/reference/county_shapes.topojson, us-atlas) and the deployment's county -> region scheme.

Geometry is public reference data; it goes into the bundle as a literal table inside the map's virtual dataset
(`shapes_sql`), so the map needs no published geometry table, no file access from DuckDB
(enable_external_access=false) and no network: deck.gl draws the polygons on an empty canvas, with no base map.

Regions are dissolved from counties on the topology: an arc that two counties of the same region share is
interior and dropped; the arcs left are chained into rings. Deterministic: same files, same text.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sources.reference import counties
from sources.reference.tables import reference_dir

DECIMALS = 3  # about 100 m: plenty at state scale, and a small literal


@cache
def _topology() -> dict[str, Any]:
    return json.loads((reference_dir() / "county_shapes.topojson").read_text(encoding="utf-8"))


def _arcs(topo: dict[str, Any]) -> list[list[tuple[int, int]]]:
    """Quantized arcs, delta-decoded to absolute integer positions (exact, so junctions match)."""
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x, y))
        out.append(points)
    return out


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """A county's polygons, each a list of rings of arc references."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _signed_area(ring: list[tuple[int, int]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _inside(point: tuple[float, float], ring: list[tuple[int, int]]) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _stitch(refs: list[int], arcs: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Chain directed arc references (i, or ~i for arc i reversed) into closed rings."""
    def points(ref: int) -> list[tuple[int, int]]:
        return arcs[ref] if ref >= 0 else arcs[~ref][::-1]

    starts: dict[tuple[int, int], list[int]] = {}
    for ref in refs:
        starts.setdefault(points(ref)[0], []).append(ref)
    used: set[int] = set()
    rings = []
    for first in refs:
        if first in used:
            continue
        ring: list[tuple[int, int]] = []
        ref = first
        while ref is not None and ref not in used:
            used.add(ref)
            pts = points(ref)
            ring.extend(pts if not ring else pts[1:])
            ref = next((r for r in starts.get(pts[-1], []) if r not in used), None)
        if len(ring) >= 4 and ring[0] == ring[-1]:
            rings.append(ring[:-1])
    return rings


def region_polygons(region_of: dict[str, str] | None = None) -> dict[str, list[list[list[list[float]]]]]:
    """region -> its polygons, each [outer ring, hole rings...] of [longitude, latitude], rounded to DECIMALS.

    `region_of` maps 5-digit county FIPS to region (default: counties.csv under the deployment's scheme)."""
    if region_of is None:
        region_of = dict(counties().select("fips", "region").iter_rows())
    topo = _topology()
    arcs = _arcs(topo)
    refs: dict[str, list[int]] = {}
    for geometry in topo["objects"]["counties"]["geometries"]:
        region = region_of.get(str(geometry.get("id")))
        if region is None:
            continue
        for polygon in _polygons(geometry):
            for ring in polygon:
                refs.setdefault(region, []).extend(ring)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]

    def lonlat(ring: list[tuple[int, int]]) -> list[list[float]]:
        pts = [[round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)] for x, y in ring]
        return pts + pts[:1]  # closed, as GeoJSON rings are

    out = {}
    for region in sorted(refs):
        arc_ids = [r if r >= 0 else ~r for r in refs[region]]
        shared = {a for a in arc_ids if arc_ids.count(a) > 1}  # used by two counties of the region: interior
        rings = _stitch([r for r in refs[region] if (r if r >= 0 else ~r) not in shared], arcs)
        rings.sort(key=lambda ring: -abs(_signed_area(ring)))
        outers: list[list[list[tuple[int, int]]]] = []
        for ring in rings:
            host = next((p for p in outers if _inside(ring[0], p[0]) and not any(_inside(ring[0], h) for h in p[1:])),
                        None)
            if host is None:
                outers.append([ring])
            else:
                host.append(ring)
        out[region] = [[lonlat(ring) for ring in polygon] for polygon in outers]
    return out


def shapes_sql(region_of: dict[str, str] | None = None) -> str:
    """A FROM item `(VALUES ...) AS shapes(region, region_label, polygon_part, polygon)`: one row per region
    polygon, its rings as a JSON array (deck.gl's Polygon chart reads it with the JSON encoding)."""
    if region_of is None:
        frame = counties()
        region_of = dict(frame.select("fips", "region").iter_rows())
        labels = dict(frame.select("region", "region_label").iter_rows())
    else:
        labels = {r: r for r in region_of.values()}
    rows = []
    for region, polygons in region_polygons(region_of).items():
        for part, polygon in enumerate(polygons, start=1):
            text = json.dumps(polygon if len(polygon) > 1 else polygon[0], separators=(",", ":"))
            rows.append(f"('{_sql_text(region)}', '{_sql_text(labels[region])}', {part}, '{text}')")
    return "(VALUES " + ",\n  ".join(rows) + ") AS shapes(region, region_label, polygon_part, polygon)"


def bounds(region_of: dict[str, str] | None = None) -> tuple[float, float, float, float]:
    """(west, south, east, north) of every region polygon."""
    xs, ys = [], []
    for polygons in region_polygons(region_of).values():
        for polygon in polygons:
            for x, y in polygon[0]:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def _sql_text(value: str) -> str:
    return value.replace("'", "''")
