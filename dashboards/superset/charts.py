"""Superset charts of the bundle: each chart spec -> `params` (what the UI renders from) and a saved
`query_context` (what the chart data API and CSV export run), by chart kind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dashboards.superset.datasets import dataset_source_sql
from dashboards.superset.catalog import (CERTIFICATION, CHART_KINDS, EXPORT_VERSION, OWNER, ROW_LIMIT, TIME_GRAIN_SQL, Specs,
                                       notes_text, stable_uuid)


@dataclass
class BuiltChart:
    params: dict[str, Any]
    query: dict[str, Any]  # one query object of the query_context
    reference_select: list[str]  # SELECT items of the equivalent direct SQL
    reference_group: list[str]  # GROUP BY items ([] for raw)
    reference_order: list[str]
    reference_limit: int | None = None  # a ranked chart's top rows (ORDER BY its first metric, descending)


def _temporal(specs: Specs, chart: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Adhoc TEMPORAL_RANGE filter on the dataset's time column, so the dashboard time filter applies."""
    main_dttm = specs.datasets[chart["dataset"]].get("main_dttm_col")
    if not main_dttm:
        return [], []
    adhoc = [{"clause": "WHERE", "comparator": "No filter", "expressionType": "SIMPLE",
              "operator": "TEMPORAL_RANGE", "subject": main_dttm}]
    return adhoc, [{"col": main_dttm, "op": "TEMPORAL_RANGE", "val": "No filter"}]


def _col_sql(specs: Specs, chart: dict[str, Any], col: str) -> str:
    expr = specs.datasets[chart["dataset"]]["columns"][col].get("sql")
    return f"{expr} AS {col}" if expr else col


def _metric_sql(specs: Specs, chart: dict[str, Any], metric: str) -> str:
    return f"{specs.datasets[chart['dataset']]['metrics'][metric]['sql']} AS {metric}"


