"""The months a generation run covers, and day numbers (days since 1970-01-01) for vectorized dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def previous_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Month:
    index: int  # 0 = first month of the run
    year: int
    month: int
    first_day: int  # day number
    last_day: int  # day number, capped at the run's end_date
    full_days: int  # days in the calendar month (more than `days` when the run ends mid-month)

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1

    @property
    def quarter(self) -> str:
        return f"{self.year}Q{(self.month - 1) // 3 + 1}"


def months_covering(end_date: date, years: int) -> list[Month]:
    """`years` x 12 calendar months ending with end_date's month (the last one may be partial)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    end_number = day_number(end_date)
    months = []
    for k in range(years * 12):
        back = years * 12 - 1 - k
        y, m = divmod(end_date.year * 12 + end_date.month - 1 - back, 12)
        m += 1
        first = date(y, m, 1)
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        last = min(day_number(nxt) - 1, end_number)
        months.append(Month(k, y, m, day_number(first), last, (nxt - first).days))
    return months


def month_index_of(days: np.ndarray, months: list[Month]) -> np.ndarray:
    """Month index for each day number; -1 before the run, len(months) after it."""
    starts = np.array([m.first_day for m in months], dtype=np.int64)
    idx = np.searchsorted(starts, days, side="right") - 1
    idx[days > months[-1].last_day] = len(months)
    return idx
