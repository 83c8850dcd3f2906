"""End to end: generated drops -> real Dagster run -> DuckDB marts and serving database, checked against
an independent computation straight from the drop files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from sources.reference import counties, deployment, industry_sectors, organisations
from support.pipeline import run_pipeline


def _read_drops(inbox: Path, feed: str) -> pl.DataFrame:
    frames = []
    for path in sorted(inbox.glob(f"{feed}__*")):
        if path.suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False)
        else:
            frame = pl.read_parquet(path).select(pl.all().cast(pl.Utf8))
        frames.append(frame.with_columns(pl.lit(path.name.split("__")[1]).alias("agency")))
    return pl.concat(frames, how="diagonal_relaxed")


def _expected_monthly_signals(inbox: Path) -> pl.DataFrame:
    signals = _read_drops(inbox, "hotline_signals")
    regions = counties().select(pl.col("fips").alias("county_fips"), "region")
    sectors = industry_sectors().select(pl.col("venue_code").alias("venue_type"), "sector_code")
    return (
        signals.with_columns(
            pl.col("received_date").str.to_date().dt.truncate("1mo").alias("month"),
            pl.col("venue_type").fill_null("not_specified"),
            (pl.col("is_case") == "true").alias("is_case"),
        )
        .join(regions, on="county_fips", how="left")
        .join(sectors, on="venue_type", how="left")
        .with_columns(pl.col("region").fill_null("unknown"))
        .group_by("month", "region", "trafficking_type", "sector_code")
        .agg(pl.len().alias("signals"), pl.col("is_case").sum().alias("cases"))
    )


def test_refresh_succeeds_and_loads_every_row(clean_demo_run):
    assert clean_demo_run.result.success, clean_demo_run.result.summary()
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        for feed, rows in clean_demo_run.summary.rows_per_feed.items():
            loaded = con.execute(f"SELECT count(*) FROM raw.{feed}").fetchone()[0]
            assert loaded == rows, f"{feed}: generated {rows}, loaded {loaded}"
        assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == 0


def test_monthly_signals_mart_matches_independent_computation(clean_demo_run):
    expected = _expected_monthly_signals(clean_demo_run.home / "inbox")
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        actual = con.execute(
            "SELECT month, region, trafficking_type, sector_code, signals, cases FROM marts.mart_monthly_signals"
        ).pl()
    keys = ["month", "region", "trafficking_type", "sector_code"]
    joined = expected.join(actual, on=keys, how="full", suffix="_mart", coalesce=True)
    mismatches = joined.filter(
        (pl.col("signals") != pl.col("signals_mart")) | (pl.col("cases") != pl.col("cases_mart"))
        | pl.col("signals").is_null() | pl.col("signals_mart").is_null()
    )
    assert mismatches.is_empty(), mismatches.head(10)
    assert actual["signals"].sum() == expected["signals"].sum() > 0


def test_rates_use_region_population(clean_demo_run):
    population = counties().group_by("region").agg(pl.col("population_2020").sum())
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT region, sum(signals) AS signals, any_value(region_population) AS population, "
            "sum(signals_per_100k) AS rate FROM marts.mart_monthly_signals WHERE region <> 'unknown' GROUP BY region"
        ).pl()
    checked = rows.join(population, on="region").with_columns(pl.col("signals", "population").cast(pl.Float64))
    assert checked.height == population.height
    assert (checked["population"] == checked["population_2020"]).all()
    assert ((checked["rate"] - checked["signals"] * 100_000 / checked["population"]).abs() < 1e-6).all()


def test_monthly_referrals_mart_matches_independent_computation(clean_demo_run):
    referrals = _read_drops(clean_demo_run.home / "inbox", "referrals")
    org_types = organisations().select("org_id", "org_type")
    expected = (
        referrals.with_columns(pl.col("referral_date").str.to_date().dt.truncate("1mo").alias("month"))
        .join(org_types.rename({"org_id": "referring_org_id", "org_type": "referring_org_type"}), on="referring_org_id")
        .join(org_types.rename({"org_id": "receiving_org_id", "org_type": "receiving_org_type"}), on="receiving_org_id")
        .group_by("month", "referring_org_type", "receiving_org_type", "service")
        .agg(pl.len().alias("referrals"), (pl.col("status") == "accepted").sum().alias("accepted"))
    )
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        actual = con.execute("SELECT month, referring_org_type, receiving_org_type, service, referrals, accepted "
                             "FROM marts.mart_monthly_referrals").pl()
    keys = ["month", "referring_org_type", "receiving_org_type", "service"]
    assert expected.sort(keys).equals(actual.sort(keys).cast(expected.schema))


def test_serving_database_publishes_no_small_counts_and_matches_marts(clean_demo_run):
    threshold = deployment().min_cell_count
    expected = (
        _expected_monthly_signals(clean_demo_run.home / "inbox")
        .group_by("month", "trafficking_type").agg(pl.col("signals").sum())
    )
    with duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True) as con:
        published = con.execute(
            "SELECT month, trafficking_type, signals, signals_suppressed FROM monthly_statewide_by_type").pl()
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"monthly_statewide_by_type", "yearly_region_summary", "quarterly_by_sector", "yearly_referral_flows",
            "publication", "caveats", "county_regions"} <= tables
    # running totals of agencies' files are for the internal audiences only (every release would move them)
    assert not {"feed_freshness", "agency_data_quality"} & tables
    with duckdb.connect(str(clean_demo_run.home / "internal.duckdb"), read_only=True) as con:
        internal = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"feed_freshness", "agency_data_quality", "run_inputs"} <= internal
    shown = published.filter(~pl.col("signals_suppressed"))
    assert shown.filter(pl.col("signals").is_between(1, threshold - 1)).is_empty()
    check = shown.join(expected, on=["month", "trafficking_type"], how="left", suffix="_expected")
    assert (check["signals"] == check["signals_expected"].fill_null(0)).all()
    hidden = published.filter(pl.col("signals_suppressed")).join(
        expected, on=["month", "trafficking_type"], suffix="_true")
    assert hidden["signals"].is_null().all()
    # every true count from 1 to threshold-1 is hidden; complementary suppression may hide larger ones too
    small = published.join(expected, on=["month", "trafficking_type"], suffix="_true").filter(
        pl.col("signals_true").is_between(1, threshold - 1))
    assert small["signals_suppressed"].all()


def test_no_agency_linkage_key_or_free_text_past_raw(clean_demo_run):
    agency_keys = set(_read_drops(clean_demo_run.home / "inbox", "hotline_signals")["linkage_key"].to_list())
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        staged = set(r[0] for r in con.execute("SELECT situation_key FROM staging.stg_hotline_signals").fetchall())
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema IN ('staging','intermediate','marts')"
        ).fetchall()}
    assert staged and not (staged & agency_keys)
    assert "notes" not in columns and "linkage_key" not in columns


def test_second_refresh_is_a_no_op(writable_demo_run):
    warehouse = writable_demo_run.home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("SELECT count(*), sum(rows_loaded) FROM raw.file_manifest").fetchone()
        mart_before = con.execute("SELECT * FROM marts.mart_monthly_signals ORDER BY ALL").fetchall()
    result = run_pipeline(writable_demo_run.home)
    assert result.success, result.summary()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute("SELECT count(*), sum(rows_loaded) FROM raw.file_manifest").fetchone()
        mart_after = con.execute("SELECT * FROM marts.mart_monthly_signals ORDER BY ALL").fetchall()
    assert before == after
    assert mart_before == mart_after


@pytest.mark.browser
def test_real_static_dashboard_renders_in_chromium(clean_demo_run, tmp_path):
    from support.browser import open_page, require_chromium

    require_chromium()
    page = clean_demo_run.home / "site" / "index.html"
    artifacts = Path(__file__).parent.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    run = open_page(page.as_uri(), artifacts / "demo-site.png", wait_for="document.body.dataset.chartsReady",
                    evaluate="document.querySelectorAll('.vega-embed svg.marks').length")
    assert not run.problems, run.problems
    assert run.result >= 5, f"only {run.result} charts rendered"
