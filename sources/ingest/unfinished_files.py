"""raw.files_in_progress: a file ingested piece by piece is listed there until its manifest row is written
in the last commit, so the rows of a run that died half-way can be found and deleted."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from sources.ingest.planning import Drop
from sources.ingest.warehouse_tables import raw_table
from sources.landing import insert_frame


def mark_in_progress(con: duckdb.DuckDBPyConnection, drops: list[Drop], now: datetime, run_id: str | None) -> None:
    insert_frame(con, "raw.files_in_progress", pl.DataFrame({
        "file_name": [d.path.name for d in drops], "file_hash": [d.file_hash for d in drops],
        "feed": [d.feed for d in drops], "started_at": [now] * len(drops), "run_id": [run_id] * len(drops)}))


def mark_finished(con: duckdb.DuckDBPyConnection, drops: list[Drop], run_id: str | None) -> None:
    con.execute("DELETE FROM raw.files_in_progress WHERE run_id IS NOT DISTINCT FROM ? "
                "AND file_hash IN (SELECT unnest(?))", [run_id, [d.file_hash for d in drops]])


def discard_unfinished_files(con: duckdb.DuckDBPyConnection) -> int:
    """Delete the rows of files whose piece-by-piece ingest never finished (a killed run); returns how many
    files. Their manifest row was never written, so the next ingest reads them again from the start."""
    unfinished = con.execute("SELECT DISTINCT file_name, file_hash, feed FROM raw.files_in_progress").fetchall()
    if not unfinished:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        for file_name, file_hash, feed in unfinished:
            con.execute(f"DELETE FROM {raw_table(feed)} WHERE _file_name = ? AND _file_hash = ?", [file_name, file_hash])
            con.execute("DELETE FROM raw.quarantine WHERE file_name = ? AND file_hash = ?", [file_name, file_hash])
        con.execute("DELETE FROM raw.files_in_progress")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(unfinished)
