"""Quarter labels ("2026Q3") and their first days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

LABEL = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> "Quarter":
        match = LABEL.match(label.strip().upper())
        if not match:
            raise ValueError(f"not a quarter: {label!r} (expected e.g. 2026Q3)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        following = self.next().start
        return following - dt.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    @property
    def months(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def __str__(self) -> str:
        return self.label
