"""Public context files as users really download them (issue #16): each quirk of the real FBI Crime Data
Explorer extract and of the national hotline's state table reproduced in a hand-made file (never a
downloaded one), run through the real pipeline (real DuckDB, real Dagster run), and checked against what
the publisher's own totals are. docs/public-context.md, "Real files", states each rule."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.context_files import FBI_HEADER, HOTLINE_HEADER, fbi_row, run_context_job, write_rows
from support.pipeline import lantern_env

from sources.contracts import load_contract
from sources.reference import counties, deployment

pytestmark = pytest.mark.pipeline  # every test here runs the context load on real DuckDB files

OWN_SIGNALS_FILE = "hotline_signals__HL-STATE__2023.csv"


@dataclass
class Run:
    home: Path
    result: object

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).pl()

    def quarantined(self) -> list[tuple]:
        return self.query("SELECT file_name, row_number, column_name, rule FROM raw.quarantine "
                          "WHERE feed LIKE 'fbi%' OR feed LIKE 'national%' ORDER BY ALL").rows()

    def fbi(self, year: int, region: str, offense: str = "commercial_sex_acts") -> tuple[int, int] | None:
        rows = self.query("SELECT actual_offenses, cleared FROM marts.mart_context_fbi_region_year "
                          "WHERE year = ? AND region = ? AND offense = ?", [year, region, offense]).rows()
        return rows[0] if rows else None


def region_of(fips: str) -> str:
    return dict(counties().select("fips", "region").rows())[fips]


def county_in_another_region(fips: str) -> tuple[str, str]:
    """(FBI spelling, fips) of a county outside `fips`'s region."""
    other = counties().filter(pl.col("region") != region_of(fips)).row(0, named=True)
    return other["county_name"].upper().removesuffix(" COUNTY"), other["fips"]


def write_own_signals(path: Path) -> Path:
    """One own signal, so the hotline coverage mart has the staging table it reads."""
    columns = load_contract("hotline_signals").column_names
    row = {"signal_id": "S-00001", "linkage_key": f"{1:064x}", "received_date": "2023-05-01", "contact_method": "phone",
           "county_fips": "29095", "trafficking_type": "sex", "is_case": "true"}
    return write_rows(path, columns, [[row.get(c, "") for c in columns]])


def run_with(tmp_path: Path, fbi: dict[str, list[list[str]]] | None = None,
             hotline: dict[str, list[list[str]]] | None = None, mtimes: dict[str, int] | None = None) -> Run:
    home = tmp_path / "lantern"
    inbox = home / "inbox"
    for name, rows in (fbi or {}).items():
        write_rows(inbox / name, FBI_HEADER, rows)
    for name, rows in (hotline or {}).items():
        write_rows(inbox / name, HOTLINE_HEADER, rows)
    for name, mtime in (mtimes or {}).items():
        os.utime(inbox / name, (mtime, mtime))
    write_own_signals(inbox / OWN_SIGNALS_FILE)
    with lantern_env(home):
        result = run_context_job(home)
    return Run(home, result)


JACKSON = "29095"


# --- FBI CDE: repeated keys, long descriptive codes, negative adjustments --------------------------------

def test_repeated_key_rows_are_summed_like_the_published_totals(tmp_path):
    """Real CDE extracts repeat (year, ORI, subcategory) in many rows, some byte-identical; the FBI's
    totals are the sum of them. Quarantining repeats as duplicate_key lost most of a state's offenses."""
    rows = [fbi_row(2022, "MO0950000", "JACKSON", actual="3", cleared="1"),
            fbi_row(2022, "MO0950000", "JACKSON", actual="2", cleared="1"),
            fbi_row(2022, "MO0950000", "JACKSON", actual="2", cleared="1")]  # byte-identical to the row before
    run = run_with(tmp_path, fbi={"HT_2022.csv": rows})
    assert run.quarantined() == []
    assert run.fbi(2022, region_of(JACKSON)) == (7, 3)
    agencies = run.query("SELECT agencies_reporting FROM marts.mart_context_fbi_region_year WHERE year = 2022")
    assert agencies["agencies_reporting"].to_list() == [1]


