"""Build the serving database from the warehouse's marts, protected by disclosure control.

Steps: the serving SQL gives TRUE counts for every published table; `suppress()` protects the whole set
at once (primary + complementary, across tables, margins and grains); derived metrics are computed from
the protected counts only (derive.py); emerging hotspots are published where their evidence is. The
result is written to a file beside the live one; the pipeline audits that file (blocking asset check) and
only then swaps it in with `publish_candidate`, so readers never see an unaudited database.
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

from dashboards.disclosure import suppress
from dashboards.serving.derive import derive
from dashboards.serving.disclosure_memory import earlier_pattern, earlier_proofs, record_pattern
from dashboards.serving.hotspots import published_hotspots
from dashboards.serving.provenance import code_version
from dashboards.serving.published_set import published_set
from dashboards.serving.satellites import protect_satellites
from models import QUERIES_DIR, query_sql, serving_models
from models.stats import benjamini_hochberg
from sources.landing import replace_table
from sources.reference import deployment

CAVEATS_FILE = Path(__file__).parent.parent / "caveats.yaml"
QUERIES = QUERIES_DIR / "serving"


@dataclass(frozen=True)
class ServingReport:
    path: Path
    tables: dict[str, int]  # rows per table
    cells_published: int  # count cells in the disclosure-controlled tables
    cells_suppressed: int
    cells_primary: int  # suppressed because the count is 1 .. k-1
    cells_complementary: int  # suppressed so that no primary cell can be worked out
    cells_hidden_again: int  # complementary cells the last build hid at the same value (its pattern reused)
    components_solved: int  # component LPs the suppressor's audits solved
    components_proven_before: int  # component LPs answered by a proof of the same LP (earlier build or round)
    components_proven_by_last_build: int  # of those, answered by a proof the last build kept
    suppress_seconds: float
    seconds: float

    @property
    def suppressed_share(self) -> float:
        return self.cells_suppressed / self.cells_published if self.cells_published else 0.0


def candidate_path(serving_path: Path) -> Path:
    """Where a new serving database waits for its audit."""
    return serving_path.with_name(serving_path.name + ".candidate")


def caveats() -> list[dict]:
    settings = deployment()
    raw = yaml.safe_load(CAVEATS_FILE.read_text(encoding="utf-8"))
    values = {"max_suppressed": settings.min_cell_count - 1, "unreliable_at_or_below": settings.unreliable_at_or_below}
    return [{"caveat_id": c["id"], "text": c["text"].format(**values)} for c in raw]


def true_frames(warehouse: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Every published table as the serving SQL computes it: true, unprotected counts."""
    return {name: _plain_numbers(warehouse.execute(model.sql).pl()) for name, (model, _) in serving_models().items()}


def _plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """SUM() gives DECIMAL/HUGEINT; readers (JSON, Superset) want plain integers and doubles."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            casts.append(pl.col(name).cast(pl.Int64 if (dtype.scale or 0) == 0 else pl.Float64))
        elif dtype == pl.Int128:
            casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


def calendar_bounds(warehouse: duckdb.DuckDBPyConnection) -> tuple:
    """The first and last month of the warehouse's calendar, and its complete quarters."""
    first_month, last_month = warehouse.execute(query_sql("queries/serving", "calendar_bounds")).fetchone()
    complete_quarters = [r[0] for r in warehouse.execute(query_sql("queries/serving", "complete_quarters")).fetchall()]
    return first_month, last_month, complete_quarters


def add_rankings(frames: dict[str, pl.DataFrame], truth: dict[str, pl.DataFrame], quarters: list) -> None:
    """q-values of the rising industries and the emerging hotspots with their evidence, over `quarters`."""
    frames["rising_industries"] = with_q_values(frames["rising_industries"])
    frames["emerging_hotspots"] = published_hotspots(
        truth["region_sector_quarterly"], frames["region_sector_quarterly"], frames["quarterly_by_sector"], quarters)


