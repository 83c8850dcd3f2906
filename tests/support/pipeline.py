"""Run the real pipeline in tests: the refresh job, in process, against DuckDB files under a home folder."""

from __future__ import annotations

from pathlib import Path

# The linkage secret every test run uses (never a production secret).
TEST_SECRET = "test-linkage-secret-not-for-production"


def run_pipeline(home: Path):
    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions
    from pipelines.run import run_refresh
    from pipelines.settings import Paths

    with DagsterInstance.ephemeral() as instance:
        return run_refresh(instance=instance, definitions=build_definitions(Paths(home)))
