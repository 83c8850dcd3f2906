"""Issue #15: no Superset chart shows a sum that includes a suppressed cell as a number, every column and metric
has a human label, and every number has a stated format. Static checks of the bundle against real DuckDB files
(the Superset test fixture, release and exact): no server needed. The browser test renders them."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import duckdb
import pytest

from dashboards.superset.charts import build_chart
from dashboards.superset.datasets import dataset_source_sql
from dashboards.superset.catalog import load_specs
from dashboards.vocabulary import NO_DATA, SUPPRESSED

from conftest import make_test_serving

SUM_OF = re.compile(r"^\s*SUM\((\w+)\)\s*$", re.I)


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("honest")
    release, internal = root / "serving.duckdb", root / "internal.duckdb"
    make_test_serving(release, seed=1)
    make_test_serving(internal, seed=1, exact=True)
    return {"release": release, "internal": internal}


@pytest.fixture(scope="module")
def specs(databases):
    return load_specs(serving=databases["release"], internal=databases["internal"])


def _measured_column(metric: dict) -> str | None:
    """The protected count a metric adds up (sum_of, or a plain SUM(col))."""
    if metric.get("sum_of"):
        return metric["sum_of"]
    match = SUM_OF.match(metric["sql"])
    return match.group(1) if match else None


def sums_over_hidden_cells(specs, databases, name: str, chart: dict) -> list[tuple]:
    """Rows of a chart's data whose metric is a number although a cell it adds up is suppressed (and it adds more
    than that one cell): a lower bound dressed as a total."""
    ds = specs.datasets[chart["dataset"]]
    built = build_chart(specs, name, chart)
    groups = built.reference_select[:len(built.reference_group)]
    source = dataset_source_sql(specs, chart["dataset"])
    con = duckdb.connect(str(databases[ds["database"]]), read_only=True)
    try:
        columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        bad = []
        for metric_name in chart.get("metrics", []):
            metric = ds["metrics"][metric_name]
            column = _measured_column(metric)
            if column is None or f"{column}_suppressed" not in columns:
                continue
            select = ", ".join([*groups, f"{metric['sql']} AS value",
                                f"bool_or(coalesce({column}_suppressed, false)) AS hidden", "count(*) AS cells"])
            sql = f"SELECT {select} FROM {source}" + (
                f" GROUP BY {', '.join(built.reference_group)}" if built.reference_group else "")
            bad += [(metric_name, *row) for row in con.execute(sql).fetchall()
                    if row[-3] is not None and row[-2] and row[-1] > 1]
        return bad
    finally:
        con.close()


def test_no_chart_shows_a_sum_that_includes_a_suppressed_cell(specs, databases):
    checked = 0
    for name, chart, _dash in specs.chart_items():
        assert sums_over_hidden_cells(specs, databases, name, chart) == [], name
        checked += bool(chart.get("metrics"))
    assert checked >= 10


def test_a_planted_hidden_cell_under_a_plain_sum_is_caught(specs, databases, tmp_path):
    """The check can fail: the quarter chart of the months, as it was (SUM of published months), with one month
    hidden, is a lower bound; the guarded metric of the same chart shows it as suppressed instead."""
    planted = dict(databases, release=tmp_path / "planted.duckdb")
    planted["release"].write_bytes(databases["release"].read_bytes())
    con = duckdb.connect(str(planted["release"]))
    con.execute("UPDATE monthly_statewide_by_type SET signals = NULL, signals_suppressed = true "
                "WHERE month = DATE '2024-02-01' AND trafficking_type = 'sex'")
    con.close()
    plain = copy.deepcopy(specs)
    ds = plain.datasets["monthly_statewide_by_type"]
    ds["metrics"]["plain_sum"] = {"sql": "SUM(signals)", "label": "Signals"}
    chart = {"dataset": "monthly_statewide_by_type", "viz": "line", "x": "month", "time_grain": "P3M",
             "metrics": ["plain_sum", "signals_total"], "groupby": ["trafficking_type_label"]}
    bad = sums_over_hidden_cells(plain, planted, "planted", chart)
    assert bad and {row[0] for row in bad} == {"plain_sum"}  # the guarded signals_total is never reported
    assert any(row[1].year == 2024 and row[1].month == 1 and row[2] == "Sex trafficking" for row in bad)


def test_the_briefing_headline_reads_published_quarter_cells_not_sums_of_months(specs, databases):
    ds = specs.datasets["briefing_headlines"]
    assert "monthly_statewide_by_type" not in ds["sql"] and ds["requires"] == ["area_quarterly"]
    con = duckdb.connect(str(databases["release"]), read_only=True)
    try:
        rows = con.execute(f"SELECT measure, latest_quarter, same_quarter_last_year FROM "
                           f"{dataset_source_sql(specs, 'briefing_headlines')}").fetchall()
        state = dict(con.execute("SELECT 'Hotline signals', format('{:,}', signals) FROM area_quarterly "
                                 "WHERE quarter = DATE '2025-04-01'").fetchall())
    finally:
        con.close()
    assert rows and dict((m, v) for m, v, _ in rows)["Hotline signals"] == state["Hotline signals"]


def test_a_hidden_funnel_stage_reads_suppressed_never_zero(specs, databases):
    con = duckdb.connect(str(databases["release"]), read_only=True)
    try:
        text = specs.datasets["case_funnel_stages"]["columns"]["situations_text"]["sql"]
        stages = con.execute(f"SELECT stage, situations, {text} FROM "
                             f"{dataset_source_sql(specs, 'case_funnel_stages')} ORDER BY stage_order").fetchall()
    finally:
        con.close()
    convicted = stages[-1]
    assert convicted[0] == "5 Convicted (suppressed)" and convicted[1] is None and convicted[2] == SUPPRESSED


def test_every_column_and_metric_has_a_human_label(specs):
    for key, ds in specs.datasets.items():
        for name, col in ds["columns"].items():
            assert col.get("label"), f"{key}.{name} has no label: Superset would show the column name"
        for name, metric in ds.get("metrics", {}).items():
            assert metric.get("label"), f"{key}.{name}"


def test_no_table_shows_a_raw_flag_or_an_unformatted_float(specs):
    for name, chart, _dash in specs.chart_items():
        if chart["viz"] != "table":
            continue
        ds = specs.datasets[chart["dataset"]]
        config = build_chart(specs, name, chart).params["column_config"]
        for column in chart["columns"]:
            assert not column.endswith("_suppressed"), f"{name} shows the raw flag {column}"
            if ds["columns"][column]["type"].upper() in ("DOUBLE", "BIGINT"):
                assert config.get(column, {}).get("d3NumberFormat"), f"{name}.{column} has no number format"


def test_vocabulary_is_one_word_each(specs):
    text = " ".join(str(col.get("sql", "")) for ds in specs.datasets.values() for col in ds["columns"].values())
    assert f"'{SUPPRESSED}'" in text and f"'{NO_DATA}'" in text
    assert "'-'" not in text and "'—'" not in text


def test_no_chart_draws_an_empty_axis(specs, databases):
    """Every bar, line and heatmap has at least one value to draw, on the release and on the exact database (an
    axis over nothing but suppressed cells reads as zero). The data API returns these rows
    (test_superset_publish.test_chart_data_api_matches_serving_database)."""
    from dashboards.superset.charts import reference_sql

    for name, chart, _dash in specs.chart_items():
        if chart["viz"] not in ("bar", "line", "heatmap", "kpi"):
            continue
        ds = specs.datasets[chart["dataset"]]
        con = duckdb.connect(str(databases[ds["database"]]), read_only=True)
        try:
            rows = con.execute(reference_sql(specs, name, chart)).fetchall()
        finally:
            con.close()
        width = len(chart.get("metrics", []))
        assert any(v is not None for row in rows for v in row[-width:]), f"{name} would draw an empty axis"


def _chart_rows(specs, database: Path, name: str, chart: dict) -> tuple[list[str], list[tuple]]:
    from dashboards.superset.charts import reference_sql

    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(reference_sql(specs, name, chart))
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def _planted_release(databases, tmp_path) -> dict[str, Path]:
    """The release with its latest statewide quarter hidden and no emerging hotspot in the latest quarter."""
    planted = dict(databases, release=tmp_path / "planted.duckdb")
    planted["release"].write_bytes(databases["release"].read_bytes())
    con = duckdb.connect(str(planted["release"]))
    try:
        con.execute("UPDATE area_quarterly SET signals = NULL, signals_suppressed = true "
                    "WHERE area_level = 'state' AND quarter = (SELECT max(quarter) FROM area_quarterly)")
        con.execute("DELETE FROM emerging_hotspots")
    finally:
        con.close()
    return planted


def test_no_table_cell_or_big_number_reads_superset_na(specs, databases, tmp_path):
    """Superset prints a NULL table cell as "N/A" and a NULL big number as "No data" (and drops a text one): a hidden
    number must read "suppressed" and an empty one "no data" (dashboards/vocabulary.py). A table shows a number
    through a text column (`text_of`, `text_of_value`) unless the column is declared `not_null`; no big number
    reads the release. Checked on the fixture and on a release with the latest quarter hidden and no hotspot."""
    for name, chart, _dash in specs.chart_items():
        ds = specs.datasets[chart["dataset"]]
        if chart["viz"] == "table":
            for column in chart["columns"]:
                spec = ds["columns"][column]
                assert spec["type"].upper() == "VARCHAR" or spec.get("not_null"), (
                    f"{name}.{column} ({spec['type']}) would print a NULL as N/A: show it through text_of_value")
    planted = _planted_release(databases, tmp_path)
    for dbs in (databases, planted):
        for name, chart, _dash in specs.chart_items():
            if chart["viz"] not in ("table", "kpi"):
                continue
            ds = specs.datasets[chart["dataset"]]
            columns, rows = _chart_rows(specs, dbs[ds["database"]], name, chart)
            nulls = sorted({columns[i] for row in rows for i, v in enumerate(row) if v is None})
            assert nulls == [], f"{name} shows NULL (Superset: N/A / No data) in {nulls}"
    # a big number drops text and prints NULL as "No data": none may read a protected (release) dataset
    kpis = [name for name, chart, _dash in specs.chart_items()
            if chart["viz"] == "kpi" and specs.datasets[chart["dataset"]]["database"] == "release"]
    assert kpis == [], f"big numbers on the release cannot say 'suppressed': {kpis}"
    headline = specs.dashboards["quarterly_briefing"]["charts"]["headline_changes"]
    columns, rows = _chart_rows(specs, planted["release"], "headline_changes", headline)
    signals = dict(zip(columns, next(r for r in rows if r[columns.index("measure")] == "Hotline signals")))
    assert signals["latest_quarter"] == signals["qoq_change"] == signals["yoy_change"] == SUPPRESSED, signals
    hotspots = specs.dashboards["trends_explorer"]["charts"]["emerging_hotspots_table"]
    columns, rows = _chart_rows(specs, planted["release"], "emerging_hotspots_table", hotspots)
    empty = dict(zip(columns, rows[0]))
    assert len(rows) == 1 and empty["region_label"] == "No emerging hotspot this quarter", rows
    assert empty["observed_text"] == empty["q_value_text"] == NO_DATA, empty


def test_a_hidden_heat_cell_is_labelled_never_an_unexplained_blank(specs, databases):
    """Issue #15: Superset's heatmap leaves a hidden cell blank (ECharts draws no cell without a number, and a
    stand-in number would be printed). Every heatmap row with a hidden cell says so in its label, with the count of
    its hidden cells; a row without one is not marked; the chart's notes say a blank is suppressed, not zero."""
    checked = 0
    for name, chart, _dash in specs.chart_items():
        if chart["viz"] != "heatmap":
            continue
        assert "blank_heat_cell" in chart.get("notes", []) or name.startswith("exact__"), name
        ds = specs.datasets[chart["dataset"]]
        metric = ds["metrics"][chart["metrics"][0]]
        con = duckdb.connect(str(databases[ds["database"]]), read_only=True)
        try:
            rows = con.execute(f"SELECT {chart['y']}, {metric['sql']} AS value FROM "
                               f"{dataset_source_sql(specs, chart['dataset'])} GROUP BY {chart['x']}, {chart['y']}"
                               ).fetchall()
        finally:
            con.close()
        blanks: dict[str, int] = {}
        for label, value in rows:
            blanks[label] = blanks.get(label, 0) + (value is None)
        for label, blank in blanks.items():
            if blank:
                assert "suppressed" in label, f"{name}: {label!r} has {blank} blank cells and does not say why"
                checked += 1
            else:
                assert "suppressed" not in label, f"{name}: {label!r} is marked but has no hidden cell"
        counted = [(label, blank) for label, blank in blanks.items() if " quarters suppressed)" in label]
        assert all(f"({blank} of " in label for label, blank in counted), counted
    assert checked >= 3  # the fixture hides cells in both heatmaps of the release