def test_population_group_range_is_kept_and_the_counts_with_it(tmp_path):
    """POPULATION_GROUP_CODE holds ranges such as `100,000-249,000` in real files: a descriptive column
    never costs a row its counts."""
    rows = [fbi_row(2022, "MO0950000", "JACKSON", actual="4", cleared="2", population_group="100,000-249,000")]
    run = run_with(tmp_path, fbi={"HT_2022.csv": rows})
    assert run.quarantined() == []
    assert run.fbi(2022, region_of(JACKSON)) == (4, 2)
    kept = run.query("SELECT population_group_code FROM raw.context_fbi_cde_human_trafficking")
    assert kept["population_group_code"].to_list() == ["100,000-249,000"]


def test_negative_adjustments_are_part_of_the_sum(tmp_path):
    """Count columns carry negative adjustments (-1) that belong in the published sum."""
    rows = [fbi_row(2022, "MO0950000", "JACKSON", actual="4", cleared="2", juvenile="1"),
            fbi_row(2022, "MO0950000", "JACKSON", actual="-1", cleared="-1", juvenile="0")]
    run = run_with(tmp_path, fbi={"HT_2022.csv": rows})
    assert run.quarantined() == []
    assert run.fbi(2022, region_of(JACKSON)) == (3, 1)


# --- national hotline: territories --------------------------------------------------------------------

def test_territory_rows_with_more_cases_than_signals_are_loaded(tmp_path):
    """Territories publish rows where cases exceed signals; they are the publisher's real rows."""
    rows = [[deployment().state_name, "686", "2.10%", "247", "2.00%", "2023"],
            ["Guam", "3", "0.01%", "5", "0.04%", "2023"]]
    run = run_with(tmp_path, hotline={"Hotline Statistics - State.csv": rows})
    assert run.quarantined() == []
    guam = run.query("SELECT signals_received, cases_identified FROM raw.context_national_hotline_state_statistics "
                     "WHERE state = 'Guam'")
    assert guam.rows() == [(3, 5)]


# --- two extracts of the same years dropped together --------------------------------------------------

def test_two_extracts_of_the_same_year_never_blend(tmp_path):
    """Two downloads of 2022 dropped together: one file stands for the year (the newer download), so the
    figures match one file, never a row-by-row mix of both."""
    older_name, newer_name = "CDE extract 2022 (June).csv", "CDE extract 2021-2022 (March).csv"
    newer = [fbi_row(2021, "MO0950000", "JACKSON", actual="1", cleared="0"),
             fbi_row(2022, "MO0950000", "JACKSON", actual="5", cleared="1"),
             fbi_row(2022, "MO0950100", "JACKSON", actual="3", cleared="1")]
    older = [fbi_row(2022, "MO0950000", "JACKSON", actual="4", cleared="2"),
             fbi_row(2022, "MO0950200", "JACKSON", actual="2", cleared="2")]
    # The names sort the other way round from the downloads, so "last file processed" would pick wrongly.
    run = run_with(tmp_path, fbi={newer_name: newer, older_name: older},
                   mtimes={older_name: 1_700_000_000, newer_name: 1_700_900_000})
    assert run.fbi(2022, region_of(JACKSON)) == (8, 2)  # the newer file alone; the blend gave (9, 5)
    assert run.fbi(2021, region_of(JACKSON)) == (1, 0)
    standing = run.query("SELECT DISTINCT source_file FROM staging.stg_context_fbi_offenses WHERE year = 2022")
    assert standing["source_file"].to_list() == [newer_name]


def test_a_later_drop_of_a_year_replaces_the_earlier_file_whole(tmp_path):
    """A year re-downloaded next month replaces the earlier file for that year, every key of it: an agency
    missing from the new download is missing from the figures too."""
    home = tmp_path / "lantern"
    first = [fbi_row(2022, "MO0950000", "JACKSON", actual="5", cleared="1"),
             fbi_row(2022, "MO0950100", "JACKSON", actual="3", cleared="1")]
    run = run_with(tmp_path, fbi={"HT first.csv": first})
    assert run.fbi(2022, region_of(JACKSON)) == (8, 2)
    write_rows(home / "inbox" / "HT again.csv", FBI_HEADER, [fbi_row(2022, "MO0950000", "JACKSON", actual="6", cleared="2")])
    with lantern_env(home):
        run_context_job(home)
    assert run.fbi(2022, region_of(JACKSON)) == (6, 2)


# --- a partial file is reported loudly -------------------------------------------------------------------

