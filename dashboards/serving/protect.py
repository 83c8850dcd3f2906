"""Disclosure control applied to the published tables before they are written."""

from __future__ import annotations

import polars as pl


def suppress_small_counts(frame: pl.DataFrame, counts: list[str], min_cell_count: int) -> pl.DataFrame:
    """Primary suppression: a count from 1 to min_cell_count - 1 becomes NULL, flagged `<count>_suppressed`."""
    exprs = []
    for count in counts:
        small = pl.col(count).is_between(1, min_cell_count - 1)
        exprs.append(pl.when(small).then(None).otherwise(pl.col(count)).alias(count))
        exprs.append(small.fill_null(False).alias(f"{count}_suppressed"))
    return frame.with_columns(exprs) if exprs else frame


def derive_rates(frame: pl.DataFrame, rates: dict, unreliable_at_or_below: int) -> pl.DataFrame:
    """Rates from the published (already suppressed) counts: NULL and flagged when the count is hidden,
    flagged 'unreliable' when it rests on few events."""
    exprs = []
    for name, spec in rates.items():
        numerator, denominator = pl.col(spec["numerator"]), pl.col(spec["denominator"])
        value = numerator * float(spec["per"]) / denominator
        exprs.append(pl.when(numerator.is_null() | (denominator.fill_null(0) <= 0)).then(None).otherwise(value).alias(name))
        exprs.append(
            pl.when(numerator.is_null()).then(pl.lit("suppressed"))
            .when(numerator <= unreliable_at_or_below).then(pl.lit("unreliable"))
            .otherwise(None).alias(f"{name}_flag")
        )
    return frame.with_columns(exprs) if exprs else frame
