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
        params |= {"x_axis_title": "", "x_axis_title_margin": 0,  # the chart's title names the measure
                   "y_axis_title_margin": 0, "y_axis_title": "", "show_value": True}
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
        # left_margin in px (with echarts' containLabel): "auto" centred the grid and clipped long sector names
        "left_margin": 10, "bottom_margin": "auto", "show_percentage": False,
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


VIZ_BUILDERS = {"line": _line, "bar": _bar, "table": _table, "heatmap": _heatmap, "sankey": _sankey,
                "kpi": _kpi, "funnel": _funnel}
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
    return {
        "slice_name": chart["title"],
        "description": notes_text(specs, chart.get("notes", [])) or None,
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
