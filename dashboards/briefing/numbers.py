"""How the briefing writes numbers. A suppressed count is written as suppressed, never as 0 or blank."""

from __future__ import annotations

from typing import Any

from dashboards.vocabulary import NO_DATA, SUPPRESSED

NOT_PUBLISHED = NO_DATA  # one word for "nothing behind this cell" everywhere (dashboards/vocabulary.py)
__all__ = ["NOT_PUBLISHED", "SUPPRESSED", "count", "derived", "share", "suppressed_note"]


def suppressed_note(min_cell: int) -> str:
    return (f"suppressed = hidden to protect victims: a count from 1 to {min_cell - 1}, or one hidden so that "
            f"such a count cannot be worked out from totals (not zero); {NO_DATA} = nothing reported or nothing to "
            "compare with")


def count(row: dict[str, Any] | None, column: str, min_cell: int) -> str:
    if row is None:
        return NOT_PUBLISHED
    if row.get(f"{column}_suppressed"):
        return SUPPRESSED
    value = row.get(column)
    return NOT_PUBLISHED if value is None else f"{int(value):,}"


def derived(row: dict[str, Any], column: str, min_cell: int, fmt: str = "{:,.1f}", suffix: str = "") -> str:
    """A derived value with its flag: suppressed, or marked unreliable (20 or fewer events)."""
    flag = row.get(f"{column}_flag")
    value = row.get(column)
    if flag == "suppressed":
        return SUPPRESSED
    if value is None:
        return NOT_PUBLISHED
    text = fmt.format(value) + suffix
    return f"{text} (unreliable)" if flag == "unreliable" else text


def share(row: dict[str, Any], column: str, min_cell: int) -> str:
    return derived(row, column, min_cell, fmt="{:.0%}")


def whole_pct(value: float) -> int:
    """Percent rounded to a whole number (half away from zero), so text and tests agree."""
    return int(abs(value) + 0.5) * (1 if value >= 0 else -1)


def signed_pct(value: float) -> str:
    rounded = whole_pct(value)
    return "0%" if rounded == 0 else f"{rounded:+d}%"


def bound_pct(value: float) -> str:
    rounded = whole_pct(value)
    return f"{rounded}%"
