"""Read the serving database (read-only) into plain Python rows for the static site.

Every query lives in `models/queries/site/*.sql` (shared ones in `models/queries/published/`). This module also re-applies the disclosure rule as a last
line of defence: a count of 1..min_cell_count-1 is never published, whatever the database says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboards import published
from dashboards.panels import PanelView, load_views
from dashboards.published import Row, protect
from models import QUERIES_DIR, query_sql

QUERIES = QUERIES_DIR / "site"


@dataclass(frozen=True)
class SiteData:
    publication: dict[str, str]
    min_cell_count: int
    feeds: list[Row]
    caveats: list[Row]
    monthly: list[Row]
    region_year: int
    region_year_complete: bool
    regions: list[Row]  # the chosen year only
    counties: list[Row]
    sectors: list[Row]
    referral_year: int | None
    referral_year_complete: bool
    referrals: list[Row]
    inputs: list[Row]  # the run manifest's input files (no counts: see models/serving/run_inputs.sql)
    seasonality: list[Row] = field(default_factory=list)  # sector x quarter of the year (sector_seasonality)
    latest_quarter: str | None = None  # the latest complete quarter, e.g. "2026Q3" (its briefing's name)
    panels: dict[str, PanelView] = field(default_factory=dict)  # headline panels at the release's chosen grain


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> list[Row]:
    return published.rows(con, published.query_file("site", name), dates_as_text=True)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    # a serving database published before the run manifest existed has no run_inputs; a protected release
    # has no feed totals (internal audiences only)
    return name in published.tables(con)


def _year_complete(year: int, period_end: str | None) -> bool:
    end = last_day(period_end)
    return end is not None and end >= dt.date(year, 12, 31)


def _latest_quarter(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _has_table(con, "area_quarterly"):
        return None
    (quarter,) = con.execute(query_sql("queries/site", "latest_complete_quarter")).fetchone()
    return None if quarter is None else f"{quarter.year}Q{(quarter.month - 1) // 3 + 1}"


def last_day(period_end: str | None) -> dt.date | None:
    """The last day a publication period covers: a release's period_end is the first day of its last month."""
    if not period_end:
        return None
    day = dt.date.fromisoformat(period_end[:10])
    if day.day != 1:
        return day
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def load(serving_db: Path) -> SiteData:
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        publication = published.publication(con)
        min_cell = published.threshold(publication, serving_db)
        period_end = publication.get("period_end")
        counts = ("signals", "cases")
        panels = load_views(con, "site", min_cell, serving_db)  # fails closed without the release's grain table

        monthly = [protect(r, counts, min_cell) for r in _rows(con, "monthly_by_type")]
        sectors = [protect(r, counts, min_cell) for r in _rows(con, "quarterly_by_sector")]
        all_regions = [protect(r, counts, min_cell) for r in _rows(con, "region_summary")]
        for r in all_regions:
            if r["signals_suppressed"] or r["signals_per_100k"] is None:
                r["signals_per_100k"], r["signals_per_100k_flag"] = None, "suppressed"

        years = sorted({r["year"] for r in all_regions})
        complete = [y for y in years if _year_complete(y, period_end)]
        region_year = complete[-1] if complete else (years[-1] if years else 0)

        referrals = [
            protect(r, ("referrals", "accepted", "declined", "pending"), min_cell)
            for r in _rows(con, "referral_flows_latest")
        ]
        referral_year = referrals[0]["year"] if referrals else None
        return SiteData(
            publication=publication,
            min_cell_count=min_cell,
            feeds=_rows(con, "feed_freshness") if _has_table(con, "feed_freshness") else [],
            caveats=_rows(con, "caveats"),
            monthly=monthly,
            region_year=region_year,
            region_year_complete=bool(complete),
            regions=[r for r in all_regions if r["year"] == region_year],
            counties=_rows(con, "county_regions"),
            sectors=sectors,
            referral_year=referral_year,
            referral_year_complete=referral_year is not None and _year_complete(referral_year, period_end),
            referrals=referrals,
            inputs=_rows(con, "run_inputs") if _has_table(con, "run_inputs") else [],
            seasonality=_rows(con, "sector_seasonality") if _has_table(con, "sector_seasonality") else [],
            latest_quarter=_latest_quarter(con),
            panels=panels,
        )
    finally:
        con.close()
