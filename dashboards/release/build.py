"""Cut a protected release: closed periods, as first released, every earlier cell carried, new cells protected
together with them, then written to a candidate file that the blocking checks attack before it is kept."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from dashboards import published
from dashboards.disclosure import suppress
from dashboards.release.as_released import as_released, freeze_windows
from dashboards.release.calendar import release_id
from dashboards.release.grain import choose_grains, panel_utility
from dashboards.release.carried import (carry_truth, earlier_hidden_truth, frozen_cells, published_cells,
                                        release_cells)
from dashboards.release.store import kept_releases
from dashboards.release.utility import published_utility, record_panel_utility, record_utility, utility
from dashboards.serving.build import (add_rankings, calendar_bounds, caveats, run_manifest, true_frames,
                                     write_database)
from dashboards.serving.derive import derive
from dashboards.serving.disclosure_memory import earlier_proofs, record_pattern
from dashboards.serving.internal import nothing_hidden
from dashboards.serving.published_set import open_periods, published_set
from dashboards.serving.satellites import protect_satellites
from models import QUERIES_DIR, query_sql, serving_models
from sources.landing import insert_frame
from sources.reference import deployment

QUERIES = QUERIES_DIR / "release"
PUBLIC_AUDIENCE = "public"
TIME_LEVELS = ("quarter", "year")


@dataclass(frozen=True)
class ReleaseReport:
    release_id: str
    cutoff: date
    snapshot_at: datetime
    path: Path
    cells_published: int
    cells_primary: int
    cells_complementary: int
    cells_carried: int  # cells an earlier release published, shown again exactly
    seconds: float


def internal_only() -> set[str]:
    """Tables for the internal audiences only (published_tables.yaml `audience: internal`): running totals
    of an agency's own files that every release would move, so no release carries them."""
    return {name for name, (_, spec) in serving_models().items() if spec.get("audience") == "internal"}


def closed_periods_only(frames: dict[str, pl.DataFrame], cutoff: date) -> dict[str, pl.DataFrame]:
    """Drop the rows of quarters and years still running at the cutoff: they would change in the next release."""
    opened = open_periods(cutoff)
    out = dict(frames)
    for name, (_, spec) in serving_models().items():
        frame = frames.get(name)
        if frame is None:
            continue
        for column in spec["dimensions"]:
            level = (spec.get("levels") or {}).get(column, column)
            if level == "quarter" and column in frame.columns:
                frame = frame.filter(pl.col(column).cast(pl.Date) < opened["quarter"])
            elif level == "year" and column in frame.columns:
                frame = frame.filter(pl.col(column).cast(pl.Int32) < opened["year"])
            elif level == "period" and "period_grain" in frame.columns:  # quarters and years in one table
                frame = frame.filter(pl.when(pl.col("period_grain") == "quarter")
                                     .then(pl.col("period_start").cast(pl.Date) < opened["quarter"])
                                     .otherwise(pl.col("period_start").cast(pl.Date).dt.year() < opened["year"]))
        out[name] = frame
    return out


def _first_month(kept, warehouse: duckdb.DuckDBPyConnection) -> date:
    """The first month of the series: the first release's, so every release shares its calendar."""
    if kept:
        with published.connect(kept[0].serving) as con:
            return date.fromisoformat(published.publication(con)["period_start"])
    first = warehouse.execute(query_sql("queries/release", "first_calendar_month")).fetchone()[0]
    if first is None:
        raise RuntimeError("nothing to release: no month has any record yet")
    return first


