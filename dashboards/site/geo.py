"""County geometry for the region map: sources/reference/county_shapes.topojson (from us-atlas)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from sources.reference.tables import reference_dir


@cache
def _shapes(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def county_shapes() -> dict[str, Any]:
    """A fresh copy of the county topology (`objects.counties`, geometry `id` = 5-digit FIPS)."""
    return copy.deepcopy(_shapes(reference_dir() / "county_shapes.topojson"))


def _arc_points(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Decode (delta-encoded, quantized) arcs to longitude/latitude points."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _rings(geometry: dict[str, Any]) -> list[list[int]]:
    arcs = geometry.get("arcs", [])
    if geometry["type"] == "Polygon":
        return [arcs[0]]  # outer ring only
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in arcs]
    return []


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Planar centroid and absolute area of a closed ring (shoelace; good enough at state scale)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = zip(*ring)
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    return cx / (3 * a), cy / (3 * a), abs(a) / 2


def region_label_points(topo: dict[str, Any], region_of: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Area-weighted centre (longitude, latitude) of each region's counties, for map labels."""
    arcs = _arc_points(topo)
    sums: dict[str, list[float]] = {}
    for geometry in topo["objects"]["counties"]["geometries"]:
        region = region_of.get(str(geometry.get("id")))
        if region is None:
            continue
        for ring_arcs in _rings(geometry):
            ring: list[tuple[float, float]] = []
            for index in ring_arcs:
                points = arcs[index] if index >= 0 else arcs[~index][::-1]
                ring.extend(points if not ring else points[1:])
            x, y, area = _centroid(ring)
            acc = sums.setdefault(region, [0.0, 0.0, 0.0])
            acc[0], acc[1], acc[2] = acc[0] + x * area, acc[1] + y * area, acc[2] + area
    return {r: (sx / a, sy / a) for r, (sx, sy, a) in sums.items() if a > 0}
