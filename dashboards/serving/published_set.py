"""Declare everything the serving database publishes as one `PublishedSet` for disclosure control.

Built the same way from the true frames (serving build, before suppression) and from the published
frames (the disclosure audit, from the serving database alone): tables and dimensions from
models/serving/published_tables.yaml, counts from the metric catalog, and five hierarchies taken from
reference data and the published period: geography county < region < state, time month < quarter < year
(plus calendar month of year), industry Polaris venue type < sector, and for each side of a referral
organisation < organisation type.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.disclosure import Hierarchy, PublishedSet, TableSpec, time_hierarchy
from models import serving_models
from models.metric_catalog import load_catalog
from sources.reference import counties, deployment, industry_sectors, organisations

UNKNOWN_COUNTY = "unknown"  # signals without a county: their own county and region, inside the state
# FBI rows of statewide agencies or with no recognised county: a region of their own, inside the state, so
# that the statewide total is the sum of the regions AND this one (docs/public-context.md).
UNALLOCATED = "unallocated"


def geography() -> Hierarchy:
    places = counties().select(pl.col("fips").alias("county"), pl.col("region").cast(pl.Utf8))
    pseudo = [UNKNOWN_COUNTY, UNALLOCATED]  # regions with no county: one pseudo-county each
    places = pl.concat([places, pl.DataFrame({"county": pseudo, "region": pseudo})])
    return Hierarchy("geo", ("county", "region", "state"), places.with_columns(pl.lit("state").alias("state")))


def calendar(first_month: dt.date, last_month: dt.date, closed_only: bool = True) -> Hierarchy:
    """month < quarter < year through last_month. A quarter or year that runs past last_month is open: it has
    no cell yet (a release publishes closed periods only, so that no cell changes in a later release)."""
    months = time_hierarchy(first_month, last_month).mapping
    months = months.with_columns(pl.col("month").str.to_date().dt.month().cast(pl.Int32).alias("month_of_year"))
    if not closed_only:  # a single build of everything to date (dashboards/serving/build.py), as before releases
        return Hierarchy("time", ("month", "quarter", "year"), months, groupings=("month_of_year",))
    last_quarter = open_periods(last_month)
    months = months.with_columns(
        pl.when(pl.col("quarter") < str(last_quarter["quarter"])).then(pl.col("quarter")).alias("quarter"),
        pl.when(pl.col("year").cast(pl.Int32) < last_quarter["year"]).then(pl.col("year")).alias("year"))
    return Hierarchy("time", ("month", "quarter", "year"), months, groupings=("month_of_year",))


def open_periods(last_month: dt.date) -> dict:
    """The first quarter (its first day) and the first year that are not closed when last_month is the last
    month published: everything before them has ended by the end of last_month."""
    following = dt.date(last_month.year + last_month.month // 12, last_month.month % 12 + 1, 1)
    return {"month": following, "quarter": dt.date(following.year, (following.month - 1) // 3 * 3 + 1, 1),
            "year": following.year}


def industry() -> Hierarchy:
    venues = industry_sectors().select(pl.col("venue_code").alias("venue_type"), "sector_code")
    return Hierarchy("industry", ("venue_type", "sector_code"), venues)


def organisation(side: str) -> Hierarchy:
    """organisation < organisation type, for one side of a referral (`referring` or `receiving`)."""
    orgs = organisations().select(pl.col("org_id").alias(f"{side}_org_id"), pl.col("org_type").alias(f"{side}_org_type"))
    return Hierarchy(f"{side}_organisation", (f"{side}_org_id", f"{side}_org_type"), orgs)


def count_tables() -> list[TableSpec]:
    """Every published table with counts about people, as the disclosure library sees it."""
    catalog = load_catalog()
    specs = []
    for name, (_, table) in serving_models().items():
        counts = catalog.counts_of(name)
        if not counts or table.get("satellite") or table.get("profile_of"):
            continue
        if table.get("audience") == "internal" or table.get("public_figures"):
            continue  # never in a release / already public as their publisher printed them  # satellites are protected on their own against their parents (serving/satellites.py)
        derived = {column: metric.counts_behind(main)
                   for main, (metric, placement) in catalog.derived_of(name).items() if metric.counts_behind(main)
                   for column in placement.columns}
        specs.append(TableSpec(name, list(table["dimensions"]), counts, levels=dict(table.get("levels") or {}),
                               derived=derived))
    return specs


def published_set(first_month: dt.date, last_month: dt.date, closed_only: bool = True) -> PublishedSet:
    return PublishedSet(
        tables=count_tables(),
        hierarchies=[geography(), calendar(first_month, last_month, closed_only), industry(), organisation("referring"),
                     organisation("receiving")],
        measure_parts=load_catalog().measure_parts,
        min_cell_count=deployment().min_cell_count,
    )
