"""Issue #14: each audience of sources/reference/audiences.yaml reads exactly its datasets and rows, through every
API path: chart data (full, samples, drill detail, CSV, XLSX), saved charts, explore, SQL Lab, native filter
values, dashboard and chart export, dashboard and explore permalinks. And an agency's own numbers are exact.

The fixture has two databases (conftest.py): internal.duckdb (exact) and serving.duckdb (the protected
release, same numbers with 1..10 suppressed). A cell hidden in the release but exact in internal tells which
one a reader saw.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import duckdb
import pytest

from dashboards.superset.access import Rest, ensure_user
from dashboards.superset.catalog import stable_uuid

pytestmark = pytest.mark.superset

AGENCY = "LE-KCPD"  # sends referrals; one small flow (to LA-WEST) is suppressed in the release
ROLES = {"agency": f"Lantern agency {AGENCY}", "analyst": "Lantern analyst", "partner": "Lantern partner"}
NOT_ALLOWED = (401, 403, 404)
ROLES_ORDER = ["analyst", "agency", "partner"]  # audiences.yaml order


@pytest.fixture(scope="module")
def audience_api(published, admin_api, superset_server, login):
    """One logged-in user per audience: an agency (LE-KCPD), an analyst, a partner."""
    rest = Rest(admin_api.session, superset_server.url)
    made = {}
    for audience, role in ROLES.items():
        password = secrets.token_urlsafe(12)
        ensure_user(rest, f"aud_{audience}", password, [role])
        made[audience] = login(f"aud_{audience}", password)
    return made


@pytest.fixture(scope="module")
def ids(published, admin_api) -> dict[str, int]:
    rows = {}
    for kind in ("chart", "dataset", "dashboard", "database"):
        rows.update({row["uuid"]: row["id"] for row in admin_api.list(kind, ["id", "uuid"])})
    return rows


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _query(dataset_id: int, columns: list[str], result_type: str = "full", result_format: str = "json",
           metrics: list | None = None, row_limit: int = 1000) -> dict:
    return {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": result_format,
            "result_type": result_type,
            "queries": [{"columns": columns, "metrics": metrics, "filters": [], "row_limit": row_limit,
                         "extras": {"where": "", "having": ""}, "orderby": []}]}


def _data(response) -> list[dict]:
    assert response.status_code == 200, response.text[:500]
    return response.json()["result"][0]["data"]


def _first_column(specs, key: str) -> str:
    return next(c for c, col in specs.datasets[key]["columns"].items() if not col.get("sql"))


# ---------------------------------------------------------------- which datasets each audience reads


@pytest.mark.parametrize("audience", list(ROLES))
def test_each_audience_reads_exactly_the_datasets_its_audience_allows(audience, audience_api, ids, specs):
    api = audience_api[audience]
    allowed, refused = [], []
    for key in specs.datasets:
        response = api.post("/api/v1/chart/data", json=_query(ids[stable_uuid("dataset", key)],
                                                              [_first_column(specs, key)], row_limit=1))
        (allowed if response.status_code == 200 else refused).append(key)
        if response.status_code != 200:
            assert response.status_code in NOT_ALLOWED, (key, response.text[:300])
    expected = sorted(k for k in specs.datasets if specs.readable(audience, k))
    assert sorted(allowed) == expected
    listed = {row["uuid"] for row in api.list("dataset", ["uuid"])}
    assert listed == {stable_uuid("dataset", k) for k in expected}
    internal = sorted(k for k in allowed if specs.datasets[k]["database"] == "internal")
    if audience == "agency":  # never an internal dataset without row-level security
        assert internal == sorted(f"internal__{t}" for t in specs.audiences["agency"]["own_rows"])
    elif audience == "partner":
        assert internal == []


def test_the_audiences_read_what_issue_14_says(specs):
    """The declared model itself (audiences.yaml + serving.yaml): the lists the docs and the report give."""
    readable = {a: {k for k in specs.datasets if specs.readable(a, k)} for a in ROLES}
    assert readable["analyst"] == set(specs.datasets)  # every dataset of both databases
    assert readable["partner"] == {  # the release only, and nothing that can single out an organisation
        "monthly_statewide_by_type", "yearly_region_summary", "region_latest_complete_year", "quarterly_by_sector",
        "briefing_headlines", "briefing_sector_movers", "case_funnel", "case_funnel_stages", "outcomes_statewide",
        "context_hotline_yearly", "context_fbi_region_yearly", "emerging_hotspots", "caveats", "run_manifest",
        "dss_notification_compliance", "quarterly_by_type", "sector_seasonality", "monthly_by_type_marked",
        "victim_profile", "region_map", "quarterly_by_sector_marked", "release_grain",
        "signals_by_type_at_grain", "signals_by_sector_at_grain"}
    assert readable["agency"] - readable["partner"] == {
        "internal__referral_flows_by_org", "internal__agency_data_quality", "internal__run_inputs"}
    assert {k for k in readable["agency"] if specs.datasets[k]["database"] == "internal"} == {
        "internal__referral_flows_by_org", "internal__agency_data_quality", "internal__run_inputs"}
    for audience in ("agency", "partner"):  # org-type flows single out an organisation alone of its type
        assert "yearly_referral_flows" not in readable[audience]
        assert not any("feed_freshness" in k or "run_inputs" == k for k in readable[audience])


def test_each_dataset_in_superset_states_its_database_and_audience(admin_api, ids, specs):
    for key, ds in specs.datasets.items():
        response = admin_api.get(f"/api/v1/dataset/{ids[stable_uuid('dataset', key)]}")
        assert response.status_code == 200, response.text[:300]
        result = response.json()["result"]
        stated = json.loads(result["extra"])["lantern"]
        expected = [a + (" (own rows)" if ds["database"] == "internal" and a == "agency" else "")
                    for a in ROLES_ORDER if specs.readable(a, key)]
        assert stated["database"] == ds["database"] and stated["audiences"] == expected, key
        assert result["database"]["database_name"] == specs.databases[ds["database"]]["title"]
        assert f"Audience: {', '.join(expected)}" in result["description"]


# ---------------------------------------------------------------- which rows: exact, own rows only


def test_agency_reads_its_own_referrals_exactly_and_nobody_elses(audience_api, ids, superset_server):
    dataset_id = ids[stable_uuid("dataset", "internal__referral_flows_by_org")]
    columns = ["year", "referring_org_id", "receiving_org_id", "referrals", "accepted", "declined", "pending"]
    got = sorted(tuple(r[c] for c in columns) for r in _data(
        audience_api["agency"].post("/api/v1/chart/data", json=_query(dataset_id, columns))))
    own = sorted(_rows(superset_server.internal, f"""SELECT {', '.join(columns)} FROM referral_flows_by_org
        WHERE referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'"""))
    assert got == own
    hidden_in_release = _rows(superset_server.serving, f"""SELECT count(*) FROM referral_flows_by_org
        WHERE (referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}') AND referrals_suppressed""")[0][0]
    assert hidden_in_release > 0  # the release hides some of them; the agency sees every one, exact
    everyone = _data(audience_api["analyst"].post("/api/v1/chart/data", json=_query(dataset_id, columns)))
    assert len(everyone) == _rows(superset_server.internal, "SELECT count(*) FROM referral_flows_by_org")[0][0]
    assert len(everyone) > len(got)


