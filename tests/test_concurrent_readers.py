"""Readers of the serving database never get an error while a refresh rebuilds and swaps it.

A query loop and the static site build read the serving file, read-only, the whole time a refresh with
new drops runs in another process; the loop must see the swap happen (old run id, then the new one) and
no reader may fail. (Superset reads the same file the same way; it is exercised by `make bench` when up.)
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pytest
from support.pipeline import TEST_SECRET

from dashboards.site import build_site
from benchmarks.refresh_process import refresh_to_completion, start_refresh
from sources.drops import parse_drop_name

pytestmark = pytest.mark.pipeline  # every test here runs the real pipeline

ENVIRONMENT = {"LANTERN_LINKAGE_SECRET": TEST_SECRET}


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A home refreshed with all but the last two months of drops, and those late drops."""
    from sources.generator import generate

    root = tmp_path_factory.mktemp("readers")
    generate(root / "drops", scale="mo", years=1, seed=41, defect_rate=0.01)
    drops = sorted((root / "drops").iterdir())
    late_periods = sorted({parse_drop_name(p).period[:7] for p in drops})[-2:]
    late = [p for p in drops if parse_drop_name(p).period[:7] in late_periods]
    home = root / "home"
    (home / "inbox").mkdir(parents=True)
    for path in drops:
        if path not in late:
            shutil.copy2(path, home / "inbox" / path.name)
    assert refresh_to_completion(home, ENVIRONMENT) == 0
    return home, late


def _read_everything(serving: Path) -> str:
    """What a dashboard does: open read-only, read every table, close. Returns the publishing run's id."""
    with duckdb.connect(str(serving), read_only=True) as con:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            con.execute(f'SELECT * FROM "{table}"').fetchall()
        return con.execute("SELECT value FROM publication WHERE key = 'run_id'").fetchone()[0]


def test_readers_see_no_error_while_a_refresh_swaps_the_internal_database(previous_run, tmp_path: Path):
    home, late = previous_run
    internal, serving = home / "internal.duckdb", home / "serving.duckdb"
    first_run_id = _read_everything(internal)
    for path in late:
        shutil.copy2(path, home / "inbox" / path.name)

    errors: list[str] = []
    run_ids_seen: list[str] = []
    reads = site_builds = 0
    refresh = start_refresh(home, ENVIRONMENT)
    while refresh.is_alive():
        try:
            run_id = _read_everything(internal)
            if not run_ids_seen or run_ids_seen[-1] != run_id:
                run_ids_seen.append(run_id)
            reads += 1
            if reads % 10 == 0:
                build_site(serving, tmp_path / "site")
                site_builds += 1
        except Exception as error:  # every kind of reader failure counts
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.01)
    refresh.join()

    assert refresh.exitcode == 0
    assert errors == []
    assert reads > 20 and site_builds > 0
    assert run_ids_seen[0] == first_run_id and len(run_ids_seen) == 2, (
        f"the readers should have seen the old database, then the new one: {run_ids_seen}")
    assert _read_everything(internal) == run_ids_seen[-1]
