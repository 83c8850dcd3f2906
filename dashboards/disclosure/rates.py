"""Values derived from counts (rates, shares, percent changes, confidence limits).

Any of them shown next to a suppressed count lets the count be recomputed (rate x population, share x
total, CI limits are monotone in the count), so they are NULL with flag 'suppressed'. Built on few
events they are shown but flagged 'unreliable' (NCHS: 20 or fewer events).
"""

from __future__ import annotations

import polars as pl

from dashboards.disclosure.spec import suppressed_column


def _hidden(frame: pl.DataFrame, count: str) -> pl.Expr:
    e = pl.col(count).is_null()
    if suppressed_column(count) in frame.columns:
        e = e | pl.col(suppressed_column(count)).fill_null(False)
    return e


def protect_derived(frame: pl.DataFrame, column: str, counts: list[str], *, flag_column: str | None = None,
                    unreliable_at_or_below: int = 20) -> pl.DataFrame:
    """NULL `column` where any of `counts` is suppressed; set `flag_column` (default `<column>_flag`)
    to 'suppressed', 'unreliable' (some count <= unreliable_at_or_below) or NULL.

    `counts` are the event counts the value is built on (numerator; both counts of a change). Public
    denominators such as population do not belong here.
    """
    flag_column = flag_column or f"{column}_flag"
    hidden = pl.any_horizontal([_hidden(frame, c) for c in counts])
    few = pl.any_horizontal([pl.col(c) <= unreliable_at_or_below for c in counts])
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(column)).alias(column),
        pl.when(hidden).then(pl.lit("suppressed"))
        .when(few).then(pl.lit("unreliable"))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias(flag_column),
    )


def rate(frame: pl.DataFrame, column: str, count: str, denominator: str, *, per: float = 100_000,
         unreliable_at_or_below: int = 20) -> pl.DataFrame:
    """count / denominator * per, then protected (e.g. signals_per_100k from signals and population)."""
    out = frame.with_columns((pl.col(count) / pl.col(denominator) * per).alias(column))
    return protect_derived(out, column, [count], unreliable_at_or_below=unreliable_at_or_below)