@pytest.mark.parametrize("dataset,columns", [
    ("internal__agency_data_quality", ["agency", "feed", "files", "rows_read", "rows_quarantined"]),
    ("internal__run_inputs", ["agency", "feed", "file_number", "file_sha256"]),
])
def test_agency_reads_only_its_own_data_quality_and_files(audience_api, ids, superset_server, dataset, columns):
    dataset_id = ids[stable_uuid("dataset", dataset)]
    table = dataset.removeprefix("internal__")
    got = sorted(tuple(r[c] for c in columns) for r in _data(
        audience_api["agency"].post("/api/v1/chart/data", json=_query(dataset_id, columns))))
    assert got == sorted(_rows(superset_server.internal,
                               f"SELECT {', '.join(columns)} FROM {table} WHERE agency = '{AGENCY}'"))
    assert got and {r[0] for r in got} == {AGENCY}
    assert _rows(superset_server.internal, f"SELECT count(DISTINCT agency) FROM {table}")[0][0] > 1
    refused = audience_api["partner"].post("/api/v1/chart/data", json=_query(dataset_id, columns))
    assert refused.status_code in NOT_ALLOWED


def test_agency_dashboard_shows_its_own_referrals_and_quarantined_rows_exactly(audience_api, ids, superset_server):
    """The issue: its own referrals were suppressed (both bar charts empty) and its quarantine count hidden."""
    api = audience_api["agency"]
    table = _data(api.get(f"/api/v1/chart/{ids[stable_uuid('chart', 'agency_referral_table')]}/data/"))
    got = sorted((r["year"], r["referring_org_name"], r["receiving_org_name"], r["referrals"], r["pending"])
                 for r in table)
    expected = sorted(_rows(superset_server.internal, f"""SELECT year, referring_org_name, receiving_org_name,
        referrals, pending FROM referral_flows_by_org
        WHERE referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'"""))
    assert got == expected and all(r[3] is not None for r in got)
    assert all(r["referrals"] is not None and r["accepted"] is not None for r in table)  # exact: nothing hidden
    status = _data(api.get(f"/api/v1/chart/{ids[stable_uuid('chart', 'agency_referral_status')]}/data/"))
    totals = _rows(superset_server.internal, f"""SELECT sum(accepted) FROM referral_flows_by_org
        WHERE referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'""")[0][0]
    assert sum(r["accepted_total"] or 0 for r in status) == totals  # exact, not a lower bound
    quality = _data(api.get(f"/api/v1/chart/{ids[stable_uuid('chart', 'agency_data_quality_table')]}/data/"))
    assert [(r["feed"], r["rows_quarantined"]) for r in quality] == _rows(
        superset_server.internal, f"SELECT feed, rows_quarantined FROM agency_data_quality WHERE agency = '{AGENCY}'")
    assert quality and 0 < quality[0]["rows_quarantined"] < 11  # a count a release would suppress


