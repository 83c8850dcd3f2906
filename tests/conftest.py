"""Shared fixtures: a private LANTERN_HOME per test, and one real demo pipeline run shared by the session.

The demo run is built once per session and shared read-only: a test that must write (refresh again, build
a briefing into the home) asks for `writable_demo_run`, a private copy. The session checks at its end that
nobody wrote into the shared run, so a test that forgets fails loudly instead of changing what later
modules read.

Tiers: every test that runs the real pipeline (or starts Superset, Chromium or a daemon) is marked
`pipeline`, so `pytest -m "not pipeline"` is the fast tier.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from support.pipeline import TEST_SECRET, lantern_env, run_pipeline

# Fixtures whose use means a real pipeline run; markers that mean a real server or browser.
PIPELINE_FIXTURES = {"clean_demo_run", "writable_demo_run", "demo_run"}
SLOW_MARKERS = {"superset", "browser", "daemon"}


@dataclass
class PipelineRun:
    home: Path
    result: object  # pipelines.run.RefreshResult
    summary: object  # sources.generator.GenerationSummary


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # a module names its own pipeline-running fixtures in PIPELINE_FIXTURES
        heavy = PIPELINE_FIXTURES | getattr(getattr(item, "module", None), "PIPELINE_FIXTURES", set())
        if heavy & set(getattr(item, "fixturenames", ())) or SLOW_MARKERS & {m.name for m in item.iter_markers()}:
            item.add_marker(pytest.mark.pipeline)


@pytest.fixture
def lantern_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "lantern"
    monkeypatch.setenv("LANTERN_HOME", str(home))
    monkeypatch.setenv("LANTERN_LINKAGE_SECRET", TEST_SECRET)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return home


def _fingerprint(home: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(home)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in home.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Two years of Missouri-scale drops with no defects, generated and run through the whole pipeline, once
    per session. Read-only: see the module docstring."""
    from sources.generator import generate

    home = tmp_path_factory.mktemp("clean_demo")
    with lantern_env(home):
        summary = generate(home / "inbox", scale="mo", years=2, seed=11, defect_rate=0.0)
        result = run_pipeline(home)
    before = _fingerprint(home)
    yield PipelineRun(home, result, summary)
    after = _fingerprint(home)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"a test wrote into the shared demo run (use writable_demo_run): {changed[:10]}"


@pytest.fixture(scope="module")
def clean_demo_run(demo_run: PipelineRun) -> PipelineRun:
    """The shared demo run, with LANTERN_HOME pointing at it for the module (read-only)."""
    with lantern_env(demo_run.home):
        yield demo_run


@pytest.fixture
def writable_demo_run(demo_run: PipelineRun, tmp_path: Path) -> PipelineRun:
    """A private copy of the demo run that a test may refresh or write into, with LANTERN_HOME set to it."""
    home = tmp_path / "demo_copy"
    shutil.copytree(demo_run.home, home)
    with lantern_env(home):
        yield replace(demo_run, home=home)
