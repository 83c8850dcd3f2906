"""Exact (Garwood) confidence interval for a Poisson count."""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2


def poisson_exact_ci_array(count, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Garwood interval; NaN in -> NaN out; negative or non-integer counts -> NaN.

    low = chi2(alpha/2; 2x)/2 (0 when x = 0), high = chi2(1 - alpha/2; 2x + 2)/2.
    """
    x = np.asarray(count, dtype=float)
    bad = ~np.isfinite(x) | (x < 0) | (x != np.floor(np.where(np.isfinite(x), x, 0)))
    xs = np.where(bad, 0.0, x)
    with np.errstate(invalid="ignore"):
        low = np.where(xs > 0, chi2.ppf(alpha / 2, 2 * np.maximum(xs, 1e-300)) / 2, 0.0)
        high = chi2.ppf(1 - alpha / 2, 2 * xs + 2) / 2
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    return low, high


def poisson_exact_ci(count: int, alpha: float = 0.05) -> tuple[float, float]:
    """Garwood exact interval for a Poisson mean given one observed count (guaranteed coverage >= 1 - alpha)."""
    if count is None or count < 0 or int(count) != count:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    low, high = poisson_exact_ci_array([count], alpha)
    return float(low[0]), float(high[0])
