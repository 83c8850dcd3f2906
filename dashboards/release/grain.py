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
    "category": pl.Utf8, "rollup": pl.Utf8, "other_share_pct": pl.Float64,
    "holds": pl.Boolean, "chosen": pl.Boolean, "reason": pl.Utf8,
}
ROLLUP_SCHEMA = {"panel": pl.Utf8, "grain": pl.Utf8, "category": pl.Utf8, "member": pl.Utf8}


@cache
def panels() -> dict[str, dict]:
    return yaml.safe_load(PANELS.read_text(encoding="utf-8"))["panels"]


def grain_label(spec: dict) -> str:
    """A grain as a reader says it: its `label` in panels.yaml where it is more than a period, else the period."""
    return spec.get("label", spec["period"])


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


def panel_rows(frames: dict[str, pl.DataFrame], grain: dict) -> pl.DataFrame:
    """The panel's rows at one grain: over the periods of its total (complete periods) where it has one."""
    detail = _select(frames[grain["table"]], grain["where"])
    if "total" in grain:
        keys = total_keys(grain)
        totals = _select(frames[grain["total"]["table"]], grain["total"]["where"]).select(
            [pl.col(k).cast(pl.Utf8) for k in keys]).unique()
        detail = (detail.with_columns([pl.col(k).cast(pl.Utf8).alias(f"_key_{k}") for k in keys])
                  .join(totals.rename({k: f"_key_{k}" for k in keys}), on=[f"_key_{k}" for k in keys], how="semi")
                  .drop([f"_key_{k}" for k in keys]))
    return detail


def total_keys(grain: dict) -> list[str]:
    """What a panel's total is kept per: its period, and the groups it is split by (`total.by`: a venue type's
    sector)."""
    return [grain["period"], *grain["total"].get("by", [])]


def _per_period(frame: pl.DataFrame, keys: list[str], value: pl.Expr, name: str) -> pl.DataFrame:
    return frame.group_by([pl.col(k).cast(pl.Utf8) for k in keys]).agg(value.sum().alias(name))


def remainders(frames: dict[str, pl.DataFrame], grain: dict, count: str,
               rolled: list[str] | None = None) -> pl.DataFrame:
    """Per period of a panel with a total (and per `total.by` group): `_total`, the panel's published total (null
    where it is hidden or missing), `_shown`, what the panel shows of it, and `_remainder`, the total minus that
    (null where the total is). Without `rolled` the panel shows every cell that is not hidden, so the remainder is
    what its hidden cells add up to; with `rolled` it shows the categories not rolled up, so the remainder is its
    "Other" (with `total.by`: one "Other" per group that has a category rolled up, e.g. "other venue types" of a
    sector). The one definition of both: the release judges a grain on it, and the site and the briefing draw
    "Other" from it (dashboards/panels.py)."""
    detail = panel_rows(frames, grain)
    hidden = _hidden(detail, count)
    if rolled is None:
        left_out = hidden
    else:
        left_out = detail[grain["category"]].cast(pl.Utf8).is_in(list(rolled)) | hidden
    detail = detail.with_columns(pl.when(left_out).then(0).otherwise(pl.col(count)).alias("_shown"))
    keys = total_keys(grain)
    totals = _totals(frames, grain["total"], keys, count)
    joined = totals.join(_per_period(detail, keys, pl.col("_shown"), "_shown"), on=keys, how="full", coalesce=True)
    by = grain["total"].get("by", [])
    if rolled is not None and by:  # groups without a rolled category have no "Other"
        with_rolled = (detail.filter(pl.col(grain["category"]).cast(pl.Utf8).is_in(list(rolled)))
                       .select([pl.col(b).cast(pl.Utf8) for b in by]).unique())
        joined = joined.join(with_rolled, on=by, how="semi")
    return joined.with_columns((pl.col("_total") - pl.col("_shown").fill_null(0)).alias("_remainder")).sort(keys)


def _totals(frames: dict[str, pl.DataFrame], total: dict, keys: list[str], count: str) -> pl.DataFrame:
    """A total's published value per key (null where any of its rows is hidden)."""
    rows = _select(frames[total["table"]], total["where"])
    rows = rows.with_columns(pl.when(_hidden(rows, count)).then(None).otherwise(pl.col(count)).alias("_value"))
    return rows.group_by([pl.col(k).cast(pl.Utf8) for k in keys]).agg(
        pl.when(pl.col("_value").is_null().any()).then(None).otherwise(pl.col("_value").sum()).alias("_total"))


def overall_totals(frames: dict[str, pl.DataFrame], grain: dict, count: str) -> pl.DataFrame | None:
    """Per period, the published total of the whole panel (`total.overall`) where its groups' totals may be
    hidden (a sector whose year is suppressed): what the share of the count hidden is measured against."""
    overall = grain["total"].get("overall")
    if overall is None:
        return None
    return _totals(frames, overall, [grain["period"]], count)


