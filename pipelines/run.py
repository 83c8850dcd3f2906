"""Run the refresh job in this process, against the Dagster instance of DAGSTER_HOME when set."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dagster import DagsterInstance

from dagster import Definitions

from pipelines.definitions import build_definitions
from pipelines.settings import lantern_paths


@dataclass
class RefreshResult:
    success: bool
    run_id: str
    steps: list[tuple[str, str]]
    failed_checks: list[str]

    def summary(self) -> str:
        lines = [f"Refresh {'succeeded' if self.success else 'FAILED'} (run {self.run_id})"]
        lines += [f"  {status:<8} {step}" for step, status in self.steps if status != "success"]
        lines += [f"  check failed: {name}" for name in self.failed_checks]
        return "\n".join(lines)


def dagster_instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def run_refresh(instance: DagsterInstance | None = None, definitions: Definitions | None = None,
                log_level: str = "WARNING") -> RefreshResult:
    job = (definitions or build_definitions(lantern_paths())).resolve_job_def("refresh")
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    with (instance or dagster_instance()) as active:
        result = job.execute_in_process(instance=active, raise_on_error=False, run_config=run_config)
        steps = [(event.step_key, event.event_type_value) for event in result.all_events
                 if event.is_step_failure or event.is_step_skipped]
        failed = [e.event_specific_data.asset_check_name if hasattr(e.event_specific_data, "asset_check_name") else str(e)
                  for e in result.get_asset_check_evaluations() if not e.passed]
        return RefreshResult(result.success and not failed, result.run_id,
                             [(s or "", t.replace("STEP_", "").lower()) for s, t in steps], failed)
