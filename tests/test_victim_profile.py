"""The victim profile (issue #16 item 2): one-way distributions of the statewide signals and cases by trafficking
type, per quarter and year, each attribute protected on its own against the type totals the main set publishes.

Unit tests attack synthetic profiles (small, exact); the demo tests compare every published cell with an
independent count straight from the drop files, attack the published file, and read the site and briefing."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from dashboards.disclosure.profile import Profile, audit_profile, protect, quarterly_parents
from dashboards.disclosure.relations import cell_labels
from dashboards.disclosure.suppress import FROZEN_SCHEMA

K = 11
PROFILE = Profile("victim_profile", ("profile_signals",))
COUNTS = {"profile_signals": "signals"}
REFERENCE = Path(__file__).resolve().parents[1] / "sources" / "reference" / "profile_categories.csv"


# --- synthetic profiles ---------------------------------------------------------------------------------------

def synthetic(quarters: list[dt.date], seed: int = 3, with_year: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(profile rows, industry_quarterly-like statewide rows) for one attribute, two types and 'all'. Sizes
    like a state's: sex ~100 a quarter over four categories, labor ~30."""
    rng = np.random.default_rng(seed)
    means = {"sex": [45, 30, 15, 6], "labor": [4, 14, 8, 3]}
    rows = []
    for q in quarters:
        for t, mu in means.items():
            for cat, m in zip("abcd", mu):
                rows.append({"quarter": q, "trafficking_type": t, "category": cat, "profile_signals": int(rng.poisson(m))})
    cells = pl.DataFrame(rows)
    cells = pl.concat([cells, cells.group_by("quarter", "category").agg(pl.col("profile_signals").sum())
                       .with_columns(pl.lit("all").alias("trafficking_type")).select(cells.columns)])
    quarterly = cells.group_by("quarter", "trafficking_type").agg(pl.col("profile_signals").sum().alias("signals"))
    detail = cells.select(pl.col("quarter").dt.strftime("%YQ").alias("period") + pl.col("quarter").dt.quarter().cast(pl.Utf8),
                          pl.lit("quarter").alias("period_grain"), pl.col("quarter").alias("period_start"),
                          pl.col("quarter").dt.year().cast(pl.Int32).alias("year"), "trafficking_type",
                          pl.lit("gender").alias("attribute"), "category", "profile_signals")
    if with_year:
        years = (detail.group_by("year", "trafficking_type", "category").agg(pl.col("profile_signals").sum())
                 .select(pl.col("year").cast(pl.Utf8).alias("period"), pl.lit("year").alias("period_grain"),
                         pl.date(pl.col("year"), 1, 1).alias("period_start"), "year", "trafficking_type",
                         pl.lit("gender").alias("attribute"), "category", "profile_signals"))
        detail = pl.concat([detail, years])
    return detail.sort("period_grain", "period_start", "trafficking_type", "category"), quarterly


QUARTERS_2025 = [dt.date(2025, m, 1) for m in (1, 4, 7, 10)]


def protected_synthetic(hide_quarter: dt.date | None = None, **kwargs):
    detail, quarterly = synthetic(QUARTERS_2025, **kwargs)
    parents = quarterly_parents(PROFILE, quarterly, COUNTS)
    hidden = (pl.col("quarter") == hide_quarter) if hide_quarter else pl.lit(False)
    shown_quarterly = quarterly.with_columns(
        pl.when(hidden & pl.col("trafficking_type").is_in(["labor", "sex"]))
        .then(None).otherwise(pl.col("signals")).alias("signals"))
    shown = quarterly_parents(PROFILE, shown_quarterly, COUNTS)
    return detail, parents, shown, protect(PROFILE, detail, parents, shown, K)


def test_protected_profile_shows_no_small_count_and_passes_its_audit():
    detail, _, shown, published = protected_synthetic()
    values = published["profile_signals"]
    assert not values.drop_nulls().is_between(1, K - 1).any()
    assert published["profile_signals_suppressed"].sum() > 0
    # hidden cells are NULL (never 0); shown cells are the true counts
    joined = published.join(detail, on=["period", "trafficking_type", "category"], suffix="_true")
    assert (joined.filter(pl.col("profile_signals_suppressed"))["profile_signals"].is_null()).all()
    shown_cells = joined.filter(~pl.col("profile_signals_suppressed"))
    assert (shown_cells["profile_signals"] == shown_cells["profile_signals_true"]).all()
    assert audit_profile(PROFILE, published, shown, K).passed


