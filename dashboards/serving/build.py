"""Build the serving database from the warehouse's marts and swap it in atomically.

Readers (static site, Superset) only ever open the serving file, read-only; the pipeline writes a new
one beside it and `os.replace`s it, so a reader sees the previous file or the new one, never half of one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl
import yaml

from dashboards.serving.protect import derive_rates, suppress_small_counts
from models import serving_models
from sources.reference import deployment

CAVEATS_FILE = Path(__file__).parent.parent / "caveats.yaml"


@dataclass(frozen=True)
class ServingReport:
    path: Path
    tables: dict[str, int]  # rows per table
    cells_published: int
    cells_suppressed: int
    seconds: float


def caveats() -> list[dict]:
    settings = deployment()
    raw = yaml.safe_load(CAVEATS_FILE.read_text(encoding="utf-8"))
    values = {"max_suppressed": settings.min_cell_count - 1, "unreliable_at_or_below": settings.unreliable_at_or_below}
    return [{"caveat_id": c["id"], "text": c["text"].format(**values)} for c in raw]


def published_frames(warehouse: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Every published table, computed from the marts and protected by disclosure control."""
    settings = deployment()
    frames = {}
    for name, (model, spec) in serving_models().items():
        frame = _plain_numbers(warehouse.execute(model.sql).pl())
        frame = suppress_small_counts(frame, spec.get("counts", []), settings.min_cell_count)
        frame = derive_rates(frame, spec.get("rates", {}), settings.unreliable_at_or_below)
        frames[name] = frame
    return frames


def _plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """SUM() gives DECIMAL/HUGEINT; readers (JSON, Superset) want plain integers and doubles."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Int64 if (dtype.scale or 0) == 0 else pl.Float64))
        elif dtype == pl.Int128:
            casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


def build_serving(warehouse: duckdb.DuckDBPyConnection, serving_path: Path, run_id: str | None) -> ServingReport:
    started = time.perf_counter()
    settings = deployment()
    frames = published_frames(warehouse)
    calendar = warehouse.execute("SELECT min(month), max(month) FROM intermediate.int_calendar_months").fetchone()
    frames["publication"] = pl.DataFrame(
        {
            "key": ["built_at", "run_id", "state_name", "region_scheme", "region_label", "min_cell_count",
                    "period_start", "period_end"],
            "value": [datetime.now(timezone.utc).isoformat(timespec="seconds"), run_id or "", settings.state_name,
                      settings.region_scheme, settings.region_scheme_label, str(settings.min_cell_count),
                      str(calendar[0]), str(calendar[1])],
        }
    )
    frames["caveats"] = pl.DataFrame(caveats())

    building = serving_path.with_name(serving_path.name + ".building")
    building.unlink(missing_ok=True)
    warehouse.execute(f"ATTACH '{_sql_path(building)}' AS serving_build")
    try:
        for name, frame in frames.items():
            warehouse.register("lantern_published", frame.to_arrow())
            warehouse.execute(f"CREATE TABLE serving_build.{name} AS SELECT * FROM lantern_published")
            warehouse.unregister("lantern_published")
    finally:
        warehouse.execute("DETACH serving_build")
    _fsync(building)
    os.replace(building, serving_path)

    counted = [(frame, spec.get("counts", [])) for name, (_, spec) in serving_models().items()
               for frame in [frames[name]]]
    cells = sum(frame.height * len(counts) for frame, counts in counted)
    suppressed = sum(int(frame[f"{c}_suppressed"].sum()) for frame, counts in counted for c in counts)
    return ServingReport(serving_path, {n: f.height for n, f in frames.items()}, cells, suppressed,
                         time.perf_counter() - started)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