def test_analyst_dashboards_are_exact_and_partners_get_the_release(audience_api, ids, superset_server, specs):
    exact = _data(audience_api["analyst"].get(
        f"/api/v1/chart/{ids[stable_uuid('chart', 'exact__signals_by_type_trend')]}/data/"))
    released = _data(audience_api["partner"].get(
        f"/api/v1/chart/{ids[stable_uuid('chart', 'signals_by_type_trend')]}/data/"))
    total = lambda path, sql: _rows(path, f"SELECT sum(signals) FROM ({sql})")[0][0]  # noqa: E731
    exact_total = total(superset_server.internal, "SELECT * FROM monthly_statewide_by_type")
    assert sum(r["signals_total"] or 0 for r in exact) == exact_total  # every month, nothing hidden
    # the release's edition draws the grain the release chose (its shown cells, no hidden one added)
    released_total = total(superset_server.serving, specs.datasets["signals_by_type_at_grain"]["sql"])
    assert sum(r["signals_total"] or 0 for r in released) == released_total
    assert exact_total > released_total  # the fixture hides some cells
    for audience in ("agency", "partner"):
        response = audience_api[audience].get(
            f"/api/v1/chart/{ids[stable_uuid('chart', 'exact__signals_by_type_trend')]}/data/")
        assert response.status_code in NOT_ALLOWED


@pytest.mark.parametrize("audience,titles", [
    ("analyst", {"Trends explorer", "Trends explorer (exact)", "Quarterly briefing", "Quarterly briefing (exact)",
                 "Referral coordination (exact)", "Referrals sent and received",
                 "Referrals sent and received (exact)"}),
    ("agency", {"Trends explorer", "Quarterly briefing", "Referrals sent and received"}),
    ("partner", {"Trends explorer", "Quarterly briefing"}),
])
def test_each_audience_opens_only_its_dashboards(audience_api, ids, specs, audience, titles):
    api = audience_api[audience]
    assert {row["dashboard_title"] for row in api.list("dashboard", ["dashboard_title"])} == titles
    for name, dash in specs.dashboards.items():
        response = api.get(f"/api/v1/dashboard/{ids[stable_uuid('dashboard', name)]}")
        assert (response.status_code == 200) == (audience in dash["dashboard"]["roles"]), name


