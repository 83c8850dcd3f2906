"""suppress(): primary + complementary suppression over a whole published set, verified by the audit."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import polars as pl

from dashboards.disclosure.audit import AuditReport
from dashboards.disclosure.complementary import complementary_suppression
from dashboards.disclosure.primary import primary_mask
from dashboards.disclosure.proofs import ProofCache
from dashboards.disclosure.relations import build_system
from dashboards.disclosure.spec import PublishedSet, suppressed_column


PATTERN_SCHEMA = {"table_name": pl.Utf8, "count_name": pl.Utf8, "cell_key": pl.Utf8, "true_value": pl.Float64}
# Cells an earlier release published: `hidden` says whether it hid them (dashboards/release).
FROZEN_SCHEMA = {"table_name": pl.Utf8, "count_name": pl.Utf8, "cell_key": pl.Utf8, "hidden": pl.Boolean}


@dataclass
class SuppressionResult:
    frames: dict[str, pl.DataFrame]  # counts NULL where suppressed, plus <count>_suppressed
    audit: AuditReport  # the passing audit of the final pattern
    n_primary: int
    n_complementary: int
    rounds: int
    seconds: float
    hidden: pl.DataFrame  # every suppressed cell with its TRUE value (PATTERN_SCHEMA): private, never published
    n_reused: int = 0  # cells hidden because an earlier pattern hid them at the same value


def suppress(frames: dict[str, pl.DataFrame], spec: PublishedSet, *, protect_sums: bool = True,
             max_rounds: int = 100, earlier: pl.DataFrame | None = None,
             proofs: ProofCache | None = None, frozen: pl.DataFrame | None = None) -> SuppressionResult:
    """Apply disclosure control to true counts. Derived columns (rates...) are not touched here:
    recompute or protect them afterwards with rates.protect_derived on the returned frames.

    `earlier` (an earlier result's `hidden`) starts the search from that pattern: a cell it hid at the value
    it has now is hidden again from the start. A nightly run then settles only what new data changed
    (the search from nothing takes dozens of rounds at national scale), and a cell hidden last night is
    not shown tonight at an unchanged value. The final pattern passes the same complete audit either way.
    `proofs` (proofs.ProofCache) answers the audit's component LPs that an earlier run solved exactly as
    posed tonight; it gains tonight's new ones.
    """
    t0 = time.perf_counter()
    system = build_system(spec, frames)
    values, _ = system.values(frames, published=False)
    k = spec.min_cell_count
    primary = primary_mask(values, k)
    reused = _reused(system, values, earlier)
    frozen_hidden, frozen_shown = _frozen(system, values, frozen)
    supp, report, rounds = complementary_suppression(system, values, primary | reused | frozen_hidden, k,
                                                     protect_sums=protect_sums, max_rounds=max_rounds, proofs=proofs,
                                                     fixed=frozen_shown | frozen_hidden)
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
    hidden = (_cell_keys(system, values).filter(pl.Series(supp & real))
              .select(list(PATTERN_SCHEMA)).cast(PATTERN_SCHEMA))
    return SuppressionResult(out, report, int(primary[real].sum()), int((supp & ~primary)[real].sum()),
                             rounds, time.perf_counter() - t0, hidden, int((reused & ~primary).sum()))


def _cell_keys(system, values: np.ndarray) -> pl.DataFrame:
    return system.cells.select("cell_id", pl.col("table").alias("table_name"), pl.col("count").alias("count_name"),
                               pl.col("key").alias("cell_key")).with_columns(pl.Series("true_value", values))


def _frozen(system, values: np.ndarray, frozen: pl.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the cells an earlier release hid and showed."""
    hidden = np.zeros(system.cells.height, dtype=bool)
    shown = np.zeros(system.cells.height, dtype=bool)
    if frozen is None or frozen.is_empty():
        return hidden, shown
    keys = ["table_name", "count_name", "cell_key"]
    found = _cell_keys(system, values).join(frozen.cast(FROZEN_SCHEMA), on=keys, how="inner")
    ids = found["cell_id"].to_numpy()
    was_hidden = found["hidden"].to_numpy()
    hidden[ids[was_hidden]] = True
    shown[ids[~was_hidden]] = True
    return hidden, shown


def _reused(system, values: np.ndarray, earlier: pl.DataFrame | None) -> np.ndarray:
    """Cells the earlier pattern hid whose true value has not changed since (absent rows never count)."""
    mask = np.zeros(system.cells.height, dtype=bool)
    if earlier is None or earlier.is_empty():
        return mask
    same = _cell_keys(system, values).join(earlier.cast(PATTERN_SCHEMA), on=list(PATTERN_SCHEMA), how="semi")
    mask[same["cell_id"].to_numpy()] = True
    mask &= system.cells["row"].to_numpy() >= 0
    return mask
