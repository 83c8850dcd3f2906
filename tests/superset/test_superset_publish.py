"""Integration tests against a real Superset 6.1 (see conftest.py): publishing, chart data, DuckDB lockdown."""

from __future__ import annotations

import csv
import io

import datetime as dt
import json
import shutil
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from fixtures.serving_fixture import FLOWS

from dashboards.superset.charts import reference_sql
from dashboards.superset.catalog import SPEC_DIR, load_specs, stable_uuid
from dashboards.superset.publish import publish

pytestmark = pytest.mark.superset


def _objects(api) -> dict[str, list[dict[str, Any]]]:
    return {
        "chart": api.list("chart", ["id", "uuid", "slice_name"]),
        "dashboard": api.list("dashboard", ["id", "uuid", "dashboard_title"]),
        "dataset": api.list("dataset", ["id", "uuid", "table_name"]),
        "database": api.list("database", ["id", "uuid", "database_name"]),
    }


def _expected_uuids(specs) -> dict[str, set[str]]:
    return {
        "chart": {stable_uuid("chart", name) for name, _, _ in specs.chart_items()},
        "dashboard": {stable_uuid("dashboard", name) for name in specs.dashboards},
        "dataset": {stable_uuid("dataset", name) for name in specs.datasets},
        "database": {stable_uuid("database", db["name"]) for db in specs.databases.values()},
    }


def test_publish_creates_every_object_with_stable_uuids(published, admin_api, specs):
    assert published["result"] == {"message": "OK"}
    objects = _objects(admin_api)
    for kind, expected in _expected_uuids(specs).items():
        found = [row["uuid"] for row in objects[kind]]
        assert Counter(found) == Counter(expected), kind  # exactly these, each once


def test_publish_twice_changes_nothing(published, admin_api, superset_server, specs):
    before = _objects(admin_api)
    again = publish(url=superset_server.url, serving=superset_server.serving)
    assert again["result"] == {"message": "OK"}
    after = _objects(admin_api)
    for kind in before:
        key = lambda row: row["uuid"]  # noqa: E731
        assert sorted(before[kind], key=key) == sorted(after[kind], key=key), kind
    assert len(after["chart"]) == len(specs.chart_items())


def test_changed_chart_title_updates_in_place(published, admin_api, superset_server, tmp_path):
    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    path = spec_dir / "trends_explorer.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    new_title = "Hotline signals by trafficking type, monthly (renamed in a test)"
    doc["charts"]["signals_by_type_trend"]["title"] = new_title
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    uuid = stable_uuid("chart", "signals_by_type_trend")

    before = {row["uuid"]: row for row in admin_api.list("chart", ["id", "uuid", "slice_name"])}
    try:
        publish(url=superset_server.url, serving=superset_server.serving, spec_dir=spec_dir)
        after = {row["uuid"]: row for row in admin_api.list("chart", ["id", "uuid", "slice_name"])}
        assert set(after) == set(before)
        assert after[uuid]["id"] == before[uuid]["id"]
        assert after[uuid]["slice_name"] == new_title
        # the dashboard layout follows the new name too
        dash_id = next(row["id"] for row in admin_api.list("dashboard", ["id", "uuid"])
                       if row["uuid"] == stable_uuid("dashboard", "trends_explorer"))
        position = json.loads(admin_api.get(f"/api/v1/dashboard/{dash_id}").json()["result"]["position_json"])
        assert position["CHART-signals_by_type_trend"]["meta"]["sliceName"] == new_title
    finally:
        publish(url=superset_server.url, serving=superset_server.serving)
    restored = {row["uuid"]: row for row in admin_api.list("chart", ["id", "uuid", "slice_name"])}
    assert restored[uuid]["slice_name"] != new_title


# ---------------------------------------------------------------- chart data == serving database


