"""Derived metrics, computed after suppression from the protected counts only.

Each models/serving/derived/<name>.sql runs on a fresh in-memory DuckDB connection that holds nothing
but the protected tables (suppressed counts are NULL) and the stats UDFs. If <name> is a published
table the query returns it with derived columns added; otherwise it is a new derived-only table. Then
every derived column gets its `<column>_flag` from the catalog's `built_on` counts: 'suppressed' (value
NULL) when one is hidden, 'unreliable' when one is <= unreliable_at_or_below.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboards.disclosure import protect_derived
from models.catalog import MODELS_DIR
from models.metric_catalog import load_catalog
from models.stats import register_duckdb_functions

DERIVED_DIR = MODELS_DIR / "serving" / "derived"
MACROS = DERIVED_DIR / "macros.sql"


def derived_queries() -> dict[str, Path]:
    return {p.stem: p for p in sorted(DERIVED_DIR.glob("*.sql")) if p != MACROS}


def derive(protected: dict[str, pl.DataFrame], unreliable_at_or_below: int) -> dict[str, pl.DataFrame]:
    """Protected frames -> frames with derived metrics (and the derived-only tables) added."""
    out = dict(protected)
    con = duckdb.connect(":memory:")
    try:
        register_duckdb_functions(con)
        con.execute(MACROS.read_text(encoding="utf-8"))
        for name, frame in protected.items():
            con.register(name, frame.to_arrow())
        for name, path in derived_queries().items():
            out[name] = con.execute(path.read_text(encoding="utf-8")).pl()
    finally:
        con.close()
    return {name: flag_derived(name, frame, unreliable_at_or_below) for name, frame in out.items()}


def flag_derived(table: str, frame: pl.DataFrame, unreliable_at_or_below: int) -> pl.DataFrame:
    """`<column>_flag` for every derived metric column of the table that rests on same-row counts."""
    for main, (metric, placement) in load_catalog().derived_of(table).items():
        counts = metric.counts_behind(main)
        if not counts:
            continue  # built from published counts of other rows only: NULL already where they are hidden
        flagged = protect_derived(frame, main, counts, unreliable_at_or_below=unreliable_at_or_below)
        hidden = flagged[f"{main}_flag"] == "suppressed"
        frame = flagged.with_columns(
            [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in placement.columns if c != main])
    return frame
