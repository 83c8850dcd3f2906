"""suppress(): primary + complementary suppression over a whole published set, verified by the audit."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import polars as pl

from dashboards.disclosure.audit import AuditReport
from dashboards.disclosure.complementary import complementary_suppression
from dashboards.disclosure.primary import primary_mask
from dashboards.disclosure.relations import build_system
from dashboards.disclosure.spec import PublishedSet, suppressed_column


@dataclass
class SuppressionResult:
    frames: dict[str, pl.DataFrame]  # counts NULL where suppressed, plus <count>_suppressed
    audit: AuditReport  # the passing audit of the final pattern
    n_primary: int
    n_complementary: int
    rounds: int
    seconds: float


def suppress(frames: dict[str, pl.DataFrame], spec: PublishedSet, *, protect_sums: bool = True,
             max_rounds: int = 100) -> SuppressionResult:
    """Apply disclosure control to true counts. Derived columns (rates...) are not touched here:
    recompute or protect them afterwards with rates.protect_derived on the returned frames."""
    t0 = time.perf_counter()
    system = build_system(spec, frames)
    values, _ = system.values(frames, published=False)
    k = spec.min_cell_count
    primary = primary_mask(values, k)
    supp, report, rounds = complementary_suppression(system, values, primary, k,
                                                     protect_sums=protect_sums, max_rounds=max_rounds)
    out = dict(frames)  # tables outside the spec pass through untouched
    cells = system.cells
    for t in spec.tables:
        df = frames[t.name]
        for c in t.counts:
            sel = (cells["table"] == t.name) & (cells["count"] == c) & (cells["row"] >= 0)
            rows = cells.filter(sel)["row"].to_numpy()
            mask = np.zeros(df.height, dtype=bool)
            mask[rows] = supp[cells.filter(sel)["cell_id"].to_numpy()]
            flag = pl.Series(suppressed_column(c), mask)
            df = df.with_columns(pl.when(flag).then(None).otherwise(pl.col(c)).alias(c))
            df = df.drop(flag.name, strict=False)
            df = df.insert_column(df.columns.index(c) + 1, flag)
        out[t.name] = df
    real = cells["row"].to_numpy() >= 0
    return SuppressionResult(out, report, int(primary[real].sum()), int((supp & ~primary)[real].sum()),
                             rounds, time.perf_counter() - t0)
