"""Metrics: the catalog is the one definition, the serving database holds every metric, and the published
values equal an independent computation straight from the generated drop files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from models.metric_catalog import load_catalog
from models.metric_docs import DOCS_PAGE, render_metrics_page
from models.stats import compare_rates, poisson_exact_ci
from sources.reference import counties, industry_sectors, organisations

LABEL_OR_KEY = {"area_level", "area_name", "population", "months_loaded", "quarter_label", "sector_name",
                "trafficking_type_label", "region_label", "referring_org_type_label", "receiving_org_type_label",
                "service_label", "recent_quarters", "prior_quarters", "quarters_loaded", "quarter_of_year",
                "venue_name",
                "year", "type_order", "attribute_order", "category_order"}  # victim_profile: its period's year, orders
NOT_METRIC_TABLES = {"county_regions", "feed_freshness", "publication", "caveats",
                     "utility", "grain", "grain_rollup"}  # a release's own disclosure figures (cells, not people; grain per panel)


def read_drops(inbox: Path, feed: str) -> pl.DataFrame:
    frames = []
    for path in sorted(inbox.glob(f"{feed}__*")):
        frame = pl.read_csv(path, infer_schema=False) if path.suffix == ".csv" else \
            pl.read_parquet(path).select(pl.all().cast(pl.Utf8))
        frames.append(frame.with_columns(pl.lit(path.name.split("__")[1]).alias("agency")))
    return pl.concat(frames, how="diagonal_relaxed")


def serving(run, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(run.home / "serving.duckdb"), read_only=True) as con:
        return con.execute(sql).pl()


def test_committed_metrics_page_is_the_generated_one():
    assert DOCS_PAGE.read_text(encoding="utf-8") == render_metrics_page(), \
        "docs/metrics.md is stale: regenerate it with models.metric_docs.write_metrics_page()"


def test_every_catalog_metric_is_in_the_serving_database_and_no_metric_lives_elsewhere(clean_demo_run):
    catalog = load_catalog()
    claimed = {(p.table, c) for _, p in catalog.placements() for c in p.columns}
    columns = []
    for database in ("serving.duckdb", "internal.duckdb"):  # internal-only tables live in the internal one
        with duckdb.connect(str(clean_demo_run.home / database), read_only=True) as con:
            columns += con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns").fetchall()
    present = {(t, c) for t, c, _ in columns}
    assert claimed <= present, sorted(claimed - present)
    dimensions = {(name, d) for name, (_, spec) in __import__("models").serving_models().items() for d in spec["dimensions"]}
    unclaimed = [(t, c) for t, c, kind in columns
                 if t not in NOT_METRIC_TABLES and (t, c) not in claimed and (t, c) not in dimensions
                 and c not in LABEL_OR_KEY and not c.endswith(("_suppressed", "_flag"))
                 and kind in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT")]
    assert not unclaimed, f"numbers published without a catalog entry: {unclaimed}"


def _true_area_quarters(inbox: Path) -> pl.DataFrame:
    signals = read_drops(inbox, "hotline_signals")
    regions = counties().select(pl.col("fips").alias("county_fips"), "region")
    return (
        signals.with_columns(pl.col("received_date").str.to_date().dt.truncate("3mo").alias("quarter"),
                             (pl.col("is_case") == "true").alias("is_case"),
                             pl.col("people_count").cast(pl.Int64), pl.col("minors_count").cast(pl.Int64))
        .join(regions, on="county_fips", how="left")
        .with_columns(pl.col("region").fill_null("unknown"))
        .group_by("quarter", "region")
        .agg(pl.len().alias("signals"), pl.col("is_case").sum().alias("cases"),
             pl.col("people_count").filter(pl.col("is_case") & (pl.col("people_count") >= 0)).sum().alias("people_in_cases"),
             pl.col("minors_count").filter(pl.col("is_case") & (pl.col("people_count") >= 0)).sum().alias("minors_in_cases"))
    )


def test_regional_counts_rates_and_minor_share_match_the_drop_files(clean_demo_run):
    truth = _true_area_quarters(clean_demo_run.home / "inbox")
    population = counties().group_by("region").agg(pl.col("population_2020").sum().alias("pop"))
    published = serving(clean_demo_run, "SELECT * FROM area_quarterly WHERE area_level = 'region'")
    joined = published.join(truth, on=["quarter", "region"], how="left", suffix="_true").join(
        population, on="region", how="left")
    for measure in ("signals", "cases", "people_in_cases", "minors_in_cases"):
        shown = joined.filter(~pl.col(f"{measure}_suppressed"))
        assert (shown[measure] == shown[f"{measure}_true"].fill_null(0)).all(), measure
        assert joined.filter(pl.col(f"{measure}_suppressed"))[measure].is_null().all()
    rated = joined.filter(pl.col("signals").is_not_null() & pl.col("pop").is_not_null())
    assert rated.height > 0
    assert np.allclose(rated["signals_per_100k"], rated["signals"] * 100_000 / rated["pop"])
    low, high = zip(*(poisson_exact_ci(int(c)) for c in rated["signals"]))
    assert np.allclose(rated["signals_per_100k_low"], np.array(low) * 100_000 / rated["pop"].to_numpy())
    assert np.allclose(rated["signals_per_100k_high"], np.array(high) * 100_000 / rated["pop"].to_numpy())
    shares = joined.filter(pl.col("minor_share").is_not_null())
    assert np.allclose(shares["minor_share"], shares["minors_in_cases_true"] / shares["people_in_cases_true"])


def test_state_quarter_changes_equal_an_independent_rate_comparison(clean_demo_run):
    state = serving(clean_demo_run, "SELECT * FROM area_quarterly WHERE area_level = 'state' ORDER BY quarter")
    complete = state.filter(pl.col("months_loaded") == 3)
    checked = 0
    for this, previous in zip(complete.iter_rows(named=True), [None, *complete.iter_rows(named=True)]):
        if previous is None:
            assert this["signals_qoq_change_pct"] is None
            continue
        expected = compare_rates(this["signals"], previous["signals"])
        assert this["signals_qoq_change_pct"] == pytest.approx(expected.change_pct)
        assert this["signals_qoq_change_low_pct"] == pytest.approx(expected.change_low_pct)
        assert this["signals_qoq_change_high_pct"] == pytest.approx(expected.change_high_pct)
        assert this["signals_qoq_p_value"] == pytest.approx(expected.p_value)
        checked += 1
    assert checked >= 4
    partial = state.filter(pl.col("months_loaded") < 3)
    assert partial["signals_qoq_change_pct"].is_null().all()  # a partial quarter is never compared


def test_rolling_average_is_shown_only_over_three_published_months(clean_demo_run):
    monthly = serving(clean_demo_run, "SELECT region, county, month, signals, signals_3mo_avg FROM area_monthly "
                                      "ORDER BY region, county, month")
    expected = monthly.with_columns(
        pl.when(pl.col("signals").is_not_null().cast(pl.Int32).rolling_sum(3).over("region", "county") == 3)
        .then(pl.col("signals").rolling_mean(3).over("region", "county")).alias("expected"))
    both = expected.filter(pl.col("expected").is_not_null())
    assert both.height > 0 and np.allclose(both["signals_3mo_avg"], both["expected"])
    assert expected.filter(pl.col("expected").is_null())["signals_3mo_avg"].is_null().all()


LAW_ENFORCEMENT = ("law_enforcement_local", "law_enforcement_state", "law_enforcement_federal")


def expected_566_223(inbox: Path) -> pl.DataFrame:
    """§ 566.223 over encounters, computed from the drop files alone: every victim_encountered event from a
    police agency (agency from the file name) is a person met; a DSS / juvenile-office notification from police
    pairs with one by (linkage key, encounter date, minor flag), in order. Per year and person group + 'all'."""
    types = dict(organisations().select("org_id", "org_type").rows())
    frames = []
    for path in sorted(inbox.glob("case_outcomes__*")):
        frame = pl.read_csv(path, infer_schema=False) if path.suffix == ".csv" else \
            pl.read_parquet(path).select(pl.all().cast(pl.Utf8))
        frames.append(frame.with_columns(pl.lit(path.name.split("__")[1]).alias("agency")))
    met = (pl.concat(frames, how="diagonal_relaxed")
           .filter((pl.col("event_type") == "victim_encountered")
                   & pl.col("agency").replace_strict(types, default="").is_in(LAW_ENFORCEMENT))
           .with_columns(pl.col("minor").replace_strict({"true": "minor", "false": "adult"}, default="unknown")
                         .alias("group"))
           .sort("event_id")
           .with_columns(pl.int_range(pl.len()).over("linkage_key", "event_date", "minor").alias("rank")))
    referrals = read_drops(inbox, "referrals").filter(
        pl.col("referring_org_id").replace_strict(types, default="").is_in(LAW_ENFORCEMENT)
        & pl.col("encounter_date").is_not_null())
    for service, receiver, name in (("child_welfare_notification", "child_welfare", "dss"),
                                    ("juvenile_office_notification", "juvenile_office", "juvenile")):
        notes = (referrals.filter((pl.col("service") == service)
                                  & (pl.col("receiving_org_id").replace_strict(types, default="") == receiver))
                 .sort("referral_date", "referral_id")
                 .with_columns(pl.int_range(pl.len()).over("linkage_key", "encounter_date", "minor").alias("rank"))
                 .select("linkage_key", pl.col("encounter_date").alias("event_date"), "minor", "rank",
                         pl.col("referral_date").alias(f"{name}_date")))
        met = met.join(notes, on=["linkage_key", "event_date", "minor", "rank"], how="left")
        met = met.with_columns((pl.col(f"{name}_date").str.to_date() - pl.col("event_date").str.to_date())
                               .dt.total_days().alias(f"{name}_delay"))
    met = met.with_columns(pl.col("event_date").str.slice(0, 4).cast(pl.Int32).alias("year"))
    aggregates = [pl.len().alias("n"), (pl.col("dss_delay") <= 1).sum().alias("d1"),
                  (pl.col("dss_delay") <= 3).sum().alias("d3"), pl.col("dss_delay").is_null().sum().alias("never"),
                  pl.col("dss_delay").median().alias("median"), (pl.col("juvenile_delay") <= 1).sum().alias("j1"),
                  ((pl.col("group") == "minor") & pl.col("juvenile_delay").is_null()).sum().alias("jnever")]
    return pl.concat([met.group_by("year", "group").agg(aggregates),
                      met.group_by("year").agg(aggregates).with_columns(pl.lit("all").alias("group"))],
                     how="diagonal_relaxed")


def test_566_223_measure_over_encounters_matches_the_drop_files(clean_demo_run):
    expected = expected_566_223(clean_demo_run.home / "inbox")
    published = serving(clean_demo_run, "SELECT * FROM dss_notification_compliance").join(
        expected, left_on=["year", "person_group"], right_on=["year", "group"])
    assert (published["never"] > 0).any()  # the generator plants people never notified
    counts = {"encounters": "n", "dss_within_1_day": "d1", "dss_within_3_days": "d3", "dss_never_notified": "never"}
    for column, truth in counts.items():  # every published count is the true one; small ones are hidden
        shown = published.filter(pl.col(column).is_not_null())
        assert (shown[column] == shown[truth]).all(), column
    shares = {"share_dss_within_1_day": "d1", "share_dss_within_3_days": "d3", "share_dss_never_notified": "never",
              "share_juvenile_within_1_day": "j1"}
    for column, truth in shares.items():
        shown = published.filter(pl.col(column).is_not_null())
        assert np.allclose(shown[column], shown[truth] / shown["n"]), column
    # which cells complementary suppression hides depends on the draw; at least one year's shares are shown
    assert published.filter(pl.col("share_dss_within_1_day").is_not_null()).height >= 1
    medians = published.filter(pl.col("median_dss_delay_days").is_not_null())
    assert medians.height > 0 and np.allclose(medians["median_dss_delay_days"], medians["median"])
    assert published.filter(pl.col("person_group") == "adult")["share_juvenile_within_1_day"].is_null().all()


def test_linkage_coverage_is_published_beside_each_linked_measure(clean_demo_run):
    """Timeliness, funnel and § 566.223 rest on linkage across agencies (docs/linkage.md): each publishes the share
    of records it could link. Agencies key situations with their own ids, so the share is what the token linkage
    found: never more than the truth kept by the generator (every referral and event belongs to a signalled
    situation but a few), and most of it."""
    inbox = clean_demo_run.home / "inbox"
    truth = clean_demo_run.summary.linkage_truth
    with_truth = lambda feed: read_drops(inbox, feed).join(truth, on=["agency", "linkage_key"], how="left")  # noqa: E731
    signalled = with_truth("hotline_signals")["situation"].unique().to_list()
    year_of = lambda column: pl.col(column).str.slice(0, 4).cast(pl.Int32).alias("year")  # noqa: E731
    referrals = (with_truth("referrals").with_columns(year_of("referral_date"),
                                                      pl.col("situation").is_in(signalled).alias("linked"))
                 .group_by("year").agg(pl.len().alias("n"), pl.col("linked").sum().alias("k")))
    events = (with_truth("case_outcomes").filter(pl.col("event_type") != "victim_encountered")
              .with_columns(year_of("event_date"), pl.col("situation").is_in(signalled).alias("linked"))
              .group_by("year").agg(pl.len().alias("n"), pl.col("linked").sum().alias("k")))
    checks = (("SELECT year, signal_link_share AS share FROM referral_timeliness WHERE receiving_org_type = 'all'",
               referrals, 0.35),
              ("SELECT cohort_year AS year, outcome_link_share AS share FROM case_funnel", events, 0.35),
              ("SELECT year, notification_link_share AS share FROM dss_notification_compliance WHERE person_group = 'all'",
               None, 0.8))
    for sql, true, floor in checks:
        shown = serving(clean_demo_run, sql).filter(pl.col("share").is_not_null())
        assert shown.height > 0, sql
        assert (shown["share"] < 1).any() and (shown["share"] > floor).all(), sql
        if true is not None:
            shown = shown.join(true, on="year")
            assert (shown["k"] / shown["n"] > 0.95).all(), "premise: in truth nearly every record is signalled"
            assert (shown["share"] <= shown["k"] / shown["n"] + 1e-9).all(), sql


def test_a_never_notified_encounter_lowers_the_compliance_share(clean_demo_run, tmp_path):
    """Plant one more person met by police in the newest complete year, with no notification: the published
    people met grows by one and the share notified within 1 day falls (the old measure, over notifications
    made, could not see this person)."""
    import shutil

    from support.pipeline import lantern_env, run_pipeline

    from sources.contracts import load_contract

    home = tmp_path / "home"
    shutil.copytree(clean_demo_run.home, home)
    # the exact internal database: a late record for a released year waits for a revision in the release
    # (tests/test_releases.py), while analysts see it the next morning
    with duckdb.connect(str(home / "internal.duckdb"), read_only=True) as con:
        before = con.execute("SELECT * FROM dss_notification_compliance WHERE person_group = 'all' AND "
                             "share_dss_within_1_day IS NOT NULL ORDER BY encounters DESC LIMIT 1").pl().row(0, named=True)
    year = before["year"]
    columns = load_contract("case_outcomes").column_names
    row = {"event_id": "V-PLANTED-1", "linkage_key": "ab" * 32, "event_date": f"{year}-06-15",
           "event_type": "victim_encountered", "county_fips": "29095", "minor": "false"}
    pl.DataFrame([{c: row.get(c) for c in columns}], schema={c: pl.Utf8 for c in columns}).write_csv(
        home / "inbox" / f"case_outcomes__LE-KCPD__{year}-06_planted.csv")
    never_sql = ("SELECT count(*) FILTER (WHERE dss_notification_date IS NULL) FROM marts.mart_566_223_encounters "
                 "WHERE year = ?")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        never_before = con.execute(never_sql, [year]).fetchone()[0]
    with lantern_env(home):
        result = run_pipeline(home)
    assert result.success, result.summary()
    with duckdb.connect(str(home / "internal.duckdb"), read_only=True) as con:
        after = con.execute("SELECT * FROM dss_notification_compliance WHERE person_group = 'all' AND year = ?",
                            [year]).pl().row(0, named=True)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(never_sql, [year]).fetchone()[0] == never_before + 1
    assert after["encounters"] == before["encounters"] + 1
    assert after["share_dss_within_1_day"] < before["share_dss_within_1_day"]
    assert after["share_dss_within_1_day"] == pytest.approx(before["share_dss_within_1_day"] * before["encounters"]
                                                            / (before["encounters"] + 1))


def test_referral_acceptance_matches_the_drop_files(clean_demo_run):
    referrals = read_drops(clean_demo_run.home / "inbox", "referrals")
    types = organisations().select("org_id", "org_type")
    referrals = (referrals
                 .join(types.rename({"org_id": "referring_org_id", "org_type": "referring_type"}), on="referring_org_id")
                 .join(types.rename({"org_id": "receiving_org_id", "org_type": "receiving_type"}), on="receiving_org_id"))
    accepted = (referrals.with_columns(pl.col("referral_date").str.slice(0, 4).cast(pl.Int32).alias("year"))
                .group_by("year", "referring_type", "receiving_type", "service")
                .agg(pl.len().alias("n"), (pl.col("status") == "accepted").sum().alias("acc")))
    flows = serving(clean_demo_run, "SELECT * FROM referral_flows_by_service WHERE acceptance_rate IS NOT NULL").join(
        accepted, left_on=["year", "referring_org_type", "receiving_org_type", "service"],
        right_on=["year", "referring_type", "receiving_type", "service"])
    assert flows.height > 0 and np.allclose(flows["acceptance_rate"], flows["acc"] / flows["n"])


def test_outcome_counts_match_the_drop_files(clean_demo_run):
    events = read_drops(clean_demo_run.home / "inbox", "case_outcomes").with_columns(
        pl.col("event_date").str.to_date().dt.truncate("3mo").alias("quarter"))
    kinds = {"investigations": ["investigation_opened"], "arrests": ["arrest"],
             "charges": ["charges_filed_state", "charges_filed_federal"],
             "convictions": ["disposition_conviction", "disposition_plea"],
             "charges_state": ["charges_filed_state"], "charges_federal": ["charges_filed_federal"],
             "dismissals": ["disposition_dismissal"], "acquittals": ["disposition_acquittal"], "sentences": ["sentence"],
             "services_started": ["services_started"], "services_completed": ["services_completed"]}
    truth = events.group_by("quarter").agg(
        [pl.col("event_type").is_in(v).sum().alias(f"{k}_true") for k, v in kinds.items()])
    state = serving(clean_demo_run, "SELECT * FROM outcomes_quarterly WHERE region = 'all'").join(truth, on="quarter")
    for measure in kinds:
        shown = state.filter(pl.col(measure).is_not_null())
        assert shown.height > 0 and (shown[measure] == shown[f"{measure}_true"]).all(), measure
    split = state.filter(pl.col("charges_state").is_not_null() & pl.col("charges_federal").is_not_null())
    assert (split["charges_state"] + split["charges_federal"] == split["charges"]).all()


def test_static_dashboard_shows_the_new_metrics_from_the_serving_database(clean_demo_run):
    page = (clean_demo_run.home / "site" / "index.html").read_text(encoding="utf-8")
    for anchor in ("h-changes", "h-hotspots", "h-rising", "h-venues", "h-timeliness", "h-outcomes"):
        assert f'id="{anchor}"' in page, anchor
    state = serving(clean_demo_run, "SELECT signals FROM area_quarterly WHERE area_level = 'state' AND quarter = "
                                    "(SELECT max(quarter) FROM area_quarterly WHERE months_loaded = 3)")
    section = page[page.index('id="h-changes"'):page.index('id="h-hotspots"')]
    assert f'<td class="num">{state["signals"].item():,}</td>' in section


def test_venue_type_counts_match_the_drop_files_and_add_up_to_the_shown_sector_years(clean_demo_run):
    venues = industry_sectors().select(pl.col("venue_code").alias("venue_type"), "sector_code")
    signals = (read_drops(clean_demo_run.home / "inbox", "hotline_signals")
               .with_columns(pl.col("venue_type").fill_null("not_specified"), (pl.col("is_case") == "true").alias("is_case"),
                             pl.col("received_date").str.to_date().dt.year().cast(pl.Int32).alias("year")))
    by_venue = signals.group_by("year", "venue_type").agg(pl.len().alias("signals_true"),
                                                          pl.col("is_case").sum().alias("cases_true"))
    published = serving(clean_demo_run, "SELECT * FROM venue_type_yearly").join(by_venue, on=["year", "venue_type"],
                                                                               how="left")
    assert published["venue_type"].n_unique() == venues.height  # every Polaris type, zeros included
    for measure in ("signals", "cases"):
        shown = published.filter(~pl.col(f"{measure}_suppressed"))
        assert shown.height > 0 and (shown[measure] == shown[f"{measure}_true"].fill_null(0)).all(), measure
        hidden = published.filter(pl.col(f"{measure}_suppressed"))
        assert hidden.height > 0 and hidden[measure].is_null().all()
        assert not hidden[f"{measure}_true"].fill_null(0).is_between(11, 10**9).all()  # some hidden are small
    # Where a sector-year has every venue shown, the venues add up to the sector's published quarters.
    quarters = serving(clean_demo_run, "SELECT year(quarter) AS year, sector_code, sum(signals) AS sector_signals, "
                                       "bool_or(signals_suppressed) AS hidden FROM quarterly_by_sector GROUP BY ALL")
    complete = (published.group_by("year", "sector_code")
                .agg(pl.col("signals").sum(), pl.col("signals_suppressed").any().alias("any_hidden"))
                .filter(~pl.col("any_hidden"))
                .join(quarters.with_columns(pl.col("year").cast(pl.Int32)), on=["year", "sector_code"]))
    assert complete.height > 0 and (complete["signals"] == complete["sector_signals"]).all()
    assert not complete["hidden"].any()  # a sector-year hidden in the main set shows no venue at all