def test_audit_catches_a_small_hidden_category_recoverable_from_its_type_total():
    detail, _, shown, published = protected_synthetic()
    truth = dict(zip(cell_labels(detail, list(PROFILE.dimensions)), detail["profile_signals"].to_list()))
    keys = cell_labels(published, list(PROFILE.dimensions))
    small = [i for i, k in enumerate(keys) if published["profile_signals_suppressed"][i] and 1 <= truth[k] < K]
    assert small, "the synthetic profile must have a small hidden cell"
    row = published.row(small[0], named=True)
    same_total = ((pl.col("period") == row["period"]) & (pl.col("trafficking_type") == row["trafficking_type"])
                  & (pl.col("category") != row["category"]))
    # show every other category of its period and type (their true values): the total gives it away
    true_by_key = pl.Series("t", [truth[k] for k in keys])
    leaky = published.with_columns(
        pl.when(same_total).then(true_by_key).otherwise(pl.col("profile_signals")).alias("profile_signals"),
        pl.when(same_total).then(False).otherwise(pl.col("profile_signals_suppressed")).alias("profile_signals_suppressed"))
    report = audit_profile(PROFILE, leaky, shown, K)
    assert not report.passed
    assert f"period={row['period']}, trafficking_type={row['trafficking_type']}, attribute=gender, " \
           f"category={row['category']}" in report.failures["key"].to_list()


def test_a_type_total_the_main_set_hides_hides_every_category_under_it_and_the_audit_fails_one_shown():
    q3 = dt.date(2025, 7, 1)
    detail, _, shown, published = protected_synthetic(hide_quarter=q3)
    under = published.filter((pl.col("period").is_in(["2025Q3", "2025"]))
                             & pl.col("trafficking_type").is_in(["sex", "labor"]))
    assert under.height == 16 and under["profile_signals_suppressed"].all()  # the quarter and its year
    assert audit_profile(PROFILE, published, shown, K).passed
    big = detail.filter((pl.col("period") == "2025Q3") & (pl.col("trafficking_type") == "sex")
                        & (pl.col("category") == "a"))["profile_signals"].item()
    leaky = published.with_columns(
        pl.when((pl.col("period") == "2025Q3") & (pl.col("trafficking_type") == "sex") & (pl.col("category") == "a"))
        .then(pl.lit(big)).otherwise(pl.col("profile_signals")).alias("profile_signals"))
    report = audit_profile(PROFILE, leaky.drop("profile_signals_suppressed"), shown, K)
    assert not report.passed
    assert "shown under a parent total the main set does not give" in report.failures["reason"].to_list()


def test_a_profile_whose_categories_do_not_add_up_is_refused():
    """A multi-valued field (several means of control per signal) would count a signal in several categories:
    the categories would exceed the total, and protection against the total would be wrong. Refused."""
    detail, quarterly = synthetic(QUARTERS_2025)
    parents = quarterly_parents(PROFILE, quarterly, COUNTS)
    doubled = detail.with_columns(pl.when(pl.col("category") == "a").then(pl.col("profile_signals") + 5)
                                  .otherwise(pl.col("profile_signals")).alias("profile_signals"))
    with pytest.raises(ValueError, match="do not add up"):
        protect(PROFILE, doubled, parents, parents, K)


