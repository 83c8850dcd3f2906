"""DuckDB scalar UDFs over the same numpy code, so SQL metrics and Python tests agree exactly.

Arrow-vectorised: DuckDB hands whole columns; NULL in -> NULL out (NaN results are returned as NULL).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from duckdb.sqltypes import DOUBLE

from models.stats.poisson import poisson_exact_ci_array
from models.stats.rate_ratio import rate_ratio_arrays, rate_ratio_p_array


def _np(arr: pa.Array) -> np.ndarray:
    # NULLs become NaN so every downstream function propagates them.
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _out(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.float64(), mask=np.isnan(values))


def _poisson_low(c):
    return _out(poisson_exact_ci_array(_np(c))[0])


def _poisson_high(c):
    return _out(poisson_exact_ci_array(_np(c))[1])


def _rr(idx):
    def f(a, ea, b, eb):
        return _out(rate_ratio_arrays(_np(a), _np(ea), _np(b), _np(eb))[idx])
    return f


def _rr_p(a, ea, b, eb):
    return _out(rate_ratio_p_array(_np(a), _np(ea), _np(b), _np(eb)))


def register_duckdb_functions(con) -> None:
    """Register on a DuckDB connection (95% intervals):

    poisson_ci_low(count), poisson_ci_high(count),
    rate_ratio(a, ea, b, eb), rate_ratio_low(...), rate_ratio_high(...), rate_ratio_p(...).
    a/b are counts, ea/eb exposures (population, days, or 1 for plain count comparisons).
    rate_ratio_high is +inf when b = 0; all are NULL when a + b = 0 or an exposure is <= 0.
    """
    four = [DOUBLE, DOUBLE, DOUBLE, DOUBLE]
    specs = [
        ("poisson_ci_low", _poisson_low, [DOUBLE]),
        ("poisson_ci_high", _poisson_high, [DOUBLE]),
        ("rate_ratio", _rr(0), four),
        ("rate_ratio_low", _rr(1), four),
        ("rate_ratio_high", _rr(2), four),
        ("rate_ratio_p", _rr_p, four),
    ]
    for name, fn, params in specs:
        con.create_function(name, fn, params, DOUBLE, type="arrow", null_handling="special",
                            side_effects=False)