def build_release(warehouse: duckdb.DuckDBPyConnection, home: Path, cutoff: date, candidate: Path,
                  run_id: str | None, snapshot_at: datetime | None = None) -> ReleaseReport:
    started = time.perf_counter()
    settings = deployment()
    kept = kept_releases(home)
    if kept and cutoff <= kept[-1].cutoff:
        raise ValueError(f"release {kept[-1].release_id} already covers {cutoff:%Y-%m}: nothing new to release")
    snapshot_at = snapshot_at or datetime.now(timezone.utc).replace(tzinfo=None)
    first_month = _first_month(kept, warehouse)
    freeze = freeze_windows([(r.cutoff, r.snapshot_at) for r in kept], first_month, cutoff, snapshot_at)
    with as_released(warehouse, Path(home) / "tmp" / "release.duckdb", freeze) as released:
        truth = true_frames(released)
        manifest = run_manifest(released, truth["run_inputs"])
        _, _, complete_quarters = calendar_bounds(released)  # quarters with all three months, none running
    truth = closed_periods_only(truth, cutoff)
    earlier = release_cells(kept[-1].serving) if kept else published_cells({})
    hidden_truth = earlier_hidden_truth(warehouse, kept[-1].release_id) if kept else None
    if kept:
        truth = carry_truth(truth, earlier, hidden_truth)

    spec = published_set(first_month, cutoff)
    proofs = earlier_proofs(warehouse)
    result = suppress({t.name: truth[t.name] for t in spec.tables}, spec, frozen=frozen_cells(earlier),
                      proofs=proofs)
    record_pattern(warehouse, result.hidden, settings.min_cell_count, run_id, proofs)
    satellite = protect_satellites(truth, result.frames, settings.min_cell_count, frozen=frozen_cells(earlier))
    # public figures (published_tables.yaml `public_figures`) are shown as their publisher printed them
    frames = nothing_hidden(derive({**truth, **result.frames, **satellite.frames}, settings.unreliable_at_or_below))
    add_rankings(frames, truth, complete_quarters)
    for name in internal_only():
        frames.pop(name, None)

    rid = release_id(cutoff)
    cells = published_cells(frames)
    true_cells = published_cells(truth)
    _record_hidden(warehouse, rid, cells, true_cells)
    measured = utility(cells, true_cells)
    record_utility(warehouse, rid, measured)
    frames["utility"] = published_utility(measured)
    # each headline panel at the finest grain that holds up, judged from the protected frames alone
    frames["grain"], frames["grain_rollup"] = choose_grains(frames)
    record_panel_utility(warehouse, rid, panel_utility(frames, truth, frames["grain"], frames["grain_rollup"]))
    n_primary = result.n_primary + satellite.primary
    n_complementary = int(cells["hidden"].sum()) - n_primary
    stamp = {
        "audience": PUBLIC_AUDIENCE, "release_id": rid, "released_through": str(cutoff),
        "data_loaded_before": snapshot_at.isoformat(),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "run_id": run_id or "",
        "state_name": settings.state_name, "region_scheme": settings.region_scheme,
        "region_label": settings.region_scheme_label, "min_cell_count": str(settings.min_cell_count),
        "period_start": str(first_month), "period_end": str(cutoff), "cells_published": str(cells.height),
        "cells_suppressed_primary": str(n_primary), "cells_suppressed_complementary": str(n_complementary),
        "previous_release": kept[-1].release_id if kept else "",
        **manifest,
    }
    frames["publication"] = pl.DataFrame({"key": list(stamp), "value": list(stamp.values())})
    frames["caveats"] = pl.DataFrame(caveats())
    write_database(frames, candidate, warehouse)
    carried = earlier.height
    return ReleaseReport(rid, cutoff, snapshot_at, candidate, cells.height, n_primary, n_complementary, carried,
                         time.perf_counter() - started)


def _record_hidden(warehouse: duckdb.DuckDBPyConnection, rid: str, published: pl.DataFrame,
                   truth: pl.DataFrame) -> None:
    """Keep the true value of every hidden cell (private), for the next release to protect them."""
    keys = ["table_name", "count_name", "cell_key"]
    hidden = (published.filter(pl.col("hidden")).select(keys)
              .join(truth.select(*keys, pl.col("value").alias("true_value")), on=keys, how="left")
              .with_columns(pl.lit(rid).alias("release_id"), pl.col("true_value").fill_null(0.0)))
    warehouse.execute((QUERIES / "release_memory_tables.sql").read_text(encoding="utf-8"))
    warehouse.execute("BEGIN TRANSACTION")
    try:
        warehouse.execute(query_sql("queries/meta", "delete_release_rows", table="release_hidden"), [rid])
        insert_frame(warehouse, "meta.release_hidden", hidden)
        warehouse.execute("COMMIT")
    except BaseException:
        warehouse.execute("ROLLBACK")
        raise
