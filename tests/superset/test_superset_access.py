"""Per-agency access against a real Superset: roles, row-level security, refused SQL Lab and CSV, idempotence."""

from __future__ import annotations

import json
import secrets

import duckdb
import pytest

from dashboards.superset.access import Rest, ensure_user, organisations, plan
from dashboards.superset.catalog import stable_uuid
from dashboards.superset.publish import publish

pytestmark = pytest.mark.superset

AGENCY = "LE-KCPD"  # sends referrals to three organisations in the test serving fixture
OTHER_AGENCY = "LE-SLMPD"


@pytest.fixture(scope="module")
def users(published, admin_api, superset_server, login):
    """An agency user and an analyst, created through the REST API."""
    rest = Rest(admin_api.session, superset_server.url)
    made = {}
    for username, role in (("kcpd_viewer", f"Lantern agency {AGENCY}"), ("task_force_analyst", "Lantern analyst")):
        password = secrets.token_urlsafe(12)
        ensure_user(rest, username, password, [role])
        made[username] = login(username, password)
    return made


@pytest.fixture(scope="module")
def agency_api(users):
    return users["kcpd_viewer"]


@pytest.fixture(scope="module")
def analyst_api(users):
    return users["task_force_analyst"]


@pytest.fixture(scope="module")
def ids(published, admin_api) -> dict[str, int]:
    rows = {}
    for kind in ("chart", "dataset", "dashboard", "database"):
        rows.update({row["uuid"]: row["id"] for row in admin_api.list(kind, ["id", "uuid"])})
    return rows


