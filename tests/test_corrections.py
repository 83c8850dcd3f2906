"""Corrections (issue #17): an agency sends a record again with the same id to correct it, or with
record_action `withdraw` to withdraw it. The newest version stands, raw keeps every version, the months
affected are recomputed and the agency report lists what changed. Real DuckDB files, real pipeline runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.pipeline import lantern_env, run_pipeline
from test_ingest import CONTRACT, good_row, ingest, inbox, quarantine, warehouse, write_csv  # noqa: F401

from sources.ingest.agency_reports import write_agency_reports

PIPELINE_FIXTURES = {'corrected_night'}  # they run the real pipeline: tests using them are in the slow tier

HEADER = [*CONTRACT.column_names]
ORIGINAL = "hotline_signals__HL-NATL__2025-03.csv"


def current(con) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in con.execute(
        "SELECT signal_id, trafficking_type, record_action, _file_name FROM raw.hotline_signals "
        "WHERE _superseded_at IS NULL").fetchall()}


def test_a_changed_record_is_a_correction_and_the_newest_version_stands(warehouse, inbox, tmp_path):
    write_csv(inbox / ORIGINAL, [good_row(i) for i in range(1, 4)])
    ingest(warehouse, inbox)
    corrected = write_csv(inbox / "hotline_signals__HL-NATL__2025-03_v2.csv",
                          [good_row(2, trafficking_type="labor"), good_row(3)], HEADER)
    outcome = ingest(warehouse, inbox)[corrected.name]
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)  # the change loads; the unchanged re-send not
    assert "1 record(s) corrected" in outcome.message
    assert quarantine(warehouse, corrected.name).select("row_number", "rule").rows() == [(2, "duplicate_key")]
    now = current(warehouse)
    assert now["S-00002"] == ("labor", "upsert", corrected.name)
    assert now["S-00001"][2] == now["S-00003"][2] == ORIGINAL
    history = warehouse.execute("SELECT _file_name, trafficking_type, _superseded_at IS NOT NULL FROM "
                                "raw.hotline_signals WHERE signal_id = 'S-00002' ORDER BY _loaded_at").fetchall()
    assert history == [(ORIGINAL, "sex", True), (corrected.name, "labor", False)]  # raw keeps every version

    [report] = write_agency_reports(warehouse, tmp_path / "reports", [corrected.name])
    text = report.read_text(encoding="utf-8")
    assert "## Corrections and withdrawals" in text
    assert f"| 1 | S-00002 | corrected | {ORIGINAL} row 2 | trafficking_type |" in text


def test_a_withdrawal_supersedes_the_record_and_is_reported(warehouse, inbox, tmp_path):
    write_csv(inbox / ORIGINAL, [good_row(i) for i in range(1, 4)])
    ingest(warehouse, inbox)
    withdrawal = write_csv(inbox / "hotline_signals__HL-NATL__2025-03_withdraw.csv",
                           [good_row(1, record_action="withdraw")], HEADER)
    outcome = ingest(warehouse, inbox)[withdrawal.name]
    assert outcome.rows_loaded == 1 and "0 record(s) corrected and 1 withdrawn" in outcome.message
    assert current(warehouse)["S-00001"] == ("sex", "withdraw", withdrawal.name)
    [report] = write_agency_reports(warehouse, tmp_path / "reports", [withdrawal.name])
    assert "| 1 | S-00001 | withdrawn |" in report.read_text(encoding="utf-8")
    again = inbox / "hotline_signals__HL-NATL__2025-03_withdraw_again.csv"
    again.write_bytes(withdrawal.read_bytes())
    assert ingest(warehouse, inbox)[again.name].rows_quarantined == 1  # withdrawing twice changes nothing


def test_in_one_batch_the_later_file_stands_and_a_repeat_within_a_file_is_a_duplicate(warehouse, inbox):
    write_csv(inbox / ORIGINAL, [good_row(1), good_row(2), good_row(2, gender="male")])
    write_csv(inbox / "hotline_signals__HL-NATL__2025-03_v2.csv", [good_row(1, is_case="false")])
    outcomes = ingest(warehouse, inbox)
    assert quarantine(warehouse, ORIGINAL).select("row_number", "rule").rows() == [(3, "duplicate_key")]
    assert outcomes["hotline_signals__HL-NATL__2025-03_v2.csv"].rows_loaded == 1
    assert current(warehouse)["S-00001"][2] == "hotline_signals__HL-NATL__2025-03_v2.csv"


def test_an_unknown_record_action_is_quarantined(warehouse, inbox):
    path = write_csv(inbox / ORIGINAL, [good_row(1, record_action="delete")], HEADER)
    ingest(warehouse, inbox)
    assert quarantine(warehouse, path.name).select("column_name", "rule").rows() == [("record_action", "code_list")]


@pytest.fixture(scope="module")
def corrected_night(tmp_path_factory: pytest.TempPathFactory):
    """Night 1: a year of clean drops plus three signals in March 2026. Night 2: one of them corrected to
    April, one withdrawn. The marts of both nights, and the second night's staging."""
    from sources.generator import generate

    home = tmp_path_factory.mktemp("corrections")
    march = [good_row(n, received_date="2026-03-10", signal_id=f"FIX-{n}") for n in range(3)]
    with lantern_env(home):
        generate(home / "inbox", scale="mo", years=1, seed=9, end_date=date(2026, 11, 30), defect_rate=0.0)
        write_csv(home / "inbox" / "hotline_signals__HL-STATE__2026-03_fix.csv", march)
        first = run_pipeline(home)
        before = _monthly_signals(home)
        write_csv(home / "inbox" / "hotline_signals__HL-STATE__2026-03_fix_v2.csv",
                  [{**march[0], "received_date": "2026-04-02"}, {**march[1], "record_action": "withdraw"}], HEADER)
        second = run_pipeline(home)
        after = _monthly_signals(home)
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            staged = con.execute("SELECT signal_id, received_date FROM staging.stg_hotline_signals "
                                 "WHERE signal_id LIKE 'FIX-%' ORDER BY 1").fetchall()
    yield home, (first, second), before, after, staged


def _monthly_signals(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {str(m)[:7]: int(n) for m, n in con.execute(
            "SELECT month, sum(signals) FROM marts.mart_monthly_signals GROUP BY month").fetchall()}


def test_a_correction_recomputes_both_months_and_publishes(corrected_night):
    home, results, before, after, staged = corrected_night
    assert all(r.success for r in results), [r.summary() for r in results]
    assert staged == [("FIX-0", date(2026, 4, 2)), ("FIX-2", date(2026, 3, 10))]
    assert after["2026-03"] == before["2026-03"] - 2  # one moved to April, one withdrawn
    assert after["2026-04"] == before["2026-04"] + 1
    assert {m: n for m, n in after.items() if m not in ("2026-03", "2026-04")} == {
        m: n for m, n in before.items() if m not in ("2026-03", "2026-04")}
    report = next((home / "reports").rglob("hotline_signals__HL-STATE__2026-03_fix_v2.csv.report.md"))
    text = report.read_text(encoding="utf-8")
    assert "| 1 | FIX-0 | corrected |" in text and "| 2 | FIX-1 | withdrawn |" in text