def _norm(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return round(value.timestamp() * 1000)
    if isinstance(value, dt.date):
        return round(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp() * 1000)
    if isinstance(value, (int, float, Decimal)):
        if value != value:  # NaN from pandas for a NULL
            return None
        return round(float(value), 6)
    return value


def _rows(records: list[dict[str, Any]], columns: list[str]) -> Counter:
    return Counter(tuple(_norm(record[col]) for col in columns) for record in records)


CHARTS = [(name, dash) for name, _, dash in load_specs().chart_items()]


@pytest.fixture(scope="module")
def chart_ids(published, admin_api) -> dict[str, int]:
    return {row["uuid"]: row["id"] for row in admin_api.list("chart", ["id", "uuid"])}


@pytest.fixture(scope="module")
def latencies(artifacts):
    data: dict[str, float] = {}
    yield data
    (artifacts / "chart_data_latency.json").write_text(json.dumps(data, indent=2, sort_keys=True))


@pytest.mark.parametrize("chart_name,dashboard", CHARTS, ids=[c for c, _ in CHARTS])
def test_chart_data_api_matches_serving_database(chart_name, dashboard, chart_ids, admin_api, specs,
                                                 superset_server, latencies):
    chart = specs.dashboards[dashboard]["charts"][chart_name]
    chart_id = chart_ids[stable_uuid("chart", chart_name)]
    started = time.monotonic()
    response = admin_api.get(f"/api/v1/chart/{chart_id}/data/")
    latencies[chart_name] = round(time.monotonic() - started, 3)
    assert response.status_code == 200, response.text[:1000]
    result = response.json()["result"][0]
    assert not result.get("error"), result.get("error")

    # each chart against the database its dataset reads (audiences.yaml): internal (exact) or the release
    database = superset_server.internal if specs.datasets[chart["dataset"]]["database"] == "internal" else (
        superset_server.serving)
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(reference_sql(specs, chart_name, chart))
        columns = [d[0] for d in cursor.description]
        expected = [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        con.close()

    assert result["colnames"] == columns
    assert result["rowcount"] == len(expected)
    assert _rows(result["data"], columns) == _rows(expected, columns)


def test_csv_export_of_a_chart_works(chart_ids, admin_api, specs):
    chart_id = chart_ids[stable_uuid("chart", "exact__referral_flows_ranked")]
    response = admin_api.get(f"/api/v1/chart/{chart_id}/data/", params={"format": "csv", "type": "full"})
    assert response.status_code == 200, response.text[:500]
    header = response.text.splitlines()[0]
    # CSV export uses the labels from the specs
    chart = specs.dashboards["exact__referral_coordination"]["charts"]["exact__referral_flows_ranked"]
    dataset = specs.datasets[chart["dataset"]]
    labels = [dataset["columns"][chart["x"]]["label"], dataset["metrics"][chart["metrics"][0]]["label"]]
    assert header == ",".join(labels) == "Referral (from → to),Referrals"
    rows = list(csv.reader(io.StringIO(response.text)))  # a flow's label is two lines (a quoted field)
    assert len(rows) == 1 + min(len(FLOWS), chart["limit"])  # one row per flow


# ---------------------------------------------------------------- the DuckDB connection is locked down


def _sqllab(api, database_id: int, sql: str):
    return api.post("/api/v1/sqllab/execute/",
                    json={"database_id": database_id, "sql": sql, "runAsync": False, "schema": "main"})


@pytest.fixture(scope="module")
def serving_db_id(published, admin_api, specs) -> int:
    uuid = stable_uuid("database", specs.database["name"])
    return next(row["id"] for row in admin_api.list("database", ["id", "uuid"]) if row["uuid"] == uuid)


def test_sqllab_reads_the_serving_database(admin_api, serving_db_id):
    response = _sqllab(admin_api, serving_db_id, "SELECT count(*) AS n FROM caveats")
    assert response.status_code == 200, response.text[:500]
    assert response.json()["data"] == [{"n": 4}]


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
])
def test_duckdb_connection_cannot_read_arbitrary_files(admin_api, serving_db_id, sql):
    response = _sqllab(admin_api, serving_db_id, sql)
    assert response.status_code != 200
    assert "root:" not in response.text
    assert "file system operations are disabled" in response.text or "Permission" in response.text


