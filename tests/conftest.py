"""Shared fixtures: a private LANTERN_HOME per test, and one real pipeline run shared by a module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from support.pipeline import TEST_SECRET, lantern_env, run_pipeline



@dataclass
class PipelineRun:
    home: Path
    result: object  # pipelines.run.RefreshResult
    summary: object  # sources.generator.GenerationSummary


@pytest.fixture
def lantern_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "lantern"
    monkeypatch.setenv("LANTERN_HOME", str(home))
    monkeypatch.setenv("LANTERN_LINKAGE_SECRET", TEST_SECRET)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return home


@pytest.fixture(scope="module")
def clean_demo_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Two years of Missouri-scale drops with no defects, generated and run through the whole pipeline."""
    from sources.generator import generate

    home = tmp_path_factory.mktemp("clean_demo")
    with lantern_env(home):
        summary = generate(home / "inbox", scale="mo", years=2, seed=11, defect_rate=0.0)
        result = run_pipeline(home)
        yield PipelineRun(home, result, summary)