def _judge(frames: dict[str, pl.DataFrame], grain: dict, count: str, k: int, rollup: bool) -> dict:
    """How a panel fares at one grain, from published numbers only: cells, cells hidden, the share of its total
    in hidden cells (None when unknown), and with `rollup` the categories rolled into "other" (every category
    with a hidden cell at this grain) and the share of the total that "other" holds.

    With `total.overall` (a panel split by groups whose totals may be hidden), the share hidden is measured against
    the overall total: a group whose total is hidden counts as hidden as a whole, and rolled up its "Other" is
    suppressed."""
    detail = panel_rows(frames, grain)
    hidden = _hidden(detail, count)
    out = {"cells": detail.height, "cells_hidden": int(hidden.sum()), "hidden_share": None, "rolled": [],
           "other_share": None, "small_remainder": False}
    if "total" not in grain:
        if not hidden.any():
            out["hidden_share"] = 0.0
        return out
    total = _select(frames[grain["total"]["table"]], grain["total"]["where"])
    overall = overall_totals(frames, grain, count)
    if total.is_empty():
        return out
    if overall is None and _hidden(total, count).any():
        return out
    if overall is not None and (overall.is_empty() or overall["_total"].null_count()):
        return out  # the panel's own total is hidden: nothing to measure against
    joined = remainders(frames, grain, count)
    if overall is None and joined["_total"].null_count():
        return out  # a period of the panel without a published total
    remainder = joined.filter(pl.col("_total").is_not_null())["_remainder"]
    # the hidden cells of a period add up to 0 or >= k (the suppressor's rule for a relation with a shown total);
    # anything else would already be a leak of the release, so the panel does not lean on it
    out["small_remainder"] = bool(((remainder > 0) & (remainder < k)).any())
    whole = float((overall if overall is not None else joined)["_total"].sum())
    shown = float(detail.filter(~hidden)[count].sum())
    out["hidden_share"] = round(100 * (whole - shown) / whole, 1) if whole else 0.0
    if rollup and out["cells_hidden"]:
        category = grain["category"]
        rolled = sorted(detail.filter(hidden)[category].cast(pl.Utf8).unique().to_list())
        kept = detail.filter(~pl.col(category).cast(pl.Utf8).is_in(rolled))
        others = remainders(frames, grain, count, rolled)
        other = float(others["_remainder"].sum())  # the "Other"s that are shown
        hidden_other = int(others["_remainder"].null_count())  # under a hidden group total
        hidden_mass = whole - float(kept[count].sum()) - other
        out.update(rolled=rolled, cells=kept.height + others.height, cells_hidden=hidden_other,
                   hidden_share=round(100 * hidden_mass / whole, 1) if whole else 0.0,
                   other_share=round(100 * other / whole, 1) if whole else 0.0,
                   kept=detail[category].cast(pl.Utf8).n_unique() - len(rolled))
    return out


def limits() -> dict[str, float]:
    """The grain settings of deployment.yaml (disclosure.grain); a missing one fails (no default)."""
    settings = deployment()
    return {"share": settings.grain_max_hidden_mass_pct, "cells": settings.grain_max_hidden_cells_pct,
            "other": settings.grain_max_other_pct, "k": settings.min_cell_count}


def _reason(judged: dict, limit: dict) -> str:
    if not judged["cells"]:
        return "nothing_published"
    if judged["small_remainder"]:
        return "small_remainder"
    if judged["hidden_share"] is None:
        return "total_hidden" if judged.get("has_total") else "cells_hidden"
    if judged["hidden_share"] > limit["share"]:
        return "hidden_share_over_limit"
    if 100 * judged["cells_hidden"] / judged["cells"] > limit["cells"]:
        return "mostly_hidden"
    if judged["other_share"] is not None and (judged["other_share"] > limit["other"] or judged.get("kept", 1) < 1):
        return "other_over_limit"
    return "holds"


