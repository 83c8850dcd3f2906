"""The outputs' one reader of a published database: the threshold has one source and fails closed."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dashboards import published
from dashboards.briefing.data import load as load_briefing
from dashboards.briefing.quarters import Quarter
from dashboards.site.data import load as load_site


def _database(path, stamp: dict[str, str]):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE publication (key VARCHAR, value VARCHAR)")
        for key, value in stamp.items():
            con.execute("INSERT INTO publication VALUES (?, ?)", [key, value])
    return path


@pytest.mark.parametrize("stamp", [{}, {"min_cell_count": ""}, {"min_cell_count": "eleven"},
                                   {"min_cell_count": "1"}, {"period_end": "2026-11-30"}])
def test_a_missing_or_unusable_threshold_stops_the_site_and_the_briefing(tmp_path, stamp):
    database = _database(tmp_path / "serving.duckdb", stamp)
    with pytest.raises(published.UnstampedPublication, match="serving.duckdb"):
        load_site(database)
    with pytest.raises(published.UnstampedPublication, match="min_cell_count"):
        load_briefing(database, Quarter.of(dt.date(2026, 7, 1)))


def test_the_stamped_threshold_is_the_one_used(tmp_path):
    con = duckdb.connect(str(_database(tmp_path / "serving.duckdb", {"min_cell_count": "5"})), read_only=True)
    assert published.threshold(published.publication(con)) == 5
    row = published.protect({"signals": 4, "cases": 5}, ("signals", "cases"), 5)
    assert row == {"signals": None, "signals_suppressed": True, "cases": 5, "cases_suppressed": False}


def test_the_disclosure_spec_has_no_default_threshold():
    from dashboards.disclosure import PublishedSet, TableSpec

    with pytest.raises(TypeError, match="min_cell_count"):
        PublishedSet([TableSpec("t", ["region"], ["signals"])])


def test_superset_notes_take_the_threshold_from_the_deployment():
    from dashboards.superset.catalog import SPEC_DIR, load_specs
    from sources.reference import deployment

    raw = (SPEC_DIR / "notes.yaml").read_text(encoding="utf-8")
    assert "{max_suppressed}" in raw and "from 1 to 10" not in raw  # no second copy of the threshold
    assert f"from 1 to {deployment().min_cell_count - 1} is never shown" in load_specs().notes["suppression"]
