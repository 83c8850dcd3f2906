"""Issue #15: the region map in Superset (deck.gl Polygon chart, no base map, nothing from the internet).

Static checks against the Superset test fixture (no server): every region of the deployment has an outline, a
hidden region's value is the word "suppressed" (never NULL, which deck.gl would paint as 0, and never 0), and it
falls in no colour bucket. The browser test renders the real dashboard in headless chromium, counts the shapes
drawn on the map's canvas by colour, and reads the hidden region's tooltip.
"""

from __future__ import annotations

import secrets
from collections import deque
from pathlib import Path

import duckdb
import pytest

from dashboards.superset.catalog import load_specs, stable_uuid
from dashboards.superset.charts import HIDDEN_FILL, build_chart, map_breakpoints, reference_sql
from dashboards.superset.geo import region_polygons
from dashboards.vocabulary import NO_DATA, SUPPRESSED
from sources.reference import counties

from conftest import make_test_serving
from test_superset_browser import CHART_STATE

MAP = "region_rate_map"
DASHBOARD = "trends_explorer"


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("map")
    release, internal = root / "serving.duckdb", root / "internal.duckdb"
    make_test_serving(release, seed=1)
    make_test_serving(internal, seed=1, exact=True)
    return {"release": release, "internal": internal}


def _map_rows(specs, database: Path, name: str = MAP, dashboard: str = DASHBOARD) -> list[dict]:
    chart = specs.dashboards[dashboard]["charts"][name]
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(reference_sql(specs, name, chart))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def js_bucket(value, breakpoints: list[dict]) -> int | None:
    """What deck.gl's colour-breakpoint accessor does with a value (JavaScript comparisons): the bucket index, or
    None for the default (hidden) colour. A NULL compares as 0; a non-numeric string compares false."""
    if value is None:
        number = 0.0
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        number = float(value)
    return next((i for i, b in enumerate(breakpoints) if b["minValue"] <= number <= b["maxValue"]), None)


def test_every_region_has_an_outline_and_the_outlines_are_the_counties():
    regions = set(counties()["region"])
    shapes = region_polygons()
    assert set(shapes) == regions and len(regions) == 9
    assert all(len(ring) >= 4 and ring[0] == ring[-1] for polygons in shapes.values() for p in polygons for ring in p)
    # a dissolve that dropped a region's outer boundary (or kept interior arcs) would change the area: the regions'
    # areas add up to the state's (the counties')
    def area(ring):
        return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))) / 2
    state = sum(area(p[0]) - sum(area(h) for h in p[1:]) for polygons in shapes.values() for p in polygons)
    each_county = sum(area(p[0]) for polygons in region_polygons({f: f for f in counties()["fips"]}).values()
                      for p in polygons)
    assert abs(state - each_county) / each_county < 0.01, (state, each_county)


def test_a_hidden_region_is_suppressed_on_the_map_never_zero(databases):
    specs = load_specs(serving=databases["release"], internal=databases["internal"])
    chart = specs.dashboards[DASHBOARD]["charts"][MAP]
    breakpoints = build_chart(specs, MAP, chart).params["color_breakpoints"]
    rows = _map_rows(specs, databases["release"])
    assert len(rows) == len(region_polygons()) == 9  # one polygon per region, a hidden one included
    hidden = [r for r in rows if r["rate_map"] == SUPPRESSED]
    assert [r["region_label"] for r in hidden] == ["Troop I"]  # the fixture hides Troop I in 2024
    assert hidden[0]["rate_text"] == SUPPRESSED and hidden[0]["signals_text"] == SUPPRESSED
    for row in rows:
        assert row["rate_map"] is not None, row  # deck.gl would paint a NULL as the colour of 0
        shown = row["rate_map"] not in (SUPPRESSED, NO_DATA)
        assert (js_bucket(row["rate_map"], breakpoints) is not None) == shown, row
    # the exact edition shows Troop I's number
    exact = _map_rows(specs, databases["internal"], "exact__" + MAP, "exact__" + DASHBOARD)
    assert {r["region_label"]: r["rate_map"] for r in exact}["Troop I"] not in (SUPPRESSED, NO_DATA, None)


def test_the_map_needs_no_base_map_and_no_script():
    specs = load_specs()
    params = build_chart(specs, MAP, specs.dashboards[DASHBOARD]["charts"][MAP]).params
    style = params["mapbox_style"]
    assert not style.startswith(("mapbox://", "tile://")) and "osm" not in style and "openstreetmap" not in style
    assert params["filter_nulls"] is False and not params.get("js_data_mutator") and not params["js_columns"]
    assert params["color_breakpoints"] == map_breakpoints(specs.dashboards[DASHBOARD]["charts"][MAP]["breaks"])


def test_a_numeric_null_would_be_painted_as_zero():
    """Why the map's metric is text: the check above can fail. A NULL rate falls in the lowest bucket."""
    breakpoints = map_breakpoints([0, 5, 10])
    assert js_bucket(None, breakpoints) == 0 == js_bucket("0.0", breakpoints)
    assert js_bucket(SUPPRESSED, breakpoints) is None


# ---------------------------------------------------------------- the real thing, in headless chromium

