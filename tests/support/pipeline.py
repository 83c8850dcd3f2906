"""Run the real pipeline in tests: the refresh job, in process, against DuckDB files under a home folder."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

# The linkage secret every test run uses (never a production secret).
TEST_SECRET = "test-linkage-secret-not-for-production"


@contextmanager
def lantern_env(home: Path):
    """LANTERN_HOME and the test linkage secret for pipeline runs in this process (an ephemeral Dagster
    instance: DAGSTER_HOME unset), restored afterwards."""
    names = ("LANTERN_HOME", "LANTERN_LINKAGE_SECRET", "DAGSTER_HOME")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(LANTERN_HOME=str(home), LANTERN_LINKAGE_SECRET=TEST_SECRET)
    os.environ.pop("DAGSTER_HOME", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_pipeline(home: Path, full: bool = False, instance=None, release=True):
    """`lantern refresh` on `home`, on an ephemeral Dagster instance unless one is given (to read its events).
    `release`: cut the release due today (True), on that date, or none (False)."""
    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions
    from pipelines.run import run_refresh
    from sources.reference.paths import Paths

    if instance is not None:
        return run_refresh(instance=instance, definitions=build_definitions(Paths(home)), full=full, paths=Paths(home),
                           release=release)
    with DagsterInstance.ephemeral() as ephemeral:
        return run_pipeline(home, full, ephemeral, release)