def _query(columns: list[Any], metrics: list[str] | None, orderby: list[list[Any]], filters: list[dict[str, Any]],
           **extra: Any) -> dict[str, Any]:
    query = {
        "filters": filters,
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": columns,
        "metrics": metrics,
        "orderby": orderby,
        "annotation_layers": [],
        "row_limit": ROW_LIMIT,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    query.update(extra)
    return query


def _base_params(viz_type: str, adhoc: list[dict[str, Any]]) -> dict[str, Any]:
    return {"viz_type": viz_type, "adhoc_filters": adhoc, "row_limit": ROW_LIMIT, "extra_form_data": {},
            "annotation_layers": [], "dashboards": []}


def _metric_format(specs: Specs, c: dict[str, Any], metric: str) -> str:
    """The d3 format of a metric (its dataset's `format`): counts with thousands separators, rates to 1 decimal."""
    return specs.datasets[c["dataset"]]["metrics"][metric].get("format") or ",d"


def column_format(col: dict[str, Any]) -> str | None:
    """The d3 format a table shows a column in: its `format`, else rates and shares to 1 decimal, counts with
    thousands separators (never 12.483847653255657)."""
    if col.get("format"):
        return col["format"]
    kind = col["type"].upper()
    if kind in ("DOUBLE", "FLOAT", "REAL", "DECIMAL"):
        return ",.1f"
    if kind in ("BIGINT", "HUGEINT"):
        return ",d"
    return None


def _axis_titles(specs: Specs, c: dict[str, Any], x: str, metrics: list[str]) -> dict[str, Any]:
    """Human axis titles (the spec's, else the dataset labels) with room for them (no clipped labels)."""
    ds = specs.datasets[c["dataset"]]
    x_title = c.get("x_title", ds["columns"].get(x, {}).get("label") or "")
    y_title = c.get("y_title", ds["metrics"][metrics[0]].get("label") if len(metrics) == 1 else "")
    return {"x_axis_title": x_title, "x_axis_title_margin": 30 if x_title else 0,
            "y_axis_title": y_title, "y_axis_title_margin": 40 if y_title else 0, "y_axis_title_position": "Left"}


def _line(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, grain, metrics, groupby = c["x"], c.get("time_grain", "P1M"), c["metrics"], c.get("groupby", [])
    params = _base_params("echarts_timeseries_line", adhoc) | {
        "x_axis": x, "time_grain_sqla": grain, "metrics": metrics, "groupby": groupby,
        "order_desc": True, "rich_tooltip": True, "show_legend": True, "legendType": "scroll",
        "legendOrientation": "top", "x_axis_time_format": "smart_date", "tooltipTimeFormat": "smart_date",
        "y_axis_format": _metric_format(specs, c, metrics[0]), "truncate_metric": True, "comparison_type": "values",
        "seriesType": "line", "markerEnabled": True, "markerSize": 4, "zoomable": False,
    } | _axis_titles(specs, c, x, metrics) | {"x_axis_title": c.get("x_title", "")}
    axis = {"columnType": "BASE_AXIS", "sqlExpression": x, "label": x, "expressionType": "SQL", "timeGrain": grain}
    query = _query([axis, *groupby], metrics, [[metrics[0], False]], filters, series_columns=groupby,
                   extras={"having": "", "where": "", "time_grain_sqla": grain})
    trunc = f"CAST(date_trunc('{TIME_GRAIN_SQL[grain]}', {x}) AS TIMESTAMP) AS {x}"
    return BuiltChart(params, query, [trunc, *groupby, *(_metric_sql(specs, c, m) for m in metrics)],
                      ["1", *(str(i + 2) for i in range(len(groupby)))], [])


HORIZONTAL_LABEL_MARGIN = 60  # px left of a horizontal bar chart's category labels


def _bar(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, metrics, groupby = c["x"], c["metrics"], c.get("groupby", [])
    params = _base_params("echarts_timeseries_bar", adhoc) | {
        "x_axis": x, "metrics": metrics, "groupby": groupby,
        "orientation": "horizontal" if c.get("horizontal") else "vertical",  # horizontal: long category labels
        "xAxisLabelRotation": 0 if c.get("horizontal") else 45,
        "stack": "Stack" if c.get("stack") else None, "show_legend": len(metrics) > 1 or bool(groupby),
        "legendType": "scroll", "legendOrientation": "top", "rich_tooltip": True,
        "y_axis_format": _metric_format(specs, c, metrics[0]), "truncate_metric": True,
        "show_value": not c.get("stack"), "order_desc": True, "x_axis_sort_asc": not c.get("sort_by_metric", False),
        "x_axis_sort_series": "name", "x_axis_sort_series_ascending": True, "comparison_type": "values",
        "truncateXAxis": True, "x_axis_time_format": "smart_date",
    } | _axis_titles(specs, c, x, metrics)
    if c.get("horizontal"):  # the category labels need the room (a title there overprints them): no axis titles,
        # the chart's title names the measure. ECharts sizes the label column before the web font is in, so the
        # longest labels ran past the left edge ("ounty police (St. Charles County) → ..."): a left margin gives
        # them the room. Horizontal, Superset swaps the grid's offsets: the x-axis title's margin is the left one,
        # and only counts with a title, so the title is a blank.
        params |= {"x_axis_title": " ", "x_axis_title_margin": HORIZONTAL_LABEL_MARGIN, "y_axis_title": "",
                   "y_axis_title_margin": 0, "show_value": True}
    if c.get("sort_by_metric"):
        params["x_axis_sort"] = metrics[0]
    row_limit = c.get("limit", ROW_LIMIT)
    params["row_limit"] = row_limit
    orderby = [[metrics[0], False]] if c.get("sort_by_metric") else [[x, True]]
    query = _query([x, *groupby], metrics, orderby, filters, series_columns=groupby)
    query["row_limit"] = row_limit
    select = [_col_sql(specs, c, x), *(_col_sql(specs, c, g) for g in groupby), *(_metric_sql(specs, c, m) for m in metrics)]
    return BuiltChart(params, query, select, [str(i + 1) for i in range(1 + len(groupby))], [],
                      c.get("limit"))


def _table(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    columns, order_by = c["columns"], c.get("order_by", [])
    params = _base_params("table", adhoc) | {
        "query_mode": "raw", "all_columns": columns, "groupby": [], "metrics": [],
        "order_by_cols": [json.dumps([col, bool(asc)]) for col, asc in order_by],
        "allow_render_html": False,  # labels are data, never markup
        "server_pagination": False, "server_page_length": 10, "include_search": False,
        "show_cell_bars": False, "table_timestamp_format": "smart_date", "percent_metrics": [],
        "column_config": _column_config(specs, c),
    }
    # metrics None (not []) is what makes Superset run a raw query without GROUP BY
    query = _query(columns, None, [[col, bool(asc)] for col, asc in order_by], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, col) for col in columns], [], [])


def _column_config(specs: Specs, c: dict[str, Any]) -> dict[str, Any]:
    columns = specs.datasets[c["dataset"]]["columns"]
    formats = {col: column_format(columns[col]) for col in c["columns"]}
    formats.update(c.get("formats", {}))
    return {col: {"d3NumberFormat": fmt} for col, fmt in formats.items() if fmt}


def _heatmap(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, y, metric = c["x"], c["y"], c["metrics"][0]
    params = _base_params("heatmap_v2", adhoc) | {
        "x_axis": x, "groupby": y, "metric": metric, "normalize_across": "heatmap", "show_values": True,
        "show_legend": True, "legend_type": "continuous", "linear_color_scheme": "superset_seq_1",
        "sort_x_axis": "alpha_asc", "sort_y_axis": "alpha_asc", "value_bounds": [None, None],
        "y_axis_format": _metric_format(specs, c, metric), "xscale_interval": -1, "yscale_interval": -1,
        # left_margin in px (with echarts' containLabel): "auto" centred the grid and clipped long sector names; the
        # label column is sized before the web font is in (as for horizontal bars), so it needs the same spare room
        "left_margin": HORIZONTAL_LABEL_MARGIN, "bottom_margin": "auto", "show_percentage": False,
    }
    query = _query([x, y], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, x), _col_sql(specs, c, y), _metric_sql(specs, c, metric)],
                      ["1", "2"], [])


def _sankey(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    source, target, metric = c["source"], c["target"], c["metrics"][0]
    params = _base_params("sankey_v2", adhoc) | {"source": source, "target": target, "metric": metric,
                                                   "color_scheme": "supersetColors"}
    query = _query([source, target], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, source), _col_sql(specs, c, target), _metric_sql(specs, c, metric)],
                      ["1", "2"], [])


