"""What a Lantern home holds, in comparable form: model tables, raw counts, manifest, quarantine, serving.

Columns that record when or in which run something happened (run ids, `*_at` timestamps) differ between
two correct runs and are left out; everything else must be equal.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

RUN_DEPENDENT_COLUMNS = {"_run_id", "_loaded_at", "run_id", "processed_at", "quarantined_at", "built_at",
                         "ingested_by_run"}
MODEL_SCHEMAS = ("staging", "intermediate", "marts")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """Every row of `table` without its run-dependent columns, in a canonical order."""
    schema, name = table.split(".")
    columns = [row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [schema, name]).fetchall()]
    kept = ", ".join(_quoted(c) for c in columns if c not in RUN_DEPENDENT_COLUMNS and not c.endswith("_at"))
    return con.execute(f"SELECT {kept} FROM {schema}.{_quoted(name)} ORDER BY ALL").fetchall()


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    marks = ", ".join("?" for _ in schemas)
    return [f"{s}.{t}" for s, t in con.execute(
        f"SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ({marks}) "
        "ORDER BY ALL", list(schemas)).fetchall()]


def warehouse_state(warehouse: Path) -> dict[str, object]:
    """Model tables in full, raw row counts per table, manifest and quarantine rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        state: dict[str, object] = {table: table_rows(con, table) for table in _tables(con, MODEL_SCHEMAS)}
        for table in _tables(con, ("raw",)):
            state[f"{table} (rows)"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        state["raw.file_manifest"] = table_rows(con, "raw.file_manifest")
        state["raw.quarantine"] = table_rows(con, "raw.quarantine")
    return state


def serving_state(serving: Path) -> dict[str, list[tuple]]:
    """Every published table of a serving database (the publication stamp, which names the run, aside)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return {t: table_rows(con, f"main.{t}") for t in tables if t != "publication"}


def differences(expected: dict, actual: dict) -> list[str]:
    """Names of the entries that differ (missing, extra or unequal)."""
    return sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
