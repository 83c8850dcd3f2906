"""Issue #15: a panel split within groups whose totals may be hidden (Polaris venue types within their sector, whose
year the main set suppresses when it is small). The share hidden is measured against the panel's overall total, a
group with a hidden total counts as hidden as a whole, and rolled up each group has its own "Other" (the group's
published total minus the categories shown), suppressed where that total is. Hand-built published frames, judged
by the release's own code (dashboards/release/grain.py) and drawn by the outputs' (dashboards/panels.py)."""

from __future__ import annotations

import polars as pl
import pytest

from dashboards import panels as views
from dashboards.release import grain

K = 11
SPEC = {"title": "Signals by venue type", "surfaces": ["site"], "count": "signals", "grains": [
    {"grain": "year", "table": "venues", "where": {}, "period": "year", "category": "venue_type",
     "total": {"table": "sectors", "where": {"sector_code": "!all"}, "by": ["sector_code"], "by_label": "sector",
               "overall": {"table": "sectors", "where": {"sector_code": "all"}}}}]}


def _frames() -> dict[str, pl.DataFrame]:
    # sector A (total 300): a1 150 and a2 120 shown, a3 30 hidden with a4 (0 < 11 would be primary; 0 here is
    # hidden only as a complement); sector B (total 8, hidden in the main set): both its venues hidden with it
    venues = pl.DataFrame({
        "year": [2025] * 5, "venue_type": ["a1", "a2", "a3", "b1", "b2"], "sector_code": ["A", "A", "A", "B", "B"],
        "signals": [150, 120, None, None, None], "signals_suppressed": [False, False, True, True, True]})
    sectors = pl.DataFrame({"year": [2025] * 3, "sector_code": ["all", "A", "B"], "signals": [308, 300, None],
                            "signals_suppressed": [False, False, True]})
    return {"venues": venues, "sectors": sectors}


@pytest.fixture
def venue_panel(monkeypatch):
    monkeypatch.setattr(grain, "panels", lambda: {"venues": SPEC})


def test_a_hidden_group_total_counts_as_hidden_against_the_overall_total(venue_panel):
    table, rolled = grain.choose_grains(_frames())
    plain = table.filter(pl.col("rollup") == "none").row(0, named=True)
    # shown 270 of 308: 38 hidden (a3 30 under A's shown total, and B's 8 whose total is hidden)
    assert plain["hidden_share_pct"] == round(100 * 38 / 308, 1)
    rolled_up = table.filter(pl.col("rollup") == "other").row(0, named=True)
    # a3 rolled into A's "Other" (30, shown); b1, b2 into B's, suppressed with B's total: 8 of 308 hidden
    assert rolled_up["hidden_share_pct"] == round(100 * 8 / 308, 1)
    assert rolled_up["other_share_pct"] == round(100 * 30 / 308, 1)
    assert (rolled_up["cells"], rolled_up["cells_hidden"]) == (4, 1)  # a1, a2, A's Other, B's Other (hidden)
    assert sorted(rolled["member"].to_list()) == ["a3", "b1", "b2"]


def test_each_group_draws_its_own_other_suppressed_where_its_total_is(venue_panel):
    cells = views._cells(_frames(), SPEC["grains"][0], "signals", ["a3", "b1", "b2"], K, "Signals")
    others = {c.group: (c.value, c.suppressed) for c in cells if c.other}
    assert others == {"A": (30, False), "B": (None, True)}
    assert {c.category for c in cells if not c.other} == {"a1", "a2"}


def test_a_group_with_nothing_rolled_up_has_no_other(venue_panel):
    frames = _frames()
    frames["venues"] = frames["venues"].with_columns(  # B's venues shown (its total too): nothing of B rolled up
        pl.when(pl.col("sector_code") == "B").then(4).otherwise(pl.col("signals")).alias("signals"),
        (pl.col("venue_type") == "a3").alias("signals_suppressed"))
    frames["sectors"] = frames["sectors"].with_columns(pl.lit(False).alias("signals_suppressed"),
                                                       pl.col("signals").fill_null(8))
    others = grain.remainders(frames, SPEC["grains"][0], "signals", ["a3"])
    assert others["sector_code"].to_list() == ["A"]
