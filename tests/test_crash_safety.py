"""A refresh killed with SIGKILL at any moment leaves a consistent warehouse, and the next run ends where an
uninterrupted run would have; readers only ever see the previous serving database or the new one.

One small data set (a year of Missouri drops, with defects), three uninterrupted reference runs, then
ten refreshes killed at seeded random moments, each followed by a run to completion whose state is
compared with the reference. Kills land in the first ever run (schema creation, first ingest) and in a
later run that has new drops to ingest, models to rebuild and a serving database to swap.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest
from support.pipeline import TEST_SECRET

from benchmarks.refresh_process import refresh_to_completion, start_refresh
from benchmarks.state import differences, serving_state, warehouse_state
from sources.drops import parse_drop_name

PIPELINE_FIXTURES = {'references'}  # they run the real pipeline: tests using them are in the slow tier

ENVIRONMENT = {"LANTERN_LINKAGE_SECRET": TEST_SECRET}
KILLS_FROM_EMPTY = 3
KILLS_FROM_PREVIOUS = 9
LATE_MONTHS = 2  # drops of the last months arrive after the previous run


def _home_with(inbox_files: list[Path], home: Path, state_from: Path | None = None) -> Path:
    if state_from is not None:
        shutil.copytree(state_from, home)
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    for path in inbox_files:
        shutil.copy2(path, home / "inbox" / path.name)
    return home


def _timed_refresh(home: Path) -> float:
    started = time.perf_counter()
    assert refresh_to_completion(home, ENVIRONMENT) == 0, f"the uninterrupted refresh of {home} failed"
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory):
    """Drops split into earlier and late ones; the previous state; the uninterrupted end states."""
    from sources.generator import generate

    root = tmp_path_factory.mktemp("crash")
    generate(root / "drops", scale="mo", years=1, seed=23, defect_rate=0.01)
    drops = sorted((root / "drops").iterdir())
    periods = sorted({parse_drop_name(p).period[:7] for p in drops})
    late_periods = set(periods[-LATE_MONTHS:])
    late = [p for p in drops if parse_drop_name(p).period[:7] in late_periods]
    earlier = [p for p in drops if p not in late]

    previous = _home_with(earlier, root / "previous")
    _timed_refresh(previous)
    from_empty = _home_with(drops, root / "from_empty")
    seconds_from_empty = _timed_refresh(from_empty)
    from_previous = _home_with(late, root / "from_previous", state_from=previous)
    seconds_from_previous = _timed_refresh(from_previous)
    return {
        "root": root, "drops": drops, "late": late, "previous": previous,
        "empty": (from_empty, seconds_from_empty), "incremental": (from_previous, seconds_from_previous),
    }


def _check_serving_is_whole(serving: Path, allowed: list[dict]) -> None:
    """The serving file readers would open: absent only before the first publication, else one whole version."""
    if not allowed[0] and not serving.exists():
        return
    seen = serving_state(serving)  # opens read-only: fails if the file is half-written
    assert any(seen == version for version in allowed if version), (
        f"{serving} is neither the previous nor the new serving database: "
        f"{differences(next(v for v in allowed if v), seen)}")


def test_sigkill_at_random_moments_then_rerun_equals_uninterrupted_run(references, tmp_path: Path):
    rng = random.Random(8)
    previous_serving = serving_state(references["previous"] / "serving.duckdb")
    cycles = [("empty", None)] * KILLS_FROM_EMPTY + [("incremental", references["previous"])] * KILLS_FROM_PREVIOUS
    kills = 0
    for number, (kind, state_from) in enumerate(cycles):
        reference_home, reference_seconds = references[kind]
        expected_warehouse = warehouse_state(reference_home / "warehouse.duckdb")
        expected_serving = serving_state(reference_home / "serving.duckdb")
        inbox = references["drops"] if state_from is None else references["late"]
        home = _home_with(inbox, tmp_path / f"kill-{number}", state_from=state_from)

        delay = rng.uniform(0.02, 0.85) * reference_seconds  # the end of a run is a quiet write or none: land mid-run
        process = start_refresh(home, ENVIRONMENT)
        time.sleep(delay)
        killed_running = process.is_alive()
        try:
            os.kill(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # the run finished before its random moment came
            killed_running = False
        kills += killed_running
        process.join()
        before = {} if state_from is None else previous_serving
        _check_serving_is_whole(home / "serving.duckdb", [before, expected_serving])
        assert not (home / "serving.duckdb.building").exists() or killed_running

        assert refresh_to_completion(home, ENVIRONMENT) == 0, f"the run after kill {number} ({delay:.2f} s) failed"
        assert differences(expected_warehouse, warehouse_state(home / "warehouse.duckdb")) == [], (
            f"after a SIGKILL at {delay:.2f} s ({kind}) the next run's warehouse differs from an uninterrupted run's")
        assert serving_state(home / "serving.duckdb") == expected_serving
        shutil.rmtree(home)
    # a kill that came after its run had finished proves nothing: most must land mid-run
    assert kills >= 10, f"only {kills} of {len(cycles)} kills landed while a refresh was running"
