"""Sentences generated from the metrics by templates: nothing is said that a number does not say.

Labels, what a rise means (`rise`) and the serving columns of each change metric come from the metric
catalog (models/metrics.yaml). A change is significant when its 95% interval excludes 0; only then is it
called a rise or a fall. A suppressed value is never described.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.metric_catalog import Placement, load_catalog

from dashboards.vocabulary import NO_DATA, SUPPRESSED

from .numbers import bound_pct, signed_pct, whole_pct

COMPARISONS = {"qoq": "the previous quarter", "yoy": "the same quarter last year"}
ABOUT_THE_SAME_BELOW_PCT = 5  # a non-significant change smaller than this is "about the same"
RISE_MEANS = {
    "bad": {"rose": "a change for the worse", "fell": "a change for the better"},
    "good": {"rose": "a change for the better", "fell": "a change for the worse"},
    "mixed": {"rose": "more contacts can mean more awareness, not only more trafficking",
              "fell": "fewer contacts can mean less outreach, not only less trafficking"},
}


@dataclass(frozen=True)
class Change:
    pct: float | None
    low: float | None
    high: float | None
    p_value: float | None = None
    suppressed: bool = False  # built on a suppressed count: shown as suppressed, never described

    @property
    def published(self) -> bool:
        return self.pct is not None

    @property
    def significant(self) -> bool:
        """The 95% interval excludes 0."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)

    @property
    def direction(self) -> str | None:
        if not self.significant:
            return None
        return "rose" if self.low > 0 else "fell"

    @property
    def interval(self) -> str:
        if self.low is None or self.high is None:
            return "no interval"
        return f"95% CI {bound_pct(self.low)} to {bound_pct(self.high)}"


def change_placement(measure: str, comparison: str, table: str) -> Placement | None:
    """Where the catalog publishes `<measure>_<qoq|yoy>_change` in `table` (None: not published there)."""
    try:
        metric = load_catalog().metric(f"{measure}_{comparison}_change")
    except KeyError:
        return None
    return next((p for p in metric.published_in if p.table == table and p.low and p.high), None)


def change_of(row: dict[str, Any], measure: str, comparison: str, table: str) -> Change | None:
    """The change of `measure` in a serving row, or None where the catalog publishes none for the table."""
    placement = change_placement(measure, comparison, table)
    if placement is None:
        return None
    if row.get(f"{measure}_suppressed") or row.get(f"{placement.column}_flag") == "suppressed":
        return Change(None, None, None, suppressed=True)
    return Change(row.get(placement.column), row.get(placement.low), row.get(placement.high),
                  row.get(placement.p_value) if placement.p_value else None)


def label(measure: str) -> str:
    return load_catalog().metric(measure).label


def rise_meaning(measure: str, direction: str) -> str:
    return RISE_MEANS[load_catalog().metric(measure).rise][direction]


def change_sentence(measure: str, where: str, comparison: str, change: Change | None) -> str | None:
    """One sentence on a change, e.g. "Hotline signals in Troop C rose 34% on the same quarter last year
    (95% CI 12% to 61%)". `where` is "statewide", "in Troop C", ... None when there is nothing to say."""
    if change is None or not change.published:
        return None
    subject = f"{label(measure)} {where}"
    against = COMPARISONS[comparison]
    direction = change.direction
    if direction:
        return (f"{subject} {direction} {abs(whole_pct(change.pct))}% on {against} ({change.interval}); "
                f"{rise_meaning(measure, direction)}.")
    if abs(change.pct) < ABOUT_THE_SAME_BELOW_PCT:
        return (f"{subject} were about the same as {against} ({signed_pct(change.pct)}, {change.interval}; "
                "not statistically significant).")
    return (f"{subject} changed by {signed_pct(change.pct)} on {against} ({change.interval}), "
            "which is not statistically significant.")


def significance_word(change: Change | None) -> str:
    if change is None:
        return "not tested"
    if change.suppressed:
        return SUPPRESSED
    if not change.published:
        return NO_DATA
    return "yes" if change.significant else "no"


def change_cell(change: Change | None, suppressed_text: str) -> str:
    """A table cell: "+19% (95% CI -3% to 46%)"; suppressed where built on a suppressed count."""
    if change is None:
        return "not tested"
    if change.suppressed:
        return suppressed_text
    if not change.published:
        return NO_DATA
    return f"{signed_pct(change.pct)} ({bound_pct(change.low)} to {bound_pct(change.high)})" \
        if change.low is not None and change.high is not None else signed_pct(change.pct)


def hotspot_sentence(row: dict[str, Any]) -> str:
    return (f"{row['sector_name']} in {row['region_label']}: {row['observed']:,} signals against about "
            f"{row['expected']:,.0f} expected from the four quarters before ({row['ratio']:.1f} times; "
            f"q = {row['q_value']:.3f}).")


def rising_sentence(row: dict[str, Any]) -> str | None:
    """The catalog's rising-industry change, with the same significance rule."""
    change = Change(row.get("change_pct"), row.get("change_low_pct"), row.get("change_high_pct"),
                    row.get("p_value"))
    if not change.published:
        return None
    subject = f"{label('signals')} in {row['sector_name']} over {row['recent_quarters']}"
    against = f"the four quarters before ({row['prior_quarters']})"
    if change.direction:
        return f"{subject} {change.direction} {abs(whole_pct(change.pct))}% on {against} ({change.interval})."
    return (f"{subject} changed by {signed_pct(change.pct)} on {against} ({change.interval}), "
            "which is not statistically significant.")