def _serving_rows(superset_server, sql: str) -> list[tuple]:
    """Rows of the internal (exact) database: agencies read their own referrals there (audiences.yaml)."""
    con = duckdb.connect(str(superset_server.internal), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _org_pairs(records) -> set[tuple[str, str]]:
    return {(r["referring_org_id"], r["receiving_org_id"]) for r in records}


def _adhoc_query(dataset_id: int, columns: list[str], filters: list[dict] | None = None, where: str = "",
                 result_format: str = "json") -> dict:
    return {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": result_format,
            "result_type": "full",
            "queries": [{"columns": columns, "metrics": None, "filters": filters or [], "row_limit": 1000,
                         "extras": {"where": where, "having": ""}, "orderby": []}]}


# ---------------------------------------------------------------- row-level security


def test_agency_sees_only_referrals_it_sent_or_received_in_a_saved_chart(agency_api, ids, superset_server):
    chart_id = ids[stable_uuid("chart", "agency_referral_table")]
    response = agency_api.get(f"/api/v1/chart/{chart_id}/data/")
    assert response.status_code == 200, response.text[:500]
    names = {(r["referring_org_name"], r["receiving_org_name"]) for r in response.json()["result"][0]["data"]}
    expected = set(_serving_rows(superset_server, f"""SELECT DISTINCT referring_org_name, receiving_org_name
        FROM referral_flows_by_org WHERE referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'"""))
    everyone = set(_serving_rows(superset_server,
                                 "SELECT DISTINCT referring_org_name, receiving_org_name FROM referral_flows_by_org"))
    assert names == expected
    assert len(everyone) > len(expected)  # there were other agencies' rows to hide


@pytest.mark.parametrize("filters,where", [
    ([], ""),  # no filter at all
    ([{"col": "referring_org_id", "op": "==", "val": OTHER_AGENCY}], ""),  # ask for another agency's rows
    ([{"col": "referring_org_id", "op": "IN", "val": [OTHER_AGENCY, AGENCY]}], ""),
    ([], "1 = 1) OR (1 = 1"),  # try to escape the RLS clause's parentheses
    ([], f"receiving_org_id <> '{AGENCY}' OR referring_org_id IS NOT NULL"),
])
def test_rls_holds_in_the_chart_data_api_with_altered_filters(agency_api, ids, filters, where):
    dataset_id = ids[stable_uuid("dataset", "internal__referral_flows_by_org")]
    response = agency_api.post("/api/v1/chart/data",
                               json=_adhoc_query(dataset_id, ["referring_org_id", "receiving_org_id"], filters, where))
    if response.status_code != 200:  # refusing the altered query is fine too; leaking is not
        assert response.status_code in (400, 403), response.text[:500]
        return
    rows = response.json()["result"][0]["data"]
    assert all(AGENCY in pair for pair in _org_pairs(rows)), _org_pairs(rows)


def test_rls_holds_for_native_filter_values(agency_api, ids):
    dataset_id = ids[stable_uuid("dataset", "internal__referral_flows_by_org")]
    response = agency_api.get(f"/api/v1/datasource/table/{dataset_id}/column/referring_org_id/values/")
    if response.status_code == 200:
        values = set(response.json()["result"])
        # KCPD sent referrals and received some from nobody in the fixture: only its own id may appear
        assert values == {AGENCY}, values
    else:
        assert response.status_code in (403, 404), response.text[:300]


def test_analyst_sees_every_organisations_referrals(analyst_api, ids, superset_server):
    dataset_id = ids[stable_uuid("dataset", "internal__referral_flows_by_org")]
    response = analyst_api.post("/api/v1/chart/data",
                                json=_adhoc_query(dataset_id, ["referring_org_id", "receiving_org_id"]))
    assert response.status_code == 200, response.text[:500]
    expected = set(_serving_rows(superset_server,
                                 "SELECT DISTINCT referring_org_id, receiving_org_id FROM referral_flows_by_org"))
    assert _org_pairs(response.json()["result"][0]["data"]) == expected


def test_agency_reads_statewide_aggregates_unfiltered(agency_api, admin_api, ids):
    chart_id = ids[stable_uuid("chart", "signals_by_type_trend")]
    as_agency = agency_api.get(f"/api/v1/chart/{chart_id}/data/")
    as_admin = admin_api.get(f"/api/v1/chart/{chart_id}/data/")
    assert as_agency.status_code == 200, as_agency.text[:300]
    rows = lambda response: sorted(json.dumps(r, sort_keys=True) for r in response.json()["result"][0]["data"])  # noqa: E731
    assert rows(as_agency) == rows(as_admin)  # same rows; ties in the metric order may come in any order


def test_agency_cannot_read_type_level_referral_flows(agency_api, ids):
    """yearly_referral_flows has no org column to filter on and can single out an organisation: analysts only."""
    chart_id = ids[stable_uuid("chart", "exact__referral_flows_table")]
    assert agency_api.get(f"/api/v1/chart/{chart_id}/data/").status_code in (403, 404)
    for dataset in ("yearly_referral_flows", "internal__yearly_referral_flows"):
        dataset_id = ids[stable_uuid("dataset", dataset)]
        response = agency_api.post("/api/v1/chart/data", json=_adhoc_query(dataset_id, ["referring_org_type"]))
        assert response.status_code in (403, 404), response.text[:300]


def test_agency_lists_only_its_dashboards_and_datasets(agency_api, specs):
    titles = {row["dashboard_title"] for row in agency_api.list("dashboard", ["dashboard_title"])}
    assert titles == {"Trends explorer", "Quarterly briefing", "Referrals sent and received"}
    datasets = {row["table_name"] for row in agency_api.list("dataset", ["table_name"])}
    assert "internal__referral_flows_by_org" in datasets and "yearly_referral_flows" not in datasets
    assert "referral_flows_by_org" not in datasets  # the release's copy: protected, partners' and analysts' only


# ---------------------------------------------------------------- what agencies may not do


def test_sql_lab_is_refused_to_agencies(agency_api, ids, specs):
    database_id = ids[stable_uuid("database", specs.database["name"])]
    response = agency_api.post("/api/v1/sqllab/execute/", json={
        "database_id": database_id, "sql": "SELECT * FROM referral_flows_by_org", "runAsync": False, "schema": "main"})
    assert response.status_code in (401, 403), response.text[:300]
    assert "referral" not in response.text.lower() or "data" not in response.json()


def test_sql_lab_works_for_analysts(analyst_api, ids, specs):
    database_id = ids[stable_uuid("database", specs.databases["internal"]["name"])]
    response = analyst_api.post("/api/v1/sqllab/execute/", json={
        "database_id": database_id, "sql": "SELECT count(*) AS n FROM caveats", "runAsync": False, "schema": "main"})
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("chart", ["agency_referral_table", "signals_by_type_trend"])
def test_csv_export_is_refused_to_agencies(agency_api, analyst_api, ids, chart):
    chart_id = ids[stable_uuid("chart", chart)]
    refused = agency_api.get(f"/api/v1/chart/{chart_id}/data/", params={"format": "csv", "type": "full"})
    assert refused.status_code == 403, refused.text[:300]
    allowed = analyst_api.get(f"/api/v1/chart/{chart_id}/data/", params={"format": "csv", "type": "full"})
    assert allowed.status_code == 200 and allowed.text.count("\n") > 1


def test_agency_roles_have_no_sql_lab_export_or_view_query(admin_api, published):
    roles = {row["name"]: row["id"] for row in admin_api.list("security/roles", ["id", "name"])}
    forbidden = {("can_csv", "Superset"), ("can_view_query", "Dashboard"), ("can_sqllab", "Superset"),
                 ("can_execute_sql_query", "SQLLab"), ("can_export_csv", "SQLLab"), ("can_samples", "Datasource"),
                 ("can_view_chart_as_table", "Dashboard"), ("can_write", "Chart"), ("can_drill", "Dashboard")}
    for role in [f"Lantern agency {org['org_id']}" for org in organisations()] + ["Lantern partner"]:
        perms = admin_api.get(f"/api/v1/security/roles/{roles[role]}/permissions/")
        granted = {(p["permission_name"], p["view_menu_name"]) for p in perms.json()["result"]}
        assert not granted & forbidden, (role, granted & forbidden)
        assert not any(p == "database_access" for p, _ in granted)


# ---------------------------------------------------------------- idempotence


def _access_state(admin_api):
    roles = sorted((r["name"], r["id"]) for r in admin_api.list("security/roles", ["id", "name"]))
    rules = sorted(json.dumps(r, sort_keys=True) for r in admin_api.list(
        "rowlevelsecurity", ["id", "name", "clause", "tables.id", "roles.id", "filter_type"]))
    return roles, rules


def test_roles_and_rules_match_the_registry(admin_api, published, specs):
    roles, rules = _access_state(admin_api)
    names = {name for name, _ in roles}
    orgs = organisations()
    assert {f"Lantern agency {o['org_id']}" for o in orgs} | {"Lantern analyst"} <= names
    expected_rules = plan(specs, orgs).rules
    assert len(expected_rules) == 3 * len(orgs)  # referrals, data quality, files (audiences.yaml own_rows)
    by_name = {json.loads(r)["name"]: json.loads(r) for r in rules}
    assert set(expected_rules) <= set(by_name)
    rule = by_name[f"Lantern rls {AGENCY} internal__referral_flows_by_org"]
    assert rule["clause"] == f"referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'"


def test_publishing_twice_creates_no_duplicate_roles_or_rules(admin_api, superset_server, published):
    before = _access_state(admin_api)
    again = publish(url=superset_server.url, serving=superset_server.serving)
    assert again["access"] == {"roles_created": 0, "roles_updated": 0, "roles_deleted": 0, "rules_created": 0,
                               "rules_updated": 0, "rules_deleted": 0, "dashboards_updated": 0}
    assert _access_state(admin_api) == before


def test_a_hand_edited_rule_is_put_back(admin_api, superset_server, published):
    rest = Rest(admin_api.session, superset_server.url)
    rule = next(r for r in rest.list("/api/v1/rowlevelsecurity/")
                if r["name"] == f"Lantern rls {AGENCY} internal__referral_flows_by_org")
    rest.call("PUT", f"/api/v1/rowlevelsecurity/{rule['id']}", {"clause": "1 = 1"})
    summary = publish(url=superset_server.url, serving=superset_server.serving)
    assert summary["access"]["rules_updated"] == 1
    fixed = rest.call("GET", f"/api/v1/rowlevelsecurity/{rule['id']}")["result"]
    assert fixed["clause"] == f"referring_org_id = '{AGENCY}' OR receiving_org_id = '{AGENCY}'"
