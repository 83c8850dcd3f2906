"""Public context files for tests: the pipeline's own graph with the context asset, and writers for
hand-made rows in the exact published formats (synthetic; no downloaded file is ever committed)."""

from __future__ import annotations

import csv
from pathlib import Path

from sources.context import load_context_contract

FBI_HEADER = load_context_contract("fbi_cde_human_trafficking").header
HOTLINE_HEADER = load_context_contract("national_hotline_state_statistics").header


def context_definitions(home: Path):
    """The pipeline's own graph and jobs, with the context asset and its checks added (serving left out)."""
    from dagster import Definitions, in_process_executor

    from pipelines.assets.briefing import quarterly_briefing
    from pipelines.assets.context import context_checks, context_drops
    from pipelines.assets.ingest import inbox_drops
    from pipelines.assets.models import model_assets, modelled_months
    from pipelines.assets.reference import reference_data
    from pipelines.jobs import all_jobs
    from pipelines.resources import pipeline_resources
    from sources.reference.paths import Paths

    return Definitions(
        # The briefing asset only so the jobs' selections resolve (it is never selected by the refresh).
        assets=[reference_data, inbox_drops, context_drops, *model_assets, modelled_months, quarterly_briefing],
        asset_checks=context_checks,
        jobs=all_jobs, executor=in_process_executor,
        resources=pipeline_resources(Paths(home)))


def run_context_job(home: Path):
    """The nightly chain (ingest -> touched months -> whole-history models) with the context asset."""
    from dagster import DagsterInstance

    from pipelines.run import run_refresh
    from sources.reference.paths import Paths

    with DagsterInstance.ephemeral() as instance:
        return run_refresh(instance=instance, definitions=context_definitions(home), paths=Paths(home), release=False)


def fbi_row(year: int, ori: str, county: str, subcat: str = "Commercial Sex Acts", actual: str = "2",
            cleared: str = "1", juvenile: str = "0", state: str = "MO", name: str = "Test Agency",
            population_group: str = "4") -> list[str]:
    return [str(year), ori, name, "Police Department", "City", state, "Missouri", "West North Central", county,
            "Midwest", population_group, "Cities from 10,000 thru 24,999", "40", "Human Trafficking", subcat, actual,
            "0", cleared, juvenile]


def write_rows(path: Path, header, rows: list[list[str]], tail: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        handle.write(tail)
    return path