def test_the_release_editions_state_each_headline_panels_grain(specs, databases):
    """Issue #15 item 2 in Superset: the grain each headline panel is shown at is the release's (`grain`, chosen
    rows), stated on the release editions of the trends explorer and the briefing; the exact editions have none."""
    for dash in ("trends_explorer", "quarterly_briefing"):
        (name, chart), = [(n, c) for n, c in specs.dashboards[dash]["charts"].items() if c["dataset"] == "release_grain"]
        columns, rows = _chart_rows(specs, databases["release"], name, chart)
        shown = {row[0]: dict(zip(columns, row)) for row in rows}
        assert shown["Hotline signals by trafficking type"]["grain_text"] == "quarter"
        assert shown["Hotline signals by industry sector"]["grain_text"] == "quarter (small categories together as Other)"
        assert shown["Cases by trafficking type"]["hidden_share_text"] == "unknown (a total is suppressed)"
        assert shown["Cases by trafficking type"]["reason_text"] == "no grain holds up: mostly suppressed"
        # a grain that is more than its period reads in words (panels.yaml `label`), never as its code
        assert shown["Referrals between organisation types"]["grain_text"] == "year, by receiving organisation type"
        assert not any(c["dataset"] == "release_grain" for c in specs.dashboards["exact__" + dash]["charts"].values())