# ---------------------------------------------------------------- samples and drill detail


@pytest.mark.parametrize("audience", ["agency", "partner"])
@pytest.mark.parametrize("result_type", ["samples", "drill_detail"])
def test_samples_and_drill_detail_are_refused_to_agencies_and_partners(audience_api, ids, specs, audience,
                                                                       result_type):
    api = audience_api[audience]
    readable = [k for k in specs.datasets if specs.readable(audience, k)]
    for key in readable:
        response = api.post("/api/v1/chart/data", json=_query(ids[stable_uuid("dataset", key)],
                                                              [_first_column(specs, key)], result_type))
        assert response.status_code == 403, (key, response.text[:300])
    chart = ids[stable_uuid("chart", "signals_by_type_trend")]
    assert api.get(f"/api/v1/chart/{chart}/data/", params={"type": result_type}).status_code == 403
    assert api.get(f"/api/v1/chart/{chart}/data/").status_code == 200  # the chart itself still renders
    dataset = ids[stable_uuid("dataset", "monthly_statewide_by_type")]
    samples = api.post(f"/datasource/samples?datasource_id={dataset}&datasource_type=table", json={})
    assert samples.status_code in NOT_ALLOWED


def test_analysts_may_take_samples_of_exact_aggregates(audience_api, ids):
    dataset = ids[stable_uuid("dataset", "internal__monthly_statewide_by_type")]
    for result_type in ("samples", "drill_detail"):
        assert _data(audience_api["analyst"].post("/api/v1/chart/data",
                                                  json=_query(dataset, ["month"], result_type)))


# ---------------------------------------------------------------- export, explore, SQL Lab, filters, permalinks


@pytest.mark.parametrize("audience", ["agency", "partner"])
def test_csv_and_xlsx_export_are_refused(audience_api, ids, audience):
    api = audience_api[audience]
    chart = ids[stable_uuid("chart", "signals_by_type_trend")]
    dataset = ids[stable_uuid("dataset", "monthly_statewide_by_type")]
    for result_format in ("csv", "xlsx"):
        assert api.get(f"/api/v1/chart/{chart}/data/", params={"format": result_format}).status_code == 403
        assert api.post("/api/v1/chart/data", json=_query(dataset, ["month"], result_format=result_format)
                        ).status_code == 403
    assert audience_api["analyst"].get(f"/api/v1/chart/{chart}/data/", params={"format": "xlsx"}).status_code == 200


@pytest.mark.parametrize("audience", ["agency", "partner"])
def test_explore_and_exports_of_dashboards_and_charts_are_refused(audience_api, ids, audience):
    api = audience_api[audience]
    for chart in ("signals_by_type_trend", "exact__signals_by_type_trend"):
        chart_id = ids[stable_uuid("chart", chart)]
        assert api.get("/api/v1/explore/", params={"slice_id": chart_id}).status_code in NOT_ALLOWED
        assert api.get("/api/v1/chart/export/", params={"q": f"!({chart_id})"}).status_code in NOT_ALLOWED
    for dash in ("trends_explorer", "exact__trends_explorer"):
        dash_id = ids[stable_uuid("dashboard", dash)]
        assert api.get("/api/v1/dashboard/export/", params={"q": f"!({dash_id})"}).status_code in NOT_ALLOWED
    explore = api.post("/api/v1/explore/permalink", json={"formData": {"slice_id": 1, "viz_type": "table",
                                                                        "datasource": "1__table"}})
    assert explore.status_code in NOT_ALLOWED
    assert audience_api["analyst"].get("/api/v1/explore/", params={
        "slice_id": ids[stable_uuid("chart", "exact__signals_by_type_trend")]}).status_code == 200


@pytest.mark.parametrize("audience", ["agency", "partner"])
def test_sql_lab_is_refused_on_both_databases(audience_api, ids, specs, audience):
    for database in specs.databases.values():
        response = audience_api[audience].post("/api/v1/sqllab/execute/", json={
            "database_id": ids[stable_uuid("database", database["name"])], "runAsync": False, "schema": "main",
            "sql": "SELECT * FROM run_inputs"})
        assert response.status_code in NOT_ALLOWED, response.text[:300]


