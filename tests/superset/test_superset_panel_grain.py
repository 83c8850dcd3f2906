"""Issue #15: Superset draws the headline panels at the grain their release chose. The release-only datasets
`<panel>_at_grain` (SQL in specs/serving.yaml) must give, on a real release, exactly the cells the static site
draws for the panel (dashboards/panels.py `load_views`: period, label, value, suppressed), and a grain choice
planted in a copy of the release must switch them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards import panels
from dashboards.superset.catalog import load_specs

AT_GRAIN = {"signals_by_type": ("signals_by_type_at_grain", "trafficking_type_label"),
            "signals_by_sector": ("signals_by_sector_at_grain", "sector_name")}
QUARTER_STARTS = {1, 4, 7, 10}


@pytest.fixture(scope="module")
def release(clean_demo_run, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel_grain") / "serving.duckdb"
    shutil.copyfile(clean_demo_run.home / "serving.duckdb", path)
    return path


def _dataset_cells(db: Path, panel: str) -> list[tuple]:
    dataset, label = AT_GRAIN[panel]
    sql = load_specs().datasets[dataset]["sql"]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(f"SELECT CAST(period_start AS VARCHAR), period_label, {label}, signals, "
                           f"signals_suppressed FROM ({sql})").fetchall()
    return sorted(rows, key=repr)


def _site_cells(db: Path, panel: str) -> list[tuple]:
    view = panels.load(db, "site")[panel]
    return sorted(((c.period, c.period_label, c.label, c.value, c.suppressed) for c in view.cells), key=repr)


def _chosen(db: Path, panel: str) -> tuple[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT grain, rollup FROM grain WHERE panel = ? AND chosen", [panel]).fetchone()


def _planted(release: Path, tmp_path: Path, panel: str, grain: str, rollup: str) -> Path:
    planted = tmp_path / f"{panel}_{grain}_{rollup}.duckdb"
    shutil.copyfile(release, planted)
    with duckdb.connect(str(planted)) as con:
        con.execute("UPDATE grain SET chosen = (grain = ? AND rollup = ?) WHERE panel = ?", [grain, rollup, panel])
        assert con.execute("SELECT count(*) FROM grain WHERE panel = ? AND chosen", [panel]).fetchone()[0] == 1
    return planted


@pytest.mark.parametrize("panel", sorted(AT_GRAIN))
def test_superset_draws_the_panel_as_the_site_does(release, panel):
    cells = _dataset_cells(release, panel)
    assert cells and cells == _site_cells(release, panel)
    assert all(value is None for _, _, _, value, hidden in cells if hidden)  # a hidden value is never 0


def test_at_mo_volume_the_type_panel_is_quarterly_not_monthly(release):
    """The case of the issue: monthly lines would hide too much of the count; the release chooses the quarter."""
    assert _chosen(release, "signals_by_type")[0] == "quarter"
    starts = {period for period, *_ in _dataset_cells(release, "signals_by_type")}
    assert {int(p[5:7]) for p in starts} <= QUARTER_STARTS and len(starts) > 4


def _options(db: Path, panel: str) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT grain, rollup FROM grain WHERE panel = ? AND NOT chosen ORDER BY grain_rank",
                           [panel]).fetchall()


@pytest.mark.parametrize("panel", sorted(AT_GRAIN))
def test_a_planted_grain_choice_switches_the_chart_data(release, tmp_path, panel):
    """Every other grain the release offers, planted as its choice (the month among them: what the type chart
    drew before), is what the dataset then gives, as the site would draw it."""
    before = _dataset_cells(release, panel)
    options = _options(release, panel)
    assert options
    for grain, rollup in options:
        planted = _planted(release, tmp_path, panel, grain, rollup)
        cells = _dataset_cells(planted, panel)
        assert cells == _site_cells(planted, panel), (grain, rollup)
        assert cells != before, (grain, rollup)
        starts = {int(period[5:7]) for period, *_ in cells}
        assert bool(starts - QUARTER_STARTS) == (grain == "month"), (grain, rollup)
        assert ({1} == starts) == (grain == "year"), (grain, rollup)
        labels = {label for _, _, label, _, _ in cells}
        assert ("Other" in labels) == (rollup == "other"), (grain, rollup)
