"""A big defective drop is read in pieces, and piecing changes nothing: every row is loaded or quarantined,
exactly as when the same file is read whole. (`make bench` does this with a 1 GB file.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmarks.state import table_rows
from benchmarks.workers import concatenate_hotline_drops
from sources.contracts import all_contracts
from sources.drops import drop_file_name
from sources.ingest import ingest_files
from sources.ingest.reader import count_data_rows
from sources.ingest.validator import ValidationContext
from sources.ingest.warehouse_tables import ensure_raw_schema
from sources.reference import counties, organisations

PIPELINE_FIXTURES = {'defective_drop'}  # they run the real pipeline: tests using them are in the slow tier

PIECE_BYTES = 8 * 1024  # tiny pieces, so a small file is cut many times


@pytest.fixture(scope="module")
def defective_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of Missouri hotline drops in one file, 3% of rows with planted defects, plus broken lines."""
    from sources.generator import generate

    root = tmp_path_factory.mktemp("big_drop")
    generate(root / "drops", scale="mo", years=2, seed=31, defect_rate=0.03)
    big = root / "inbox" / drop_file_name("hotline_signals", "HL-NATL", "2000")
    big.parent.mkdir()
    concatenate_hotline_drops(root / "drops", big, 1 << 40)
    lines = big.read_bytes().split(b"\n")
    middle = len(lines) // 2
    broken = [
        (10, lines[10].rsplit(b",", 3)[0]),  # truncated: fields missing
        (middle, lines[middle] + b",surplus"),  # one field too many
        (middle + 40, lines[middle + 40].replace(b",", b",\xff", 1)),  # not UTF-8
        (middle + 80, b""),  # a blank line is not a row
        (middle + 120, lines[middle + 120].replace(b",", b',"never closed', 1)),  # unterminated quote
        (len(lines) - 30, lines[middle + 200]),  # the same row again, pieces later: a duplicate key
    ]
    for index, line in broken:
        lines[index] = line
    big.write_bytes(b"\n".join(lines))
    return big


def _ingest(drop: Path, warehouse: Path, piece_bytes: int, scratch: Path) -> tuple:
    context = ValidationContext(processed_on=date.today(), county_fips=frozenset(counties()["fips"].to_list()),
                                org_ids=frozenset(organisations()["org_id"].to_list()))
    feeds = {row["org_id"]: set(row["sends_feeds"].split(";")) for row in organisations().iter_rows(named=True)}
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con, list(all_contracts().values()))
        [outcome] = ingest_files(con, [drop], context, feeds, run_id="test", chunk_bytes=piece_bytes,
                                 scratch_dir=scratch)
        loaded = table_rows(con, "raw.hotline_signals")
        quarantined = con.execute("SELECT row_number, rule FROM raw.quarantine ORDER BY ALL").fetchall()
    return outcome, loaded, quarantined


def test_a_drop_read_in_pieces_conserves_every_row(defective_drop: Path, tmp_path: Path):
    assert defective_drop.stat().st_size > 20 * PIECE_BYTES  # it really is cut into many pieces
    rows = count_data_rows(defective_drop)
    outcome, loaded, quarantined = _ingest(defective_drop, tmp_path / "pieces.duckdb", PIECE_BYTES, tmp_path)

    assert outcome.status == "loaded"
    assert outcome.rows_read == rows
    assert outcome.rows_loaded + outcome.rows_quarantined == rows
    assert (len(loaded), len(quarantined)) == (outcome.rows_loaded, outcome.rows_quarantined)
    assert len({row_number for row_number, _ in quarantined}) == len(quarantined)  # one quarantine row per row
    assert outcome.rows_quarantined >= 0.02 * rows  # the planted defects and broken lines are all there
    rules = {rule for _, rule in quarantined}
    assert {"missing_fields", "extra_fields", "invalid_encoding", "unterminated_quote", "duplicate_key"} <= rules
    assert list(tmp_path.glob("lantern-split-*")) == []  # pieces are removed


