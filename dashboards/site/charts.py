"""Vega-Lite specs (Python dicts, data inline) for the static site.

Suppressed cells are never plotted as values: lines break, bars are left out, and the cell is drawn
with the page's hatch pattern (`url(#lantern-suppressed)`, defined in template.html) and labelled
"suppressed" in tooltips (not "1-10": a cell hidden to protect another can hold any count; the page's
small-numbers caveat says what suppressed means).
"""

from __future__ import annotations

from typing import Any

from dashboards.vocabulary import NO_DATA, SUPPRESSED

from dashboards.panels import PanelView

from . import geo
from .data import Row, SiteData

Spec = dict[str, Any]
SUPPRESSED_FILL = "url(#lantern-suppressed)"
UNRELIABLE_FILL = "url(#lantern-unreliable)"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
TYPE_ORDER = ("sex", "labor", "sex_and_labor", "not_specified")
TYPE_COLOURS = {"sex": "#1f5fa8", "labor": "#d9661f", "sex_and_labor": "#7b4fa0", "not_specified": "#8c8c8c"}
EXTRA_COLOURS = ["#2a9d8f", "#b5485d", "#6b8e23", "#8d6e63"]
STATUS_COLOURS = {"Accepted": "#2166ac", "Declined": "#d6604d", "Pending": "#b8b8b8"}
RATE_SCHEME = "blues"

CONFIG: Spec = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": 600, "labelColor": "#333",
             "titleColor": "#222", "gridColor": "#e8e8e8", "domainColor": "#888", "tickColor": "#888"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": 600, "labelLimit": 260},
    "header": {"labelFontSize": 12, "labelFontWeight": 600, "labelColor": "#222"},
    "title": {"fontSize": 14, "fontWeight": 600, "anchor": "start", "color": "#222"},
}


SUPPRESSED_CELL = f'<td class="num suppressed">{SUPPRESSED}</td>'  # a hidden value in every HTML table
NO_DATA_CELL = f'<td class="num nodata">{NO_DATA}</td>'  # nothing to report (never a blank, never "-")


