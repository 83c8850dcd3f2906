"""Landing Polars frames in DuckDB: the one way Lantern inserts a frame and writes a manifest row.

A frame is registered under a name for one statement and always unregistered, even when the insert fails
(a name left registered would shadow the next frame of that name on the same connection).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl

# raw.file_manifest columns whose values may all be null in a batch, so Polars cannot infer their type
MANIFEST_TYPES = {"feed": pl.Utf8, "agency": pl.Utf8, "period": pl.Utf8, "file_format": pl.Utf8,
                  "rows_read": pl.Int64, "rows_quarantined": pl.Int64, "message": pl.Utf8,
                  "duplicate_of": pl.Utf8, "run_id": pl.Utf8}


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: Any) -> Iterator[str]:
    """`frame` (Polars or Arrow) readable as the view `name` for the duration of the block."""
    con.register(name, frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert the frame's rows into `table`, matching columns by name."""
    with registered(con, "lantern_incoming", frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM lantern_incoming")  # nosec B608: our table names


def manifest_frame(rows: list[dict]) -> pl.DataFrame:
    """raw.file_manifest rows (one per file processed), typed the same whoever wrote them."""
    return pl.DataFrame(rows, schema_overrides=MANIFEST_TYPES)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Create (or replace) `table` holding exactly the frame's rows."""
    with registered(con, "lantern_incoming", frame):
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM lantern_incoming")  # nosec B608: our names
