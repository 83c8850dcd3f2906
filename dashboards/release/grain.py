"""Choose the grain each headline panel shows, and measure what every panel hides (issue #15, items 1-2).

Every grain of a panel is a table the release publishes anyway (months, quarters, years of the same count),
protected together with everything else. A panel shows the finest grain that holds up:
- the share of the panel's count sitting in hidden cells is at most `grain.max_hidden_mass_pct`, and
- at most `grain.max_hidden_cells_pct` of its cells are hidden (no panel mostly hatching).
Both are judged from the published release alone: the hidden share is the panel's published total minus its
shown cells, period by period (the suppressor keeps every such remainder at 0 or >= k, so it reveals nothing a
reader could not compute); a period whose total is hidden leaves the share unknown, and the grain does not
hold. So the choice is a function of published numbers and leaks nothing, and since every grain stays
published and carried in every later release, a panel moving to another grain creates no new difference
between releases (docs/disclosure-control.md, "Choosing the grain").

The utility measured here uses the true counts (internal: `meta.release_panel_utility`, `lantern status`,
`make bench`); the release's `grain` table carries only what the release itself shows.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from dashboards.disclosure.spec import suppressed_column
from models import serving_models
from sources.reference import deployment

PANELS = Path(__file__).parent / "panels.yaml"
GRAIN_SCHEMA = {
    "panel": pl.Utf8, "title": pl.Utf8, "surfaces": pl.Utf8, "measure": pl.Utf8, "grain": pl.Utf8,
    "grain_rank": pl.Int32, "source_table": pl.Utf8, "source_rows": pl.Utf8, "cells": pl.Int64,
    "cells_hidden": pl.Int64, "cells_hidden_pct": pl.Float64, "hidden_share_pct": pl.Float64,
    "holds": pl.Boolean, "chosen": pl.Boolean, "reason": pl.Utf8, "rollup": pl.Utf8,
}


@cache
def panels() -> dict[str, dict]:
    return yaml.safe_load(PANELS.read_text(encoding="utf-8"))["panels"]


def grain_words() -> set[str]:
    """The text the `grain` table carries (titles, surfaces, rows), for the aggregates-only guard."""
    words = set()
    for panel in panels().values():
        words.update([panel["title"], ", ".join(panel["surfaces"])])
        words.update(rows_text(g["where"]) for g in panel["grains"])
    return words


def rows_text(where: dict) -> str:
    """The panel's rows as one line (`area_level = region`), for readers of the `grain` table."""
    parts = [f"{c} != {v[1:]}" if str(v).startswith("!") else f"{c} = {v}" for c, v in where.items()]
    return "; ".join(parts) if parts else "every row"


def _select(frame: pl.DataFrame, where: dict) -> pl.DataFrame:
    for column, value in where.items():
        value = str(value)
        text = pl.col(column).cast(pl.Utf8)
        frame = frame.filter(text != value[1:]) if value.startswith("!") else frame.filter(text == value)
    return frame


def _hidden(frame: pl.DataFrame, count: str) -> pl.Series:
    flag = suppressed_column(count)
    if flag in frame.columns:
        return frame[flag].fill_null(False) | frame[count].is_null()
    return frame[count].is_null()


def _known_hidden_share(frames: dict[str, pl.DataFrame], grain: dict, count: str) -> float | None:
    """Percent of the panel's total in hidden cells, from published numbers only; None when a total is hidden
    (or the panel has no total and a cell is hidden)."""
    detail = _select(frames[grain["table"]], grain["where"])
    hidden = _hidden(detail, count)
    if "total" not in grain:
        return 0.0 if not hidden.any() else None
    total = _select(frames[grain["total"]["table"]], grain["total"]["where"])
    if _hidden(total, count).any() or total.is_empty():
        return None
    period = grain["period"]
    shown = (detail.with_columns(pl.when(hidden).then(0).otherwise(pl.col(count)).alias("_shown"))
             .group_by(pl.col(period).cast(pl.Utf8)).agg(pl.col("_shown").sum()))
    totals = total.select(pl.col(period).cast(pl.Utf8), pl.col(count).alias("_total"))
    joined = totals.join(shown, on=period, how="full", coalesce=True)
    if joined["_total"].null_count():
        return None  # a period of the panel without a published total
    whole = float(joined["_total"].sum())
    if whole == 0:
        return 0.0
    return round(100 * (whole - float(joined["_shown"].fill_null(0).sum())) / whole, 1)


