"""Turn arrays into the contracts' text values: codes, integers, dates, dollar amounts; null = empty field."""

from __future__ import annotations

import numpy as np
import polars as pl


def codes(values: list[str], idx: np.ndarray) -> pl.Series:
    """Code strings by index; -1 gives an empty (null) value."""
    lookup = pl.Series([*values, None], dtype=pl.Utf8)
    return lookup.gather(np.where(idx < 0, len(values), idx))


def ints(values: np.ndarray) -> pl.Series:
    """Whole numbers as text; negative means unknown (null)."""
    series = pl.Series(values.astype(np.int64)).cast(pl.Utf8)
    missing = np.flatnonzero(values < 0)
    return series.scatter(missing, None) if len(missing) else series


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pl.Series:
    """YYYY-MM-DD from day numbers (days since 1970-01-01); null where `missing`."""
    series = pl.Series(days.astype(np.int32)).cast(pl.Date).dt.strftime("%Y-%m-%d")
    if missing is not None and missing.any():
        series = series.scatter(np.flatnonzero(missing), None)
    return series


def money(amount: np.ndarray) -> pl.Series:
    """Dollars with two decimals ("2500.00"); null where the amount is NaN."""
    cents = np.round(np.nan_to_num(amount, nan=0.0) * 100).astype(np.int64)
    frame = pl.DataFrame({"d": cents // 100, "c": cents % 100, "missing": np.isnan(amount)})
    return frame.select(
        pl.when(pl.col("missing")).then(None)
        .otherwise(pl.concat_str([pl.col("d").cast(pl.Utf8), pl.lit("."), pl.col("c").cast(pl.Utf8).str.zfill(2)]))
    ).to_series()


def years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
