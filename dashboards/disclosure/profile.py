"""Profiles: one-way distributions of published totals, protected and audited one attribute at a time.

A profile splits each total of the main published set (statewide signals of a trafficking type in a quarter
or a year) by one attribute at a time: age band, gender, recruitment, means of control, contact method. Every
attribute holds one category per record, so within a period and type the categories of an attribute add up to
the total. Nothing else is published by these attributes, and they are never crossed with each other. So, as
for satellites (satellite.py):
- the main tables split a total one way (region, month, sector) and each attribute another; any split of one
  is compatible with any split of the others (a multi-way table with given one-way margins and equal totals
  always has a non-negative solution), so what one attribute shows tells nothing about another beyond the
  shared total, and nothing about the main cells beyond that total;
- therefore each attribute, with the totals it splits, is a small system of its own: cells quarter x type x
  category and year x type x category, their parents quarter x type and year x type ('all' types a margin),
  a year the sum of its quarters. Years do not relate to each other, so one system per attribute and year.
Crossing every attribute inside one system instead makes the atom grid the product of every attribute's
categories (7.4e9 cells: the first attempt).

Multi-valued fields (several means of control per record) would break "the categories add up to the total":
their categories would overlap. The contract's fields are single-valued (the first potential victim's age band
and gender, the main means of control); `protect` refuses a profile whose categories do not add up to its
parents, so a field that became a list fails loudly instead of being protected against the wrong relation.

Parents the main set does not show: every profile cell under them is hidden (so the profile cannot narrow a
hidden main total), in the suppression system the parent is hidden, and the blocking audit fails any cell
shown under such a parent. Parents the main set shows are never chosen as complements here (they are fixed).
Cells an earlier release published are fixed too (`frozen`, release/carried.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboards.disclosure.audit import AuditReport, audit
from dashboards.disclosure.relations import cell_labels
from dashboards.disclosure.spec import Hierarchy, PublishedSet, TableSpec, suppressed_column
from dashboards.disclosure.suppress import FROZEN_SCHEMA, suppress

QUARTERS, YEARS = "profile_quarters", "profile_years"
PARENT_QUARTERS, PARENT_YEARS = "profile_parents_quarter", "profile_parents_year"
DIMS = {QUARTERS: ["quarter", "trafficking_type", "category"], YEARS: ["year", "trafficking_type", "category"],
        PARENT_QUARTERS: ["quarter", "trafficking_type"], PARENT_YEARS: ["year", "trafficking_type"]}
PERIOD_KEYS = ["period_grain", "period_start", "trafficking_type"]


@dataclass(frozen=True)
class Profile:
    """`table` has columns period, period_grain ('quarter'/'year'), period_start (date), year, trafficking_type
    (with 'all'), attribute, category and the counts; its published cell key is `dimensions`."""

    table: str
    counts: tuple[str, ...]
    dimensions: tuple[str, ...] = ("period", "trafficking_type", "attribute", "category")


def quarterly_parents(profile: Profile, quarterly: pl.DataFrame, parent_counts: dict[str, str]) -> pl.DataFrame:
    """Parent totals per period_grain, period_start, trafficking_type (counts under the profile's names) from
    the main set's statewide quarterly rows (quarter, trafficking_type, counts); a count NULL where hidden. A
    year is the sum of its quarters, NULL unless every one is given."""
    q = quarterly.select(
        pl.col("quarter").cast(pl.Date), pl.col("trafficking_type").cast(pl.Utf8),
        *[(pl.when(_hidden(quarterly, src)).then(None).otherwise(pl.col(src))).cast(pl.Float64).alias(dst)
          for dst, src in parent_counts.items()])
    quarters = q.select(pl.lit("quarter").alias("period_grain"), pl.col("quarter").alias("period_start"),
                        "trafficking_type", *profile.counts)
    years = (q.with_columns(pl.date(pl.col("quarter").dt.year(), 1, 1).alias("period_start"))
             .group_by("period_start", "trafficking_type")
             .agg([pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c)
                   for c in profile.counts])
             .select(pl.lit("year").alias("period_grain"), "period_start", "trafficking_type", *profile.counts))
    return pl.concat([quarters, years]).sort(PERIOD_KEYS)


def _hidden(frame: pl.DataFrame, count: str) -> pl.Expr:
    flag = suppressed_column(count)
    return pl.col(count).is_null() | (pl.col(flag).fill_null(False) if flag in frame.columns else pl.lit(False))


@dataclass
class _System:
    attribute: str
    year: int
    frames: dict[str, pl.DataFrame]  # the four tables, keys as text
    keys: pl.DataFrame  # table_name, cell_key (system) <-> published_key, and the row's period and category
    spec_tables: list[str]

    def published_set(self, profile: Profile, min_cell_count: int) -> PublishedSet:
        tables = [TableSpec(t, DIMS[t], list(profile.counts)) for t in self.spec_tables]
        hierarchies = []
        if YEARS in self.spec_tables:
            quarters = self.frames[PARENT_QUARTERS]["quarter"].unique().sort()
            hierarchies = [Hierarchy("time", ("quarter", "year"),
                                     pl.DataFrame({"quarter": quarters, "year": [str(self.year)] * len(quarters)}))]
        return PublishedSet(tables=tables, hierarchies=hierarchies, min_cell_count=min_cell_count)


def _systems(profile: Profile, detail: pl.DataFrame, parents: pl.DataFrame) -> list[_System]:
    """One system per attribute and year: the profile's cells (counts and any `_suppressed` flags as given)
    and the parents (counts as given)."""
    flags = [suppressed_column(c) for c in profile.counts if suppressed_column(c) in detail.columns]
    detail = detail.with_columns(pl.col("period_start").cast(pl.Date), pl.col("year").cast(pl.Int32),
                                 pl.Series("_published_key", cell_labels(detail, list(profile.dimensions)),
                                           dtype=pl.Utf8))
    parents = parents.with_columns(pl.col("period_start").cast(pl.Date),
                                   pl.col("period_start").dt.year().cast(pl.Int32).alias("year"))
    out = []
    for (attribute, year), rows in sorted(detail.group_by("attribute", "year"), key=lambda g: (g[0][0], g[0][1])):
        frames, keys, tables = {}, [], []
        for grain, table, parent_table, level in (("quarter", QUARTERS, PARENT_QUARTERS, "quarter"),
                                                  ("year", YEARS, PARENT_YEARS, "year")):
            mine = rows.filter(pl.col("period_grain") == grain)
            if mine.is_empty():
                continue
            period = (pl.col("period_start").cast(pl.Utf8) if level == "quarter" else pl.col("year").cast(pl.Utf8))
            cells = mine.select(period.alias(level), pl.col("trafficking_type").cast(pl.Utf8),
                                pl.col("category").cast(pl.Utf8), *profile.counts, *flags, "_published_key")
            frames[table] = cells.drop("_published_key")
            keys.append(pl.DataFrame({"table_name": table, "cell_key": cell_labels(cells, DIMS[table]),
                                      "published_key": cells["_published_key"]},
                                     schema={"table_name": pl.Utf8, "cell_key": pl.Utf8, "published_key": pl.Utf8}))
            wanted = mine.select("period_start", "trafficking_type").unique()
            theirs = (parents.filter((pl.col("period_grain") == grain) & (pl.col("year") == year))
                      .join(wanted, on=["period_start", "trafficking_type"], how="semi"))
            frames[parent_table] = theirs.select(period.alias(level), pl.col("trafficking_type").cast(pl.Utf8),
                                                 *profile.counts).sort(DIMS[parent_table])
            tables += [table, parent_table]
        out.append(_System(attribute, int(year), frames, pl.concat(keys), tables))
    return out


def _check_adds_up(profile: Profile, system: _System) -> None:
    for table, parent_table in ((QUARTERS, PARENT_QUARTERS), (YEARS, PARENT_YEARS)):
        if table not in system.frames:
            continue
        dims = DIMS[parent_table]
        sums = system.frames[table].group_by(dims).agg([pl.col(c).sum() for c in profile.counts])
        both = system.frames[parent_table].join(sums, on=dims, how="full", suffix="_profile", coalesce=True)
        for c in profile.counts:
            off = both.filter(pl.col(c).fill_null(-1) != pl.col(f"{c}_profile").fill_null(-1))
            if off.height:
                raise ValueError(f"{profile.table}.{c} ({system.attribute}, {system.year}): the categories do not add "
                                 f"up to the parent totals (a multi-valued field?): {off.head(3).to_dicts()}")


def protect(profile: Profile, true_detail: pl.DataFrame, parents_true: pl.DataFrame, parents_shown: pl.DataFrame,
            min_cell_count: int, frozen: pl.DataFrame | None = None) -> pl.DataFrame:
    """The profile table with its counts suppressed (NULL + `<count>_suppressed` after each count).

    parents_true / parents_shown: `quarterly_parents` of the true and of the protected main set. frozen: cells
    an earlier release published (FROZEN_SCHEMA, keyed by the profile table's own cell keys)."""
    if true_detail.is_empty():  # nothing loaded yet: no cell to protect
        return true_detail.with_columns(pl.lit(False).alias(suppressed_column(c)) for c in profile.counts)
    shown = parents_shown.rename({c: f"{c}_shown" for c in profile.counts})
    hidden_flags = []
    for system in _systems(profile, true_detail, parents_true):
        _check_adds_up(profile, system)
        fixed = _fixed_cells(profile, system, shown, frozen)
        result = suppress({t: system.frames[t] for t in system.spec_tables},
                          system.published_set(profile, min_cell_count), frozen=fixed)
        for table in (QUARTERS, YEARS):
            if table not in system.frames:
                continue
            got = result.frames[table]
            labels = pl.Series("cell_key", cell_labels(got, DIMS[table]), dtype=pl.Utf8)
            flags = got.select([pl.col(suppressed_column(c)) for c in profile.counts]).with_columns(labels)
            hidden_flags.append(flags.join(system.keys.filter(pl.col("table_name") == table), on="cell_key")
                                .select("published_key", *[suppressed_column(c) for c in profile.counts]))
    flags = pl.concat(hidden_flags)
    keyed = true_detail.with_columns(pl.Series("_published_key", cell_labels(true_detail, list(profile.dimensions)),
                                               dtype=pl.Utf8))
    out = keyed.join(flags.rename({"published_key": "_published_key"}), on="_published_key", how="left",
                     maintain_order="left")
    if out.filter(pl.col(suppressed_column(profile.counts[0])).is_null()).height:
        raise RuntimeError(f"{profile.table}: a profile cell is in no protection system")
    out = out.with_columns([pl.when(pl.col(suppressed_column(c))).then(None).otherwise(pl.col(c)).alias(c)
                            for c in profile.counts]).drop("_published_key")
    order = []
    for col in true_detail.columns:
        order.append(col)
        if col in profile.counts:
            order.append(suppressed_column(col))
    return out.select(order)


def _fixed_cells(profile: Profile, system: _System, shown: pl.DataFrame, frozen: pl.DataFrame | None
                 ) -> pl.DataFrame:
    """Cells the suppressor must not change: every parent (shown where the main set shows it, hidden where not),
    every profile cell under a hidden parent (hidden), and the cells an earlier release published."""
    chunks = [pl.DataFrame(schema=FROZEN_SCHEMA)]
    for table, parent_table, level in ((QUARTERS, PARENT_QUARTERS, "quarter"), (YEARS, PARENT_YEARS, "year")):
        if table not in system.frames:
            continue
        grain_shown = shown.filter(pl.col("period_grain") == level).select(
            (pl.col("period_start").cast(pl.Utf8) if level == "quarter"
             else pl.col("period_start").dt.year().cast(pl.Utf8)).alias(level),
            "trafficking_type", *[f"{c}_shown" for c in profile.counts])
        parents = system.frames[parent_table].join(grain_shown, on=DIMS[parent_table], how="left")
        cells = system.frames[table].join(grain_shown, on=DIMS[parent_table], how="left")
        for c in profile.counts:
            chunks.append(pl.DataFrame({"table_name": parent_table, "count_name": c,
                                        "cell_key": cell_labels(parents, DIMS[parent_table]),
                                        "hidden": parents[f"{c}_shown"].is_null()}, schema=FROZEN_SCHEMA))
            under = cells.filter(pl.col(f"{c}_shown").is_null())
            chunks.append(pl.DataFrame({"table_name": table, "count_name": c,
                                        "cell_key": cell_labels(under, DIMS[table]), "hidden": True},
                                       schema=FROZEN_SCHEMA))
    if frozen is not None and not frozen.is_empty():
        mine = (frozen.filter(pl.col("table_name") == profile.table)
                .rename({"cell_key": "published_key"})
                .join(system.keys, on="published_key", how="inner", suffix="_system")
                .select(pl.col("table_name_system").alias("table_name"), "count_name", "cell_key", "hidden"))
        chunks.append(mine.cast(FROZEN_SCHEMA))
    return (pl.concat(chunks).group_by("table_name", "count_name", "cell_key", maintain_order=True)
            .agg(pl.col("hidden").any()))


def audit_profile(profile: Profile, published: pl.DataFrame, parents_shown: pl.DataFrame,
                  min_cell_count: int) -> AuditReport:
    """Attack each attribute's system with the parents as the main set shows them, from the published profile
    alone; a count shown under a parent the main set does not give exactly fails too."""
    reports, bad = [], []
    shown = parents_shown.with_columns(pl.col("period_start").cast(pl.Date))
    for system in _systems(profile, published, shown):
        frames = dict(system.frames)
        for table in (PARENT_QUARTERS, PARENT_YEARS):
            if table in frames:
                frames[table] = frames[table].with_columns(pl.col(c).is_null().alias(suppressed_column(c))
                                                           for c in profile.counts)
        for table in (QUARTERS, YEARS):
            if table in frames:
                frames[table] = frames[table].with_columns(
                    _hidden(frames[table], c).alias(suppressed_column(c)) for c in profile.counts)
        report = audit({t: frames[t] for t in system.spec_tables}, system.published_set(profile, min_cell_count))
        report.failures = _named(profile, system, report.failures)
        reports.append(report)
        for table, parent_table in ((QUARTERS, PARENT_QUARTERS), (YEARS, PARENT_YEARS)):
            if table not in frames:
                continue
            dims = DIMS[parent_table]
            under = frames[table].join(frames[parent_table].select(*dims, *[pl.col(c).alias(f"{c}_parent")
                                                                            for c in profile.counts]),
                                       on=dims, how="left")
            keyed = under.with_columns(pl.Series("cell_key", cell_labels(under, DIMS[table]), dtype=pl.Utf8)).join(
                system.keys.filter(pl.col("table_name") == table), on="cell_key", how="left")
            for c in profile.counts:
                leaking = keyed.filter(pl.col(f"{c}_parent").is_null() & ~pl.col(suppressed_column(c)))
                bad += [(profile.table, c, key, "shown under a parent total the main set does not give")
                        for key in leaking["published_key"].to_list()]
    return combine(profile, reports, bad)


def _named(profile: Profile, system: _System, failures: pl.DataFrame) -> pl.DataFrame:
    """Failures under the profile table's own name and cell keys (a parent's key keeps its system name)."""
    if failures.is_empty():
        return failures
    keys = system.keys.select(pl.col("table_name").alias("table"), pl.col("cell_key").alias("key"), "published_key")
    return (failures.join(keys, on=["table", "key"], how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("published_key").is_not_null()).then(pl.lit(profile.table))
                          .otherwise(pl.format("{} ({}, {})", pl.col("table"), pl.lit(system.attribute),
                                               pl.lit(system.year))).alias("table"),
                          pl.coalesce("published_key", "key").alias("key"))
            .drop("published_key"))


def combine(profile: Profile, reports: list[AuditReport], bad: list[tuple]) -> AuditReport:
    """One report for the profile: every system's, plus `bad` (table, count, key, reason)."""
    failures = [r.failures for r in reports]
    if bad:
        schema = reports[0].failures.schema
        failures.append(pl.DataFrame([{"table": t, "count": c, "key": k, "reason": why} for t, c, k, why in bad])
                        .with_columns(pl.lit(None).alias(col) for col in schema if col not in ("table", "count", "key",
                                                                                                 "reason"))
                        .select(list(schema)).cast(schema))
    return AuditReport(
        passed=all(r.passed for r in reports) and not bad,
        failures=pl.concat(failures) if failures else pl.DataFrame(),
        n_cells=sum(r.n_cells for r in reports), n_suppressed=sum(r.n_suppressed for r in reports),
        n_lp=sum(r.n_lp for r in reports), seconds=sum(r.seconds for r in reports),
        exactly_recovered=sum(r.exactly_recovered for r in reports), notes=[n for r in reports for n in r.notes],
        components=sum(r.components for r in reports),
        components_proven_before=sum(r.components_proven_before for r in reports))