@pytest.mark.parametrize("sql", [
    "ATTACH '/tmp/lantern-superset-test.duckdb' AS other",
    "COPY caveats TO '/tmp/lantern-superset-test.csv'",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "CREATE TABLE planted AS SELECT 1 AS x",
])
def test_duckdb_connection_refuses_writes_and_escapes(admin_api, serving_db_id, sql):
    response = _sqllab(admin_api, serving_db_id, sql)
    assert response.status_code != 200, response.text[:500]
    assert not Path("/tmp/lantern-superset-test.csv").exists()


# ---------------------------------------------------------------- the nightly swap


def test_serving_swap_is_seen_without_restart(chart_ids, admin_api, specs, superset_server, make_serving):
    """The pipeline replaces serving.duckdb with os.replace; Superset (NullPool, no data cache) sees it at once."""
    import os

    name = "signals_by_type_trend"  # on the release (serving.duckdb)
    chart = specs.dashboards["trends_explorer"]["charts"][name]
    chart_id = chart_ids[stable_uuid("chart", name)]
    before = admin_api.get(f"/api/v1/chart/{chart_id}/data/").json()["result"][0]["data"]
    staged = superset_server.serving.with_name("serving.next.duckdb")
    make_serving(staged, seed=7)
    os.replace(staged, superset_server.serving)
    after = admin_api.get(f"/api/v1/chart/{chart_id}/data/").json()["result"][0]["data"]
    con = duckdb.connect(str(superset_server.serving), read_only=True)
    try:
        cursor = con.execute(reference_sql(specs, name, chart))
        columns = [d[0] for d in cursor.description]
        expected = [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        con.close()
    assert _rows(after, columns) == _rows(expected, columns)
    assert _rows(after, columns) != _rows(before, columns)


# ---------------------------------------------------------------- cleanup of removed specs


def test_removed_spec_objects_are_deleted_and_others_kept(published, admin_api, superset_server, tmp_path, specs):
    """A chart, dataset and dashboard dropped from the specs go on publish; an object made by hand stays."""
    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    (spec_dir / "quarterly_briefing.yaml").unlink()  # dashboard + its charts; briefing_* datasets become unused
    serving = yaml.safe_load((spec_dir / "serving.yaml").read_text(encoding="utf-8"))
    del serving["datasets"]["briefing_sector_movers"]
    (spec_dir / "serving.yaml").write_text(yaml.safe_dump(serving, sort_keys=False), encoding="utf-8")
    path = spec_dir / "trends_explorer.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["charts"]["signals_by_sector_heatmap"]
    doc["layout"] = [row for row in doc["layout"] if "signals_by_sector_heatmap" not in row[0]]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    dataset_id = next(r["id"] for r in admin_api.list("dataset", ["id", "uuid"])
                      if r["uuid"] == stable_uuid("dataset", "caveats"))
    handmade = admin_api.post("/api/v1/chart/", json={"slice_name": "Made by hand", "viz_type": "table",
                                                      "datasource_id": dataset_id, "datasource_type": "table"})
    assert handmade.status_code == 201, handmade.text[:300]
    try:
        summary = publish(url=superset_server.url, serving=superset_server.serving, spec_dir=spec_dir)
        assert sorted(summary["removed"]["dashboard"]) == ["Quarterly briefing", "Quarterly briefing (exact)"]
        assert sorted(summary["removed"]["dataset"]) == ["briefing_sector_movers", "internal__briefing_sector_movers"]
        assert "Signals by sector and quarter (a blank cell is suppressed, not zero)" in summary["removed"]["chart"]
        objects = _objects(admin_api)
        uuids = {kind: {row["uuid"] for row in rows} for kind, rows in objects.items()}
        assert stable_uuid("chart", "signals_by_sector_heatmap") not in uuids["chart"]
        assert stable_uuid("dashboard", "quarterly_briefing") not in uuids["dashboard"]
        assert stable_uuid("dataset", "briefing_sector_movers") not in uuids["dataset"]
        assert "Made by hand" in {row["slice_name"] for row in objects["chart"]}
    finally:
        admin_api.session.delete(f"{superset_server.url}/api/v1/chart/{handmade.json()['id']}")
        publish(url=superset_server.url, serving=superset_server.serving)
    assert Counter(r["uuid"] for r in _objects(admin_api)["chart"]) == Counter(_expected_uuids(specs)["chart"])
