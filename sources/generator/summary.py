"""What a run produced and what it planted: the ground truth tests and trend checks compare against."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class PlantedRise:
    """Multiply new situations in one region x sector x quarter by `factor` (for trend-detection tests).

    region: a value of the deployment's region column (e.g. Highway Patrol troop "C");
    sector_code: a sector_code of industry_sectors.csv; quarter: "YYYYQn".
    """

    region: str
    sector_code: str
    quarter: str
    factor: float

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}Q[1-4]", self.quarter):
            raise ValueError(f"quarter must look like 2025Q2, not {self.quarter!r}")
        if self.factor <= 0:
            raise ValueError("factor must be positive")


@dataclass
class GenerationSummary:
    inbox: Path
    scale: str
    years: int
    seed: int
    start_date: date
    end_date: date
    defect_rate: float
    files_written: int = 0  # every file in the inbox from this run, resent copies included
    empty_files: int = 0  # header-only files: the agency had nothing that month
    rows_per_feed: dict[str, int] = field(default_factory=dict)  # data rows in primary files (duplicates included)
    resent_rows_per_feed: dict[str, int] = field(default_factory=dict)  # rows again in the resent copies
    defects: dict[str, int] = field(default_factory=dict)  # kind -> count over all feeds
    defects_by_feed: dict[str, dict[str, int]] = field(default_factory=dict)
    resent_files: list[tuple[str, str]] = field(default_factory=list)  # (original name, copy name)
    signals_per_year: dict[int, int] = field(default_factory=dict)  # clean signal rows by received year
    cases_per_year: dict[int, int] = field(default_factory=dict)
    situations: int = 0
    planted_rise: PlantedRise | None = None
    planted_rise_truth: dict[str, float] = field(default_factory=dict)
    trend_per_year: float = 0.0  # planted growth of signal volume
    season_by_sector: dict[str, list[float]] = field(default_factory=dict)  # planted monthly factors, Jan..Dec
    linkage_noise: float = 1.0  # identifier noise factor of the agencies' copies (sources/generator/identities.py)
    # (agency, linkage_key, situation): which agency key is which synthetic situation. Kept for measurement,
    # never written into a drop.
    linkage_truth: object = None
