"""Statistics for the metric SQL, each checked against an independent computation."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import stats

from models.stats import (
    benjamini_hochberg, compare_rates, emerging_hotspots, poisson_exact_ci, rate_ratio_ci, seasonal_factors,
    register_duckdb_functions,
)

# --- exact Poisson interval ------------------------------------------------------------------------

# Garwood 95% limits as tabulated (e.g. Ulm 1990, Am J Epidemiol 131:373; CDC/NCHS tables).
GARWOOD = {0: (0.0, 3.689), 1: (0.0253, 5.572), 2: (0.242, 7.225), 5: (1.624, 11.668),
           10: (4.795, 18.390), 20: (12.217, 30.888), 100: (81.364, 121.627)}


@pytest.mark.parametrize("count,ref", GARWOOD.items())
def test_poisson_ci_matches_published_table(count, ref):
    low, high = poisson_exact_ci(count)
    assert low == pytest.approx(ref[0], abs=1e-3)
    assert high == pytest.approx(ref[1], abs=1e-3)


def test_poisson_ci_covers_at_least_nominal():
    rng = np.random.default_rng(42)
    for mu in [0.5, 2.0, 5.0, 12.0, 40.0, 150.0]:
        x = rng.poisson(mu, 20_000)
        lows, highs = zip(*(poisson_exact_ci(int(v)) for v in range(x.max() + 1)))
        lows, highs = np.asarray(lows)[x], np.asarray(highs)[x]
        cover = np.mean((lows <= mu) & (mu <= highs))
        assert 0.945 <= cover <= 1.0, (mu, cover)  # exact intervals are conservative


def test_poisson_ci_rejects_bad_counts():
    with pytest.raises(ValueError):
        poisson_exact_ci(-1)
    with pytest.raises(ValueError):
        poisson_exact_ci(2.5)


# --- rate ratio -------------------------------------------------------------------------------------

def test_rate_ratio_p_matches_binomtest():
    rng = np.random.default_rng(1)
    for _ in range(200):
        a, b = (int(v) for v in rng.integers(0, 60, 2))
        if a + b == 0:
            continue
        ea, eb = rng.uniform(1e4, 1e6, 2)
        _, _, _, p = rate_ratio_ci(a, ea, b, eb)
        ref = stats.binomtest(a, a + b, ea / (ea + eb)).pvalue
        assert p == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_rate_ratio_interval_inverts_the_exact_one_sided_tests():
    # At the limits, the conditional binomial tail equals alpha/2 (the definition of the exact interval).
    for a, ea, b, eb in [(30, 1.0, 15, 1.0), (12, 5e5, 20, 2e6), (3, 1.0, 9, 1.0)]:
        ratio, low, high, _ = rate_ratio_ci(a, ea, b, eb)
        assert ratio == pytest.approx((a / ea) / (b / eb))
        pi = lambda rr: rr * ea / (rr * ea + eb)  # noqa: E731
        assert stats.binom.sf(a - 1, a + b, pi(low)) == pytest.approx(0.025, rel=1e-6)
        assert stats.binom.cdf(a, a + b, pi(high)) == pytest.approx(0.025, rel=1e-6)


def test_rate_ratio_edge_cases():
    ratio, low, high, p = rate_ratio_ci(0, 1, 0, 1)
    assert np.isnan(ratio) and np.isnan(p)
    ratio, low, high, p = rate_ratio_ci(7, 1, 0, 1)
    assert ratio == np.inf and high == np.inf and low > 1
    ratio, low, high, p = rate_ratio_ci(0, 1, 7, 1)
    assert ratio == 0 and low == 0 and high < 1


def test_compare_rates_qoq_and_yoy():
    qoq = compare_rates(60, 30)  # this quarter vs previous, same exposure
    assert qoq.change_pct == pytest.approx(100.0)
    assert qoq.is_significant and qoq.change_low_pct > 0 and qoq.p_value < 0.05
    yoy = compare_rates(33, 30)  # vs same quarter last year: a 10% rise that is noise
    assert yoy.change_pct == pytest.approx(10.0)
    assert not yoy.is_significant and yoy.change_low_pct < 0 < yoy.change_high_pct


def test_rate_ratio_interval_coverage():
    rng = np.random.default_rng(3)
    true_rr, ea, eb = 1.5, 2.0, 3.0  # e.g. per-capita rates on different populations
    hits = 0
    n = 3000
    for _ in range(n):
        a, b = rng.poisson(8.0 * ea * true_rr), rng.poisson(8.0 * eb)
        _, low, high, _ = rate_ratio_ci(a, ea, b, eb)
        hits += low <= true_rr <= high
    assert hits / n >= 0.94


# --- DuckDB UDFs ------------------------------------------------------------------------------------

def test_duckdb_udfs_equal_python():
    con = duckdb.connect()
    register_duckdb_functions(con)
    rows = [(0, 1.0, 0, 1.0), (1, 1.0, 4, 1.0), (12, 5e5, 20, 2e6), (100, 1.0, 80, 1.0), (7, 1.0, 0, 1.0),
            (None, 1.0, 3, 1.0), (5, None, 3, 1.0)]
    con.execute("CREATE TABLE t (a BIGINT, ea DOUBLE, b BIGINT, eb DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    got = con.execute("""
        SELECT poisson_ci_low(a), poisson_ci_high(a), rate_ratio(a, ea, b, eb), rate_ratio_low(a, ea, b, eb),
               rate_ratio_high(a, ea, b, eb), rate_ratio_p(a, ea, b, eb) FROM t""").fetchall()
    for (a, ea, b, eb), g in zip(rows, got):
        if a is None:
            assert all(v is None for v in g)
            continue
        assert g[:2] == pytest.approx(poisson_exact_ci(a))
        if ea is None or a + b == 0:
            assert g[2:] == (None, None, None, None)
            continue
        assert g[2:] == pytest.approx(rate_ratio_ci(a, ea, b, eb))


def test_duckdb_udfs_vectorised_on_many_rows():
    con = duckdb.connect()
    register_duckdb_functions(con)
    got = con.execute("SELECT i, poisson_ci_high(i) FROM range(5000) r(i) ORDER BY i").fetchnumpy()
    ref = stats.chi2.ppf(0.975, 2 * got["i"] + 2) / 2
    np.testing.assert_allclose(got["poisson_ci_high(i)"], ref)


# --- emerging hotspots ------------------------------------------------------------------------------

QUARTERLY_STATEWIDE = 170.0  # ~680 signals a year: Missouri hotline volumes
CELL_MEANS = QUARTERLY_STATEWIDE * (lambda w: w / w.sum())(np.random.default_rng(0).gamma(2.0, 1.0, 30))


def grid(seed: int, plant: int | None = None, factor: float = 3.0) -> pl.DataFrame:
    """30 cells (6 regions x 5 sectors) x 12 quarters of Poisson counts; optional rise in the last quarter."""
    rng = np.random.default_rng(seed)
    rows = []
    for q in range(12):
        mu = CELL_MEANS.copy()
        if plant is not None and q == 11:
            mu[plant] *= factor
        for i, c in enumerate(rng.poisson(mu)):
            rows.append((f"R{i // 5}", f"S{i % 5}", f"{2022 + q // 4}Q{q % 4 + 1}", int(c)))
    return pl.DataFrame(rows, schema=["region", "sector", "quarter", "count"], orient="row")


def test_hotspot_evidence_matches_independent_computation():
    df = grid(7, plant=int(np.argsort(CELL_MEANS)[-3]))
    got = emerging_hotspots(df)
    assert got.height == 30 * 8  # quarters 5..12 have four trailing quarters
    wide = df.pivot(on="quarter", index=["region", "sector"], values="count").sort(["region", "sector"])
    quarters = sorted(df["quarter"].unique())
    for qi in range(4, 12):
        obs = wide[quarters[qi]].to_numpy()
        trailing = sum(wide[quarters[qi - l]].to_numpy() for l in range(1, 5))
        p = np.array([stats.binomtest(int(o), int(o + s), 0.2, alternative="greater").pvalue
                      if o + s > 0 else 1.0 for o, s in zip(obs, trailing)])
        q = stats.false_discovery_control(np.where(obs >= 5, p, 1.0), method="bh")
        g = got.filter(pl.col("quarter") == quarters[qi]).sort(["region", "sector"])
        np.testing.assert_allclose(g["expected"].to_numpy(), trailing / 4)
        np.testing.assert_array_equal(g["observed"].to_numpy(), obs)
        np.testing.assert_allclose(g["p_value"].to_numpy(), p, rtol=1e-9)
        np.testing.assert_allclose(g["q_value"].to_numpy(), np.where(obs >= 5, q, np.nan), rtol=1e-9)
        np.testing.assert_array_equal(g["is_emerging"].to_numpy(), (obs >= 5) & (q <= 0.05))


def test_planted_threefold_rise_is_flagged():
    target = int(np.argsort(CELL_MEANS)[-3])  # a busy-but-ordinary cell (~13 signals a quarter)
    key = (f"R{target // 5}", f"S{target % 5}")
    hits = 0
    for seed in range(100):
        last = emerging_hotspots(grid(5000 + seed, plant=target)).filter(pl.col("quarter") == "2024Q4")
        row = last.filter((pl.col("region") == key[0]) & (pl.col("sector") == key[1]))
        hits += row["is_emerging"].item()
        if seed == 0:
            assert row["is_emerging"].item() and row["ratio"].item() > 2
            assert row["q_value"].item() <= 0.05 and row["observed"].item() > row["expected"].item()
    assert hits >= 85, f"power {hits}%"


@pytest.mark.parametrize("method,limit", [("conditional", 0.05)])
def test_unchanged_series_false_positive_rate(method, limit):
    flagged = []
    for seed in range(200):
        h = emerging_hotspots(grid(1000 + seed), method=method)
        flagged += h.group_by("quarter").agg(pl.col("is_emerging").any())["is_emerging"].to_list()
    rate = float(np.mean(flagged))
    print(f"\n{method}: share of quarters with any false flag over 200 seeds = {rate:.4f} (n={len(flagged)})")
    assert rate <= limit


def test_poisson_method_is_anticonservative_documented():
    # Treating the trailing mean as known ignores its noise: many more false flags at these volumes.
    flagged = []
    for seed in range(100):
        h = emerging_hotspots(grid(1000 + seed), method="poisson")
        flagged += h.group_by("quarter").agg(pl.col("is_emerging").any())["is_emerging"].to_list()
    assert np.mean(flagged) > 0.05


SEASON = np.array([[0.6, 1.0, 1.7, 0.7], [1.0, 1.0, 1.0, 1.0], [1.4, 0.8, 0.6, 1.2], [0.8, 1.3, 1.1, 0.8],
                   [1.0, 0.7, 1.5, 0.8]])  # per sector, quarter of the year: mean 1


def seasonal_grid(seed: int, scale: float = 20.0, quarters: int = 16) -> pl.DataFrame:
    """`grid` at national volume with a strong seasonal profile per sector, and no change at all."""
    rng = np.random.default_rng(seed)
    rows = []
    for q in range(quarters):
        mu = scale * CELL_MEANS * SEASON[np.arange(30) % 5, q % 4]
        for i, c in enumerate(rng.poisson(mu)):
            rows.append((f"R{i // 5}", f"S{i % 5}", f"{2022 + q // 4}Q{q % 4 + 1}", int(c)))
    return pl.DataFrame(rows, schema=["region", "sector", "quarter", "count"], orient="row")


def _with_seasons(frame: pl.DataFrame) -> pl.DataFrame:
    totals = frame.group_by("sector", "quarter").agg(pl.col("count").sum())
    return emerging_hotspots(frame, seasonal=seasonal_factors(totals, "sector", "quarter", "count"))


def test_seasonal_peaks_are_not_emerging_once_adjusted():
    """A busy season every year is not a rise: unadjusted, the trailing-four-quarter test flags it (the
    false flags seen at us scale); adjusted by each sector's profile from earlier years it holds the rate."""
    raw, adjusted = [], []
    for seed in range(60):
        frame = seasonal_grid(3000 + seed)
        late = pl.col("quarter") >= "2024Q1"  # two whole years of history: factors exist
        raw += emerging_hotspots(frame).filter(late).group_by("quarter").agg(pl.col("is_emerging").any())[
            "is_emerging"].to_list()
        adjusted += _with_seasons(frame).filter(late).group_by("quarter").agg(pl.col("is_emerging").any())[
            "is_emerging"].to_list()
    assert np.mean(raw) > 0.5, np.mean(raw)
    assert np.mean(adjusted) <= 0.06, np.mean(adjusted)


