"""The headline panels of the static site and the briefing, each at the grain its release chose (issue #15).

The release decides, from its own published numbers, the grain each headline panel of
`dashboards/release/panels.yaml` is shown at, and which small categories go into "Other" (the `grain` and
`grain_rollup` tables; dashboards/release/grain.py, docs/disclosure-control.md "Choosing the grain"). The outputs
do not decide anything: they read that choice once through `dashboards/published.py` (a database without it is
refused: fail closed), take the panel's rows with the same code that judged them (`grain.panel_rows`), compute
"Other" with the same code (`grain.remainders`: the published total minus the categories shown) and say in words
what the panel shows and why.

A hidden value stays hidden: it is `None` with `suppressed` set (drawn hatched, written "suppressed"), never 0, and
no total here is summed from cells: "Other" is the published total minus published cells, and where that total
is hidden "Other" is suppressed too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dashboards import published
from dashboards.release import grain as grains
from dashboards.vocabulary import SUPPRESSED

OTHER = "Other"
ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
NOUN = {"signals": "signals", "cases": "cases", "referrals": "referrals"}
LABEL_COLUMNS = {"trafficking_type": "trafficking_type_label", "sector_code": "sector_name", "region": "area_name",
                 "venue_type": "venue_name", "receiving_org_type": "receiving_org_type_label", "service": "service_label"}
FLOW_LABELS = ("referring_org_type_label", "receiving_org_type_label")


@dataclass(frozen=True)
class Cell:
    period: str  # ISO date of the period's first day (a year: its 1 January)
    period_label: str  # "March 2026", "2026Q1", "2025"
    category: str | None  # the category's code ("other" for Other); None for a panel of one series
    label: str
    value: int | None  # None where suppressed
    suppressed: bool
    other: bool = False
    group: str | None = None  # the `total.by` group a cell belongs to (a venue type's sector)


@dataclass(frozen=True)
class PanelView:
    name: str
    title: str
    measure: str
    grain: str  # the grain drawn: the release's chosen one (its name in panels.yaml)
    rollup: bool  # small categories rolled into "Other", as the release states
    rolled: tuple[str, ...]  # labels of the categories in "Other"
    holds: bool
    reason: str
    cells: tuple[Cell, ...]
    note: str  # the grain and the roll-up in words, for the reader
    release_cells_hidden_pct: float | None  # the release's own figure for the chosen grain
    available: bool = True  # False: the release chose a grain whose table this database does not have
    period: str = "year"  # the grain's period (month, quarter, year): how it is drawn and said
    grain_label: str = "year"  # the grain as a reader says it (panels.yaml `label`, else the period)

    @property
    def hidden_cells_pct(self) -> float:
        """The share of the cells drawn that are suppressed."""
        return round(100 * sum(c.suppressed for c in self.cells) / len(self.cells), 1) if self.cells else 0.0

    def periods(self) -> list[str]:
        return sorted({c.period for c in self.cells})

    def latest(self, at_or_before: dt.date | None = None, offset: int = 0) -> str | None:
        """The latest period (at or before a day), or `offset` periods of the same kind before it."""
        periods = [p for p in self.periods() if at_or_before is None or p <= at_or_before.isoformat()]
        return periods[-1 - offset] if len(periods) > offset else None


def _period(value: Any, grain: str) -> tuple[str, str]:
    if grain == "year":
        return f"{int(value):04d}-01-01", str(int(value))
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if grain == "quarter":
        return day.isoformat(), f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return day.isoformat(), f"{day:%B %Y}"


def _label(row: dict, spec: dict) -> tuple[str | None, str]:
    category = spec.get("category")
    if category:
        code = "" if row.get(category) is None else str(row[category])
        return code, str(row.get(LABEL_COLUMNS.get(category, category)) or code)
    if all(c in row for c in FLOW_LABELS):  # a referral flow: referring -> receiving (service)
        code = "|".join(str(row.get(c)) for c in ("referring_org_type", "receiving_org_type", "service") if c in row)
        text = f"{row[FLOW_LABELS[0]]} → {row[FLOW_LABELS[1]]}"
        return code, text + (f": {row['service_label']}" if row.get("service_label") else "")
    return None, None  # one series: labelled by the panel


def _protect(value: Any, suppressed: bool, min_cell: int) -> tuple[int | None, bool]:
    """The outputs' last line of defence (as `published.protect`): a count of 1..k-1 is never shown."""
    if suppressed or value is None or 0 < value < min_cell:
        return None, True
    return int(value), False


