"""Public context files (national hotline state table, FBI CDE human trafficking) dropped into the inbox
under the names users keep: recognised by header, every row loaded or quarantined, mapped to counties
and regions by the documented rule, and turned into the context marts. Real DuckDB, real Dagster runs."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.context_files import FBI_HEADER, HOTLINE_HEADER, fbi_row, run_context_job, write_rows
from support.pipeline import lantern_env

from sources.context import context_feed_of, is_context_file
from sources.context.samples import (PUBLISHED_HOTLINE, FbiSample, national_totals, write_fbi_human_trafficking,
                                     write_hotline_state_statistics)
from sources.contracts import load_contract
from sources.ingest.reader import count_data_rows
from sources.reference import counties, deployment

PIPELINE_FIXTURES = {'context_run'}  # they run the real pipeline: tests using them are in the slow tier

HOTLINE_FILE = "Hotline Statistics - State (2024).csv"  # the name a browser download keeps
FBI_FILE = "HT_2013-2023.csv"
AWKWARD_FBI_FILE = "fbi ht extract - edited.csv"
BROKEN_HOTLINE_FILE = "hotline table copy.csv"
OWN_SIGNALS_FILE = "hotline_signals__HL-STATE__2024.csv"
OWN_INTAKE = {2023: (30, 12), 2024: (25, 10)}  # the task force's own signals and cases per year


@dataclass
class ContextRun:
    home: Path
    result: object
    fbi: FbiSample

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).pl()


def write_awkward_fbi_file(path: Path) -> Path:
    """Spellings other public files use, and rows the contract refuses (year 2020, not in the sample)."""
    rows = [
        fbi_row(2020, "MO0630001", "DE KALB"),
        fbi_row(2020, "MO1830001", "SAINT CHARLES COUNTY"),
        fbi_row(2020, "MO1860001", "Ste. Genevieve"),
        fbi_row(2020, "MO0950001", "JACKSON; ST LOUIS CITY", name="Task Force, Kansas City and St. Louis"),
        fbi_row(2020, "MO0000002", "ST LOUIS", subcat="Robbery"),            # code_list
        fbi_row(2020, "MO0000003", "ST LOUIS", actual="-1"),                 # a negative adjustment: loaded, summed
        fbi_row(2020, "MO0000004", "ST LOUIS", cleared="1", juvenile="3"),  # per row not compared (adjustments)
        fbi_row(2020, "MO0000006", "ST LOUIS", actual="two"),                # integer
    ]
    return write_rows(path, FBI_HEADER, rows, tail='2020,MO0000005,"Unclosed quote agency,Police\n')


def write_broken_hotline_file(path: Path) -> Path:
    rows = [
        ["Missouri", "1,200", "2.15", "300", "2.00%", "2014"],   # format: percent without %
        ["Kansas", "abc", "1.00%", "10", "1.00%", "2014"],       # integer
        ["Guam", "10", "0.10%", "20", "0.20%", "2014"],          # cases above signals: a real territory row, loaded
        ["Ohio", "10", "0.10%", "5", "0.10%", "2099"],           # date_in_future
        ["Utah", "5", "0.02%", "1", "0.01%", "2014"],            # valid
        ["Utah", "6", "0.02%", "1", "0.01%", "2014"],            # duplicate_key
    ]
    return write_rows(path, HOTLINE_HEADER, rows, tail="Texas,100,1.00%,10\n")  # missing_fields


def write_own_signals(path: Path) -> Path:
    columns = load_contract("hotline_signals").column_names
    rows, n = [], 0
    for year, (signals, cases) in OWN_INTAKE.items():
        for i in range(signals):
            n += 1
            rows.append({"signal_id": f"S-{n:05d}", "linkage_key": f"{n:064x}", "received_date": f"{year}-05-{1 + i % 28:02d}",
                         "contact_method": "phone", "county_fips": "29095", "trafficking_type": "sex",
                         "is_case": "true" if i < cases else "false"})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def context_run(tmp_path_factory: pytest.TempPathFactory) -> ContextRun:
    home = tmp_path_factory.mktemp("context") / "lantern"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    write_hotline_state_statistics(inbox / HOTLINE_FILE, deployment())
    fbi = write_fbi_human_trafficking(inbox / FBI_FILE, deployment(), counties())
    write_awkward_fbi_file(inbox / AWKWARD_FBI_FILE)
    write_broken_hotline_file(inbox / BROKEN_HOTLINE_FILE)
    write_own_signals(inbox / OWN_SIGNALS_FILE)
    with lantern_env(home):
        result = run_context_job(home)
    return ContextRun(home, result, fbi)


# --- recognising the files ------------------------------------------------------------------------------

def test_context_files_are_recognised_by_header_not_name(tmp_path):
    hotline = write_hotline_state_statistics(tmp_path / "hotline_signals__HL-NATL__2024.csv", deployment(), range(2024, 2025))
    fbi = write_fbi_human_trafficking(tmp_path / "download.csv", deployment(), counties(), range(2023, 2024)).path
    renamed_column = write_rows(tmp_path / "HT_2013-2023.csv", [*FBI_HEADER[:-1], "JUVENILE_CLEARED"], [])
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + hotline.read_bytes().replace(b"\n", b"\r\n"))
    assert context_feed_of(hotline) == "national_hotline_state_statistics"
    assert context_feed_of(fbi) == "fbi_cde_human_trafficking"
    assert context_feed_of(with_bom) == "national_hotline_state_statistics"
    assert not is_context_file(renamed_column)
    assert not is_context_file(write_own_signals(tmp_path / "hotline_signals__HL-STATE__2024.csv"))


# --- accounting -----------------------------------------------------------------------------------------

def test_every_context_check_passes_but_the_partial_files_one(context_run):
    """The fixture drops two files with broken rows: they stand partial, so the refresh says it succeeded only
    with a warning, and the one check that says why is context_files_complete; every other check passes."""
    assert not context_run.result.failures, context_run.result.failures
    assert context_run.result.warnings and all(
        "check context_files_complete on staging/stg_context_standing_files failed" in w
        for w in context_run.result.warnings), context_run.result.warnings
    assert "WITH WARNINGS" in context_run.result.summary()


def test_the_blocking_checks_fail_when_a_row_goes_missing(context_run, tmp_path):
    import shutil

    from pipelines.assets.context import context_checks
    from pipelines.resources import WarehouseResource

    broken = tmp_path / "warehouse.duckdb"
    shutil.copy(context_run.home / "warehouse.duckdb", broken)
    with duckdb.connect(str(broken)) as con:
        con.execute("DELETE FROM raw.context_fbi_cde_human_trafficking WHERE _file_name = ? AND _row_number = 1", [FBI_FILE])
        con.execute("DELETE FROM staging.stg_context_fbi_offenses WHERE region = 'unallocated'")
    warehouse = WarehouseResource(database=str(broken), home=str(context_run.home))
    with lantern_env(context_run.home):
        results = {next(iter(check.check_specs)).name: check(warehouse=warehouse)
                   for check in context_checks}
    assert {name: r.passed for name, r in results.items()} == {
        "national_hotline_state_statistics_rows_accounted_for": True,
        "fbi_cde_human_trafficking_rows_accounted_for": False, "fbi_rows_all_allocated": False,
        "context_files_complete": False}  # the fixture's broken files stand partial, before and after the deletion


def test_every_row_of_every_context_file_is_loaded_or_quarantined(context_run):
    manifest = context_run.query("SELECT * FROM raw.file_manifest WHERE feed IS NOT NULL AND feed <> 'hotline_signals'")
    assert sorted(manifest["file_name"]) == sorted([HOTLINE_FILE, FBI_FILE, AWKWARD_FBI_FILE, BROKEN_HOTLINE_FILE])
    for row in manifest.iter_rows(named=True):
        table = f"raw.context_{row['feed']}"
        in_raw = context_run.query(f"SELECT count(*) AS n FROM {table} WHERE _file_name = ?", [row["file_name"]])["n"][0]
        held = context_run.query("SELECT count(*) AS n FROM raw.quarantine WHERE file_name = ?", [row["file_name"]])["n"][0]
        lines = count_data_rows(context_run.home / "inbox" / row["file_name"])
        assert row["rows_read"] == lines == row["rows_loaded"] + row["rows_quarantined"], row
        assert (in_raw, held) == (row["rows_loaded"], row["rows_quarantined"]), row


def test_agency_ingest_leaves_context_files_to_the_context_asset(context_run):
    unroutable = context_run.query("SELECT file_name FROM raw.quarantine WHERE rule = 'unroutable_file'")
    assert unroutable.is_empty()
    own = context_run.query("SELECT count(*) AS n FROM raw.hotline_signals")["n"][0]
    assert own == sum(signals for signals, _ in OWN_INTAKE.values())


def test_broken_rows_are_quarantined_with_their_reason(context_run):
    held = context_run.query("SELECT file_name, row_number, rule FROM raw.quarantine WHERE feed IS NOT NULL "
                             "AND feed <> 'hotline_signals' ORDER BY file_name, row_number")
    assert held.rows() == [
        (AWKWARD_FBI_FILE, 5, "code_list"), (AWKWARD_FBI_FILE, 8, "integer"),
        (AWKWARD_FBI_FILE, 9, "unterminated_quote"),
        (BROKEN_HOTLINE_FILE, 1, "format"), (BROKEN_HOTLINE_FILE, 2, "integer"),
        (BROKEN_HOTLINE_FILE, 4, "date_in_future"),
        (BROKEN_HOTLINE_FILE, 6, "duplicate_key"), (BROKEN_HOTLINE_FILE, 7, "missing_fields"),
    ]


def test_other_states_rows_are_loaded_for_national_context(context_run):
    other = context_run.query("SELECT count(*) AS n FROM raw.context_fbi_cde_human_trafficking "
                              "WHERE _file_name = ? AND state_abbr <> ?", [FBI_FILE, deployment().state_code])["n"][0]
    assert other == context_run.fbi.other_state_rows > 0
    message = context_run.query("SELECT message FROM raw.file_manifest WHERE file_name = ?", [FBI_FILE])["message"][0]
    assert f"{other} rows about other states" in message
    states = context_run.query("SELECT DISTINCT state_abbr FROM marts.mart_context_fbi_state_year ORDER BY 1")
    assert set(states["state_abbr"]) == {"IL", "KS", deployment().state_code}


# --- county and region mapping --------------------------------------------------------------------------

def test_county_names_map_to_the_right_county(context_run):
    placed = dict(context_run.query(
        "SELECT DISTINCT listed_county_names, county_fips FROM staging.stg_context_fbi_offenses "
        "WHERE is_deployment_state AND listed_counties = 1").rows())
    assert placed["ST LOUIS"] == "29189" and placed["ST LOUIS CITY"] == "29510"
    assert placed["STE GENEVIEVE"] == placed["Ste. Genevieve"] == "29186"
    assert placed["DEKALB"] == placed["DE KALB"] == "29063"
    assert placed["SAINT CHARLES COUNTY"] == placed["ST CHARLES"] == "29183"
    assert placed["LEVEE DISTRICT"] is None


def test_same_county_names_in_other_states_stay_out_of_the_state(context_run):
    kansas = context_run.query("SELECT DISTINCT county_fips, region, allocation FROM staging.stg_context_fbi_offenses "
                               "WHERE state_abbr = 'KS'")
    assert kansas.rows() == [(None, None, "other state")]


def test_multi_county_and_county_less_agencies_follow_the_documented_rule(context_run):
    regions = dict(counties().select("fips", "region").rows())
    rows = context_run.query("SELECT DISTINCT listed_county_names, county_fips, region, allocation, spans_regions "
                             "FROM staging.stg_context_fbi_offenses WHERE is_deployment_state AND listed_counties <> 1")
    by_names = {r["listed_county_names"]: r for r in rows.iter_rows(named=True)}
    task_force = by_names["JACKSON; ST LOUIS CITY"]
    assert (task_force["county_fips"], task_force["allocation"]) == ("29095", "first listed county")
    assert task_force["region"] == regions["29095"] and task_force["spans_regions"]
    state_police = by_names[None]
    assert (state_police["county_fips"], state_police["region"]) == (None, "unallocated")
    assert state_police["allocation"] == "unallocated: no county listed"


def _county_key(name: str) -> str:
    """The documented normalisation, written independently of the SQL."""
    key = re.sub(r"[^A-Z0-9 ]", "", name.upper())
    key = re.sub(r"\bCOUNTY\b", "", key)
    key = re.sub(r"\bSAINTE\b", "STE", re.sub(r"\bSAINT\b", "ST", key))
    return re.sub(r"\s+", " ", re.sub(r"\bDE KALB\b", "DEKALB", key)).strip()


def _expected_region_year(inbox: Path) -> pl.DataFrame:
    region_of = {_county_key(r["county_name"]): r["region"] for r in counties().iter_rows(named=True)}
    rows = []
    for path in (inbox / FBI_FILE, inbox / AWKWARD_FBI_FILE):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["STATE_ABBR"] != deployment().state_code or not re.fullmatch(r"-?\d+", row["JUVENILE_CLEARED_COUNT"] or ""):
                    continue
                if not re.fullmatch(r"-?\d+", row["ACTUAL_COUNT"]) or row["OFFENSE_SUBCAT_NAME"] == "Robbery":
                    continue
                listed = [region_of.get(_county_key(n)) for n in (row["COUNTY_NAME"] or "").split(";") if n.strip()]
                known = [r for r in listed if r is not None]
                rows.append({"year": int(row["DATA_YEAR"]), "region": known[0] if known else "unallocated",
                             "offense": row["OFFENSE_SUBCAT_NAME"].lower().replace(" ", "_"),
                             "actual": int(row["ACTUAL_COUNT"]), "cleared": int(row["CLEARED_COUNT"])})
    return pl.DataFrame(rows).group_by("year", "region", "offense").agg(
        pl.col("actual").sum(), pl.col("cleared").sum(), pl.len().alias("rows"))


def test_region_mart_matches_an_independent_computation_from_the_files(context_run):
    expected = _expected_region_year(context_run.home / "inbox")
    actual = context_run.query("SELECT year, region, offense, actual_offenses AS actual, cleared, agency_rows AS rows, "
                               "clearance_rate FROM marts.mart_context_fbi_region_year")
    keys = ["year", "region", "offense"]
    joined = expected.join(actual, on=keys, how="full", coalesce=True, suffix="_mart")
    assert joined.filter((pl.col("actual") != pl.col("actual_mart")) | (pl.col("cleared") != pl.col("cleared_mart"))
                         | (pl.col("rows") != pl.col("rows_mart")) | pl.col("rows").is_null()
                         | pl.col("rows_mart").is_null()).is_empty()
    rated = actual.filter(pl.col("actual") > 0)
    assert ((rated["clearance_rate"] - rated["cleared"] / rated["actual"]).abs() < 1e-9).all()
    assert actual.filter(pl.col("actual") == 0)["clearance_rate"].is_null().all()


def test_allocation_report_accounts_for_every_loaded_row(context_run):
    report = context_run.query("SELECT allocation, sum(agency_rows) AS n FROM marts.mart_context_fbi_allocation GROUP BY 1")
    counts = dict(report.rows())
    loaded = context_run.query("SELECT count(*) AS n FROM raw.context_fbi_cde_human_trafficking")["n"][0]
    assert sum(counts.values()) == loaded
    mapped = counts["county"] + counts["first listed county"]
    unallocated = counts["unallocated: no county listed"] + counts["unallocated: county not recognised"]
    assert mapped + unallocated == context_run.fbi.in_state_rows + 6  # the awkward file's 6 valid rows
    assert counts["other state"] == context_run.fbi.other_state_rows
    print(f"\nFBI rows read {loaded + 3} (3 quarantined), mapped to a county {mapped}, unallocated {unallocated}, "
          f"other states {counts['other state']}")


# --- hotline context ------------------------------------------------------------------------------------

def test_hotline_coverage_mart_shows_published_figures_share_and_coverage(context_run):
    mart = context_run.query("SELECT * FROM marts.mart_context_hotline_coverage ORDER BY year")
    published = PUBLISHED_HOTLINE[deployment().state_code]
    assert mart["year"].to_list() == sorted(published)
    for row in mart.iter_rows(named=True):
        year = row["year"]
        assert (row["published_signals"], row["published_cases"]) == published[year]
        national_signals, national_cases = national_totals(year)
        assert abs(row["national_signals_derived"] - national_signals) <= 0.002 * national_signals
        assert abs(row["national_cases_derived"] - national_cases) <= 0.002 * national_cases
        assert row["share_of_national_signals_pct"] == round(100 * published[year][0] / national_signals, 2)
        own_signals, own_cases = OWN_INTAKE.get(year, (0, 0))
        assert (row["own_signals"], row["own_cases"]) == (own_signals, own_cases)
        if own_signals:
            assert row["signal_coverage"] == pytest.approx(own_signals / published[year][0])
            assert row["case_coverage"] == pytest.approx(own_cases / published[year][1])
        else:
            assert row["signal_coverage"] is None


@pytest.mark.pipeline
def test_republished_table_revises_earlier_years_and_nothing_is_loaded_twice(tmp_path):
    home = tmp_path / "lantern"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    first = write_hotline_state_statistics(inbox / "state table.csv", deployment(), range(2023, 2025))
    write_own_signals(inbox / OWN_SIGNALS_FILE)  # the staging tables the coverage mart reads exist once intake does
    state = deployment().state_name
    with lantern_env(home):
        assert run_context_job(home).success
        assert run_context_job(home).success  # the same file again: already in the manifest, not read twice
        revised = first.read_text(encoding="utf-8").replace(f"{state},686,", f"{state},700,")
        (inbox / "state table (1).csv").write_text(revised, encoding="utf-8")
        assert run_context_job(home).success
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("SELECT count(*), sum(rows_loaded) FROM raw.file_manifest WHERE agency = 'national_hotline'").fetchone()
        signals = dict(con.execute("SELECT year, published_signals FROM marts.mart_context_hotline_coverage").fetchall())
    assert files == (2, 2 * count_data_rows(first))
    assert signals == {2023: 700, 2024: 696}
