"""Briefing charts: Vega-Lite specs rendered by vl-convert (no browser, no network) with the bundled font.

Made for print: greys only (readable in black and white), suppressed values written as "suppressed"
next to an empty slot, never drawn as 0. The county map reuses the static site's geometry helpers.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert

from dashboards.site import geo

from .data import BriefingData, Row
from .numbers import SUPPRESSED

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu Sans"
DARK, MID, LIGHT = "#222222", "#777777", "#bdbdbd"
Spec = dict[str, Any]

CONFIG: Spec = {
    "font": FONT, "background": "white", "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10, "labelColor": "#222", "titleColor": "#222",
             "gridColor": "#e4e4e4", "domainColor": "#666", "tickColor": "#666"},
    "legend": {"labelFontSize": 10, "titleFontSize": 10},
    "title": {"fontSize": 11, "anchor": "start", "fontWeight": "bold"},
}


@cache
def _register_fonts() -> None:
    vl_convert.register_font_directory(str(FONTS))


def _spec(**body: Any) -> Spec:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CONFIG, **body}


def png(spec: Spec, scale: float = 2.0) -> bytes:
    _register_fonts()
    return vl_convert.vegalite_to_png(spec, scale=scale)


def svg(spec: Spec) -> str:
    _register_fonts()
    return vl_convert.vegalite_to_svg(spec)


TREND_PERIODS = {"month": 24, "quarter": 8, "year": 3}


def quarterly_trend(data: BriefingData) -> Spec | None:
    """Statewide signals at the grain the release chose for them, up to the briefing quarter (the last 24 months,
    8 quarters or 3 years); the periods of the briefing quarter in black."""
    view = data.panels.get("signals_statewide")
    if view is None or not view.cells:
        return None
    cells = [c for c in view.cells if c.period <= data.quarter.end.isoformat()][-TREND_PERIODS.get(view.period, 8):]
    if not cells:
        return None
    start, end = data.quarter.start.isoformat(), data.quarter.end.isoformat()
    values = [{"quarter": c.period_label if view.period != "month" else f"{dt.date.fromisoformat(c.period):%b %y}",
               "signals": c.value, "current": start <= c.period <= end or (view.period == "year"
                                                                          and c.period[:4] == start[:4]),
               "label_y": c.value or 0, "text": SUPPRESSED if c.suppressed else f"{c.value:,}"} for c in cells]
    x = {"field": "quarter", "type": "ordinal", "title": None, "sort": None,
         "axis": {"labelAngle": -90 if view.period == "month" else 0}}
    return _spec(
        data={"values": values}, width=440, height=150, usermeta={"panel": view.name, "grain": view.grain},
        title=f"Statewide hotline signals per {view.period} (the briefing quarter in black)",
        layer=[
            {"transform": [{"filter": "datum.signals != null"}], "mark": {"type": "bar", "width": {"band": 0.7}},
             "encoding": {"x": x, "y": {"field": "signals", "type": "quantitative", "title": "Signals"},
                          "color": {"condition": {"test": "datum.current", "value": DARK}, "value": LIGHT}}},
            {"mark": {"type": "text", "dy": -5, "fontSize": 9, "color": DARK},
             "encoding": {"x": x, "y": {"field": "label_y", "type": "quantitative"}, "text": {"field": "text"}}},
        ],
    )


def _rate_label(r: Row, k: int) -> str:
    if r.get("signals_per_100k_flag") == "suppressed" or r.get("signals_suppressed"):
        return "suppressed"
    if r.get("signals_per_100k") is None:
        return "no rate"
    text = f"{r['signals_per_100k']:.1f}"
    return text + "*" if r.get("signals_per_100k_flag") == "unreliable" else text


def region_map(data: BriefingData) -> Spec | None:
    """Missouri counties shaded by their region's signals per 100,000 residents in the quarter."""
    regions = {r["region"]: r for r in (data.areas or []) if r["area_level"] == "region"}
    if not regions or not data.counties:
        return None
    k = data.min_cell_count
    topo = geo.county_shapes()
    region_of = {c["fips"]: c["region"] for c in data.counties}
    for g in topo["objects"]["counties"]["geometries"]:
        r = regions.get(region_of.get(str(g.get("id")), ""), {})
        shown = r.get("signals_per_100k_flag") != "suppressed" and not r.get("signals_suppressed")
        g["properties"] = {"rate": r.get("signals_per_100k") if shown else None}
    points = geo.region_label_points(topo, region_of)
    labels = [{"lon": lon, "lat": lat, "name": regions[code]["area_name"], "value": _rate_label(regions[code], k)}
              for code, (lon, lat) in points.items() if code in regions]
    shapes = {"values": topo, "format": {"type": "topojson", "feature": "counties"}}
    rates = [r["signals_per_100k"] for r in regions.values() if r.get("signals_per_100k") is not None]
    county = {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4}
    position = {"longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"}}
    text = {"type": "text", "fontSize": 10, "fontWeight": "bold", "fill": "#000"}
    halo = {**text, "fill": None, "stroke": "#fff", "strokeWidth": 3, "strokeOpacity": 0.9}
    label_layers = [
        {"data": {"values": labels}, "mark": {**mark, "dy": dy, **weight}, "encoding": {**position, "text": {"field": field}}}
        for mark in (halo, text) for field, dy, weight in (("name", -6, {}), ("value", 6, {"fontWeight": "normal"}))
    ]
    return _spec(
        width=420, height=390, projection={"type": "albersUsa"},
        title=f"Signals per 100,000 residents, {data.quarter.label} (white: suppressed; * unreliable)",
        layer=[
            {"data": shapes, "mark": {**county, "fill": "#ffffff", "stroke": "#999", "strokeDash": [2, 2]}},
            {"data": shapes, "transform": [{"filter": "datum.properties.rate != null"}], "mark": county,
             "encoding": {"color": {"field": "properties.rate", "type": "quantitative", "title": "per 100,000",
                                    "scale": {"scheme": "greys", "domain": [0, max(rates, default=1) or 1],
                                              "range": ["#f2f2f2", "#5a5a5a"]},
                                    "legend": {"orient": "bottom", "gradientLength": 220}}}},
            *label_layers,
        ],
    )


