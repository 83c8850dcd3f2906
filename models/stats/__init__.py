"""Statistics used by the metric SQL: exact Poisson intervals, rate ratios, emerging hotspots.

Pure functions (numpy/scipy) plus `register_duckdb_functions` so the same code runs inside DuckDB SQL.
"""

from models.stats.poisson import poisson_exact_ci
from models.stats.rate_ratio import RateComparison, compare_rates, rate_ratio_ci
from models.stats.hotspots import benjamini_hochberg, emerging_hotspots, seasonal_factors
from models.stats.duckdb_udf import register_duckdb_functions

__all__ = [
    "poisson_exact_ci",
    "rate_ratio_ci",
    "compare_rates",
    "RateComparison",
    "emerging_hotspots",
    "seasonal_factors",
    "benjamini_hochberg",
    "register_duckdb_functions",
]
