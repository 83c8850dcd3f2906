"""Corrections: an agency sends a record again with the same id to correct it (or, with record_action
`withdraw`, to withdraw it). Every version stays in raw; the newest is the current one (its
`_superseded_at` is null) and only current, not withdrawn records reach staging. A row identical to the
current version is a re-send and is quarantined as `duplicate_key`, as before.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from sources.contracts import Contract
from sources.contracts.model import RECORD_ACTION
from sources.ingest.reader import FILE_NAME, ROW_NUMBER, no_problems
from sources.ingest.warehouse_tables import raw_table
from sources.landing import registered

SQL_DIR = Path(__file__).parent / "sql"
CORRECTED_MARK = "record(s) corrected"  # in a file's manifest message when it corrected or withdrew any


def _sql(name: str, contract: Contract, left: str = "c", right: str = "r") -> str:
    """A query of sql/<name>.sql with the contract's table, key and column lists filled in."""
    def compared(column: str, side: str) -> str:  # rows loaded before the column existed are upserts
        return f"coalesce({side}.{column}, 'upsert')" if column == RECORD_ACTION else f"{side}.{column}"

    parts = {
        "{raw_table}": raw_table(contract.feed),
        "{key_columns}": ", ".join(contract.primary_key),
        "{key_match}": " AND ".join(f"{left}.{k} = {right}.{k}" for k in contract.primary_key),
        "{same_values}": " AND ".join(f"{compared(c, left)} IS NOT DISTINCT FROM {compared(c, right)}"
                                      for c in contract.column_names),
        "{new_columns}": ", ".join(f"{c} := {left}.{c}" for c in contract.column_names),
        "{old_columns}": ", ".join(f"{c} := {right}.{c}" for c in contract.column_names),
    }
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    for placeholder, value in parts.items():
        text = text.replace(placeholder, value)
    return text


def split_unchanged_resends(con: duckdb.DuckDBPyConnection, valid: pl.DataFrame,
                            contract: Contract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to load, duplicate_key problems): a row equal to its record's current version is not loaded
    again; a row that differs from it is a correction and is loaded."""
    with registered(con, "lantern_candidates", valid):
        same = con.execute(_sql("unchanged_resends", contract)).pl()
    if same.is_empty():
        return valid, no_problems()
    repeated = same.select(
        pl.col("file_name"),
        pl.col("row_number").cast(pl.Int64),
        pl.lit(contract.primary_key[0]).alias("column_name"),
        pl.lit("duplicate_key").alias("rule"),
        pl.format("{} was already loaded from {} row {}, unchanged", pl.lit(contract.primary_key[0]),
                  pl.col("first_file"), pl.col("first_row").cast(pl.Utf8)).alias("message"),
    )
    kept = valid.join(same.select(pl.col("file_name").alias(FILE_NAME), pl.col("row_number").alias(ROW_NUMBER)),
                      on=[FILE_NAME, ROW_NUMBER], how="anti")
    return kept, repeated


def supersede_older_versions(con: duckdb.DuckDBPyConnection, contract: Contract, files: list[tuple[str, str]],
                             now: datetime) -> dict[str, tuple[int, int]]:
    """Mark the older versions of every record these files (name, hash) touched; return per file
    (records corrected, records withdrawn)."""
    if not files:
        return {}
    batch = pa.table({"file_name": [f for f, _ in files], "file_hash": [h for _, h in files]})
    with registered(con, "lantern_batch_files", batch):
        con.execute(_sql("supersede_older_versions", contract), {"now": now})
        changed = con.execute(_sql("corrections_by_file", contract, left="n")).fetchall()
    return {name: (corrected, withdrawn) for name, corrected, withdrawn in changed}


def changes_in_file(con: duckdb.DuckDBPyConnection, contract: Contract, file_name: str,
                    file_hash: str) -> list[dict]:
    """Each row of the file that replaced an earlier version: row, key, action, the earlier file and row,
    and which columns changed (names only: values are the agency's own and stay in its system)."""
    rows = con.execute(_sql("earlier_versions", contract, left="n"),
                       {"file_name": file_name, "file_hash": file_hash}).fetchall()
    changes = []
    for row_number, new_version, old_version, old_file, old_row in rows:
        new, old = json.loads(new_version), json.loads(old_version)
        action = "withdrawn" if new.get(RECORD_ACTION) == "withdraw" else "corrected"
        changes.append({
            "row_number": row_number, "key": "/".join(str(new[k]) for k in contract.primary_key), "action": action,
            "replaces": f"{old_file} row {old_row}",
            "columns": [c for c in contract.column_names if c != RECORD_ACTION and new.get(c) != old.get(c)],
        })
    return changes
