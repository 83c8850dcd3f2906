"""Utility as a measured property of a release: per protected table and count, how many cells are hidden and
how much of the true total sits in hidden cells.

The share of cells hidden is published with the release (`utility`: it counts cells, not people). The share
of the true count that is hidden stays internal (`meta.release_utility`, `lantern status`, `make bench`):
published next to the shown cells, it would give the sum of the hidden ones away (hidden = p / (1 - p) x shown).
"""

from __future__ import annotations

import duckdb
import polars as pl

from models import QUERIES_DIR, query_sql
from sources.landing import insert_frame

QUERIES = QUERIES_DIR / "release"
KEYS = ["table_name", "count_name", "cell_key"]


def utility(published: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """published: release cells (published_cells); truth: the same cells' true values (published_cells of the
    true frames). One row per table and count."""
    joined = published.join(truth.select(*KEYS, pl.col("value").alias("true_value")), on=KEYS, how="left")
    return (joined.group_by("table_name", "count_name", maintain_order=True)
            .agg(pl.len().alias("cells"), pl.col("hidden").sum().cast(pl.Int64).alias("cells_hidden"),
                 pl.col("true_value").sum().alias("true_total"),
                 pl.col("true_value").filter(pl.col("hidden")).sum().alias("hidden_total"))
            .with_columns((100 * pl.col("cells_hidden") / pl.col("cells")).round(1).alias("cells_hidden_pct"),
                          pl.when(pl.col("true_total") > 0)
                          .then((100 * pl.col("hidden_total") / pl.col("true_total")).round(1))
                          .alias("mass_hidden_pct"))
            .sort("table_name", "count_name"))


def published_utility(measured: pl.DataFrame) -> pl.DataFrame:
    """What the release itself says: cells and hidden cells, never the hidden mass. (Columns `published_table`
    and `measure`: identifiers, not labels, to the aggregates-only guard.)"""
    return measured.select(pl.col("table_name").alias("published_table"), pl.col("count_name").alias("measure"),
                           "cells", "cells_hidden", "cells_hidden_pct")


def _record(warehouse: duckdb.DuckDBPyConnection, table: str, release_id: str, measured: pl.DataFrame) -> None:
    """Replace a release's rows of meta.<table> with `measured`."""
    warehouse.execute((QUERIES / "release_memory_tables.sql").read_text(encoding="utf-8"))
    warehouse.execute(query_sql("queries/meta", "delete_release_rows", table=table), [release_id])
    insert_frame(warehouse, f"meta.{table}", measured.with_columns(pl.lit(release_id).alias("release_id")))


def _recorded(warehouse: duckdb.DuckDBPyConnection, table: str, release_id: str) -> pl.DataFrame | None:
    """A release's rows of meta.<table> (its query in models/queries/release/), or None where none was kept."""
    exists = warehouse.execute(query_sql("queries/meta", "table_exists"), [table]).fetchone()[0]
    if not exists:
        return None
    return warehouse.execute((QUERIES / f"{table}.sql").read_text(encoding="utf-8"), {"release_id": release_id}).pl()


def record_utility(warehouse: duckdb.DuckDBPyConnection, release_id: str, measured: pl.DataFrame) -> None:
    _record(warehouse, "release_utility", release_id, measured)


def release_utility(warehouse: duckdb.DuckDBPyConnection, release_id: str) -> pl.DataFrame | None:
    """The utility measured for a release, or None where it was not recorded."""
    return _recorded(warehouse, "release_utility", release_id)


def record_panel_utility(warehouse: duckdb.DuckDBPyConnection, release_id: str, measured: pl.DataFrame) -> None:
    """Per headline panel, grain and roll-up (dashboards/release/grain.py): what it hides, and which is shown."""
    _record(warehouse, "release_panel_utility", release_id, measured)


def release_panel_utility(warehouse: duckdb.DuckDBPyConnection, release_id: str) -> pl.DataFrame | None:
    """The headline panels' utility recorded for a release, or None where it was not recorded."""
    return _recorded(warehouse, "release_panel_utility", release_id)