def _cells(frames: dict[str, pl.DataFrame], spec: dict, measure: str, rolled: list[str], min_cell: int,
           noun: str) -> list[Cell]:
    period = spec["period"]
    detail = grains.panel_rows(frames, spec)
    flag = f"{measure}_suppressed"
    out = []
    for row in detail.iter_rows(named=True):
        code, label = _label(row, spec)
        if spec.get("category") and code in rolled:
            continue  # shown inside "Other"
        value, hidden = _protect(row[measure], bool(row.get(flag)), min_cell)
        iso, text = _period(row[period], period)
        group = None
        if "total" in spec and spec["total"].get("by"):
            group = str(row.get(spec["total"]["by"][0]))
        out.append(Cell(iso, text, code, label or noun, value, hidden, group=group))
    if rolled:
        by = spec["total"].get("by", [])
        for row in grains.remainders(frames, spec, measure, rolled).iter_rows(named=True):
            value, hidden = _protect(row["_remainder"], row["_remainder"] is None, min_cell)
            iso, text = _period(row[period], period)
            out.append(Cell(iso, text, "other", OTHER, value, hidden, other=True,
                            group=str(row[by[0]]) if by else None))
    return sorted(out, key=lambda c: (c.period, c.other, c.label))


def _pct(value: float | None) -> str:
    if value is None:
        return "an unknown share"
    return f"{value:.0f}%" if value >= 1 or value == 0 else "under 1%"


def grain_phrase(spec: dict) -> tuple[str, str]:
    """A grain as a reader says it, and its figures: ("year", "yearly figures"), or from the grain's own `label`
    in panels.yaml where it is more than a period ("year, over all organisation types", "figures by year, over all
    organisation types")."""
    period = spec["period"]
    if "label" in spec:
        return grains.grain_label(spec), f"figures by {grains.grain_label(spec)}"
    return period, f"{ADJECTIVE.get(period, period)} figures"


def _why_not(row: dict, rolled_row: dict | None, spec: dict) -> str:
    """Why a finer grain (as published) is not shown, in words."""
    noun, figures = grain_phrase(spec)
    reason = row["reason"]
    if reason == "nothing_published":
        text = f"no {noun} figure is published yet"
    elif reason == "hidden_share_over_limit":
        text = f"{figures} would hide {_pct(row['hidden_share_pct'])} of the count"
    elif reason == "mostly_hidden":
        text = f"{_pct(row['cells_hidden_pct'])} of the {figures} would be suppressed"
    elif reason in ("total_hidden", "small_remainder"):
        text = f"{figures} could not be checked against their totals"
    elif reason == "cells_hidden":
        text = f"{row['cells_hidden']:,} of {row['cells']:,} {figures} would be suppressed"
    else:
        text = f"{figures} do not hold up ({reason.replace('_', ' ')})"
    if rolled_row is not None and not rolled_row["holds"] and rolled_row["other_share_pct"] is not None:
        text += f", and grouping the small categories would put {_pct(rolled_row['other_share_pct'])} of it in “Other”"
    return text


def describe(options: list[dict], chosen: dict, rolled_labels: list[str], has_total: bool,
             specs: dict[str, dict]) -> str:
    """The panel's grain and roll-up in words a reader understands, from the release's `grain` rows (`specs`:
    the panel's grains in panels.yaml by name)."""
    grain = chosen["grain"]
    noun, figures = grain_phrase(specs[grain])
    period = specs[grain]["period"]
    finer = [r for r in options if r["rollup"] == "none" and r["grain_rank"] < chosen["grain_rank"]
             and (r["grain"] != grain or chosen["rollup"] == "other")]
    rolled_of = {r["grain"]: r for r in options if r["rollup"] == "other"}
    parts = [f"By {noun}"]
    if finer:
        whys = [_why_not(r, rolled_of.get(r["grain"]) if r["grain"] != grain else None, specs[r["grain"]])
                for r in finer]
        parts[0] += ": " + "; ".join(whys) + "."
    elif len({r["grain"] for r in options}) == 1:
        parts[0] += ", the only grain published for this panel."
    else:
        parts[0] += ", the finest grain published."
    group = (specs[grain].get("total") or {}).get("by_label")
    if chosen["rollup"] == "other" and group:
        parts.append(f"Each {group}'s “Other” groups its categories that have a suppressed {period} "
                     f"({len(rolled_labels)} in all, {_pct(chosen['other_share_pct'])} of the count), shown together as "
                     f"the {group}'s published total minus the categories shown.")
    elif chosen["rollup"] == "other":
        parts.append(f"“Other” groups {', '.join(rolled_labels)} ({_pct(chosen['other_share_pct'])} of the count): "
                     f"each has a suppressed {period}, so they are shown together, as the published total minus the "
                     "categories shown.")
    if chosen["reason"] == "coarsest_none_holds":
        hidden = f"{chosen['cells_hidden']:,} of {chosen['cells']:,} figures ({_pct(chosen['cells_hidden_pct'])})"
        why = ("there is no published total to group the small ones against" if not has_total else
               "the totals they add up to are partly suppressed, so the small ones cannot be grouped")
        parts.append(f"No grain holds up at this volume: {hidden} are suppressed, marked “{SUPPRESSED}” (not zero), "
                     f"because {why}.")
    elif chosen["cells_hidden"]:
        parts.append(f"Suppressed (marked, not zero): {chosen['cells_hidden']:,} of {chosen['cells']:,} {figures}, "
                     f"{_pct(chosen['hidden_share_pct'])} of the count.")
    else:
        parts.append(f"None of the {figures} is suppressed.")
    if has_total:
        parts.append(f"Complete {period}s only.")
    return " ".join(parts)


