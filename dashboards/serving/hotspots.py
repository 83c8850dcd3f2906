"""The published emerging-hotspot table.

The test runs on the TRUE region x sector x quarter counts (models.stats.emerging_hotspots, complete
quarters only, Benjamini-Hochberg within each quarter), against the trailing four quarters adjusted for
each sector's seasonality. The seasonal factors come from the PUBLISHED statewide sector totals
(quarterly_by_sector; no factor where one it needs is suppressed), so the expected value shown is still a
function of published numbers. A flagged cell is published only when its own
count and the counts of its four trailing quarters are all published in region_sector_quarterly: its
observed, expected, ratio and p-value are then functions of published numbers and reveal nothing more.
"""

from __future__ import annotations

import polars as pl

from models.stats import emerging_hotspots, seasonal_factors

KEYS = ["region", "sector_code"]
WINDOW = 4
SEASON_YEARS = 1  # whole years of history before a quarter for its seasonal factor


def sector_seasons(protected_sectors: pl.DataFrame, complete_quarters: list) -> pl.DataFrame:
    """Seasonal factor per sector and quarter from the published statewide sector totals."""
    totals = protected_sectors.filter((pl.col("sector_code") != "all") & pl.col("quarter").is_in(complete_quarters))
    # one whole year of statewide history is enough at these volumes (a sector's quarter is tens to
    # hundreds of signals), and most deployments hold two or three years: waiting for two would leave
    # the second year's seasonal peaks flagged as emerging
    return seasonal_factors(totals, "sector_code", period="quarter", count="signals", min_years=SEASON_YEARS)


def score_cells(true_cells: pl.DataFrame, complete_quarters: list, seasons: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every region x sector x complete quarter with a full trailing window: observed, expected, p, q."""
    frame = true_cells.filter(pl.col("quarter").is_in(complete_quarters))
    tested = emerging_hotspots(frame, keys=KEYS, period="quarter", count="signals", window=WINDOW, seasonal=seasons)
    family = tested.group_by("quarter").agg(pl.col("tested").sum().alias("cells_tested"))
    return tested.join(family, on="quarter")


def published_hotspots(true_cells: pl.DataFrame, protected_cells: pl.DataFrame, protected_sectors: pl.DataFrame,
                       complete_quarters: list) -> pl.DataFrame:
    seasons = sector_seasons(protected_sectors, complete_quarters)
    tested = score_cells(true_cells, complete_quarters, seasons).filter(pl.col("is_emerging"))
    shown = protected_cells.filter(pl.col("signals").is_not_null()).select(*KEYS, "quarter")
    evidence_published = tested
    for lag in range(WINDOW + 1):  # the quarter itself and each trailing quarter
        lagged = shown.with_columns(pl.col("quarter").dt.offset_by(f"{3 * lag}mo"))
        evidence_published = evidence_published.join(lagged, on=[*KEYS, "quarter"], how="semi")
    labels = protected_cells.select("quarter", "quarter_label", *KEYS, "region_label", "sector_name").unique()
    return (
        evidence_published.join(labels, on=["quarter", *KEYS], how="left")
        .select("quarter", "quarter_label", "region", "region_label", "sector_code", "sector_name",
                "observed", "expected", "seasonal_factor", "ratio", "p_value", "q_value",
                pl.col("cells_tested").cast(pl.Int64))
        .sort("quarter", "q_value", *KEYS)
    )