def choose_grains(frames: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The release's `grain` table (one row per panel, grain offered and roll-up, the chosen one marked) and its
    `grain_rollup` table (the categories each rolled-up row puts into "other"). Reads only the published
    (protected) frames: finest grain first, as published, else with its small categories rolled into "other"."""
    limit = limits()
    rows, members = [], []
    for name, panel in panels().items():
        count = panel["count"]
        offered = [g for g in panel["grains"] if g["table"] in frames
                   and (("total" not in g) or g["total"]["table"] in frames)]
        judged_rows = []
        rank = 0
        for grain in offered:
            variants = [False] + ([True] if "category" in grain and "total" in grain else [])
            for rollup in variants:
                judged = _judge(frames, grain, count, int(limit["k"]), rollup)
                if rollup and not judged["rolled"]:
                    continue  # nothing hidden: nothing to roll up
                judged["has_total"] = "total" in grain
                reason = _reason(judged, limit)
                cells = judged["cells"]
                judged_rows.append({
                    "panel": name, "title": panel["title"], "surfaces": ", ".join(panel["surfaces"]),
                    "measure": count, "grain": grain["grain"], "grain_rank": rank,
                    "source_table": grain["table"], "source_rows": rows_text(grain["where"]),
                    "category": grain.get("category"), "rollup": "other" if rollup else "none",
                    "cells": cells, "cells_hidden": judged["cells_hidden"],
                    "cells_hidden_pct": round(100 * judged["cells_hidden"] / cells, 1) if cells else 0.0,
                    "hidden_share_pct": judged["hidden_share"], "other_share_pct": judged["other_share"],
                    "holds": reason == "holds", "chosen": False, "reason": reason})
                members.extend({"panel": name, "grain": grain["grain"], "category": grain["category"], "member": m}
                               for m in judged["rolled"])
                rank += 1
        holding = [j for j in judged_rows if j["holds"]]
        if holding:
            holding[0]["chosen"] = True
        elif judged_rows:  # nothing holds up: the coarsest grain as published says so
            plain = [j for j in judged_rows if j["rollup"] == "none"]
            coarsest = plain[-1]
            coarsest["chosen"], coarsest["reason"] = True, "coarsest_none_holds"
        rows.extend(judged_rows)
    grain_table = pl.DataFrame(rows, schema=GRAIN_SCHEMA)
    rollup_table = pl.DataFrame(members, schema=ROLLUP_SCHEMA)
    return grain_table, rollup_table


def panel_utility(published: dict[str, pl.DataFrame], truth: dict[str, pl.DataFrame], grain_table: pl.DataFrame,
                  rollup_table: pl.DataFrame) -> pl.DataFrame:
    """Per row of the `grain` table (panel, grain, roll-up): cells, cells hidden, the share of the TRUE count in
    hidden cells and, rolled up, the share of the true count shown only inside "other" (internal). `truth` is
    the release's true frames (earlier cells carried at the value they stood for)."""
    out = []
    for row in grain_table.iter_rows(named=True):
        panel = panels()[row["panel"]]
        grain = next(g for g in panel["grains"] if g["grain"] == row["grain"])
        table, count = grain["table"], panel["count"]
        dims = list(serving_models()[table][1]["dimensions"])
        shown = panel_rows(published, grain)
        extra = [k for k in (total_keys(grain) if "total" in grain else []) if k not in dims]
        flags = shown.select(*[pl.col(d).cast(pl.Utf8) for d in dims + extra]).with_columns(
            _hidden(shown, count).alias("_hidden"))
        true = _select(truth[table], grain["where"]).select(
            *[pl.col(d).cast(pl.Utf8) for d in dims], pl.col(count).cast(pl.Float64).alias("_true"))
        joined = flags.join(true, on=dims, how="left").with_columns(pl.col("_true").fill_null(0))
        total = float(joined["_true"].sum())
        entry = {"panel": row["panel"], "measure": count, "grain": row["grain"], "rollup": row["rollup"],
                 "source_table": table, "true_total": total, "other_total": None}
        if row["rollup"] == "other":
            rolled = rollup_table.filter((pl.col("panel") == row["panel"]) & (pl.col("grain") == row["grain"]))
            inside = pl.col(grain["category"]).is_in(rolled["member"].to_list())
            kept = joined.filter(~inside)
            # one "Other" per period (and group with a category rolled up), as published; where its total is
            # hidden (a sector whose year is suppressed) it is suppressed, and what it holds is hidden
            others = remainders(published, grain, count, rolled["member"].to_list())
            keys = total_keys(grain)
            suppressed_other = others.filter(pl.col("_remainder").is_null()).select(keys)
            in_hidden_other = joined.join(suppressed_other, on=keys, how="semi").filter(inside)
            entry.update(cells=kept.height + others.height,
                         cells_hidden=int(kept["_hidden"].sum()) + suppressed_other.height,
                         hidden_total=float(kept.filter(pl.col("_hidden"))["_true"].sum())
                         + float(in_hidden_other["_true"].sum()),
                         other_total=float(joined.filter(inside)["_true"].sum()) - float(in_hidden_other["_true"].sum()))
        else:
            entry.update(cells=joined.height, cells_hidden=int(joined["_hidden"].sum()),
                         hidden_total=float(joined.filter(pl.col("_hidden"))["_true"].sum()))
        entry["chosen"], entry["reason"] = row["chosen"], row["reason"]
        out.append(entry)
    frame = pl.DataFrame(out, schema={
        "panel": pl.Utf8, "measure": pl.Utf8, "grain": pl.Utf8, "rollup": pl.Utf8, "source_table": pl.Utf8,
        "true_total": pl.Float64, "other_total": pl.Float64, "cells": pl.Int64, "cells_hidden": pl.Int64,
        "hidden_total": pl.Float64, "chosen": pl.Boolean, "reason": pl.Utf8})
    share = lambda part: pl.when(pl.col("true_total") > 0).then((100 * pl.col(part) / pl.col("true_total")).round(1))
    return frame.with_columns(
        pl.when(pl.col("cells") > 0).then((100 * pl.col("cells_hidden") / pl.col("cells")).round(1))
        .alias("cells_hidden_pct"),
        share("hidden_total").alias("mass_hidden_pct"), share("other_total").alias("other_pct"))