def test_analyst_sql_lab_reads_the_internal_database_and_every_query_is_logged(audience_api, ids, specs,
                                                                               superset_server):
    marker = f"lantern_probe_{secrets.token_hex(4)}"
    response = audience_api["analyst"].post("/api/v1/sqllab/execute/", json={
        "database_id": ids[stable_uuid("database", specs.databases["internal"]["name"])], "runAsync": False,
        "schema": "main", "sql": f"SELECT sum(referrals) AS {marker} FROM referral_flows_by_org"})
    assert response.status_code == 200, response.text[:300]
    exact = _rows(superset_server.internal, "SELECT sum(referrals) FROM referral_flows_by_org")[0][0]
    assert response.json()["data"] == [{marker: exact}]
    chart = ids[stable_uuid("chart", "exact__referral_flows_table")]
    assert audience_api["analyst"].get(f"/api/v1/chart/{chart}/data/").status_code == 200
    audience_api["agency"].get(f"/api/v1/chart/{ids[stable_uuid('chart', 'agency_referral_table')]}/data/")
    from dashboards.superset.environment import query_log

    log = query_log(superset_server.env)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    sql_lab = [r for r in lines if marker in r["sql"]]
    assert len(sql_lab) == 1 and sql_lab[0]["user"] == "aud_analyst" and sql_lab[0]["roles"] == ["Lantern analyst"]
    assert "internal.duckdb" in sql_lab[0]["database"] and sql_lab[0]["at"]
    assert any(r["user"] == "aud_analyst" and "referral_flows" in r["sql"] and r["client"] != sql_lab[0]["client"]
               for r in lines)  # the chart's query too
    assert not any(r["user"] == "aud_agency" for r in lines)  # agencies are not an audience that is logged


@pytest.mark.parametrize("dataset,column", [
    ("internal__referral_flows_by_org", "referring_org_id"),
    ("internal__run_inputs", "agency"),
    ("internal__agency_data_quality", "agency"),
])
def test_native_filter_values_hold_row_level_security(audience_api, ids, dataset, column):
    """What a select filter asks for (a GROUP BY on the column through the chart data API) and the datasource
    values endpoint: an agency gets its own id only; a partner nothing."""
    dataset_id = ids[stable_uuid("dataset", dataset)]
    agency = audience_api["agency"]
    values = {r[column] for r in _data(agency.post("/api/v1/chart/data", json=_query(dataset_id, [column], metrics=[])))}
    assert values == {AGENCY}
    response = agency.get(f"/api/v1/datasource/table/{dataset_id}/column/{column}/values/")
    if response.status_code == 200:
        assert set(response.json()["result"]) == {AGENCY}
    else:
        assert response.status_code in NOT_ALLOWED
    partner = audience_api["partner"]
    assert partner.post("/api/v1/chart/data", json=_query(dataset_id, [column], metrics=[])).status_code in NOT_ALLOWED
    assert partner.get(f"/api/v1/datasource/table/{dataset_id}/column/{column}/values/").status_code in NOT_ALLOWED


def test_permalinks_do_not_open_another_audiences_dashboard(audience_api, ids):
    state = {"dataMask": {}, "activeTabs": [], "anchor": "", "urlParams": []}
    exact = ids[stable_uuid("dashboard", "exact__agency_referrals")]
    made = audience_api["analyst"].post(f"/api/v1/dashboard/{exact}/permalink", json=state)
    assert made.status_code == 201, made.text[:300]
    key = made.json()["key"]
    assert audience_api["analyst"].get(f"/api/v1/dashboard/permalink/{key}").status_code == 200
    for audience in ("agency", "partner"):
        api = audience_api[audience]
        assert api.get(f"/api/v1/dashboard/permalink/{key}").status_code in NOT_ALLOWED
        assert api.post(f"/api/v1/dashboard/{exact}/permalink", json=state).status_code in NOT_ALLOWED
    own = ids[stable_uuid("dashboard", "agency_referrals")]
    assert audience_api["agency"].post(f"/api/v1/dashboard/{own}/permalink", json=state).status_code == 201
    assert audience_api["partner"].post(f"/api/v1/dashboard/{own}/permalink", json=state).status_code in NOT_ALLOWED