class WebhookSink:
    """A loopback webhook receiving the alerts as JSON."""

    def __init__(self) -> None:
        bodies = self.bodies = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookSink":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def partial_fbi_file() -> list[list[str]]:
    """One good row and three whose counts are not numbers: most of the file is quarantined."""
    return [fbi_row(2022, "MO0950000", "JACKSON", actual="3"),
            *[fbi_row(2022, f"MO09501{i}0", "JACKSON", actual="n/a") for i in range(3)]]


@pytest.fixture
def quiet_alerts(monkeypatch):
    for name in ("LANTERN_ALERT_SMTP_HOST", "LANTERN_ALERT_EMAIL_TO", "LANTERN_ALERT_WEBHOOK_URL",
                 "LANTERN_ALERT_WEBHOOK_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_partial_context_file_is_reported_loudly(tmp_path, quiet_alerts, capsys):
    from sources.reference.paths import Paths
    from pipelines.status import print_status

    with WebhookSink() as sink:
        quiet_alerts.setenv("LANTERN_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{sink.server.server_port}/hook")
        run = run_with(tmp_path, fbi={"HT_2022.csv": partial_fbi_file()})
    manifest = run.query("SELECT status, rows_loaded, rows_quarantined, message FROM raw.file_manifest "
                         "WHERE file_name = 'HT_2022.csv'").row(0, named=True)
    assert (manifest["status"], manifest["rows_loaded"], manifest["rows_quarantined"]) == ("partial", 1, 3)
    assert "3 of 4 rows quarantined" in manifest["message"]
    # the refresh does not say it simply succeeded; it names the check that found the partial file (a warning:
    # what was loaded is still published, with the banner)
    assert any("context_files_complete" in warning for warning in run.result.warnings), run.result.warnings
    assert "Refresh succeeded WITH WARNINGS" in run.result.summary()
    assert "WARNING" in run.result.summary() and "context_files_complete" in run.result.summary()
    # an alert names the file
    assert [body["details"]["file_name"] for body in sink.bodies if body["kind"] == "file_quarantined"] == ["HT_2022.csv"]
    # and `lantern status` shows it partial
    capsys.readouterr()
    print_status(Paths(run.home))
    assert "partial" in capsys.readouterr().out


def test_a_complete_context_file_passes_quietly(tmp_path, quiet_alerts):
    with WebhookSink() as sink:
        quiet_alerts.setenv("LANTERN_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{sink.server.server_port}/hook")
        run = run_with(tmp_path, fbi={"HT_2022.csv": partial_fbi_file()[:1]})
    assert run.result.success, run.result.summary()
    assert run.query("SELECT status FROM raw.file_manifest WHERE file_name = 'HT_2022.csv'").item() == "loaded"
    assert sink.bodies == []


# --- a region whose rows were quarantined is not "no agency reported" ---------------------------------

def test_a_region_with_only_quarantined_rows_is_not_no_agency_reported(tmp_path):
    other_name, other_fips = county_in_another_region(JACKSON)
    rows = [fbi_row(2022, "MO0950000", "JACKSON", actual="3"),
            fbi_row(2022, "MO0770000", other_name, actual="n/a")]
    run = run_with(tmp_path, fbi={"HT_2022.csv": rows})
    from models import macros_sql

    grid_sql = (Path(__file__).parent.parent / "models" / "serving" / "context_fbi_region_yearly.sql").read_text()
    with duckdb.connect(str(run.home / "warehouse.duckdb"), read_only=True) as con:
        con.execute(macros_sql())
        grid = con.execute(grid_sql).pl()
    cell = grid.filter((pl.col("year") == 2022) & (pl.col("region") == region_of(other_fips))
                       & (pl.col("offense") == "all")).row(0, named=True)
    assert cell["reported"] is False and cell["actual_offenses"] == 0
    assert cell["rows_quarantined"] is True  # reads "rows quarantined", never "no agency reported"
    jackson = grid.filter((pl.col("year") == 2022) & (pl.col("region") == region_of(JACKSON))
                          & (pl.col("offense") == "all")).row(0, named=True)
    assert jackson["reported"] is True and jackson["rows_quarantined"] is False
    statewide = grid.filter((pl.col("year") == 2022) & (pl.col("region") == "all") & (pl.col("offense") == "all"))
    assert statewide["rows_quarantined"].to_list() == [True]
