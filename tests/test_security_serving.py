"""The serving database holds aggregates only: the blocking check passes on a real run and fails on plants."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards.serving import candidate_path
from dashboards.serving.guard import declared_tables, serving_violations
from pipelines.checks import serving_holds_aggregates_only
from pipelines.resources import PathsResource


@pytest.fixture(scope="module")
def real(clean_demo_run):
    """(serving database of a real run, one real agency linkage key, one real re-keyed situation key)."""
    home = clean_demo_run.home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        agency_key = con.execute("SELECT linkage_key FROM raw.referrals LIMIT 1").fetchone()[0]
        situation_key = con.execute("SELECT situation_key FROM staging.stg_referrals LIMIT 1").fetchone()[0]
    return home / "serving.duckdb", agency_key, situation_key, home / "warehouse.duckdb"


def test_real_run_passes(real) -> None:
    serving, *_ = real
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert tables <= declared_tables() and len(tables) >= 10
    assert serving_violations(serving) == []


# (what is planted, SQL run on a copy of the real serving database, words the violation must contain)
PLANTS = {
    "agency linkage key in a flag column": (
        "UPDATE yearly_region_summary SET signals_per_100k_flag = $agency_key WHERE rowid = 0", "64-hex key"),
    "re-keyed situation key as a code": (
        "UPDATE county_regions SET region = $situation_key WHERE rowid = 0", "64-hex key"),
    "notes column with free text": (
        "ALTER TABLE quarterly_by_sector ADD COLUMN notes VARCHAR; "
        "UPDATE quarterly_by_sector SET notes = 'caller worried about her sister at the motel'",
        "quarterly_by_sector.notes is named like record-level data"),
    "free text under an innocent name": (
        "ALTER TABLE quarterly_by_sector ADD COLUMN remark_text_col VARCHAR; "
        "UPDATE quarterly_by_sector SET remark_text_col = 'caller worried about her sister'",
        "text value(s) not from reference data"),
    "extra per-record table": (
        "ATTACH $warehouse AS wh (READ_ONLY); "
        "CREATE TABLE signals AS SELECT signal_id, received_date, county_fips FROM wh.staging.stg_hotline_signals",
        "table main.signals (BASE TABLE) is not a declared serving table"),
    "record ids in a declared table's label": (
        "UPDATE county_regions SET county_name = 'S-2025-000042' WHERE rowid = 0",
        "county_regions.county_name: 1 label value(s) not from reference data"),
    "phone number in a label": (
        "UPDATE county_regions SET county_name = 'call 816-555-0142' WHERE rowid = 1",
        "identifier scanner flags (phone)"),
    "one row per record in a published table": (
        "INSERT INTO monthly_statewide_by_type SELECT * FROM monthly_statewide_by_type LIMIT 1",
        "monthly_statewide_by_type: 1 cell key(s)"),
    "a view": ("CREATE VIEW peek AS SELECT 1 AS x", "table main.peek (VIEW) is not a declared serving table"),
    "a blob column": ("ALTER TABLE caveats ADD COLUMN blob_col BLOB", "caveats.blob_col has type BLOB"),
    "a linkage key glued to a manifest file hash": (
        "UPDATE run_inputs SET file_sha256 = file_sha256 || $agency_key WHERE rowid = 0",
        "run_inputs.file_sha256: 1 value(s) are not a lone SHA-256"),
    "a linkage key in a manifest column beside the hash": (
        "UPDATE run_inputs SET period = $agency_key WHERE rowid = 0", "run_inputs.period: 1 value(s) hold a 64-hex key"),
}


def _planted(real, tmp_path: Path, sql: str) -> Path:
    serving, agency_key, situation_key, warehouse = real
    copy = tmp_path / "serving.duckdb"
    shutil.copy(serving, copy)
    with duckdb.connect(str(copy)) as con:
        params = {"agency_key": agency_key, "situation_key": situation_key}
        for statement in filter(str.strip, sql.replace("$warehouse", f"'{warehouse}'").split("; ")):
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    return copy


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_each_plant_is_caught_without_showing_the_value(real, tmp_path: Path, plant: str) -> None:
    sql, expected = PLANTS[plant]
    violations = serving_violations(_planted(real, tmp_path, sql))
    assert any(expected in v for v in violations), violations
    _, agency_key, situation_key, _ = real
    shown = "\n".join(violations)
    for secret in (agency_key, situation_key, "816-555-0142", "S-2025-000042", "sister"):
        assert secret not in shown


def test_the_asset_check_blocks_a_planted_candidate(real, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    lantern_home = PathsResource(home=str(home))  # injected, as the definitions do
    serving, *_ = real
    shutil.copy(serving, candidate_path(home / "serving.duckdb"))
    assert serving_holds_aggregates_only(lantern_home=lantern_home).passed
    sql = " ; ".join(PLANTS[p][0] for p in ("agency linkage key in a flag column", "notes column with free text",
                                            "extra per-record table"))
    shutil.copy(_planted(real, tmp_path, sql.replace(" ; ", "; ")), candidate_path(home / "serving.duckdb"))
    result = serving_holds_aggregates_only(lantern_home=lantern_home)
    assert not result.passed and result.metadata["violations"].value >= 3


# --- wiring: the refresh job runs the guard and writes the agency reports -------------------------------
def test_the_guard_is_a_blocking_check_of_the_refresh_definitions(clean_demo_run) -> None:
    from pipelines.definitions import build_definitions
    from sources.reference.paths import Paths

    definitions = build_definitions(Paths(clean_demo_run.home))
    checks = {spec.name: spec for c in definitions.asset_checks or [] for spec in c.check_specs}
    assert "serving_holds_aggregates_only" in checks, "wire the guard (pipelines/checks.py) into pipelines/definitions.py"
    assert checks["serving_holds_aggregates_only"].blocking
    assert checks["serving_holds_aggregates_only"].asset_key == checks["disclosure_audit"].asset_key


def test_refresh_writes_a_report_for_every_processed_file(clean_demo_run) -> None:
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("SELECT agency, file_name FROM raw.file_manifest WHERE feed IN "
                            "('hotline_signals', 'referrals', 'case_outcomes')").fetchall()
    reports = clean_demo_run.home / "reports"
    missing = [name for agency, name in files if not (reports / agency / f"{name}.report.md").exists()]
    assert files and not missing, f"{len(missing)} of {len(files)} files have no agency report (wire ingest)"
