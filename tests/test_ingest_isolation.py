"""One bad file never stops the others (issue #17): whatever breaks while reading, sniffing or validating a
file becomes that file's refusal, with a rule and a message naming the file and the cause; the rest of the
batch loads. CSV is read as records, not lines, and strictly where the contract is strict. Real DuckDB files."""

from __future__ import annotations

import gzip
import os

import polars as pl
import pytest
from test_ingest import CONTRACT, assert_accounted, good_row, ingest, inbox, quarantine, warehouse, write_csv  # noqa: F401

GOOD = "hotline_signals__HL-STATE__2025-01.csv"


def with_good_neighbour(inbox) -> None:
    write_csv(inbox / GOOD, [good_row(100 + i) for i in range(3)])


def assert_neighbour_loaded(outcomes) -> None:
    assert (outcomes[GOOD].status, outcomes[GOOD].rows_loaded) == ("loaded", 3)


def test_cr_only_line_ends_load_every_record(warehouse, inbox):
    with_good_neighbour(inbox)
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(4)])
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    outcomes = ingest(warehouse, inbox)
    assert (outcomes[path.name].rows_read, outcomes[path.name].rows_loaded) == (4, 4)
    assert_accounted(warehouse, outcomes[path.name])
    assert_neighbour_loaded(outcomes)


def test_a_lone_cr_between_rows_does_not_stop_the_batch(warehouse, inbox):
    with_good_neighbour(inbox)
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(4)])
    data = path.read_bytes()
    second_end = data.index(b"\n", data.index(b"\n") + 1)
    path.write_bytes(data[:second_end] + b"\r" + data[second_end + 1:])
    outcomes = ingest(warehouse, inbox)
    assert (outcomes[path.name].rows_read, outcomes[path.name].rows_loaded) == (4, 4)
    assert_accounted(warehouse, outcomes[path.name])
    assert_neighbour_loaded(outcomes)


def test_empty_column_name_refuses_only_that_file(warehouse, inbox):
    with_good_neighbour(inbox)
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(3)],
                     [*CONTRACT.column_names, ""])
    outcomes = ingest(warehouse, inbox)
    outcome = outcomes[path.name]
    assert outcome.status == "rejected" and outcome.rows_quarantined == 3
    assert "empty_column_name" in outcome.message and f"column {len(CONTRACT.column_names) + 1}" in outcome.message
    assert quarantine(warehouse, path.name)["rule"].unique().to_list() == ["empty_column_name"]
    assert_accounted(warehouse, outcome)
    assert_neighbour_loaded(outcomes)


def test_quoted_line_breaks_are_one_record_each(warehouse, inbox):
    rows = [good_row(i, notes="first line\nsecond line" if i % 2 else "plain") for i in range(5)]
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", rows)
    outcome = ingest(warehouse, inbox)[path.name]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (5, 5, 0)
    notes = warehouse.execute("SELECT notes FROM raw.hotline_signals ORDER BY _row_number").fetchall()
    assert notes[1] == ("first line\nsecond line",)


def test_quoted_line_break_before_a_bad_row_keeps_its_record_number(warehouse, inbox):
    rows = [good_row(1, notes="a\nb"), good_row(2), good_row(3, is_case="maybe"), good_row(4)]
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", rows)
    outcome = ingest(warehouse, inbox)[path.name]
    assert quarantine(warehouse, path.name).select("row_number", "rule").rows() == [(3, "boolean")]
    assert_accounted(warehouse, outcome)


def test_trailing_fields_beyond_the_header_are_refused(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(3)])
    lines = path.read_bytes().split(b"\n")
    lines[2] += b",,"  # data row 2: two empty fields the header does not have (shifted columns)
    path.write_bytes(b"\n".join(lines))
    outcome = ingest(warehouse, inbox)[path.name]
    assert quarantine(warehouse, path.name).select("row_number", "rule").rows() == [(2, "extra_fields")]
    assert outcome.rows_loaded == 2
    assert_accounted(warehouse, outcome)


def test_dates_must_be_zero_padded(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv",
                     [good_row(1), good_row(2, received_date="2025-3-4"), good_row(3, received_date="2025-03-4")])
    outcome = ingest(warehouse, inbox)[path.name]
    assert quarantine(warehouse, path.name).select("row_number", "rule").rows() == [(2, "date_format"), (3, "date_format")]
    assert_accounted(warehouse, outcome)