def _kpi(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    """One big number (big_number_total), e.g. the latest quarter's count."""
    adhoc, filters = _temporal(specs, c)
    metric = c["metrics"][0]
    params = _base_params("big_number_total", adhoc) | {
        "metric": metric, "header_font_size": 0.4, "subheader_font_size": 0.15,
        "y_axis_format": specs.datasets[c["dataset"]]["metrics"][metric].get("format") or "SMART_NUMBER",
        "subheader": c.get("subheader", ""), "time_format": "smart_date",
    }
    query = _query([], [metric], [], filters)
    return BuiltChart(params, query, [_metric_sql(specs, c, metric)], [], [])


def _funnel(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    """Stages (a column) with one metric, widest first; percentages against the first stage."""
    adhoc, filters = _temporal(specs, c)
    stage, metric = c["x"], c["metrics"][0]
    params = _base_params("funnel", adhoc) | {
        "groupby": [stage], "metric": metric, "sort_by_metric": True, "percent_calculation_type": "first_step",
        "show_labels": True, "show_legend": False, "label_type": "key_value_percent", "number_format": "SMART_NUMBER",
        "show_tooltip_labels": True, "tooltip_label_type": "key_value_percent", "color_scheme": "supersetColors",
    }
    query = _query([stage], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, stage), _metric_sql(specs, c, metric)], ["1"], [])


# The map: deck.gl's Polygon chart over a dataset with one row per region polygon (its rings as JSON, `polygon`),
# drawn with no base map at all (a `mapbox_style` that is neither mapbox:// nor a tile server: no request leaves
# the server, no Mapbox key). The colour comes from a *text* metric: a rate as "12.3" falls in a colour bucket
# (`breaks`), "suppressed" or "no data" falls in none and takes HIDDEN_FILL, never the colour of 0 (deck.gl
# compares a NULL as 0, so a numeric NULL would be painted as the lowest bucket). JavaScript controls stay off.
MAP_FILLS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues, low -> high
HIDDEN_FILL = "#8c8c8c"  # suppressed / no data: off the blue scale, and the title says so
MAP_STROKE = "#ffffff"


def _rgba(hex_colour: str) -> dict[str, int]:
    return {"r": int(hex_colour[1:3], 16), "g": int(hex_colour[3:5], 16), "b": int(hex_colour[5:7], 16), "a": 1}


def map_breakpoints(breaks: list[float]) -> list[dict[str, Any]]:
    """Colour buckets [breaks[i], breaks[i+1]] (the last one open-ended), lowest first."""
    edges = [*breaks, 1e9]
    if len(breaks) > len(MAP_FILLS):
        raise ValueError(f"at most {len(MAP_FILLS)} map buckets")
    fills = MAP_FILLS[len(MAP_FILLS) - len(breaks):]
    return [{"id": i, "minValue": edges[i], "maxValue": edges[i + 1], "color": _rgba(fills[i])}
            for i in range(len(breaks))]


def map_legend(breaks: list[float]) -> str:
    """The map's legend, in words (under the chart's title): the buckets light to dark, and the hidden colour."""
    def num(v: float) -> str:
        return f"{v:,g}"
    parts = [f"{num(lo)} to {num(hi)}" for lo, hi in zip(breaks, breaks[1:])] + [f"{num(breaks[-1])} and more"]
    return (f"Colours, lightest to darkest blue: {', '.join(parts)}. Grey: suppressed (hidden, not zero) or no "
            "data. Hover a region for its figures.")


