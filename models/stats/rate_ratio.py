"""Comparing two Poisson rates (QoQ, YoY): exact conditional binomial test and interval.

Given a + b events, a ~ Binomial(a + b, pi) with pi = ea*r_a / (ea*r_a + eb*r_b). Under equal rates
pi0 = ea / (ea + eb). A Clopper-Pearson interval for pi maps monotonically to the rate ratio
RR = (pi / (1 - pi)) * (eb / ea), so the ratio interval is exact (conservative) as well.
For plain counts (QoQ of counts) pass equal exposures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import beta, binomtest


def _valid(a, ea, b, eb):
    a, ea, b, eb = (np.asarray(v, dtype=float) for v in (a, ea, b, eb))
    ok = (
        np.isfinite(a) & np.isfinite(b) & np.isfinite(ea) & np.isfinite(eb)
        & (a >= 0) & (b >= 0) & (ea > 0) & (eb > 0) & (a + b > 0)
    )
    return a, ea, b, eb, ok


def rate_ratio_arrays(a, ea, b, eb, alpha: float = 0.05):
    """Vectorised (ratio, low, high). Invalid rows (NaN, a + b = 0, exposure <= 0) give NaN.

    b = 0 gives ratio = high = inf; a = 0 gives ratio = low = 0 (honest, not NaN).
    """
    a, ea, b, eb, ok = _valid(a, ea, b, eb)
    n = a + b
    scale = np.where(ok, eb / np.where(ok, ea, 1.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, (a / ea) / (b / eb), np.nan)
        # Clopper-Pearson on pi = a / n; guards keep beta.ppf away from zero shape parameters.
        pi_lo = np.where(a > 0, beta.ppf(alpha / 2, np.maximum(a, 1e-300), n - a + 1), 0.0)
        pi_hi = np.where(a < n, beta.ppf(1 - alpha / 2, a + 1, np.maximum(n - a, 1e-300)), 1.0)
        low = np.where(pi_lo > 0, pi_lo / (1 - pi_lo) * scale, 0.0)
        high = np.where(pi_hi < 1, pi_hi / (1 - pi_hi) * scale, np.inf)
    low = np.where(ok, low, np.nan)
    high = np.where(ok, high, np.nan)
    return ratio, low, high


@lru_cache(maxsize=65536)
def _binom_p(k: int, n: int, p: float) -> float:
    return float(binomtest(k, n, p, alternative="two-sided").pvalue)


def rate_ratio_p_array(a, ea, b, eb):
    """Two-sided exact conditional p-value for H0: equal rates (scipy's binomtest, minimum-likelihood method)."""
    a, ea, b, eb, ok = _valid(a, ea, b, eb)
    out = np.full(a.shape, np.nan)
    for i in np.flatnonzero(ok & (a == np.floor(a)) & (b == np.floor(b))):
        out[i] = _binom_p(int(a[i]), int(a[i] + b[i]), float(ea[i] / (ea[i] + eb[i])))
    return out


def rate_ratio_ci(count_a, exposure_a, count_b, exposure_b, alpha: float = 0.05):
    """(ratio, low, high, p_value) for rate a vs rate b; NaN when a + b = 0 (nothing to compare)."""
    ratio, low, high = rate_ratio_arrays([count_a], [exposure_a], [count_b], [exposure_b], alpha)
    p = rate_ratio_p_array([count_a], [exposure_a], [count_b], [exposure_b])
    return float(ratio[0]), float(low[0]), float(high[0]), float(p[0])


@dataclass(frozen=True)
class RateComparison:
    """'a vs b' as a ratio and as a percent change, with the exact interval."""

    ratio: float
    low: float
    high: float
    p_value: float
    change_pct: float
    change_low_pct: float
    change_high_pct: float
    is_significant: bool  # the interval excludes 1 (equivalently p < alpha up to test/interval mismatch)


def compare_rates(count_a, count_b, exposure_a: float = 1.0, exposure_b: float = 1.0,
                  alpha: float = 0.05) -> RateComparison:
    """Change of a (e.g. this quarter) against b (previous quarter for QoQ, same quarter last year for YoY)."""
    ratio, low, high, p = rate_ratio_ci(count_a, exposure_a, count_b, exposure_b, alpha)
    sig = bool(np.isfinite(low) and (low > 1 or high < 1))
    return RateComparison(ratio, low, high, p, (ratio - 1) * 100, (low - 1) * 100, (high - 1) * 100, sig)