@pytest.mark.parametrize("make, rule, hint", [
    (lambda p: p.write_bytes(b"PAR1" + os.urandom(200)), "unreadable_file", "Parquet"),
    (lambda p: p.write_bytes(b"signal_id,linkage_key\nS-1,abc\nS-2,abc\n"), "unreadable_file", "CSV text"),
])
def test_unreadable_parquet_records_rows_as_unknown_not_zero(warehouse, inbox, make, rule, hint):
    with_good_neighbour(inbox)
    path = inbox / "hotline_signals__HL-NATL__2025-03.parquet"
    make(path)
    outcomes = ingest(warehouse, inbox)
    outcome = outcomes[path.name]
    assert outcome.status == "rejected" and outcome.rows_read is None and outcome.rows_loaded == 0
    assert rule in outcome.message and hint in outcome.message and "rows unknown" in outcome.message
    held = quarantine(warehouse, path.name)
    assert held.select("row_number", "rule").rows() == [(None, rule)]
    manifest = warehouse.execute("SELECT rows_read FROM raw.file_manifest WHERE file_name = ?", [path.name]).fetchall()
    assert manifest == [(None,)]
    assert_neighbour_loaded(outcomes)


@pytest.mark.parametrize("content, kind", [
    (lambda rows: gzip.compress(rows), "gzip"),
    (lambda rows: _parquet_bytes(), "Parquet"),
])
def test_binary_file_named_csv_is_refused_with_rows_unknown(warehouse, inbox, tmp_path, content, kind):
    csv_bytes = write_csv(tmp_path / "plain.csv", [good_row(i) for i in range(4)]).read_bytes()
    path = inbox / "hotline_signals__HL-NATL__2025-03.csv"
    path.write_bytes(content(csv_bytes))
    outcome = ingest(warehouse, inbox)[path.name]
    assert outcome.status == "rejected" and outcome.rows_read is None
    assert kind in outcome.message and "rows unknown" in outcome.message
    assert quarantine(warehouse, path.name).select("row_number", "rule").rows() == [(None, "unreadable_file")]


def _parquet_bytes() -> bytes:
    import io

    buffer = io.BytesIO()
    pl.DataFrame([good_row(i) for i in range(4)]).write_parquet(buffer)
    return buffer.getvalue()


def test_drop_named_directory_pipe_and_symlinks_are_recorded_refused_and_never_followed(warehouse, inbox, tmp_path):
    with_good_neighbour(inbox)
    (inbox / "hotline_signals__HL-NATL__2025-03.csv").mkdir()
    outside = write_csv(tmp_path / "outside.csv", [good_row(i) for i in range(3)])
    (inbox / "hotline_signals__HL-NATL__2025-04.csv").symlink_to(outside)
    (inbox / "hotline_signals__HL-NATL__2025-05.csv").symlink_to(inbox / GOOD)
    os.mkfifo(inbox / "hotline_signals__HL-NATL__2025-06.csv")  # opening it would block the night
    outcomes = ingest(warehouse, inbox)
    assert_neighbour_loaded(outcomes)
    for name in ("hotline_signals__HL-NATL__2025-03.csv", "hotline_signals__HL-NATL__2025-06.csv"):
        assert outcomes[name].status == "rejected" and "not_a_file" in outcomes[name].message
    for name in ("hotline_signals__HL-NATL__2025-04.csv", "hotline_signals__HL-NATL__2025-05.csv"):
        assert outcomes[name].status == "rejected" and "symbolic_link" in outcomes[name].message
        assert outcomes[name].rows_loaded == 0
    assert warehouse.execute("SELECT count(*) FROM raw.hotline_signals").fetchone()[0] == 3
    assert ingest(warehouse, inbox) == {}  # recorded once, not again every night


def test_a_file_that_breaks_the_reader_is_refused_and_the_batch_goes_on(warehouse, inbox, monkeypatch):
    """Any failure inside one file's reading or validation (here: a reader fault planted for one file)
    becomes that file's refusal naming the cause; its neighbours in the same batch load."""
    import sources.ingest.row_split as row_split

    with_good_neighbour(inbox)
    bad = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(2)])
    real = row_split.validate

    def fragile_validate(rows, contract, context):
        if bad.name in rows.get_column("_file_name").to_list():
            raise RuntimeError("planted fault")
        return real(rows, contract, context)

    monkeypatch.setattr(row_split, "validate", fragile_validate)
    outcomes = ingest(warehouse, inbox)
    assert_neighbour_loaded(outcomes)
    outcome = outcomes[bad.name]
    assert outcome.status == "rejected" and "ingest_failed" in outcome.message and "planted fault" in outcome.message
    assert outcome.rows_quarantined == 2
    assert_accounted(warehouse, outcome)


def test_a_quote_never_closed_mid_file_costs_one_row_not_the_rest(warehouse, inbox):
    path = write_csv(inbox / "hotline_signals__HL-NATL__2025-03.csv", [good_row(i) for i in range(5)])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"caller concerned", b'"caller concerned')  # data row 2 opens a quote
    path.write_bytes(b"\n".join(lines))
    outcome = ingest(warehouse, inbox)[path.name]
    assert (outcome.rows_read, outcome.rows_loaded) == (5, 4)
    assert quarantine(warehouse, path.name).select("row_number", "rule").rows() == [(2, "unterminated_quote")]
    assert_accounted(warehouse, outcome)
