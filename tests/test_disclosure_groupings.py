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
