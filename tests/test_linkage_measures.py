"""The measures that rest on linkage (case funnel, signal-to-referral delay, § 566.223 notification), computed by
the pipeline on situations it linked from tokens, against an independent computation from the generator's truth
(which agency key is which situation; issue #18). Linkage is not perfect: each comparison states how far apart
the two may be, from the measured linkage quality (BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from sources.contracts.model import FEEDS

GUILTY = ("disposition_conviction", "disposition_plea")


def _drops(inbox: Path, feed: str) -> pl.DataFrame:
    frames = []
    for path in sorted(inbox.glob(f"{feed}__*")):
        if "_resent" in path.name:
            continue
        frame = pl.read_parquet(path).select(pl.all().cast(pl.Utf8)) if path.suffix == ".parquet" \
            else pl.read_csv(path, infer_schema=False)
        frames.append(frame.with_columns(pl.lit(path.name.split("__")[1]).alias("agency")))
    return pl.concat(frames, how="diagonal_relaxed")


@pytest.fixture(scope="module")
def truth_feeds(clean_demo_run) -> dict[str, pl.DataFrame]:
    """Every record of the drops with its true situation (from the generator, never from a drop)."""
    truth = clean_demo_run.summary.linkage_truth
    out = {}
    for feed in FEEDS:
        frame = _drops(clean_demo_run.home / "inbox", feed).join(truth, on=["agency", "linkage_key"], how="left")
        assert frame["situation"].null_count() == 0
        out[feed] = frame
    return out


@pytest.fixture(scope="module")
def internal(clean_demo_run):
    with duckdb.connect(str(clean_demo_run.home / "internal.duckdb"), read_only=True) as con:
        yield {name: con.execute(f"SELECT * FROM {name}").pl()
               for name in ("case_funnel", "referral_timeliness", "dss_notification_compliance", "records_linked")}


def _true_funnel(feeds: dict[str, pl.DataFrame]) -> pl.DataFrame:
    signals = feeds["hotline_signals"].group_by("situation").agg(
        pl.col("received_date").str.to_date().min().alias("first_signal"), (pl.col("is_case") == "true").any().alias("is_case"))
    events = feeds["case_outcomes"].with_columns(pl.col("event_date").str.to_date().alias("d"))
    stages = events.group_by("situation").agg(
        pl.col("d").filter(pl.col("event_type") == "investigation_opened").min().alias("investigation"),
        pl.col("d").filter(pl.col("event_type").str.starts_with("charges_filed")).min().alias("charge"),
        pl.col("d").filter(pl.col("event_type").is_in(GUILTY)).min().alias("conviction"))
    whole = signals.join(stages, on="situation", how="left").with_columns(
        pl.col("first_signal").dt.year().alias("cohort_year"))
    inv = pl.col("is_case") & pl.col("investigation").is_not_null()
    charged = inv & pl.col("charge").is_not_null()
    return whole.group_by("cohort_year").agg(
        pl.len().alias("signalled"), pl.col("is_case").sum().alias("case"), inv.sum().alias("investigated"),
        charged.sum().alias("charged"), (charged & pl.col("conviction").is_not_null()).sum().alias("convicted"),
    ).sort("cohort_year")


def test_case_funnel_on_linked_situations_matches_the_truth(truth_feeds, internal):
    true = _true_funnel(truth_feeds)
    linked = internal["case_funnel"].join(true, on="cohort_year")
    print("\n" + str(linked.select("cohort_year", "situations_signalled", "signalled", "situations_case", "case",
                                   "situations_investigated", "investigated", "situations_charged", "charged")))
    assert linked.height == true.height >= 2
    for row in linked.iter_rows(named=True):
        # signals of one situation that fail to link count twice: a few percent more situations, never fewer
        assert row["signalled"] <= row["situations_signalled"] <= 1.10 * row["signalled"], row
        assert row["case"] <= row["situations_case"] <= 1.10 * row["case"] + 2, row
        # a stage counts only when the police's (and for a charge the prosecutor's) records link to the signal's
        # situation: measured about half of the investigations and 40% of the charges at threshold 0.80
        # (docs/linkage.md); below these floors linkage has broken, above the truth it merges people
        for linked_name, true_name, floor in (("situations_investigated", "investigated", 0.40),
                                              ("situations_charged", "charged", 0.25)):
            assert floor * row[true_name] - 2 <= row[linked_name] <= 1.05 * row[true_name] + 2, (true_name, row)


def test_signal_to_referral_delay_on_linked_situations_matches_the_truth(truth_feeds, internal):
    first_signal = truth_feeds["hotline_signals"].group_by("situation").agg(
        pl.col("received_date").str.to_date().min().alias("first_signal"))
    referrals = truth_feeds["referrals"].with_columns(pl.col("referral_date").str.to_date().alias("d"))
    referrals = referrals.join(first_signal, on="situation", how="left").with_columns(
        (pl.col("d") == pl.col("d").min().over("situation")).alias("first"),
        (pl.col("d") - pl.col("first_signal")).dt.total_days().alias("delay"), pl.col("d").dt.year().alias("year"))
    true = referrals.filter(pl.col("first") & pl.col("delay").is_not_null()).group_by("year").agg(
        pl.col("delay").median().alias("true_median"), pl.len().alias("true_first_referrals"))
    true_linked = referrals.group_by("year").agg(pl.col("delay").is_not_null().mean().alias("true_share"))
    published = internal["referral_timeliness"].filter(pl.col("receiving_org_type") == "all").with_columns(
        (pl.col("referrals_linked_to_signal") / pl.col("referrals")).alias("share"))
    both = published.join(true, on="year").join(true_linked, on="year").filter(pl.col("true_first_referrals") >= 50)
    print("\n" + str(both.select("year", "median_days_signal_to_first_referral", "true_median", "share", "true_share")))
    assert both.height >= 1
    for row in both.iter_rows(named=True):
        assert abs(row["median_days_signal_to_first_referral"] - row["true_median"]) <= 4, row
        # every referral belongs to a signalled situation in truth; linkage finds about half (measured 0.43 to
        # 0.49 on this run at threshold 0.80), never more than the truth
        assert row["true_share"] > 0.95 and 0.35 <= row["share"] <= row["true_share"], row


def test_notification_measure_on_linked_situations_matches_the_truth(truth_feeds, internal):
    events = truth_feeds["case_outcomes"].filter(pl.col("event_type") == "victim_encountered")
    notes = truth_feeds["referrals"].filter(pl.col("service") == "child_welfare_notification")
    keys = ["situation", "encounter_date", "minor"]
    met = events.select(pl.col("situation"), pl.col("event_date").alias("encounter_date"), "minor",
                        "event_id").sort("event_id").with_columns(pl.int_range(pl.len()).over(keys).alias("rank"))
    sent = notes.select("situation", "encounter_date", "minor", "referral_date", "referral_id").sort(
        "referral_date", "referral_id").with_columns(pl.int_range(pl.len()).over(keys).alias("rank"))
    paired = met.join(sent, on=[*keys, "rank"], how="left").with_columns(
        (pl.col("referral_date").str.to_date() - pl.col("encounter_date").str.to_date()).dt.total_days().alias("delay"),
        pl.col("encounter_date").str.slice(0, 4).cast(pl.Int32).alias("year"),
        pl.when(pl.col("minor") == "true").then(pl.lit("minor")).otherwise(pl.lit("adult")).alias("person_group"))
    true = paired.group_by("year", "person_group").agg(
        pl.len().alias("true_encounters"), (pl.col("delay") <= 1).fill_null(False).mean().alias("true_within_1"))
    published = internal["dss_notification_compliance"].with_columns(
        (pl.col("dss_within_1_day") / pl.col("encounters")).alias("within_1"))
    both = published.join(true, on=["year", "person_group"]).filter(pl.col("true_encounters") >= 20)
    print("\n" + str(both.select("year", "person_group", "encounters", "true_encounters", "within_1", "true_within_1")))
    assert both.height >= 2
    for row in both.iter_rows(named=True):
        assert row["encounters"] == row["true_encounters"], row
        assert abs(row["within_1"] - row["true_within_1"]) <= 0.03, row


def test_share_linked_is_published_per_agency_and_feed(internal, truth_feeds):
    table = internal["records_linked"]
    assert set(table["feed"]) == set(FEEDS)
    for feed in FEEDS:
        rows = table.filter(pl.col("feed") == feed)
        assert rows["records"].sum() == truth_feeds[feed].height
        assert (rows["records_joined_across_agencies"] <= rows["records"]).all()
    referrals = table.filter(pl.col("feed") == "referrals")
    assert 0.35 < referrals["records_with_signal"].sum() / referrals["records"].sum() < 1  # about half (docs/linkage.md)
