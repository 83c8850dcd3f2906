"""When a release is due and which months it covers (deployment.yaml `releases:`)."""

from __future__ import annotations

from datetime import date, timedelta

from sources.reference import deployment


def _month_before(d: date) -> date:
    return date(d.year - (d.month == 1), 12 if d.month == 1 else d.month - 1, 1)


def release_cutoff(as_of: date) -> date:
    """The last month (its first day) a release cut on `as_of` covers: the newest month that had been closed
    for `lag_days`, or for a quarterly cadence the last month of the newest such quarter."""
    settings = deployment()
    settled = as_of - timedelta(days=settings.release_lag_days)
    last = _month_before(settled.replace(day=1))
    if settings.release_cadence == "quarterly":
        while last.month % 3:
            last = _month_before(last)
    return last


def release_id(cutoff: date) -> str:
    """A release is named by the last month it covers: one release per closed period, never overwritten."""
    return f"{cutoff:%Y-%m}"


def release_due(as_of: date, latest_cutoff: date | None) -> bool:
    """A release is due when the calendar has closed a month no kept release covers yet."""
    return latest_cutoff is None or release_cutoff(as_of) > latest_cutoff
