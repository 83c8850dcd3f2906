"""Declaring a published set: tables, their dimensions and counts, and how dimensions nest.

A published table is a Polars frame: dimension columns + count columns. A dimension column is either
- a level of a declared `Hierarchy` (month < quarter < year; county < region < state), or
- a flat dimension (sector, trafficking_type) whose domain is the union of values seen (or declared).
In any dimension the value `total_marker` ("all") means "summed over this dimension". A dimension
missing from a table means the same: the table is summed over it (a statewide table has no region).

Count columns with the same name in different tables are the same measure. `measure_parts` declares
measures that add up (referrals = accepted + declined + pending).

Every table is read as a complete grid over its dimensions: a combination that is absent is a
published zero (that is what a reader would conclude), so pipelines should publish complete grids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Hierarchy:
    """Nested levels, finest first. `mapping` has one row per finest value and a column per level.

    `groupings`: other coarsenings of the finest level that do not nest with the chain (month of year:
    each month has one, but it cuts across quarters and years). A table may use one as a dimension;
    its cells are then sums over the finest level, like any other level.
    """

    name: str
    levels: tuple[str, ...]
    mapping: pl.DataFrame
    groupings: tuple[str, ...] = ()

    @property
    def all_levels(self) -> tuple[str, ...]:
        return self.levels + self.groupings

    def __post_init__(self):
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "groupings", tuple(self.groupings))
        missing = [lv for lv in self.all_levels if lv not in self.mapping.columns]
        if missing:
            raise ValueError(f"hierarchy {self.name}: mapping lacks columns {missing}")
        # Keys are compared as strings everywhere so dates, ints and codes all line up.
        m = self.mapping.select([pl.col(lv).cast(pl.Utf8) for lv in self.all_levels]).unique(maintain_order=True)
        pairs = list(zip(self.levels, self.levels[1:])) + [(self.levels[0], g) for g in self.groupings]
        for fine, coarse in pairs:
            if m.group_by(fine).agg(pl.col(coarse).n_unique()).filter(pl.col(coarse) > 1).height:
                raise ValueError(f"hierarchy {self.name}: a {fine} maps to several {coarse}")
        object.__setattr__(self, "mapping", m)


@dataclass(frozen=True)
class TableSpec:
    """One published table.

    dimensions: dimension columns; counts: count columns (measures) protected by suppression.
    levels: column -> hierarchy level, when the column name is not the level name
        (e.g. {"quarter_start": "quarter"}).
    derived: column -> the count columns it is computed from (rates, shares, changes, CIs). These must
        be NULL wherever one of their counts is suppressed; the audit checks it.
    """

    name: str
    dimensions: list[str]
    counts: list[str]
    levels: dict[str, str] = field(default_factory=dict)
    derived: dict[str, list[str]] = field(default_factory=dict)

    def level_of(self, column: str) -> str:
        return self.levels.get(column, column)


@dataclass(frozen=True)
class PublishedSet:
    """Everything published together, and the rule it must satisfy."""

    tables: list[TableSpec]
    hierarchies: list[Hierarchy] = field(default_factory=list)
    domains: dict[str, list] = field(default_factory=dict)  # optional explicit flat-dimension domains
    measure_parts: dict[str, list[str]] = field(default_factory=dict)
    total_marker: str = "all"
    # Counts 1 .. min_cell_count - 1 are never shown nor derivable. No default: the threshold comes from the
    # deployment settings alone, and a spec built without it fails at once (fail closed).
    min_cell_count: int = field(kw_only=True)

    def table(self, name: str) -> TableSpec:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)


def suppressed_column(count: str) -> str:
    return f"{count}_suppressed"


def time_hierarchy(start: dt.date, end: dt.date, name: str = "time",
                   levels: tuple[str, str, str] = ("month", "quarter", "year")) -> Hierarchy:
    """month (first day, as date) < quarter (first day of quarter) < year (int), from start to end."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    frame = pl.DataFrame({
        levels[0]: months,
        levels[1]: [dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1) for d in months],
        levels[2]: [d.year for d in months],
    })
    return Hierarchy(name, levels, frame)