def _map(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    from dashboards.superset.geo import bounds

    adhoc, filters = _temporal(specs, c)
    polygon, metric, tooltip = c["polygon"], c["metrics"][0], c.get("tooltip", [])
    columns = specs.datasets[c["dataset"]]["columns"]
    west, south, east, north = bounds()
    params = _base_params("deck_polygon", adhoc) | {
        "line_column": polygon, "line_type": "json", "metric": metric, "filter_nulls": False,
        "reverse_long_lat": False, "js_columns": [], "mapbox_style": "", "autozoom": True,
        "viewport": {"longitude": round((west + east) / 2, 3), "latitude": round((south + north) / 2, 3),
                     "zoom": 5.6, "bearing": 0, "pitch": 0},
        "color_scheme_type": "color_breakpoints", "color_breakpoints": map_breakpoints(c["breaks"]),
        "default_breakpoint_color": _rgba(HIDDEN_FILL),
        "fill_color_picker": _rgba(HIDDEN_FILL), "stroke_color_picker": _rgba(MAP_STROKE),
        "filled": True, "stroked": True, "extruded": False, "line_width": 2, "line_width_unit": "pixels",
        "opacity": 100, "multiplier": 1, "point_radius_fixed": {"type": "fix", "value": 0},
        # no legend on the canvas (it covered the north-east and read "20 - 1000000000"): the chart's description
        # carries it, with the hidden colour (map_legend)
        "legend_position": None, "legend_format": None, "table_filter": False, "time_grain_sqla": None,
        # the spec's tooltip labels (`tooltip: {column: label}`), else the columns' labels
        "tooltip_contents": [{"item_type": "column", "column_name": col,
                              "verbose_name": (tooltip[col] if isinstance(tooltip, dict) else None)
                              or columns[col]["label"]} for col in tooltip],
        "tooltip_template": "",
    }
    tooltip_cols = list(tooltip)
    query = _query([polygon, *tooltip_cols], [metric], [], filters, is_timeseries=False)
    select = [_col_sql(specs, c, col) for col in (polygon, *tooltip_cols)] + [_metric_sql(specs, c, metric)]
    return BuiltChart(params, query, select, [str(i + 1) for i in range(1 + len(tooltip_cols))], [])


VIZ_BUILDERS = {"line": _line, "bar": _bar, "table": _table, "heatmap": _heatmap, "sankey": _sankey,
                "kpi": _kpi, "funnel": _funnel, "map": _map}
if set(VIZ_BUILDERS) != set(CHART_KINDS):
    raise RuntimeError("catalog.CHART_KINDS and charts.VIZ_BUILDERS disagree: every kind a spec may name needs a builder")


def build_chart(specs: Specs, name: str, chart: dict[str, Any]) -> BuiltChart:
    return VIZ_BUILDERS[chart["viz"]](specs, chart)


def chart_config(specs: Specs, name: str, chart: dict[str, Any]) -> dict[str, Any]:
    built = build_chart(specs, name, chart)
    params = dict(built.params)
    # placeholder datasource; Superset's importer rewrites it to the imported dataset's id
    params["datasource"] = "0__table"
    query_context = {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [built.query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    description = notes_text(specs, chart.get("notes", []))
    if chart["viz"] == "map":
        description = f"{map_legend(chart['breaks'])} {description}".strip()
    return {
        "slice_name": chart["title"],
        "description": description or None,
        "certified_by": OWNER,
        "certification_details": CERTIFICATION,
        "viz_type": params["viz_type"],
        "params": params,
        "query_context": json.dumps(query_context, sort_keys=True),
        "cache_timeout": None,
        "uuid": stable_uuid("chart", name),
        "version": EXPORT_VERSION,
        "dataset_uuid": stable_uuid("dataset", chart["dataset"]),
    }


def reference_sql(specs: Specs, name: str, chart: dict[str, Any]) -> str:
    """The direct DuckDB query whose rows the chart data API must return (tests compare the two)."""
    built = build_chart(specs, name, chart)
    sql = f"SELECT {', '.join(built.reference_select)} FROM {dataset_source_sql(specs, chart['dataset'])}"
    if built.reference_group:
        sql += f" GROUP BY {', '.join(built.reference_group)}"
    if built.reference_limit:
        sql += f" ORDER BY {len(built.reference_group) + 1} DESC NULLS LAST LIMIT {int(built.reference_limit)}"
    return sql


# ---------------------------------------------------------------- dashboards