def panel_bars(view, periods: list[str], labels: list[str]) -> Spec | None:
    """A headline panel at its release's chosen grain: one bar per category and period (the first period black, the
    others grey); a suppressed value is written "suppressed" next to an empty slot, never drawn as 0."""
    cells = [c for c in view.cells if c.period in periods]
    if not cells:
        return None
    label_of = dict(zip(periods, labels))
    totals: dict[str, int] = {}
    for c in cells:
        totals[c.label] = totals.get(c.label, 0) + (c.value or 0)
    order = sorted(totals, key=lambda n: (n == "Other", -totals[n], n))
    values = [{"category": c.label, "period": label_of[c.period], "value": c.value, "label_x": c.value or 0,
               "text": SUPPRESSED if c.suppressed else f"{c.value:,}"} for c in cells]
    shown = [label_of[p] for p in periods]
    shades = [DARK, LIGHT, MID][:len(shown)] if len(shown) <= 3 else None
    return _spec(
        data={"values": values}, width=330, usermeta={"panel": view.name, "grain": view.grain},
        title=f"{view.title} by {view.grain_label}: {', '.join(shown)}; suppressed values not drawn",
        facet={"row": {"field": "category", "type": "nominal", "sort": order, "title": None,
                       "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 10, "labelLimit": 190}}},
        spacing=2,
        spec={"height": {"step": 9}, "width": 300, "layer": [
            {"transform": [{"filter": "datum.value != null"}], "mark": {"type": "bar"},
             "encoding": {"y": {"field": "period", "type": "nominal", "sort": shown, "axis": None},
                          "x": {"field": "value", "type": "quantitative", "title": view.measure.capitalize()},
                          "color": {"field": "period", "type": "nominal", "legend": None,
                                    "scale": {"domain": shown, **({"range": shades} if shades else
                                                                  {"scheme": "greys"})}}}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 8, "color": DARK},
             "encoding": {"y": {"field": "period", "type": "nominal", "sort": shown, "axis": None},
                          "x": {"field": "label_x", "type": "quantitative"}, "text": {"field": "text"}}},
        ]},
    )


FUNNEL_STAGES = ("situations_signalled", "situations_case", "situations_investigated", "situations_charged",
                 "situations_convicted")
FUNNEL_LABELS = {"situations_signalled": "Signalled", "situations_case": "Became a case",
                 "situations_investigated": "Investigated", "situations_charged": "Charged",
                 "situations_convicted": "Convicted"}


def funnel(data: BriefingData) -> Spec | None:
    """Situations reaching each stage, by cohort year (year of first signal)."""
    rows = data.case_funnel or []
    if not rows:
        return None
    years = [str(r["cohort_year"]) for r in rows]
    shades = [LIGHT, MID, "#4d4d4d", DARK][-len(years):] if len(years) <= 4 else None
    values = []
    for r in rows:
        for stage in FUNNEL_STAGES:
            suppressed = bool(r[f"{stage}_suppressed"])
            values.append({"stage": FUNNEL_LABELS[stage], "cohort": str(r["cohort_year"]), "value": r[stage],
                           "label_x": r[stage] or 0, "text": "suppressed" if suppressed else f"{r[stage]:,}"})
    stages = [FUNNEL_LABELS[s] for s in FUNNEL_STAGES]
    colour = {"field": "cohort", "type": "nominal", "title": "Cohort (year of first signal)",
              "scale": {"domain": years, **({"range": shades} if shades else {"scheme": "greys"})},
              "legend": {"orient": "top"}}
    return _spec(
        data={"values": values}, width=300, title="The case funnel by cohort year",
        facet={"row": {"field": "stage", "type": "nominal", "sort": stages, "title": None,
                       "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 10}}},
        spacing=3,
        spec={"height": {"step": 9}, "width": 300, "layer": [
            {"transform": [{"filter": "datum.value != null"}], "mark": {"type": "bar", "stroke": "#000",
                                                                        "strokeWidth": 0.3},
             "encoding": {"y": {"field": "cohort", "type": "nominal", "sort": years, "axis": None},
                          "x": {"field": "value", "type": "quantitative", "title": "Situations"},
                          "color": colour}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 8, "color": DARK},
             "encoding": {"y": {"field": "cohort", "type": "nominal", "sort": years, "axis": None},
                          "x": {"field": "label_x", "type": "quantitative"},
                          "text": {"field": "text"}}},
        ]},
    )