def test_a_release_that_closes_the_year_keeps_every_cell_the_earlier_release_published():
    """First release: Q1 and Q2 of 2025. Second: all four quarters and the year. Every cell of the first is
    published again exactly as it was (frozen), and the second passes the audit."""
    full, quarterly = synthetic(QUARTERS_2025, seed=6)  # a seed where protecting afresh would change Q1/Q2 cells
    first_detail = full.filter(pl.col("period").is_in(["2025Q1", "2025Q2"]))
    first_quarterly = quarterly.filter(pl.col("quarter") < dt.date(2025, 7, 1))
    first_parents = quarterly_parents(PROFILE, first_quarterly, COUNTS)
    first = protect(PROFILE, first_detail, first_parents.filter(pl.col("period_grain") == "quarter"),
                    first_parents.filter(pl.col("period_grain") == "quarter"), K)
    frozen = pl.DataFrame({"table_name": PROFILE.table, "count_name": "profile_signals",
                           "cell_key": cell_labels(first, list(PROFILE.dimensions)),
                           "hidden": first["profile_signals_suppressed"]}, schema=FROZEN_SCHEMA)
    parents = quarterly_parents(PROFILE, quarterly, COUNTS)
    second = protect(PROFILE, full, parents, parents, K, frozen=frozen)
    again = first.join(second, on=["period", "trafficking_type", "category"], suffix="_2")
    assert again.height == first.height
    assert (again["profile_signals_suppressed"] == again["profile_signals_suppressed_2"]).all()
    assert (again["profile_signals"].fill_null(-1) == again["profile_signals_2"].fill_null(-1)).all()
    assert audit_profile(PROFILE, second, parents, K).passed
    assert second.filter(pl.col("period") == "2025").height == 12
    afresh = first.join(protect(PROFILE, full, parents, parents, K), on=["period", "trafficking_type", "category"],
                        suffix="_2")
    assert (afresh["profile_signals_suppressed"] != afresh["profile_signals_suppressed_2"]).any(), \
        "without the frozen cells the second release would change the first one's"


# --- the demo: every published cell against the drop files ----------------------------------------------------

def read_drops(inbox: Path) -> pl.DataFrame:
    frames = [pl.read_csv(p, infer_schema=False) if p.suffix == ".csv" else pl.read_parquet(p).select(pl.all().cast(pl.Utf8))
              for p in sorted(inbox.glob("hotline_signals__*"))]
    return pl.concat(frames, how="diagonal_relaxed")


def grouping() -> dict[tuple[str, str], str]:
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return {(r["attribute"], r["code"]): r["category"] for r in csv.DictReader(handle)}


def true_profile(inbox: Path) -> pl.DataFrame:
    """Per period (quarter and year), type (and 'all'), attribute and published category: signals and cases,
    counted from the drop files with the reference grouping read as plain CSV."""
    groups = grouping()
    signals = read_drops(inbox).with_columns(pl.col("received_date").str.to_date().alias("day"),
                                             (pl.col("is_case") == "true").alias("case"))
    long = []
    for attribute in ("age_band", "gender", "recruitment", "means_of_control", "contact_method"):
        codes = signals[attribute].fill_null("not_recorded").to_list()
        long.append(signals.select("day", "trafficking_type", "case").with_columns(
            pl.lit(attribute).alias("attribute"),
            pl.Series("category", [groups[(attribute, c)] for c in codes])))
    long = pl.concat(long)
    periods = [long.with_columns((pl.col("day").dt.year().cast(pl.Utf8) + "Q" + pl.col("day").dt.quarter().cast(pl.Utf8))
                                 .alias("period")),
               long.with_columns(pl.col("day").dt.year().cast(pl.Utf8).alias("period"))]
    long = pl.concat(periods)
    by_type = long.group_by("period", "trafficking_type", "attribute", "category").agg(
        pl.len().alias("signals_true"), pl.col("case").sum().alias("cases_true"))
    all_types = long.group_by("period", "attribute", "category").agg(
        pl.len().alias("signals_true"), pl.col("case").sum().alias("cases_true")).with_columns(
        pl.lit("all").alias("trafficking_type"))
    return pl.concat([by_type, all_types.select(by_type.columns)])