def test_seasonal_adjustment_keeps_a_planted_rise():
    hits = 0
    target = int(np.argsort(CELL_MEANS)[-3])  # sector S{target % 5}
    for seed in range(40):
        frame = seasonal_grid(4000 + seed).with_columns(
            pl.when((pl.col("region") == f"R{target // 5}") & (pl.col("sector") == f"S{target % 5}")
                    & (pl.col("quarter") == "2025Q4")).then(pl.col("count") * 2).otherwise(pl.col("count"))
            .alias("count"))
        row = _with_seasons(frame).filter((pl.col("quarter") == "2025Q4") & (pl.col("region") == f"R{target // 5}")
                                          & (pl.col("sector") == f"S{target % 5}"))
        hits += row["is_emerging"].item()
        assert row["seasonal_factor"].item() == pytest.approx(SEASON[target % 5, 3], rel=0.1)
    assert hits >= 36, hits


def test_seasonal_factors_use_only_earlier_whole_years_and_published_counts():
    quarters = [f"{2022 + q // 4}Q{q % 4 + 1}" for q in range(12)]
    totals = pl.DataFrame({"sector": ["a"] * 12, "quarter": quarters, "count": [10, 20, 30, 40] * 3})
    factors = seasonal_factors(totals, "sector", "quarter", "count", pseudo_count=0.0)
    assert factors["quarter"].to_list() == quarters[8:]  # from two whole years of history on
    assert factors["seasonal_factor"].to_list() == pytest.approx([0.4, 0.8, 1.2, 1.6])
    spiked = totals.with_columns(pl.when(pl.col("quarter") == "2024Q1").then(1000).otherwise(pl.col("count"))
                                 .alias("count"))
    spiked_factors = seasonal_factors(spiked, "sector", "quarter", "count", pseudo_count=0.0)
    assert spiked_factors["seasonal_factor"][0] == pytest.approx(0.4)  # a quarter never informs its own factor
    hidden = totals.with_columns(pl.when(pl.col("quarter") == "2022Q3").then(None).otherwise(pl.col("count"))
                                 .alias("count"))
    # a suppressed total: no factor for the quarters whose two-year history holds it
    assert seasonal_factors(hidden, "sector", "quarter", "count")["quarter"].to_list() == quarters[11:]


def test_hotspots_require_full_window_and_fill_missing_as_zero():
    df = pl.DataFrame({"region": ["A"] * 3 + ["B"] * 6,
                       "sector": ["x"] * 9,
                       "quarter": ["2024Q1", "2024Q2", "2025Q2", "2024Q1", "2024Q2", "2024Q3", "2024Q4",
                                   "2025Q1", "2025Q2"],
                       "count": [2, 1, 9, 3, 2, 4, 3, 2, 30]})
    out = emerging_hotspots(df, complete_grid=True)
    a = out.filter((pl.col("region") == "A") & (pl.col("quarter") == "2025Q2"))
    assert a["expected"].item() == pytest.approx((1 + 0 + 0 + 0) / 4)  # absent quarters are zeros
    out = emerging_hotspots(df, complete_grid=False)
    assert out.filter(pl.col("region") == "A").height == 0  # no full window without the grid
    b = out.filter((pl.col("region") == "B") & (pl.col("quarter") == "2025Q2"))
    assert b["is_emerging"].item()


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(5).uniform(size=50) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p))
