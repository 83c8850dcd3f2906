"""How many signals each month: scale level, mild upward trend, sector seasonality, planted rise.

Calibrated to the published Missouri hotline figures (domain.md): 651-1093 signals a year since 2019, about
700 a year in 2022-2024, about a third of them cases. Nationally about 32,000 signals a year.
"""

from __future__ import annotations

import numpy as np

# Signals a year at the end of the run. Repeat contacts about a known situation (REPEAT_SHARE) are part
# of it, so situations are level / (1 + REPEAT_SHARE).
SIGNALS_PER_YEAR = {"mo": 740, "us": 32_000, "stress": 2_000_000}
TREND_PER_YEAR = 0.02  # mild growth: awareness campaigns, not necessarily more trafficking
REPEAT_SHARE = 0.05  # situations reported a second time (to another hotline, or a follow-up call)

# Monthly factors (Jan..Dec) per sector, normalised to mean 1 so the annual total is kept.
_SEASON = {
    "agriculture": [0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.5, 1.7, 1.5, 0.9, 0.7],  # harvest Aug-Oct
    "hospitality": [0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.35, 1.25, 1.0, 0.9, 0.8, 0.8],  # summer tourism
    "construction_industry": [0.7, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.2, 1.15, 1.05, 0.9, 0.7],
    "entertainment": [0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.8, 0.7],  # carnival season
    "street_economy": [0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 0.9, 1.0],  # sales crews
}


def season(sector_code: str) -> np.ndarray:
    """12 factors, mean 1. Sectors without a pattern (commercial sex, online...) are flat."""
    raw = np.array(_SEASON.get(sector_code, [1.0] * 12), dtype=float)
    return raw / raw.mean()


def situations_per_month(scale: str, months_before_end: float, month_days: int, full_days: int) -> float:
    """Expected new situations in a month `months_before_end` months before the last one."""
    if scale not in SIGNALS_PER_YEAR:
        raise ValueError(f"scale must be one of {sorted(SIGNALS_PER_YEAR)}, not {scale!r}")
    level = SIGNALS_PER_YEAR[scale] / (1 + REPEAT_SHARE)
    trend = (1 + TREND_PER_YEAR) ** (-months_before_end / 12)
    return level / 12 * trend * month_days / full_days
