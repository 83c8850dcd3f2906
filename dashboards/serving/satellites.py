"""The published tables declared as satellites (published_tables.yaml `satellite:`) or profiles (`profile_of:`),
and their parent totals.

Today one: venue_type_yearly splits each statewide sector-year total by Polaris venue type. Its parents are
the years of quarterly_by_sector: a sector-year total is known exactly when every quarter of it is shown,
and unknown (NULL) when any is hidden.

And one profile: victim_profile splits the statewide signals and cases of each trafficking type in each quarter
and year (industry_quarterly's sector 'all' rows) by one victim attribute at a time
(dashboards/disclosure/profile.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboards.disclosure import profile as profiles_
from dashboards.disclosure.profile import Profile
from dashboards.disclosure.satellite import Satellite, protect
from dashboards.disclosure.spec import suppressed_column
from dashboards.serving.published_set import industry
from models import serving_models
from models.metric_catalog import load_catalog


def satellites() -> dict[str, tuple[Satellite, str]]:
    """name -> (its Satellite declaration, the main table its parents come from)."""
    catalog = load_catalog()
    found = {}
    for name, (_, table) in serving_models().items():
        declared = table.get("satellite")
        if not declared:
            continue
        child, parent = declared["child"], declared["parent"]
        nesting = industry().mapping.select(child, parent)
        keys = tuple(d for d in table["dimensions"] if d != child)
        found[name] = (Satellite(name, child, parent, keys, tuple(catalog.counts_of(name)), nesting),
                       declared["parent_table"])
    return found


def profiles() -> dict[str, tuple[Profile, dict]]:
    """name -> (its Profile declaration, its `profile_of` declaration: parent_table, parent_filter, counts)."""
    found = {}
    catalog = load_catalog()
    for name, (_, table) in serving_models().items():
        declared = table.get("profile_of")
        if not declared:
            continue
        counts = tuple(catalog.counts_of(name))
        if set(counts) != set(declared["counts"]):
            raise ValueError(f"{name}: profile_of.counts {sorted(declared['counts'])} are not its catalog counts "
                             f"{sorted(counts)}")
        found[name] = (Profile(name, counts, tuple(table["dimensions"])), declared)
    return found


def profile_parents(name: str, frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The totals a profile splits, as `frames` give them (true, or as published: NULL where hidden)."""
    prof, declared = profiles()[name]
    parent = frames[declared["parent_table"]]
    for column, value in (declared.get("parent_filter") or {}).items():
        parent = parent.filter(pl.col(column) == value)
    return profiles_.quarterly_parents(prof, parent, declared["counts"])


def year_parent_table(name: str) -> tuple[str, dict] | None:
    """The table that publishes a satellite's parent totals by year directly (published_tables.yaml
    `satellite.year_parent_table`, its rows `year_parent_rows`), if any."""
    declared = serving_models()[name][1]["satellite"]
    table = declared.get("year_parent_table")
    return (table, dict(declared.get("year_parent_rows") or {})) if table else None


def parents_of(sat: Satellite, satellite: pl.DataFrame, quarterly: pl.DataFrame,
               yearly: pl.DataFrame | None = None, yearly_rows: dict | None = None) -> pl.DataFrame:
    """The parent totals of the years the satellite publishes (a release publishes closed years only, while
    the quarterly table already holds the closed quarters of the running year). A total is known when the
    main set shows it: every quarter of it shown, or the year itself shown in `yearly` (issue #15: the year
    grain of the sector series); both are published exactly, so either may serve."""
    parents = yearly_parents(sat, quarterly)
    if yearly is not None:
        direct = yearly
        for column, value in (yearly_rows or {}).items():
            direct = direct.filter(pl.col(column).cast(pl.Utf8) == str(value))
        direct = direct.filter(pl.col(sat.parent).cast(pl.Utf8) != "all").select(
            pl.col("year").cast(pl.Int32), pl.col(sat.parent),
            *[pl.when(pl.col(suppressed_column(c)).fill_null(False) if suppressed_column(c) in direct.columns
                      else pl.lit(False)).then(None).otherwise(pl.col(c)).alias(f"_{c}_direct") for c in sat.counts])
        parents = (parents.join(direct, on=["year", sat.parent], how="left")
                   .with_columns([pl.coalesce(pl.col(c), pl.col(f"_{c}_direct").cast(parents.schema[c])).alias(c)
                                  for c in sat.counts])
                   .drop([f"_{c}_direct" for c in sat.counts]))
    return parents.join(satellite.select("year").unique(), on="year", how="semi")


def satellite_parents(name: str, sat: Satellite, parent_table: str, satellite: pl.DataFrame,
                      frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """parents_of with every table the declaration names, taken from `frames` (true or published)."""
    direct = year_parent_table(name)
    if direct and direct[0] in frames:
        return parents_of(sat, satellite, frames[parent_table], frames[direct[0]], direct[1])
    return parents_of(sat, satellite, frames[parent_table])


def yearly_parents(sat: Satellite, quarterly: pl.DataFrame) -> pl.DataFrame:
    """Parent totals per year from a quarterly table; a count is NULL when any of its quarters is hidden."""
    if sat.keys != ("year",):
        raise ValueError(f"{sat.table}: yearly parents need the satellite keyed by year alone, not {sat.keys}")
    hidden = [pl.col(c).is_null() | (pl.col(suppressed_column(c)).fill_null(False)
                                     if suppressed_column(c) in quarterly.columns else pl.lit(False))
              for c in sat.counts]
    return (quarterly.with_columns(pl.col("quarter").dt.year().cast(pl.Int32).alias("year"),
                                   *[h.alias(f"_{c}_hidden") for h, c in zip(hidden, sat.counts)])
            .group_by("year", sat.parent)
            .agg([pl.when(pl.col(f"_{c}_hidden").any()).then(None).otherwise(pl.col(c).sum()).alias(c)
                  for c in sat.counts])
            .sort("year", sat.parent))


@dataclass
class ProtectedSatellites:
    frames: dict[str, pl.DataFrame]  # each satellite table, suppressed
    cells: int  # count cells published in them
    primary: int  # hidden because 1 .. k-1
    complementary: int  # hidden to protect those, or because their parent total is not shown


def protect_satellites(truth: dict[str, pl.DataFrame], protected_main: dict[str, pl.DataFrame],
                       min_cell_count: int, frozen: pl.DataFrame | None = None) -> ProtectedSatellites:
    """Every satellite and profile protected against its parents as the (already protected) main set shows
    them. frozen: the cells an earlier release published (a profile keeps them exactly)."""
    out = ProtectedSatellites({}, 0, 0, 0)
    for name, (prof, _) in profiles().items():
        frame = profiles_.protect(prof, truth[name], profile_parents(name, truth),
                                  profile_parents(name, protected_main), min_cell_count, frozen=frozen)
        out.frames[name] = frame
        for c in prof.counts:
            primary = int(truth[name][c].is_between(1, min_cell_count - 1).sum())
            out.cells += frame.height
            out.primary += primary
            out.complementary += int(frame[suppressed_column(c)].sum()) - primary
    for name, (sat, parent_table) in satellites().items():
        frame = protect(sat, truth[name], satellite_parents(name, sat, parent_table, truth[name], truth),
                        satellite_parents(name, sat, parent_table, truth[name], protected_main), min_cell_count)
        out.frames[name] = frame
        for c in sat.counts:
            primary = int(truth[name][c].is_between(1, min_cell_count - 1).sum())
            out.cells += frame.height
            out.primary += primary
            out.complementary += int(frame[suppressed_column(c)].sum()) - primary
    return out
