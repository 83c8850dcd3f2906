"""Satellite tables: protected and audited on their own, linked to the main set by their parent totals.

A satellite splits parent cells of the main published set along a dimension that no other published table
uses (signals per year and Polaris venue type split each statewide sector-year total, and nothing else is
published by venue type). Inside a parent cell the main tables split the total one way (region, month,
trafficking type) and the satellite another (venue type); any split of one is compatible with any split of
the other (a transportation problem with equal totals always has a non-negative solution). So:
- where the main set shows the parent exactly, the satellite tells a reader nothing about the main cells,
  and the main cells tell nothing about the satellite's beyond that total: the satellite and its parents
  form a small system of their own;
- where the parent is not known from the main set, every satellite cell under it is hidden, so the
  satellite does not narrow the parent either.
Both are checked: `protect` builds such a pattern, `audit_satellite` attacks the satellite with its parents
as published and fails any satellite cell shown under an unknown parent. Adding the satellite to the main
system instead multiplies its atoms by the number of venue types (~0.9 M at national scale), which the
suppressor could not finish (docs/disclosure-control.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboards.disclosure.audit import AuditReport, audit
from dashboards.disclosure.relations import cell_labels
from dashboards.disclosure.spec import Hierarchy, PublishedSet, TableSpec, suppressed_column
from dashboards.disclosure.suppress import PATTERN_SCHEMA, suppress

PARENTS = "satellite_parents"


@dataclass(frozen=True)
class Satellite:
    """`table` has dimensions keys + child; `nesting` maps each child value to its parent value."""

    table: str
    child: str  # the splitting dimension (venue_type)
    parent: str  # the parent level (sector_code)
    keys: tuple[str, ...]  # dimensions shared with the parent cells (year)
    counts: tuple[str, ...]
    nesting: pl.DataFrame  # columns child, parent

    def published_set(self, min_cell_count: int) -> PublishedSet:
        return PublishedSet(
            tables=[TableSpec(self.table, [*self.keys, self.child], list(self.counts)),
                    TableSpec(PARENTS, [*self.keys, self.parent], list(self.counts))],
            hierarchies=[Hierarchy(f"{self.child}<{self.parent}", (self.child, self.parent), self.nesting)],
            min_cell_count=min_cell_count)

    def _detail(self, frame: pl.DataFrame) -> pl.DataFrame:
        flags = [suppressed_column(c) for c in self.counts if suppressed_column(c) in frame.columns]
        return _keys_as_text(frame.select([*self.keys, self.child, *self.counts, *flags]), [*self.keys, self.child])

    def _parents(self, frame: pl.DataFrame) -> pl.DataFrame:
        return _keys_as_text(frame.select([*self.keys, self.parent, *self.counts]), [*self.keys, self.parent])


def _keys_as_text(frame: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    """Keys compared as text, as the disclosure system compares them."""
    return frame.with_columns(pl.col(d).cast(pl.Utf8) for d in dims)


def _labels(frame: pl.DataFrame, dims: list[str]) -> pl.Series:
    """Cell keys as the disclosure system labels them (relations.build_system)."""
    return pl.Series(cell_labels(frame, dims), dtype=pl.Utf8)


def _parent_of_child(sat: Satellite, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.join(_keys_as_text(sat.nesting.select(sat.child, sat.parent), [sat.child, sat.parent]),
                      on=sat.child, how="left")


def protect(sat: Satellite, true_detail: pl.DataFrame, parents_true: pl.DataFrame, parents_shown: pl.DataFrame,
            min_cell_count: int) -> pl.DataFrame:
    """The satellite table with its counts suppressed (NULL + `<count>_suppressed`).

    parents_true: keys + parent + counts (true totals); parents_shown: the same cells as the main set shows
    them, a count NULL where the main set does not give it exactly."""
    detail = sat._detail(true_detail)
    parents_true, parents_shown = sat._parents(parents_true), sat._parents(parents_shown)
    sums = (_parent_of_child(sat, detail).group_by([*sat.keys, sat.parent]).agg([pl.col(c).sum() for c in sat.counts]))
    check = parents_true.join(sums, on=[*sat.keys, sat.parent], how="full", suffix="_satellite", coalesce=True)
    for c in sat.counts:
        if check.filter(pl.col(c).fill_null(0) != pl.col(f"{c}_satellite").fill_null(0)).height:
            raise ValueError(f"{sat.table}.{c}: the satellite does not add up to its parent totals")
    parent_dims, detail_dims = [*sat.keys, sat.parent], [*sat.keys, sat.child]
    forced = []  # parents the main set does not show, and every satellite cell under them: hidden from the start
    shown = parents_shown.select([*parent_dims, *[pl.col(c).alias(f"{c}_shown") for c in sat.counts]])
    parents = parents_true.select([*parent_dims, *sat.counts]).join(shown, on=parent_dims, how="left")
    under = _parent_of_child(sat, detail).join(shown, on=parent_dims, how="left")
    for c in sat.counts:
        hidden_parents = parents.filter(pl.col(f"{c}_shown").is_null())
        hidden_children = under.filter(pl.col(f"{c}_shown").is_null())
        forced += [
            pl.DataFrame({"table_name": PARENTS, "count_name": c, "cell_key": _labels(hidden_parents, parent_dims),
                          "true_value": hidden_parents[c].cast(pl.Float64)}, schema=PATTERN_SCHEMA),
            pl.DataFrame({"table_name": sat.table, "count_name": c, "cell_key": _labels(hidden_children, detail_dims),
                          "true_value": hidden_children[c].cast(pl.Float64)}, schema=PATTERN_SCHEMA),
        ]
    frames = {sat.table: detail, PARENTS: parents.select([*parent_dims, *sat.counts])}
    result = suppress(frames, sat.published_set(min_cell_count), earlier=pl.concat(forced))
    for c in sat.counts:  # the main set shows these parents; the satellite must not need them hidden
        protected_parents = result.frames[PARENTS].join(shown, on=parent_dims, how="left")
        clash = protected_parents.filter(pl.col(suppressed_column(c)) & pl.col(f"{c}_shown").is_not_null())
        if clash.height:
            raise RuntimeError(f"{sat.table}.{c}: protecting it would hide parent totals the main set shows: "
                               f"{clash.select(parent_dims).head(3).to_dicts()}")
    protected = result.frames[sat.table]
    flags = [pl.Series(suppressed_column(c), protected[suppressed_column(c)].to_numpy()) for c in sat.counts]
    values = [pl.Series(c, protected[c].to_list(), dtype=true_detail.schema[c]) for c in sat.counts]
    out = true_detail.with_columns(values)
    for flag in flags:
        out = out.drop(flag.name, strict=False)
        out = out.insert_column(out.columns.index(flag.name.removesuffix("_suppressed")) + 1, flag)
    return out


def audit_satellite(sat: Satellite, published_detail: pl.DataFrame, parents_shown: pl.DataFrame,
                    min_cell_count: int) -> AuditReport:
    """Attack the satellite with its parents as the main set shows them; a satellite count shown under a
    parent the main set does not give exactly fails too (it would narrow that parent)."""
    detail, parents_shown = sat._detail(published_detail), sat._parents(parents_shown)
    parent_dims, detail_dims = [*sat.keys, sat.parent], [*sat.keys, sat.child]
    parents = parents_shown.with_columns(pl.col(c).is_null().alias(suppressed_column(c)) for c in sat.counts)
    frames = {sat.table: detail, PARENTS: parents}
    report = audit(frames, sat.published_set(min_cell_count))
    under = _parent_of_child(sat, detail).join(parents_shown.select([*parent_dims, *[pl.col(c).alias(f"{c}_shown")
                                                                                    for c in sat.counts]]),
                                               on=parent_dims, how="left")
    bad = []
    for c in sat.counts:
        leaking = under.filter(pl.col(f"{c}_shown").is_null() & pl.col(c).is_not_null())
        bad += [(None, sat.table, c, key, None, None, "shown under a parent total the main set does not give")
                for key in _labels(leaking, detail_dims).to_list()]
    if bad:
        extra = pl.DataFrame(bad, schema=report.failures.schema, orient="row")
        report.failures = pl.concat([report.failures, extra])
        report.passed = False
    return report