def limits() -> tuple[float, float]:
    """(max hidden share %, max cells hidden %) from deployment.yaml; a missing setting fails (no default)."""
    settings = deployment()
    return settings.grain_max_hidden_mass_pct, settings.grain_max_hidden_cells_pct


def choose_grains(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The release's `grain` table: one row per panel and grain offered, the chosen one marked. Reads only the
    published (protected) frames."""
    max_share, max_cells = limits()
    rows = []
    for name, panel in panels().items():
        count = panel["count"]
        offered = [g for g in panel["grains"] if g["table"] in frames
                   and (("total" not in g) or g["total"]["table"] in frames)]
        judged = []
        for rank, grain in enumerate(offered):
            detail = _select(frames[grain["table"]], grain["where"])
            cells, hidden = detail.height, int(_hidden(detail, count).sum())
            cells_pct = round(100 * hidden / cells, 1) if cells else 0.0
            share = _known_hidden_share(frames, grain, count) if cells else None
            if not cells:
                reason = "nothing_published"
            elif share is None:
                reason = "total_hidden" if "total" in grain else "cells_hidden"
            elif share > max_share:
                reason = "hidden_share_over_limit"
            elif cells_pct > max_cells:
                reason = "mostly_hidden"
            else:
                reason = "holds"
            judged.append({"panel": name, "title": panel["title"], "surfaces": ", ".join(panel["surfaces"]),
                           "measure": count, "grain": grain["grain"], "grain_rank": rank,
                           "source_table": grain["table"], "source_rows": rows_text(grain["where"]),
                           "cells": cells, "cells_hidden": hidden, "cells_hidden_pct": cells_pct,
                           "hidden_share_pct": share, "holds": reason == "holds", "chosen": False,
                           "reason": reason, "rollup": "none"})
        holding = [j for j in judged if j["holds"]]
        if holding:
            holding[0]["chosen"] = True
        elif judged:  # nothing holds up: the coarsest grain, which hides the least, says so
            coarsest = judged[-1]
            coarsest["chosen"], coarsest["reason"] = True, "coarsest_none_holds"
        rows.extend(judged)
    return pl.DataFrame(rows, schema=GRAIN_SCHEMA)


def panel_utility(published: dict[str, pl.DataFrame], truth: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per panel and grain offered: cells, cells hidden and the share of the TRUE count in hidden cells
    (internal). `truth` is the release's true frames (earlier cells carried at the value they stood for)."""
    out = []
    for name, panel in panels().items():
        count = panel["count"]
        for grain in panel["grains"]:
            table = grain["table"]
            if table not in published or table not in truth:
                continue
            dims = list(serving_models()[table][1]["dimensions"])
            shown = _select(published[table], grain["where"])
            hidden = shown.select(*[pl.col(d).cast(pl.Utf8) for d in dims]).with_columns(
                _hidden(shown, count).alias("_hidden"))
            true = _select(truth[table], grain["where"]).select(
                *[pl.col(d).cast(pl.Utf8) for d in dims], pl.col(count).cast(pl.Float64).alias("_true"))
            joined = hidden.join(true, on=dims, how="left")
            total = float(joined["_true"].fill_null(0).sum())
            hidden_total = float(joined.filter(pl.col("_hidden"))["_true"].fill_null(0).sum())
            out.append({"panel": name, "measure": count, "grain": grain["grain"], "source_table": table,
                        "cells": joined.height, "cells_hidden": int(joined["_hidden"].sum()),
                        "true_total": total, "hidden_total": hidden_total})
    frame = pl.DataFrame(out, schema={"panel": pl.Utf8, "measure": pl.Utf8, "grain": pl.Utf8, "source_table": pl.Utf8,
                                      "cells": pl.Int64, "cells_hidden": pl.Int64, "true_total": pl.Float64,
                                      "hidden_total": pl.Float64})
    return frame.with_columns(
        pl.when(pl.col("cells") > 0).then((100 * pl.col("cells_hidden") / pl.col("cells")).round(1))
        .alias("cells_hidden_pct"),
        pl.when(pl.col("true_total") > 0).then((100 * pl.col("hidden_total") / pl.col("true_total")).round(1))
        .alias("mass_hidden_pct"))