def load_views(con: duckdb.DuckDBPyConnection, surface: str, min_cell: int,
               database: Path | str = "the published database") -> dict[str, PanelView]:
    """Every headline panel of `surface` ("site" or "briefing") at the grain its release chose. Refuses a database
    without the release's grain choice (published.MissingGrainTable)."""
    grain_rows, rollup_rows = published.grain_choices(con, database)
    present = published.tables(con)
    frames: dict[str, pl.DataFrame] = {}
    views = {}
    for name, panel in grains.panels().items():
        if surface not in panel["surfaces"]:
            continue
        options = [r for r in grain_rows if r["panel"] == name]
        chosen = next((r for r in options if r["chosen"]), None)
        if chosen is None:
            views[name] = PanelView(name, panel["title"], panel["count"], "", False, (), False, "not_chosen", (),
                                    "Not shown: this release chose no grain for this panel.", None, False)
            continue
        specs = {g["grain"]: g for g in panel["grains"]}
        spec = specs[chosen["grain"]]
        needed = {spec["table"], *([spec["total"]["table"]] if "total" in spec else [])}
        if not needed <= present:
            views[name] = PanelView(name, panel["title"], panel["count"], chosen["grain"], False, (), False,
                                    chosen["reason"], (), "Not in this database: the table the release chose for "
                                    "this panel is not published here.", chosen["cells_hidden_pct"], False,
                                    spec["period"], grain_phrase(spec)[0])
            continue
        for table in needed - frames.keys():
            frames[table] = published.table_frame(con, table)
        rollup = chosen["rollup"] == "other"
        members = sorted(r["member"] for r in rollup_rows
                         if rollup and r["panel"] == name and r["grain"] == chosen["grain"])
        noun = NOUN.get(panel["count"], panel["count"]).capitalize()
        cells = _cells(frames, spec, panel["count"], members, min_cell, noun)
        labels = _member_labels(grains.panel_rows(frames, spec), spec, members)
        views[name] = PanelView(
            name=name, title=panel["title"], measure=panel["count"], grain=chosen["grain"], rollup=rollup,
            rolled=tuple(labels), holds=bool(chosen["holds"]), reason=chosen["reason"], cells=tuple(cells),
            note=describe(options, chosen, labels, "total" in spec, specs),
            release_cells_hidden_pct=chosen["cells_hidden_pct"], period=spec["period"],
            grain_label=grain_phrase(spec)[0])
    return views


def _member_labels(frame: pl.DataFrame, spec: dict, members: list[str]) -> list[str]:
    category = spec.get("category")
    column = LABEL_COLUMNS.get(category or "", category)
    if not members or column not in frame.columns:
        return list(members)
    names = dict(frame.select(pl.col(category).cast(pl.Utf8), pl.col(column).cast(pl.Utf8)).unique().iter_rows())
    return [names.get(m) or m for m in members]


def load(database: Path, surface: str) -> dict[str, PanelView]:
    """`load_views` on a database file (read-only), with its own threshold."""
    with published.connect(database) as con:
        min_cell = published.threshold(published.publication(con), database)
        return load_views(con, surface, min_cell, database)
