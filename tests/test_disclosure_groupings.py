"""Hierarchy groupings: a coarsening of the finest level that cuts across the chain (calendar month of
year across years) is a relation the audit knows, so a leak through it is caught and suppress() closes it."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.disclosure import Hierarchy, PublishedSet, TableSpec, audit, suppress, time_hierarchy


def calendar_with_month_of_year() -> Hierarchy:
    months = time_hierarchy(dt.date(2023, 1, 1), dt.date(2025, 12, 1)).mapping
    months = months.with_columns(pl.col("month").str.slice(5, 2).cast(pl.Int32).alias("month_of_year"))
    return Hierarchy("time", ("month", "quarter", "year"), months, groupings=("month_of_year",))


def frames_and_spec():
    h = calendar_with_month_of_year()
    monthly = h.mapping.select(pl.col("month").str.to_date()).with_columns(
        (pl.col("month").dt.month() * 3 + pl.col("month").dt.year() % 7 + 11).cast(pl.Int64).alias("signals"))
    monthly = monthly.with_columns(  # one small month: January 2024
        pl.when(pl.col("month") == dt.date(2024, 1, 1)).then(4).otherwise(pl.col("signals")).alias("signals"))
    seasonal = (monthly.group_by(pl.col("month").dt.month().cast(pl.Int32).alias("month_of_year"))
                .agg(pl.col("signals").sum()).sort("month_of_year"))
    spec = PublishedSet([TableSpec("monthly", ["month"], ["signals"]),
                         TableSpec("seasonal", ["month_of_year"], ["signals"])], [h], min_cell_count=11)
    return {"monthly": monthly, "seasonal": seasonal}, spec


def test_hidden_month_recoverable_from_month_of_year_total_is_caught():
    frames, spec = frames_and_spec()
    leaky = dict(frames)
    hidden = pl.col("month") == dt.date(2024, 1, 1)
    leaky["monthly"] = frames["monthly"].with_columns(pl.when(hidden).then(None).otherwise(pl.col("signals")).alias("signals"),
                                                      hidden.alias("signals_suppressed"))
    report = audit(leaky, spec)
    assert not report.passed
    assert any("2024-01-01" in key for key in report.failures["key"].to_list())


def test_suppress_protects_the_month_across_the_grouping():
    frames, spec = frames_and_spec()
    result = suppress(frames, spec)
    assert result.audit.passed and audit(result.frames, spec).passed
    assert result.n_complementary >= 1


def seasonal_and_quarterly_sectors():
    """Three years of months x 3 sectors, all large but sector A's Januaries (1, 1, 2): published as a
    month-of-year x sector table (with the all-sector total), quarterly sector counts and statewide months."""
    h = calendar_with_month_of_year()
    months = h.mapping.select(pl.col("month").str.to_date())
    cells = months.join(pl.DataFrame({"sector": ["A", "B", "C"]}), how="cross").with_columns(
        (pl.col("month").dt.month() * 5 + pl.col("month").dt.year() % 5 + 40 * (pl.col("sector") != "A") + 20).alias("signals"))
    small = (pl.col("sector") == "A") & (pl.col("month").dt.month() == 1)
    cells = cells.with_columns(pl.when(small).then(pl.col("month").dt.year() % 2 + 1).otherwise(pl.col("signals"))
                               .cast(pl.Int64).alias("signals"))
    by_month_of_year = cells.group_by(pl.col("month").dt.month().cast(pl.Int32).alias("month_of_year"), "sector").agg(
        pl.col("signals").sum())
    seasonal = pl.concat([by_month_of_year, by_month_of_year.group_by("month_of_year").agg(
        pl.lit("all").alias("sector"), pl.col("signals").sum())])
    quarterly = cells.group_by(pl.col("month").dt.truncate("3mo").alias("quarter"), "sector").agg(pl.col("signals").sum())
    statewide = cells.group_by("month").agg(pl.col("signals").sum())
    spec = PublishedSet([TableSpec("seasonal", ["month_of_year", "sector"], ["signals"]),
                         TableSpec("quarterly", ["quarter", "sector"], ["signals"]),
                         TableSpec("statewide", ["month"], ["signals"])], [h], min_cell_count=11)
    return {"seasonal": seasonal, "quarterly": quarterly, "statewide": statewide}, spec


def test_a_small_month_of_year_is_protected_inside_its_quarter_block_not_by_hiding_the_whole_month():
    """January + February + March of sector A = A's first quarters, and the all-sector January = the
    statewide Januaries: the suppressor knows both, so it protects A's January with a few cells of A and
    of another sector instead of hiding every January (which the published months would undo anyway)."""
    frames, spec = seasonal_and_quarterly_sectors()
    result = suppress(frames, spec)
    assert result.n_primary == 1 and audit(result.frames, spec).passed
    seasonal = result.frames["seasonal"]
    assert not seasonal.filter(pl.col("sector") == "all")["signals_suppressed"].any()
    assert result.n_complementary <= 4, seasonal.filter(pl.col("signals_suppressed"))
