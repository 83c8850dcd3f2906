"""Cells an earlier release published, and the rule that keeps them: every later release shows each of them
exactly as it was (the same value, hidden where it was hidden).

With that rule the difference between two releases is zero on every cell they share, and all kept releases
together publish no more than the latest one does, so attacking the latest release attacks them all. The
build enforces it (`frozen_cells`, `carry_truth`); the blocking check proves it (`earlier_cells_changed`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboards import published
from dashboards.disclosure.relations import cell_labels
from dashboards.disclosure.spec import suppressed_column
from dashboards.disclosure.suppress import FROZEN_SCHEMA, PATTERN_SCHEMA
from dashboards.serving.published_set import count_tables
from dashboards.serving.satellites import profiles, satellites
from models import QUERIES_DIR, query_sql, serving_models
from models.metric_catalog import load_catalog

QUERIES = QUERIES_DIR / "release"
CELL_SCHEMA = {"table_name": pl.Utf8, "count_name": pl.Utf8, "cell_key": pl.Utf8, "value": pl.Float64,
               "hidden": pl.Boolean}


def protected_tables() -> dict[str, list[str]]:
    """Every table with counts under disclosure control (main set and satellites) -> its dimensions."""
    dims = {t.name: list(t.dimensions) for t in count_tables()}
    for name in [*satellites(), *profiles()]:
        dims[name] = list(serving_models()[name][1]["dimensions"])
    return dims


def published_cells(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per published count cell: its key, its value (NULL where hidden) and whether it is hidden."""
    catalog = load_catalog()
    chunks = [pl.DataFrame(schema=CELL_SCHEMA)]
    for name, dims in protected_tables().items():
        frame = frames.get(name)
        if frame is None or frame.is_empty():
            continue
        keys = pl.Series("cell_key", cell_labels(frame, dims), dtype=pl.Utf8)
        for count in catalog.counts_of(name):
            flag = suppressed_column(count)
            hidden = frame[flag].fill_null(False) if flag in frame.columns else frame[count].is_null()
            chunks.append(pl.DataFrame({"table_name": name, "count_name": count, "cell_key": keys,
                                        "value": frame[count].cast(pl.Float64), "hidden": hidden}).cast(CELL_SCHEMA))
    return pl.concat(chunks)


def release_cells(serving_db: Path) -> pl.DataFrame:
    with duckdb.connect(str(serving_db), read_only=True) as con:
        present = published.tables(con)
        frames = {name: con.execute(query_sql("queries/common", "whole_table", table=name)).pl()
                  for name in protected_tables() if name in present}
    return published_cells(frames)


def frozen_cells(earlier: pl.DataFrame) -> pl.DataFrame:
    return earlier.select(list(FROZEN_SCHEMA)).cast(FROZEN_SCHEMA)


def earlier_hidden_truth(warehouse: duckdb.DuckDBPyConnection, release_id: str) -> pl.DataFrame:
    warehouse.execute((QUERIES / "release_memory_tables.sql").read_text(encoding="utf-8"))
    return warehouse.execute((QUERIES / "release_hidden.sql").read_text(encoding="utf-8"),
                             {"release_id": release_id}).pl().cast(PATTERN_SCHEMA)


def carry_truth(truth: dict[str, pl.DataFrame], earlier: pl.DataFrame, hidden_truth: pl.DataFrame
                ) -> dict[str, pl.DataFrame]:
    """The true frames with every cell an earlier release published set to what that release stood for: the
    value it showed, or the true value it hid. A cohort measure (a funnel year) keeps gaining events after
    its year has closed; once released, its cells do not."""
    known = (earlier.join(hidden_truth.rename({"true_value": "hidden_value"}),
                          on=["table_name", "count_name", "cell_key"], how="left")
             .with_columns(pl.when(pl.col("hidden")).then(pl.col("hidden_value")).otherwise(pl.col("value"))
                           .alias("known")))
    missing = known.filter(pl.col("known").is_null())
    if missing.height:
        first = missing.row(0, named=True)
        raise RuntimeError(f"release memory lost: no true value kept for the hidden cell {first['table_name']}."
                           f"{first['count_name']} [{first['cell_key']}] of the earlier release")
    out = dict(truth)
    for name, dims in protected_tables().items():
        frame = truth.get(name)
        mine = known.filter(pl.col("table_name") == name)
        if frame is None or mine.is_empty():
            continue
        keyed = frame.with_columns(pl.Series("_cell_key", cell_labels(frame, dims), dtype=pl.Utf8))
        for count in mine["count_name"].unique().to_list():
            values = mine.filter(pl.col("count_name") == count).select(
                pl.col("cell_key").alias("_cell_key"), pl.col("known").alias("_known"))
            dtype = keyed[count].dtype
            keyed = (keyed.join(values, on="_cell_key", how="left", maintain_order="left")
                     .with_columns(pl.coalesce(pl.col("_known").cast(dtype), pl.col(count)).alias(count))
                     .drop("_known"))
        out[name] = keyed.drop("_cell_key")
    return out


def earlier_cells_changed(candidate: Path, earlier_releases: list[Path]) -> pl.DataFrame:
    """Cells of earlier releases that the candidate shows differently or no longer publishes: each would let
    a reader holding both releases subtract one from the other. Empty when every earlier cell is carried."""
    new = release_cells(candidate).rename({"value": "new_value", "hidden": "new_hidden"})
    problems = [pl.DataFrame(schema={"release": pl.Utf8, **CELL_SCHEMA, "problem": pl.Utf8})]
    for path in earlier_releases:
        old = release_cells(path)
        joined = old.join(new, on=["table_name", "count_name", "cell_key"], how="left")
        changed = joined.filter(
            pl.col("new_hidden").is_null()
            | (pl.col("hidden") != pl.col("new_hidden"))
            | (~pl.col("hidden") & (pl.col("value") != pl.col("new_value"))))
        problems.append(changed.select(
            pl.lit(path.parent.name).alias("release"), "table_name", "count_name", "cell_key", "value", "hidden",
            pl.when(pl.col("new_hidden").is_null()).then(pl.lit("no longer published"))
            .when(pl.col("hidden") != pl.col("new_hidden")).then(pl.lit("hidden state changed"))
            .otherwise(pl.lit("value changed")).alias("problem")))
    return pl.concat(problems)
