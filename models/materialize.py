"""How a model's table is written for a window of months: the partition engine behind the model assets.

A model whose SQL filters with `in_partition(<date>)` is partitioned by month: a run covering a window
of months deletes that window from the table and inserts it again (idempotent, and a late record for an
old month recomputes that month only).
"""

from __future__ import annotations

from models.catalog import ModelSpec

PARTITION_COLUMN = "month"


def is_partitioned(model: ModelSpec) -> bool:
    return "in_partition(" in model.sql


def _columns(con, sql: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {sql}").fetchall()]


def materialize_window(con, model: ModelSpec, start, end) -> int:
    """Replace the rows of months [start, end) in the model's table; returns rows written."""
    con.execute(f"SET VARIABLE partition_start = DATE '{start:%Y-%m-%d}'")
    con.execute(f"SET VARIABLE partition_end = DATE '{end:%Y-%m-%d}'")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [model.layer, model.name]).fetchone()[0]
    if not exists:
        con.execute(f"CREATE TABLE {model.table} AS SELECT * FROM ({model.sql}) WHERE false")
    elif _columns(con, f"SELECT * FROM {model.table}") != _columns(con, model.sql):
        raise RuntimeError(
            f"{model.table}: the model's columns changed; rebuild every month with `lantern refresh --full`")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {model.table} WHERE {PARTITION_COLUMN} >= getvariable('partition_start') "
                    f"AND {PARTITION_COLUMN} < getvariable('partition_end')")
        written = con.execute(f"INSERT INTO {model.table} BY NAME {model.sql}").fetchone()[0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return written