def count_text(value: int | None, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    return NO_DATA if value is None else f"{value:,}"


def rate_text(rate: float | None, flag: str | None) -> str:
    if flag == "suppressed" or rate is None:
        return SUPPRESSED if flag == "suppressed" else NO_DATA
    return f"{rate:,.1f}" + (" (unreliable: 20 or fewer signals)" if flag == "unreliable" else "")


def _spec(description: str, **body: Any) -> Spec:
    return {"description": description, "config": CONFIG, **body}


def _region_rows(data: SiteData) -> list[Row]:
    ranked = sorted(data.regions, key=lambda r: (r["signals_per_100k"] is None, -(r["signals_per_100k"] or 0),
                                                 r["region_label"]))
    out = []
    for order, r in enumerate(ranked):
        rate, flag = r["signals_per_100k"], r["signals_per_100k_flag"]
        out.append({
            "region": r["region"], "region_label": r["region_label"], "order": order, "rate": rate, "flag": flag,
            "population": f"{r['population']:,}" if r["population"] is not None else "no data",
            "signals_text": count_text(r["signals"], r["signals_suppressed"]),
            "cases_text": count_text(r["cases"], r["cases_suppressed"]),
            "rate_text": rate_text(rate, flag),
            "label": (SUPPRESSED if rate is None
                      else f"{rate:,.1f}" + (" unreliable" if flag == "unreliable" else "")),
            "label_x": rate if rate is not None else 0,
        })
    return out


def _rate_colour(rates: list[float]) -> Spec:
    return {"field": "rate", "type": "quantitative", "title": "Signals per 100,000",
            "scale": {"scheme": RATE_SCHEME, "domain": [0, max(rates, default=1) or 1], "nice": True}}


def region_map(data: SiteData) -> Spec:
    """County map coloured by the county's region rate; suppressed regions hatched, unreliable dotted."""
    regions = {r["region"]: r for r in _region_rows(data)}
    topo = geo.county_shapes()
    region_of = {c["fips"]: c["region"] for c in data.counties}
    names = {c["fips"]: c["county_name"] for c in data.counties}
    for g in topo["objects"]["counties"]["geometries"]:
        fips = str(g.get("id"))
        r = regions.get(region_of.get(fips, ""), {})
        g["properties"] = {
            "county": names.get(fips, (g.get("properties") or {}).get("name", fips)),
            "region_label": r.get("region_label", "no region"), "rate": r.get("rate"), "flag": r.get("flag"),
            "signals_text": r.get("signals_text", "no data"), "rate_text": r.get("rate_text", "no data"),
        }
    points = geo.region_label_points(topo, region_of)
    labels = [{"lon": points[k][0], "lat": points[k][1], "label": v["region_label"]}
              for k, v in regions.items() if k in points]
    shapes = {"values": topo, "format": {"type": "topojson", "feature": "counties"}}
    year = data.region_year
    tooltip = [{"field": "properties.county", "title": "County"},
               {"field": "properties.region_label", "title": "Region"},
               {"field": "properties.signals_text", "title": f"Signals {year}"},
               {"field": "properties.rate_text", "title": "Per 100,000 residents"}]
    colour = _rate_colour([r["rate"] for r in regions.values() if r["rate"] is not None])
    colour = {**colour, "field": "properties.rate", "legend": {"orient": "bottom", "gradientLength": 260}}
    county = {"type": "geoshape", "stroke": "white", "strokeWidth": 0.6}
    label_enc = {"longitude": {"field": "lon", "type": "quantitative"},
                 "latitude": {"field": "lat", "type": "quantitative"}, "text": {"field": "label"}}
    return _spec(
        f"Map of Missouri counties coloured by their region's hotline signals per 100,000 residents in {year}.",
        width=470, height=430, projection={"type": "albersUsa"},
        layer=[
            {"data": shapes, "mark": {**county, "fill": "#f0f0f0"}, "encoding": {"tooltip": tooltip}},
            {"data": shapes, "transform": [{"filter": "datum.properties.rate != null"}], "mark": county,
             "encoding": {"color": colour, "tooltip": tooltip}},
            {"data": shapes, "transform": [{"filter": "datum.properties.flag == 'suppressed'"}],
             "mark": {**county, "fill": SUPPRESSED_FILL}, "encoding": {"tooltip": tooltip}},
            {"data": shapes, "transform": [{"filter": "datum.properties.flag == 'unreliable'"}],
             "mark": {**county, "fill": UNRELIABLE_FILL}, "encoding": {"tooltip": tooltip}},
            {"data": {"values": labels}, "mark": {"type": "text", "fontSize": 11, "fontWeight": 700,
                                                   "stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.9},
             "encoding": label_enc},
            {"data": {"values": labels}, "mark": {"type": "text", "fontSize": 11, "fontWeight": 700, "fill": "#111"},
             "encoding": label_enc},
        ],
    )


def region_bars(data: SiteData) -> Spec:
    rows = _region_rows(data)
    y = {"field": "region_label", "type": "nominal", "title": None, "sort": {"field": "order", "op": "min"}}
    x = {"field": "rate", "type": "quantitative", "title": f"Signals per 100,000 residents, {data.region_year}"}
    tooltip = [{"field": "region_label", "title": "Region"}, {"field": "population", "title": "Population"},
               {"field": "signals_text", "title": "Signals"}, {"field": "cases_text", "title": "Cases"},
               {"field": "rate_text", "title": "Per 100,000"}]
    colour = {**_rate_colour([r["rate"] for r in rows if r["rate"] is not None]), "legend": None}
    return _spec(
        f"Regions ranked by hotline signals per 100,000 residents in {data.region_year}.",
        data={"values": rows}, width=330, height={"step": 26},
        encoding={"y": y, "tooltip": tooltip},
        layer=[
            {"transform": [{"filter": "datum.rate != null"}], "mark": {"type": "bar", "height": {"band": 0.7}},
             "encoding": {"x": x, "color": colour}},
            {"transform": [{"filter": "datum.flag == 'unreliable'"}],
             "mark": {"type": "bar", "height": {"band": 0.7}, "fill": UNRELIABLE_FILL}, "encoding": {"x": x}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
             "encoding": {"x": {"field": "label_x", "type": "quantitative"}, "text": {"field": "label"},
                          "color": {"condition": {"test": "datum.rate == null", "value": "#666"}, "value": "#222"},
                          "fontStyle": {"condition": {"test": "datum.flag != null", "value": "italic"},
                                        "value": "normal"}}},
        ],
    )


def referrals(data: SiteData) -> Spec:
    """Latest year's referral flows: total bar (hatched) with the published outcomes stacked on top."""
    flows, parts = [], []
    for i, r in enumerate(data.referrals):
        flow = f"{r['referring_org_type_label']} → {r['receiving_org_type_label']}"
        texts = {k: count_text(r[k], r[f"{k}_suppressed"])
                 for k in ("referrals", "accepted", "declined", "pending")}
        flows.append({"flow": flow, "order": i, "referrals": r["referrals"],
                      "label": f"{r['referrals']:,}" if r["referrals"] is not None else texts["referrals"],
                      "label_x": r["referrals"] or 0, **{f"{k}_text": v for k, v in texts.items()}})
        for k in ("accepted", "declined", "pending"):
            if r[k] is not None:
                parts.append({"flow": flow, "order": i, "status": k.capitalize(), "value": r[k],
                              "status_order": ("accepted", "declined", "pending").index(k),
                              **{f"{k2}_text": v for k2, v in texts.items()}})
    y = {"field": "flow", "type": "nominal", "title": None, "sort": {"field": "order", "op": "min"},
         "axis": {"labelLimit": 360}}
    x_title = f"Referrals in {data.referral_year}" + ("" if data.referral_year_complete else " (year to date)")
    tooltip = [{"field": "flow", "title": "Referral"}, {"field": "referrals_text", "title": "Referrals"},
               {"field": "accepted_text", "title": "Accepted"}, {"field": "declined_text", "title": "Declined"},
               {"field": "pending_text", "title": "Pending"}]
    status = {"field": "status", "type": "nominal", "title": "Outcome",
              "scale": {"domain": list(STATUS_COLOURS), "range": list(STATUS_COLOURS.values())},
              "legend": {"orient": "top"}}
    return _spec(
        "Referrals between organisation types in the latest year, by outcome; hatched = outcome suppressed.",
        width=380, height={"step": 26}, encoding={"y": y, "tooltip": tooltip},
        layer=[
            {"data": {"values": flows}, "transform": [{"filter": "datum.referrals != null"}],
             "mark": {"type": "bar", "height": {"band": 0.7}, "fill": SUPPRESSED_FILL, "stroke": "#888",
                      "strokeWidth": 0.5},
             "encoding": {"x": {"field": "referrals", "type": "quantitative", "title": x_title}}},
            {"data": {"values": parts}, "mark": {"type": "bar", "height": {"band": 0.7}},
             "encoding": {"x": {"field": "value", "type": "quantitative", "stack": "zero"}, "color": status,
                          "order": {"field": "status_order"}}},
            {"data": {"values": flows}, "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
             "encoding": {"x": {"field": "label_x", "type": "quantitative"}, "text": {"field": "label"},
                          "color": {"condition": {"test": "datum.referrals == null", "value": "#666"},
                                    "value": "#222"},
                          "fontStyle": {"condition": {"test": "datum.referrals == null", "value": "italic"},
                                        "value": "normal"}}},
        ],
    )


# headline panel (dashboards/release/panels.yaml) -> the site's chart of it, in page order
PANEL_CHARTS = {
    "signals_by_type": "chart-trend-signals", "cases_by_type": "chart-trend-cases",
    "signals_statewide": "chart-statewide-signals", "cases_statewide": "chart-statewide-cases",
    "signals_by_region": "chart-regions-signals", "cases_by_region": "chart-regions-cases",
    "signals_by_sector": "chart-sectors", "cases_by_sector": "chart-sectors-cases",
    "referrals_by_org_type": "chart-referrals-panel",
}
SMALL_MULTIPLES_ABOVE = 5  # categories: more than this, one small chart each
PERIOD_FORMAT = {"month": "%b %Y", "quarter": "%Y Q%q", "year": "%Y"}
OTHER_COLOUR = "#9e9e9e"


def panel_rows(view: PanelView) -> list[Row]:
    """The cells a panel draws (its release's chosen grain, "Other" as the release states it)."""
    noun = view.measure.capitalize()
    return [{"period": c.period, "period_label": c.period_label, "category": c.label, "value": c.value,
             "suppressed": c.suppressed, "other": c.other, "text": count_text(c.value, c.suppressed),
             "measure": noun} for c in view.cells]


def _category_scale(view: PanelView) -> Spec:
    seen: dict[str, str] = {}
    for c in view.cells:
        seen.setdefault(c.label, c.category or "")
    rank = {code: i for i, code in enumerate(TYPE_ORDER)}
    ordered = sorted(seen.items(), key=lambda kv: (kv[1] == "other", rank.get(kv[1], len(rank)), kv[0]))
    extra = iter(EXTRA_COLOURS * 4)
    return {"domain": [label for label, _ in ordered],
            "range": [OTHER_COLOUR if code == "other" else TYPE_COLOURS.get(code) or next(extra)
                      for _, code in ordered]}


def panel_chart(view: PanelView) -> Spec:
    """One headline panel at the grain its release chose: lines over months or quarters, bars over years, one
    small chart per category where there are many. A suppressed cell is never a value: lines break and a hatched
    strip (or bar) marks it "suppressed"."""
    rows = panel_rows(view)
    noun = view.measure.capitalize()
    grain = view.period
    categories = {r["category"] for r in rows}
    meta = {"panel": view.name, "grain": view.grain, "rollup": "other" if view.rollup else "none"}
    tooltip_time = ({"field": "period_label", "title": grain.capitalize()})
    tooltip = [tooltip_time, {"field": "category", "title": "Category"}, {"field": "text", "title": noun}]
    y_title = f"{noun} per {grain}"
    description = f"{view.title}, by {view.grain_label}; hatched = suppressed (not zero)."
    if len(categories) > SMALL_MULTIPLES_ABOVE:
        order = sorted(categories, key=lambda c: (c == "Other", -sum(r["value"] or 0 for r in rows
                                                                      if r["category"] == c), c))
        x = {"field": "period_label", "type": "ordinal", "title": None, "sort": {"field": "period"},
             "axis": {"labelAngle": 0, "ticks": False, **({"labelExpr": "indexof(datum.label, 'Q1') > 0 ? "
                                                                       "substring(datum.label, 0, 4) : ''"}
                                                          if grain == "quarter" else {})}}
        if grain == "month":
            x["axis"]["labelExpr"] = "indexof(datum.label, 'January') == 0 ? substring(datum.label, 8) : ''"
        return _spec(
            description, usermeta=meta, data={"values": rows}, columns=4, spacing={"row": 18, "column": 22},
            facet={"field": "category", "type": "nominal", "sort": order, "title": None,
                   "header": {"labelAnchor": "start", "labelLimit": 200, "labelPadding": 4}},
            spec={"width": 190, "height": 110, "encoding": {"x": x, "tooltip": tooltip}, "layer": [
                {"transform": [{"filter": "datum.suppressed"}],
                 "mark": {"type": "bar", "fill": SUPPRESSED_FILL, "opacity": 0.35}},
                {"transform": [{"filter": "datum.value != null"}], "mark": {"type": "bar", "color": "#3a6ea5"},
                 "encoding": {"y": {"field": "value", "type": "quantitative", "title": y_title}}},
            ]},
        )
    colour = {"field": "category", "type": "nominal", "title": None, "scale": _category_scale(view),
              "legend": {"orient": "top", "direction": "horizontal"} if len(categories) > 1 else None}
    if grain == "year":
        x = {"field": "period_label", "type": "ordinal", "title": None, "sort": {"field": "period"},
             "axis": {"labelAngle": 0}}
        offset = {"xOffset": {"field": "category", "type": "nominal", "sort": colour["scale"]["domain"]}}
        body = {"width": 880 if len(rows) > 12 else 420, "height": 220, "encoding": {"x": x, **offset, "tooltip": tooltip},
                "layer": [
                    {"transform": [{"filter": "datum.suppressed"}],
                     "mark": {"type": "bar", "fill": SUPPRESSED_FILL, "stroke": "#777", "strokeWidth": 0.5}},
                    {"transform": [{"filter": "datum.value != null"}], "mark": {"type": "bar"},
                     "encoding": {"y": {"field": "value", "type": "quantitative", "title": y_title},
                                  "color": colour}},
                ]}
        return _spec(description, usermeta=meta, data={"values": rows}, **body)
    x = {"field": "period", "type": "temporal", "title": None,
         "axis": {"format": PERIOD_FORMAT[grain], "labelAngle": 0, "tickCount": 12 if grain == "month" else 8}}
    lines: Spec = {
        "width": 880, "height": 240,
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 2, "invalid": "break-paths-filter-domains"}},
            {"mark": {"type": "point", "filled": True, "size": 26}, "transform": [{"filter": "datum.value != null"}],
             "encoding": {"tooltip": tooltip}},
        ],
        "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": y_title}, "color": colour},
    }
    body: Spec = {"data": {"values": rows}}
    if any(r["suppressed"] for r in rows):
        strip: Spec = {
            "width": 880, "height": {"step": 14},
            "title": {"text": f"{grain.capitalize()}s suppressed: not drawn above", "fontSize": 11,
                      "fontWeight": "normal", "color": "#555"},
            "transform": [{"filter": "datum.suppressed"}],
            "mark": {"type": "rect", "fill": SUPPRESSED_FILL, "stroke": "#777", "strokeWidth": 0.5},
            "encoding": {"x": {**x, "axis": None}, "y": {"field": "category", "type": "nominal", "title": None,
                                                         "sort": colour["scale"]["domain"]},
                         "tooltip": tooltip},
        }
        body.update(vconcat=[lines, strip], resolve={"scale": {"x": "shared"}}, spacing=8)
    else:
        body.update(lines)
    return _spec(description, usermeta=meta, **body)