def _serving(run, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(run.home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).pl()


def test_every_published_profile_cell_equals_an_independent_count_from_the_drop_files(clean_demo_run):
    truth = true_profile(clean_demo_run.home / "inbox")
    published = _serving(clean_demo_run, "SELECT * FROM victim_profile").join(
        truth, on=["period", "trafficking_type", "attribute", "category"], how="left").with_columns(
        pl.col("signals_true").fill_null(0), pl.col("cases_true").fill_null(0))
    assert set(published["attribute"]) == {"age_band", "gender", "recruitment", "means_of_control", "contact_method"}
    assert set(published["period_grain"]) == {"quarter", "year"}
    for count, true in (("profile_signals", "signals_true"), ("profile_cases", "cases_true")):
        shown = published.filter(~pl.col(f"{count}_suppressed"))
        assert shown.height > 0 and (shown[count] == shown[true]).all(), count
        assert not shown[count].is_between(1, K - 1).any()
        hidden = published.filter(pl.col(f"{count}_suppressed"))
        assert hidden[count].is_null().all()  # hidden is NULL, never 0
        assert hidden[true].is_between(1, K - 1).any()  # some hidden are small: primary suppression at work
    # each attribute's categories add up to the type's signals; the published total is the drop count
    totals = truth.filter(pl.col("attribute") == "contact_method").group_by("period", "trafficking_type").agg(
        pl.col("signals_true").sum().alias("type_true"))
    with_total = published.filter(pl.col("type_signals").is_not_null()).join(totals, on=["period", "trafficking_type"])
    assert with_total.height > 0 and (with_total["type_signals"] == with_total["type_true"]).all()
    sums = (truth.group_by("period", "trafficking_type", "attribute").agg(pl.col("signals_true").sum())
            .join(totals, on=["period", "trafficking_type"]))
    assert (sums["signals_true"] == sums["type_true"]).all()
    # a share is the shown count over the shown total
    shares = published.filter(pl.col("signal_share").is_not_null())
    assert shares.height > 0
    assert ((shares["signal_share"] - shares["signals_true"] / shares["type_signals"]).abs() < 1e-9).all()


def test_the_profile_is_in_the_blocking_audit_and_the_release_utility(clean_demo_run, tmp_path):
    from dashboards.serving.audit import audit_serving_database

    serving = clean_demo_run.home / "serving.duckdb"
    report = audit_serving_database(serving)
    assert report.passed, report.summary()
    utility = _serving(clean_demo_run, "SELECT * FROM utility WHERE published_table = 'victim_profile'")
    assert set(utility["measure"]) == {"profile_signals", "profile_cases"}
    profile = _serving(clean_demo_run, "SELECT * FROM victim_profile")
    assert (utility["cells"] == profile.height).all()
    assert utility.filter(pl.col("measure") == "profile_signals")["cells_hidden"].item() == \
        int(profile["profile_signals_suppressed"].sum())
    # plant a leak: show a small hidden cell with its true value; the blocking audit refuses the file
    truth = true_profile(clean_demo_run.home / "inbox")
    small = (profile.filter(pl.col("profile_signals_suppressed"))
             .join(truth, on=["period", "trafficking_type", "attribute", "category"])
             .filter(pl.col("signals_true").is_between(1, K - 1)).row(0, named=True))
    leaky = tmp_path / "leaky.duckdb"
    shutil.copy(serving, leaky)
    with duckdb.connect(str(leaky)) as con:
        con.execute("UPDATE victim_profile SET profile_signals = ?, profile_signals_suppressed = false "
                    "WHERE period = ? AND trafficking_type = ? AND attribute = ? AND category = ?",
                    [small["signals_true"], small["period"], small["trafficking_type"], small["attribute"],
                     small["category"]])
    failed = audit_serving_database(leaky)
    assert not failed.passed
    assert (failed.failures["table"] == "victim_profile").any()


def test_the_site_and_the_briefing_show_the_profile_with_hidden_cells_as_suppressed(clean_demo_run):
    from dashboards.briefing.content import profile as briefing_profile
    from dashboards.briefing.data import latest_complete_quarter, load

    page = (clean_demo_run.home / "site" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="h-profile"'):page.index("</section>", page.index('id="h-profile"'))]
    year = _serving(clean_demo_run, "SELECT max(period) AS p FROM victim_profile WHERE period_grain = 'year' "
                                    "AND months_loaded = 12")["p"].item()
    female = _serving(clean_demo_run, f"SELECT profile_signals FROM victim_profile WHERE period = '{year}' AND "
                                      "trafficking_type = 'all' AND attribute = 'gender' AND category = 'female'")
    assert f">{female['profile_signals'].item():,} <span" in section
    assert "suppressed" in section and ">0 <span" not in section.replace(">0 <span class=ci>(0%)", "")
    serving = clean_demo_run.home / "serving.duckdb"
    data = load(serving, latest_complete_quarter(serving))
    text = [cell for block in briefing_profile(data).blocks if hasattr(block, "rows") for row in block.rows
            for cell in row]
    assert "Gender: Female" in text and "suppressed" in text
