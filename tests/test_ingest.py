"""Bad drops: each gives a clear error naming the file (and row and column where there is one), and
nothing is lost: every row read ends up loaded or quarantined. Real DuckDB files throughout."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sources.contracts import all_contracts, load_contract
from sources.inbox import list_inbox
from sources.ingest import ingest_files
from sources.ingest.validator import ValidationContext
from sources.ingest.warehouse_tables import ensure_raw_schema
from sources.reference import counties, organisations

CONTRACT = load_contract("hotline_signals")
KEY = "ab" * 32


def good_row(n: int, **overrides) -> dict:
    row = {
        "signal_id": f"S-{n:05d}", "linkage_key": KEY, "received_date": "2025-03-14", "contact_method": "phone",
        "county_fips": "29095", "trafficking_type": "sex", "venue_type": "hotels_hospitality", "is_case": "true",
        "people_count": "1", "minors_count": "0", "age_band": "18-20", "gender": "female",
        "recruitment": "intimate_partner", "means_of_control": "threats", "notes": "caller concerned",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    header = header or CONTRACT.column_names
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def warehouse(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con, list(all_contracts().values()))
    yield con
    con.close()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def ingest(con, inbox: Path):
    context = ValidationContext(date(2025, 12, 31), frozenset(counties()["fips"]), frozenset(organisations()["org_id"]))
    feeds = {r["org_id"]: set(r["sends_feeds"].split(";")) for r in organisations().iter_rows(named=True)}
    return {o.file_name: o for o in ingest_files(con, list(list_inbox(inbox).agency_drops), context, feeds, run_id="test")}


def quarantine(con, file_name: str) -> pl.DataFrame:
    return con.execute("SELECT * FROM raw.quarantine WHERE file_name = ? ORDER BY row_number", [file_name]).pl()


def assert_accounted(con, outcome) -> None:
    loaded = con.execute("SELECT count(*) FROM raw.hotline_signals WHERE _file_name = ?", [outcome.file_name]).fetchone()[0]
    held = con.execute("SELECT count(*) FROM raw.quarantine WHERE file_name = ?", [outcome.file_name]).fetchone()[0]
    assert (loaded, held) == (outcome.rows_loaded, outcome.rows_quarantined)
    assert outcome.rows_loaded + outcome.rows_quarantined == outcome.rows_read


def test_clean_file_loads_every_row(warehouse, inbox):
    write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(5)])
    outcome = ingest(warehouse, inbox)["hotline_signals__HL-NATL__2025-03.csv"]
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded", 5, 5)
    assert_accounted(warehouse, outcome)


def test_missing_required_column_refuses_the_file_and_names_the_column(warehouse, inbox):
    header = [c for c in CONTRACT.column_names if c != "trafficking_type"]
    write_csv(inbox / "hotline_signals__HL-NATL__2025-04.csv", [good_row(i) for i in range(3)], header)
    outcome = ingest(warehouse, inbox)["hotline_signals__HL-NATL__2025-04.csv"]
    assert outcome.status == "rejected" and outcome.rows_quarantined == 3
    assert "trafficking_type" in outcome.message and "missing_column" in outcome.message
    held = quarantine(warehouse, outcome.file_name)
    assert held["rule"].unique().to_list() == ["missing_column"]
    assert held["row_number"].to_list() == [1, 2, 3]
    assert_accounted(warehouse, outcome)


def test_forbidden_identifier_column_keeps_no_value(warehouse, inbox):
    header = [*CONTRACT.column_names, "Victim Phone"]
    rows = [good_row(i, **{"Victim Phone": "816-555-0142"}) for i in range(2)]
    write_csv(inbox / "hotline_signals__HL-NATL__2025-05.csv", rows, header)
    outcome = ingest(warehouse, inbox)["hotline_signals__HL-NATL__2025-05.csv"]
    assert outcome.status == "rejected" and "Victim Phone" in outcome.message
    held = quarantine(warehouse, outcome.file_name)
    assert held["rule"].unique().to_list() == ["forbidden_column"]
    assert held["masked_record"].is_null().all()
    dump = str(warehouse.execute("SELECT * FROM raw.quarantine").fetchall()) + str(
        warehouse.execute("SELECT * FROM raw.file_manifest").fetchall())
    assert "555-0142" not in dump


def test_wrong_encoding_quarantines_the_row_with_its_number(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-06.csv",
                     [good_row(1), good_row(2, notes="café owner worried"), good_row(3)], encoding="latin-1")
    outcome = ingest(warehouse, inbox)[path.name]
    held = quarantine(warehouse, path.name)
    assert held.select("row_number", "rule").rows() == [(2, "invalid_encoding")]
    assert "UTF-8" in held["message"][0]
    assert outcome.rows_loaded == 2
    assert_accounted(warehouse, outcome)


def test_empty_file_is_rejected_with_a_reason(warehouse, inbox):
    (inbox / "hotline_signals__HL-NATL__2025-07.csv").write_bytes(b"")
    outcome = ingest(warehouse, inbox)["hotline_signals__HL-NATL__2025-07.csv"]
    assert outcome.status == "rejected" and "empty" in outcome.message
    assert outcome.rows_read == 0


def test_truncated_file_quarantines_the_broken_last_row(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-08.csv", [good_row(i) for i in range(4)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # cut the last line mid-row, as an interrupted upload would
    outcome = ingest(warehouse, inbox)[path.name]
    held = quarantine(warehouse, path.name)
    assert held["row_number"].to_list() == [4]
    assert held["rule"][0] == "missing_fields"
    assert outcome.rows_loaded == 3
    assert_accounted(warehouse, outcome)


def test_unterminated_quote_on_last_line_is_not_lost(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-09.csv", [good_row(i) for i in range(3)])
    path.write_bytes(path.read_bytes() + b'S-99999,"broken\n')
    outcome = ingest(warehouse, inbox)[path.name]
    assert outcome.rows_read == 4 and outcome.rows_loaded == 3
    assert quarantine(warehouse, path.name)["row_number"].to_list() == [4]
    assert_accounted(warehouse, outcome)


def test_same_file_twice_is_a_no_op_and_a_resent_copy_loads_nothing_twice(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-10.csv", [good_row(i) for i in range(6)])
    first = ingest(warehouse, inbox)
    assert first[path.name].rows_loaded == 6
    assert ingest(warehouse, inbox) == {}  # same name, same content: nothing to do
    copy = inbox / "hotline_signals__HL-NATL__2025-10_resent.csv"
    copy.write_bytes(path.read_bytes())
    outcome = ingest(warehouse, inbox)[copy.name]
    assert outcome.rows_loaded == 0 and outcome.rows_quarantined == 6
    assert path.name in outcome.message
    held = quarantine(warehouse, copy.name)
    assert set(held["rule"]) == {"duplicate_key"} and held["message"].str.contains(path.name).all()
    assert warehouse.execute("SELECT count(*) FROM raw.hotline_signals").fetchone()[0] == 6
    assert_accounted(warehouse, outcome)


def test_row_rules_name_row_column_and_rule(warehouse, inbox):
    rows = [
        good_row(1),
        good_row(2, trafficking_type="sex trafficking"),
        good_row(3, received_date="2025-02-30"),
        good_row(4, received_date="2031-01-01"),
        good_row(5, minors_count="3", people_count="1"),
        good_row(6, county_fips="20091"),
        good_row(7, is_case="maybe"),
        good_row(8, linkage_key="not-a-key"),
        good_row(1),  # duplicate of row 1
        good_row(10, contact_method=""),
    ]
    path = write_csv(inbox / "hotline_signals__LE-KCPD__2025-03.csv", rows)
    outcome = ingest(warehouse, inbox)[path.name]
    held = quarantine(warehouse, path.name)
    got = {r["row_number"]: (r["column_name"], r["rule"]) for r in held.iter_rows(named=True)}
    assert got == {
        2: ("trafficking_type", "code_list"), 3: ("received_date", "date_format"),
        4: ("received_date", "date_in_future"), 5: ("minors_count", "inconsistent"),
        6: ("county_fips", "unknown_county"), 7: ("is_case", "boolean"), 8: ("linkage_key", "format"),
        9: ("signal_id", "duplicate_key"), 10: ("contact_method", "required"),
    }
    assert "'sex trafficking' is not in code list trafficking_type" in held.filter(pl.col("row_number") == 2)["message"][0]
    assert outcome.rows_loaded == 1
    assert_accounted(warehouse, outcome)


def test_phone_number_in_notes_is_quarantined_masked(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-STATE__2025-03.csv",
                     [good_row(1), good_row(2, notes="call her at (816) 555-0142 tonight")])
    outcome = ingest(warehouse, inbox)[path.name]
    held = quarantine(warehouse, path.name)
    assert held.select("row_number", "column_name", "rule").rows() == [(2, "notes", "identifier_detected")]
    record = json.loads(held["masked_record"][0])
    assert "555" not in record["notes"] and "[phone]" in record["notes"]
    assert record["signal_id"] == "S-00002"  # the rest of the row stays readable, to find and fix it
    assert_accounted(warehouse, outcome)


def test_unknown_agency_and_unroutable_names_are_refused_not_lost(warehouse, inbox):
    write_csv(inbox / "hotline_signals__NOBODY__2025-03.csv", [good_row(1)])
    write_csv(inbox / "signals march.csv", [good_row(1)])
    outcomes = ingest(warehouse, inbox)
    assert outcomes["hotline_signals__NOBODY__2025-03.csv"].status == "rejected"
    assert "not in the organisation registry" in outcomes["hotline_signals__NOBODY__2025-03.csv"].message
    assert outcomes["signals march.csv"].status == "rejected"
    assert "named" in outcomes["signals march.csv"].message
    assert all(o.rows_quarantined == o.rows_read == 1 for o in outcomes.values())


def test_parquet_drop_with_bom_free_text_columns_loads(warehouse, inbox):
    frame = pl.DataFrame([good_row(i) for i in range(3)])
    frame.write_parquet(inbox / "hotline_signals__LE-MSHP__2025-03.parquet")
    outcome = ingest(warehouse, inbox)["hotline_signals__LE-MSHP__2025-03.parquet"]
    assert (outcome.rows_read, outcome.rows_loaded) == (3, 3)


def test_csv_with_bom_and_crlf_loads(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-STATE__2025-04.csv", [good_row(i) for i in range(3)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    outcome = ingest(warehouse, inbox)[path.name]
    assert (outcome.rows_read, outcome.rows_loaded) == (3, 3)
    assert warehouse.execute("SELECT DISTINCT notes FROM raw.hotline_signals WHERE _file_name = ?",
                             [path.name]).fetchall() == [("caller concerned",)]


def test_phone_or_ssn_formatted_into_a_record_id_is_caught(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-11.csv",
                     [good_row(1, signal_id="S-2025-00001234"), good_row(2, signal_id="816-555-0142"),
                      good_row(3, signal_id="ID-900-12-3456")])
    ingest(warehouse, inbox)
    held = quarantine(warehouse, path.name)
    assert held.select("row_number", "column_name", "rule").rows() == [
        (2, "signal_id", "identifier_detected"), (3, "signal_id", "identifier_detected")]
    kept_text = str(held.select("message", "problems", "masked_record").rows())
    for digits in ("555", "0142", "900", "3456"):
        assert digits not in kept_text
