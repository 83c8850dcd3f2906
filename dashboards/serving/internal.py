"""The internal database: exact aggregates for the audiences that may see them, rebuilt every night.

Task-force analysts read every table exactly; an agency reads its own operational rows exactly through
row-level security (sources/reference/audiences.yaml). Still aggregates only (the same tables as a release,
checked by the same aggregates-only guard): no record, id or free text leaves the warehouse. Nothing here is
suppressed, so nothing here may be forwarded: partners and the public get protected releases
(dashboards/release), cut on a calendar.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from dashboards.disclosure.spec import suppressed_column
from dashboards.serving.build import (add_rankings, calendar_bounds, caveats, run_manifest, true_frames,
                                     write_database)
from dashboards.serving.derive import derive
from models.metric_catalog import load_catalog
from sources.reference import deployment

INTERNAL_AUDIENCE = "internal"


@dataclass(frozen=True)
class InternalReport:
    path: Path
    tables: dict[str, int]
    seconds: float


def nothing_hidden(truth: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every count with its `<count>_suppressed` flag, all false: the same columns a release has, so the same
    dashboards read either database."""
    catalog = load_catalog()
    out = {}
    for name, frame in truth.items():
        for count in catalog.counts_of(name):
            if count in frame.columns and suppressed_column(count) not in frame.columns:
                frame = frame.insert_column(frame.columns.index(count) + 1, pl.repeat(
                    False, frame.height, dtype=pl.Boolean, eager=True).alias(suppressed_column(count)))
        out[name] = frame
    return out


def build_internal(warehouse: duckdb.DuckDBPyConnection, path: Path, run_id: str | None) -> InternalReport:
    started = time.perf_counter()
    settings = deployment()
    first_month, last_month, complete_quarters = calendar_bounds(warehouse)
    truth = true_frames(warehouse)
    frames = derive(nothing_hidden(truth), settings.unreliable_at_or_below)
    add_rankings(frames, truth, complete_quarters)
    stamp = {
        "audience": INTERNAL_AUDIENCE, "release_id": "",
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "run_id": run_id or "",
        "state_name": settings.state_name, "region_scheme": settings.region_scheme,
        "region_label": settings.region_scheme_label, "min_cell_count": str(settings.min_cell_count),
        "period_start": str(first_month), "period_end": str(last_month), "cells_published": "0",
        "cells_suppressed_primary": "0", "cells_suppressed_complementary": "0",
        **run_manifest(warehouse, frames["run_inputs"]),
    }
    frames["publication"] = pl.DataFrame({"key": list(stamp), "value": list(stamp.values())})
    frames["caveats"] = pl.DataFrame(caveats())
    write_database(frames, path, warehouse)
    return InternalReport(path, {n: f.height for n, f in frames.items()}, time.perf_counter() - started)