def build_serving(warehouse: duckdb.DuckDBPyConnection, path: Path, run_id: str | None) -> ServingReport:
    """One protected build of everything to date, as every night published before releases (kept to show, in
    tests/test_releases.py, what comparing two such builds gives away). Releases: dashboards/release."""
    started = time.perf_counter()
    settings = deployment()
    first_month, last_month, complete_quarters = calendar_bounds(warehouse)
    truth = true_frames(warehouse)
    spec = published_set(first_month, last_month, closed_only=False)
    proofs = earlier_proofs(warehouse)
    result = suppress({t.name: truth[t.name] for t in spec.tables}, spec,
                      earlier=earlier_pattern(warehouse, settings.min_cell_count), proofs=proofs)
    record_pattern(warehouse, result.hidden, settings.min_cell_count, run_id, proofs)
    satellite = protect_satellites(truth, result.frames, settings.min_cell_count)
    frames = derive({**truth, **result.frames, **satellite.frames}, settings.unreliable_at_or_below)
    add_rankings(frames, truth, complete_quarters)

    cells = sum(truth[t.name].height * len(t.counts) for t in spec.tables) + satellite.cells
    n_primary, n_complementary = result.n_primary + satellite.primary, result.n_complementary + satellite.complementary
    suppressed = n_primary + n_complementary
    stamp = {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "run_id": run_id or "",
        "state_name": settings.state_name, "region_scheme": settings.region_scheme,
        "region_label": settings.region_scheme_label, "min_cell_count": str(settings.min_cell_count),
        "period_start": str(first_month), "period_end": str(last_month), "cells_published": str(cells),
        "cells_suppressed_primary": str(n_primary),
        "cells_suppressed_complementary": str(n_complementary),
        **run_manifest(warehouse, frames["run_inputs"]),
    }
    frames["publication"] = pl.DataFrame({"key": list(stamp), "value": list(stamp.values())})
    frames["caveats"] = pl.DataFrame(caveats())
    write_database(frames, path, warehouse)
    return ServingReport(path, {n: f.height for n, f in frames.items()}, cells, suppressed, n_primary,
                         n_complementary, result.n_reused, proofs.misses, proofs.hits, proofs.hits_from_earlier_runs,
                         result.seconds, time.perf_counter() - started)


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def run_manifest(warehouse: duckdb.DuckDBPyConnection, run_inputs: pl.DataFrame) -> dict[str, str]:
    """The run manifest's stamp (its per-file part is the `run_inputs` table, one SHA-256 per file):
    which code built this database and from how many inputs."""
    unrecognised = warehouse.execute(_query("unrecognised_files")).fetchone()[0]
    return {
        "code_version": code_version(), "duckdb_version": duckdb.__version__,
        "input_files": str(run_inputs.height),
        "unrecognised_files": str(unrecognised),
        "ingest_runs": str(run_inputs["ingested_by_run"].drop_nulls().n_unique()),
    }


def with_q_values(rising: pl.DataFrame) -> pl.DataFrame:
    """Benjamini-Hochberg q-values across the sectors compared (many sectors: some rise by chance)."""
    q = benjamini_hochberg(rising["p_value"].fill_null(float("nan")).to_numpy())
    return rising.insert_column(rising.columns.index("p_value") + 1, pl.Series("q_value", q, nan_to_null=True))


def write_database(frames: dict[str, pl.DataFrame], path: Path, con: duckdb.DuckDBPyConnection) -> None:
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    con.execute(query_sql("queries/common", "attach", path=_sql_path(building), catalog="serving_build"))
    try:
        for name, frame in frames.items():
            replace_table(con, f"serving_build.{name}", frame)
    finally:
        con.execute(query_sql("queries/common", "detach", catalog="serving_build"))
    _fsync(building)
    os.replace(building, path)


def publish_candidate(serving_path: Path) -> None:
    """Swap the audited candidate in: readers see the previous file or the new one, never half of one."""
    os.replace(candidate_path(serving_path), serving_path)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