def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def shapes_by_colour(png: Path, colours: dict[str, tuple[int, int, int]], min_pixels: int = 40) -> dict[str, list]:
    """Connected areas of exactly each colour in a screenshot (4-neighbour flood fill): name -> [(pixels, centre)].
    Neighbouring regions are apart by their white outline, so each drawn region is one area."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    wanted = {rgb: name for name, rgb in colours.items()}
    seen = bytearray(width * height)
    found: dict[str, list] = {name: [] for name in colours}
    for y in range(height):
        for x in range(width):
            if seen[y * width + x]:
                continue
            name = wanted.get(pixels[x, y])
            if name is None:
                continue
            queue, area, sx, sy = deque([(x, y)]), 0, 0, 0
            seen[y * width + x] = 1
            while queue:
                cx, cy = queue.popleft()
                area, sx, sy = area + 1, sx + cx, sy + cy
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    if 0 <= nx < width and 0 <= ny < height and not seen[ny * width + nx] \
                            and pixels[nx, ny] == pixels[x, y]:
                        seen[ny * width + nx] = 1
                        queue.append((nx, ny))
            if area >= min_pixels:
                found[name].append((area, (sx // area, sy // area)))
    return found


@pytest.mark.superset
def test_the_map_draws_every_region_offline_and_a_hidden_one_reads_suppressed(
        published, admin_api, superset_server, artifacts):
    from dashboards.superset.access import Rest, ensure_user
    from support.browser import open_page, require_chromium

    require_chromium()
    specs = load_specs()
    chart = specs.dashboards[DASHBOARD]["charts"][MAP]
    breakpoints = build_chart(specs, MAP, chart).params["color_breakpoints"]
    chart_id = {r["uuid"]: r["id"] for r in admin_api.list("chart", ["id", "uuid"])}[stable_uuid("chart", MAP)]
    password = secrets.token_urlsafe(12)
    ensure_user(Rest(admin_api.session, superset_server.url), "map_partner", password, ["Lantern partner"])
    slug = specs.dashboards[DASHBOARD]["dashboard"]["slug"]
    shot = artifacts / "superset-region-map.png"
    seen: dict = {}

    def look(page):
        page.fill("#username", "map_partner")
        page.fill("#password", password)
        page.click('[data-test="login-button"]')
        page.wait_for_url(f"**/superset/dashboard/{slug}/**", timeout=60_000)
        page.wait_for_function(  # a loaded machine once took minutes for the first render
            "() => { const s = (" + CHART_STATE + ")(); return s.holders > 0 && !s.state.includes('loading'); }",
            timeout=240_000)
        holder = page.locator(f".dashboard-chart-id-{chart_id}")
        holder.scroll_into_view_if_needed(timeout=180_000)
        holder.locator("canvas").first.wait_for(timeout=180_000)
        page.wait_for_timeout(3000)  # deck.gl draws on the next animation frames
        holder.locator("canvas").first.screenshot(path=str(shot))
        colours = {"hidden": _hex(HIDDEN_FILL)} | {
            f"bucket{i}": (b["color"]["r"], b["color"]["g"], b["color"]["b"]) for i, b in enumerate(breakpoints)}
        found = shapes_by_colour(shot, colours)
        seen["shapes"] = found
        box = holder.locator("canvas").first.bounding_box()
        seen["tooltips"] = []
        for name in found:
            for area, (x, y) in found[name]:
                page.mouse.move(box["x"] + x, box["y"] + y)
                tooltip = holder.locator(".deckgl-tooltip")
                tooltip.first.wait_for(timeout=30_000)
                seen["tooltips"].append((name, " ".join(tooltip.first.inner_text().split())))
                page.mouse.move(box["x"] + 2, box["y"] + 2)
                page.wait_for_timeout(300)

    run = open_page(f"{superset_server.url}/login/?next=/superset/dashboard/{slug}/", None, actions=look,
                    viewport=(1280, 2400), timeout_ms=240_000)
    assert run.blocked == [], run.blocked  # no tile, no Mapbox, nothing off loopback
    assert run.page_errors == [], run.page_errors
    shapes = seen["shapes"]
    drawn = sum(len(v) for v in shapes.values())
    print(f"\n[map] shapes drawn by colour: { {k: len(v) for k, v in shapes.items()} }")
    assert drawn == 9, shapes  # nine regions, each one shape
    assert len(shapes["hidden"]) == 1, shapes  # Troop I, hidden in the fixture's latest complete year
    assert len(shapes["bucket0"]) == 0, shapes  # no region of the fixture is below 5 per 100,000: none as 0
    print(f"[map] tooltips: {seen['tooltips']}")
    tooltips = dict((text.split("Year:")[0], name) for name, text in seen["tooltips"])
    assert len(tooltips) == 9, seen["tooltips"]  # each shape is a different region
    hidden = [text for name, text in seen["tooltips"] if name == "hidden"]
    assert len(hidden) == 1 and "Troop I" in hidden[0], seen["tooltips"]
    assert f"Signals per 100k residents: {SUPPRESSED}" in hidden[0] and f"Signals: {SUPPRESSED}" in hidden[0]
    for name, text in seen["tooltips"]:
        assert (SUPPRESSED in text) == (name == "hidden"), (name, text)
        assert " 0 " not in f" {text} " and "null" not in text and "undefined" not in text, text
