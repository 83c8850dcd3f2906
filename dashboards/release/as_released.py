"""The warehouse as a release sees it, rebuilt in a scratch catalog (`released`) of the writer's session.

Each month is taken as it stood when the release that first covered it was cut: rows loaded later for that
month (late records, re-sent files) are held back, and no month after the release's cutoff is in it. Every
model (staging -> intermediate -> marts) is then rebuilt from those rows with the same SQL the nightly runs,
so a release's numbers are the warehouse's numbers for that state of the data, consistent across grains: a
year first published in a later release is the sum of the very months an earlier one published.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from models import ModelSpec, discover_models, query_sql
from sources.contracts import FEEDS, load_contract

CATALOG = "released"
COPIED_SCHEMAS = ("raw", "reference")
LOADED_AT = {"file_manifest": "processed_at"}  # raw tables whose load time is not `_loaded_at`


def _query(name: str, **names: str) -> str:
    return query_sql("queries/release", name, **names)


def _common(name: str, **names: str) -> str:
    return query_sql("queries/common", name, **names)


def freeze_windows(earlier: list[tuple[date, datetime]], first_month: date, cutoff: date,
                   snapshot_at: datetime) -> pl.DataFrame:
    """Month spans and the load time each was frozen at: every earlier release's new months at its own
    snapshot, this release's new months at `snapshot_at`. `earlier` is [(cutoff, snapshot_at)], oldest first."""
    rows, start = [], first_month
    for previous_cutoff, previous_snapshot in earlier:
        rows.append((start, previous_cutoff, previous_snapshot))
        start = date(previous_cutoff.year + previous_cutoff.month // 12, previous_cutoff.month % 12 + 1, 1)
    if start <= cutoff:
        rows.append((start, cutoff, snapshot_at))
    return pl.DataFrame(rows, schema={"first_month": pl.Date, "last_month": pl.Date, "snapshot_at": pl.Datetime("us")},
                        orient="row")


def _in_order(models: list[ModelSpec]) -> list[ModelSpec]:
    """Models with every model they read before them."""
    by_table = {m.table: m for m in models}
    done: dict[str, ModelSpec] = {}

    def visit(model: ModelSpec, path: tuple[str, ...]) -> None:
        if model.table in done:
            return
        if model.table in path:
            raise ValueError(f"models read each other in a cycle: {' -> '.join(path)}")
        for read in model.reads:
            if read in by_table:
                visit(by_table[read], (*path, model.table))
        done[model.table] = model

    for model in models:
        visit(model, ())
    return list(done.values())


@contextmanager
def as_released(con: duckdb.DuckDBPyConnection, scratch: Path, freeze: pl.DataFrame):
    """Within the block, unqualified tables on `con` are the released catalog's. The caller's session must
    be prepared (macros, re-keying secret) as the nightly's is."""
    warehouse = con.execute(_common("current_database")).fetchone()[0]
    scratch.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute(_common("attach", path=_sql_path(scratch), catalog=CATALOG))
    con.register("release_freeze", freeze.to_arrow())
    try:
        _copy_inputs(con, warehouse)
        con.execute(_common("use_catalog", catalog=CATALOG))
        for variable in ("partition_start", "partition_end"):
            con.execute(_common("reset_variable", variable=variable))
        for model in _in_order(discover_models()):
            con.execute(_common("create_schema", schema=model.layer))
            con.execute(_common("create_table_as", table=model.table, model_sql=model.sql))
        yield con
    finally:
        con.execute(_common("use_catalog", catalog=warehouse))
        con.unregister("release_freeze")
        con.execute(_common("detach", catalog=CATALOG))
        for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _copy_inputs(con: duckdb.DuckDBPyConnection, warehouse: str) -> None:
    tables = con.execute(_query("copied_tables", schemas=", ".join("?" for _ in COPIED_SCHEMAS)),
                         [warehouse, *COPIED_SCHEMAS]).fetchall()
    for schema in COPIED_SCHEMAS:
        con.execute(_common("create_schema", schema=f"{CATALOG}.{schema}"))
    for schema, table in tables:
        columns = {r[0] for r in con.execute(_common("describe_table", table=f"{warehouse}.{schema}.{table}")).fetchall()}
        names = {"warehouse": warehouse, "schema": schema, "table": table}
        if schema == "raw" and table in FEEDS:
            con.execute(_query("copy_feed", **names, event_date=load_contract(table).event_date))
        elif schema == "raw" and LOADED_AT.get(table, "_loaded_at") in columns:
            con.execute(_query("copy_loaded_before", **names, loaded_at=LOADED_AT.get(table, "_loaded_at")))
        else:
            con.execute(_query("copy_table", **names))


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
