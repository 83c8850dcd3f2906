"""A refresh in a child process that can be killed at any moment (SIGKILL), as a crash would.

Children are forked from a forkserver that has already imported Dagster and the pipeline, so each
refresh starts in well under a second instead of paying the import again: the crash tests run many.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

_PRELOAD = ["pipelines.definitions", "pipelines.run", "dashboards.serving", "dashboards.site", "polars", "duckdb"]
_context = None


def _fork_context():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(_PRELOAD)
    return _context


def _refresh_child(home: str, environment: dict[str, str]) -> None:
    os.environ.update(environment)
    os.environ["LANTERN_HOME"] = home
    os.environ.pop("DAGSTER_HOME", None)  # an ephemeral Dagster instance: nothing shared between runs
    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions
    from pipelines.run import run_refresh
    from sources.reference.paths import Paths

    with DagsterInstance.ephemeral() as instance:
        result = run_refresh(instance=instance, definitions=build_definitions(Paths(Path(home))))
    os._exit(0 if result.success else 3)


def start_refresh(home: Path, environment: dict[str, str] | None = None):
    """Start a refresh of `home` in a child process; returns the multiprocessing.Process."""
    process = _fork_context().Process(target=_refresh_child, args=(str(home), dict(environment or {})), daemon=True)
    process.start()
    return process


def refresh_to_completion(home: Path, environment: dict[str, str] | None = None, timeout: float = 600) -> int:
    """Run a refresh of `home` in a child process to its end; returns its exit code (0: success)."""
    process = start_refresh(home, environment)
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        raise TimeoutError(f"refresh of {home} did not finish in {timeout} s")
    return process.exitcode
