"""Linkage quality as a measured fact (issue #18, docs/linkage.md): generate drops whose agencies hold noisy
identifiers and send only tokens, link them with the task force's models, and score the situations formed
against the generator's truth.

    python -m benchmarks.linkage SCALE NOISE FOLDER [THRESHOLDS]

prints one JSON object on its last line: generation and linkage seconds, pairwise precision / recall / F1 at the
configured threshold (and at each of THRESHOLDS, comma-separated, when given).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from sources.generator import generate
from models.linkage_quality import measure

SEED, YEARS, END = 7, 3, date(2026, 10, 31)


def run(scale: str, noise: float, folder: Path, thresholds: tuple[float, ...] = ()) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    summary = generate(folder, scale=scale, years=YEARS, seed=SEED, end_date=END, defect_rate=0.0,
                       linkage_noise=noise)
    generated = time.perf_counter()
    found = measure(folder, summary.linkage_truth, thresholds)
    linked = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    return {"scale": scale, "noise": noise, "generate_seconds": round(generated - started, 1),
            "link_seconds": round(linked - generated, 1), "rows": sum(summary.rows_per_feed.values()), **found}


if __name__ == "__main__":
    scale, noise, folder = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    sweep = tuple(float(t) for t in sys.argv[4].split(",")) if len(sys.argv) > 4 else ()
    print(json.dumps(run(scale, noise, folder, sweep)))
