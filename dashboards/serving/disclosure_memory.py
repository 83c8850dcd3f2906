"""What disclosure control remembers between builds, in the warehouse's private `meta` schema.

- The suppression pattern: the last build's hidden cells with their TRUE values. The next build starts
  from it (dashboards/disclosure/suppress.py).
- Proofs: the audit's answers for component LPs, under the exact content of each LP
  (dashboards/disclosure/proofs.py). The next build and its blocking audit look up the components new
  data did not change instead of solving them again.

Both are private (true values; bounds computed from numbers a later round hid), never published.
`lantern refresh --full` forgets both, and a change of threshold ignores both.
"""

from __future__ import annotations


import duckdb
import polars as pl

from dashboards.disclosure.proofs import PROOF_SCHEMA, ProofCache
from dashboards.disclosure.suppress import PATTERN_SCHEMA
from models import QUERIES_DIR, query_sql
from sources.landing import insert_frame

QUERIES = QUERIES_DIR / "serving"


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def _create_tables(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute(_query("disclosure_memory_tables"))


def _remembers(warehouse: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `meta.<table>` exists (reading must work on a read-only connection, so it creates nothing)."""
    return bool(warehouse.execute(query_sql("queries/meta", "table_exists"), [table]).fetchone()[0])


def earlier_pattern(warehouse: duckdb.DuckDBPyConnection, min_cell_count: int) -> pl.DataFrame:
    if not _remembers(warehouse, "suppression_pattern"):
        return pl.DataFrame(schema=PATTERN_SCHEMA)
    return warehouse.execute(_query("earlier_suppression_pattern"), {"min_cell_count": min_cell_count}).pl()


def earlier_proofs(warehouse: duckdb.DuckDBPyConnection) -> ProofCache:
    """The proofs the last build kept (the threshold is part of every proof's key)."""
    if not _remembers(warehouse, "disclosure_proofs"):
        return ProofCache()
    return ProofCache.from_frame(warehouse.execute(_query("earlier_disclosure_proofs")).pl())


def forget_disclosure_memory(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The next build suppresses from nothing and proves every component afresh (`lantern refresh --full`)."""
    _create_tables(warehouse)
    for table in ("meta.suppression_pattern", "meta.disclosure_proofs"):
        warehouse.execute(query_sql("queries/meta", "delete_all_rows", table=table))


def record_pattern(warehouse: duckdb.DuckDBPyConnection, hidden: pl.DataFrame, min_cell_count: int,
                   run_id: str | None, proofs: ProofCache | None = None) -> None:
    """Replace the recorded pattern (and proofs, when given) with this build's, in one transaction."""
    _create_tables(warehouse)
    rows = hidden.with_columns(pl.lit(min_cell_count, pl.Int32).alias("min_cell_count"),
                               pl.lit(run_id, pl.Utf8).alias("run_id"))
    warehouse.execute("BEGIN TRANSACTION")
    try:
        _replace(warehouse, "meta.suppression_pattern", rows)
        if proofs is not None:
            _replace(warehouse, "meta.disclosure_proofs",
                     proofs.to_frame().cast(PROOF_SCHEMA).with_columns(pl.lit(run_id, pl.Utf8).alias("run_id")))
        warehouse.execute("COMMIT")
    except BaseException:
        warehouse.execute("ROLLBACK")
        raise


def _replace(warehouse: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    warehouse.execute(query_sql("queries/meta", "delete_all_rows", table=table))
    insert_frame(warehouse, table, rows)