def test_reading_in_pieces_loads_and_quarantines_the_same_rows_as_reading_whole(defective_drop: Path,
                                                                                 tmp_path: Path):
    _, loaded_in_pieces, quarantined_in_pieces = _ingest(defective_drop, tmp_path / "pieces.duckdb", PIECE_BYTES,
                                                         tmp_path)
    _, loaded_whole, quarantined_whole = _ingest(defective_drop, tmp_path / "whole.duckdb", 1 << 40, tmp_path)
    assert loaded_in_pieces == loaded_whole
    assert quarantined_in_pieces == quarantined_whole


KILLED_INGEST = """
import os, signal, sys
from pathlib import Path
import sources.ingest.batch_transaction as batch_transaction
sys.path.insert(0, {tests!r})
from test_big_drop import _ingest

raw_inserts = 0
insert = batch_transaction.insert_frame
def insert_then_die(con, table, frame):
    global raw_inserts
    if table == "raw.hotline_signals":
        raw_inserts += 1
        if raw_inserts == 4:  # three pieces are committed by now
            os.kill(os.getpid(), signal.SIGKILL)
    insert(con, table, frame)
batch_transaction.insert_frame = insert_then_die
_ingest(Path({drop!r}), Path({warehouse!r}), {piece_bytes}, Path({scratch!r}))
"""


def _staged_signals(warehouse: Path, home: Path) -> int:
    """Rows the staging model takes from raw (reference tables loaded, session prepared as the pipeline does)."""
    from models import discover_models
    from pipelines.resources import prepare_session
    from sources.reference import reference_tables

    [staging] = [m for m in discover_models() if m.table == "staging.stg_hotline_signals"]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS reference")
        for name, frame in reference_tables().items():
            con.register("lantern_reference", frame.to_arrow())
            con.execute(f"CREATE OR REPLACE TABLE reference.{name} AS SELECT * FROM lantern_reference")
            con.unregister("lantern_reference")
        prepare_session(con, home)
        return con.execute(f"SELECT count(*) FROM ({staging.sql})").fetchone()[0]


@pytest.mark.pipeline
def test_a_big_drop_killed_between_pieces_is_undone_and_loaded_again_in_full(defective_drop: Path, tmp_path: Path,
                                                                            monkeypatch):
    import subprocess
    import sys

    from support.pipeline import TEST_SECRET

    monkeypatch.setenv("LANTERN_LINKAGE_SECRET", TEST_SECRET)

    warehouse = tmp_path / "killed.duckdb"
    script = KILLED_INGEST.format(tests=str(Path(__file__).parent), drop=str(defective_drop),
                                  warehouse=str(warehouse), piece_bytes=PIECE_BYTES, scratch=str(tmp_path))
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert died.returncode == -9, died.stderr[-2000:]
    with duckdb.connect(str(warehouse)) as con:  # committed pieces are there, but marked unfinished
        partial = con.execute("SELECT count(*) FROM raw.hotline_signals").fetchone()[0]
        assert partial > 0
        assert con.execute("SELECT count(*) FROM raw.file_manifest").fetchone()[0] == 0
        assert con.execute("SELECT file_name FROM raw.files_in_progress").fetchall() == [(defective_drop.name,)]
    assert _staged_signals(warehouse, tmp_path) == 0  # a models run now would not take in a half-loaded file

    outcome, loaded, quarantined = _ingest(defective_drop, warehouse, PIECE_BYTES, tmp_path)  # the next run
    _, loaded_clean, quarantined_clean = _ingest(defective_drop, tmp_path / "clean.duckdb", PIECE_BYTES, tmp_path)
    assert outcome.rows_loaded + outcome.rows_quarantined == outcome.rows_read == count_data_rows(defective_drop)
    assert loaded == loaded_clean  # the killed run's pieces were taken out, not loaded twice
    assert quarantined == quarantined_clean
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("SELECT count(*) FROM raw.files_in_progress").fetchone()[0] == 0
    assert _staged_signals(warehouse, tmp_path) > 0  # once finished, the file is staged