QUARTERS_OF_YEAR = ("Q1", "Q2", "Q3", "Q4")


def seasonality(data: SiteData) -> Spec:
    """Each sector's seasonality profile (signals in a quarter of the year over its average quarter); a sector with
    a suppressed quarter has no profile and is drawn hatched, labelled "suppressed"."""
    rows = [{"sector": r["sector_name"], "quarter": QUARTERS_OF_YEAR[int(r["quarter_of_year"]) - 1],
             "index": r["seasonal_index"],
             "text": SUPPRESSED if r["seasonal_index"] is None else f"{r['seasonal_index']:.2f}"}
            for r in data.seasonality]
    x = {"field": "quarter", "type": "ordinal", "title": None, "sort": list(QUARTERS_OF_YEAR),
         "axis": {"orient": "top", "labelAngle": 0}}
    y = {"field": "sector", "type": "nominal", "title": None, "axis": {"labelLimit": 220}}
    tooltip = [{"field": "sector", "title": "Sector"}, {"field": "quarter", "title": "Quarter of the year"},
               {"field": "text", "title": "Seasonality index"}]
    return _spec(
        "Seasonality profile per sector: signals in each quarter of the year over the sector's average quarter "
        "(1 = typical); hatched = suppressed.",
        data={"values": rows}, width=300, height={"step": 24}, encoding={"x": x, "y": y, "tooltip": tooltip},
        layer=[
            {"transform": [{"filter": "datum.index == null"}],
             "mark": {"type": "rect", "fill": SUPPRESSED_FILL, "stroke": "white"}},
            {"transform": [{"filter": "datum.index != null"}], "mark": {"type": "rect", "stroke": "white"},
             "encoding": {"color": {"field": "index", "type": "quantitative", "title": "Index (1 = typical)",
                                    "scale": {"scheme": "blueorange", "domainMid": 1},
                                    "legend": {"orient": "bottom", "format": ".1f", "gradientLength": 200}}}},
            {"mark": {"type": "text", "fontSize": 11},
             "encoding": {"text": {"field": "text"},
                          "color": {"condition": {"test": "datum.index == null", "value": "#444"}, "value": "#111"}}},
        ],
    )


def all_charts(data: SiteData) -> dict[str, Spec]:
    """Chart id -> spec, in page order. Ids match the containers in template.html."""
    charts = {chart: panel_chart(data.panels[panel]) for panel, chart in PANEL_CHARTS.items()
              if panel in data.panels and data.panels[panel].cells}
    charts.update({"chart-region-map": region_map(data), "chart-region-bars": region_bars(data)})
    if data.referrals:
        charts["chart-referrals"] = referrals(data)  # the flows in detail, under the panel
    if data.seasonality:
        charts["chart-seasonality"] = seasonality(data)
    return charts
