"""The briefing's sentences: a significant rise is called a rise, a non-significant change never is, and a
suppressed value is never described. Rows are crafted with the serving columns the metric catalog names."""

from __future__ import annotations

import pytest

from dashboards.briefing.narrative import change_cell, change_of, change_placement, change_sentence, label
from dashboards.briefing.quarters import Quarter
from models.metric_catalog import load_catalog

TABLE = "area_quarterly"


def _row(comparison: str, pct: float | None, low: float | None, high: float | None, **extra) -> dict:
    """An area_quarterly row with one change filled in, column names taken from the catalog."""
    placement = change_placement("signals", comparison, TABLE)
    return {"signals": 120, "signals_suppressed": False, placement.column: pct, placement.low: low,
            placement.high: high, placement.p_value: 0.01, **extra}


def test_change_columns_come_from_the_metric_catalog():
    metric = load_catalog().metric("signals_yoy_change")
    expected = next(p for p in metric.published_in if p.table == TABLE)
    assert change_placement("signals", "yoy", TABLE) == expected
    assert change_placement("people_in_cases", "yoy", TABLE) is None  # the catalog publishes no such change


def test_planted_significant_rise_is_described_as_a_rise_with_its_interval():
    change = change_of(_row("yoy", 34.2, 12.4, 61.0), "signals", "yoy", TABLE)
    sentence = change_sentence("signals", "in Troop C", "yoy", change)
    assert sentence.startswith(f"{label('signals')} in Troop C rose 34% on the same quarter last year "
                               "(95% CI 12% to 61%)")


def test_significant_fall_is_described_as_a_fall():
    change = change_of(_row("qoq", -40.0, -60.0, -12.0), "signals", "qoq", TABLE)
    sentence = change_sentence("signals", "statewide", "qoq", change)
    assert " fell 40% on the previous quarter (95% CI -60% to -12%)" in sentence
    assert "rose" not in sentence


@pytest.mark.parametrize("pct, low, high", [(25.0, -19.2, 94.4), (45.0, 0.0, 110.0), (-22.0, -58.2, 42.8)])
def test_non_significant_change_is_not_called_a_rise_or_fall(pct, low, high):
    change = change_of(_row("yoy", pct, low, high), "signals", "yoy", TABLE)
    sentence = change_sentence("signals", "in Troop A", "yoy", change)
    assert "rose" not in sentence and "fell" not in sentence
    assert "not statistically significant" in sentence


def test_small_non_significant_change_reads_about_the_same():
    change = change_of(_row("qoq", 2.3, -17.4, 26.6), "signals", "qoq", TABLE)
    assert "were about the same as the previous quarter (+2%" in change_sentence("signals", "statewide", "qoq", change)


def test_suppressed_count_is_never_described_and_its_change_shows_suppressed():
    row = _row("yoy", 300.0, 150.0, 500.0, signals=None, signals_suppressed=True)
    change = change_of(row, "signals", "yoy", TABLE)
    assert change_sentence("signals", "in Troop B", "yoy", change) is None
    assert change_cell(change, "suppressed") == "suppressed"


def test_significant_rise_states_what_a_rise_means_from_the_catalog():
    change = change_of(_row("yoy", 34.0, 12.0, 61.0), "signals", "yoy", TABLE)
    assert load_catalog().metric("signals").rise == "mixed"
    assert "more awareness" in change_sentence("signals", "statewide", "yoy", change)


def test_quarter_labels_round_trip_and_step():
    q = Quarter.parse("2026Q1")
    assert (q.label, q.start.isoformat(), q.end.isoformat()) == ("2026Q1", "2026-01-01", "2026-03-31")
    assert q.previous().label == "2025Q4" and q.next().label == "2026Q2"
    with pytest.raises(ValueError):
        Quarter.parse("2026Q5")
