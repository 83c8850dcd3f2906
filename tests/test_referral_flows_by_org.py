"""Per-organisation referral flows (issue #4): the rows behind the per-agency Superset dashboard, checked
against the drop files, and protected so that no hidden organisation-level cell can be worked out from the
organisation-type flows published beside them."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl

from dashboards.serving.audit import audit_serving_database
from test_metrics import read_drops, serving

KEY = ["year", "referring_org_id", "receiving_org_id"]
STATUSES = ("accepted", "declined", "pending")


def test_published_flows_match_the_drop_files_and_hide_every_small_count(clean_demo_run):
    referrals = read_drops(clean_demo_run.home / "inbox", "referrals")
    expected = (referrals.with_columns(pl.col("referral_date").str.slice(0, 4).cast(pl.Int32).alias("year"))
                .group_by(KEY).agg(pl.len().alias("referrals"),
                                   *[(pl.col("status") == s).sum().alias(s) for s in STATUSES]))
    published = serving(clean_demo_run, "SELECT * FROM referral_flows_by_org")
    # a release publishes closed years only: the year still running waits for the release after it ends
    last = serving(clean_demo_run, "SELECT value FROM publication WHERE key = 'period_end'")["value"][0]
    closed_through = int(last[:4]) if last[5:7] == "12" else int(last[:4]) - 1
    expected = expected.filter(pl.col("year") <= closed_through)
    assert published["year"].max() == closed_through
    assert published.height == expected.height  # one row per organisation pair and year that referred
    joined = published.join(expected, on=KEY, suffix="_true", how="full", coalesce=True)
    for measure in ("referrals", *STATUSES):
        shown = joined.filter(~pl.col(f"{measure}_suppressed"))
        assert (shown[measure] == shown[f"{measure}_true"].cast(pl.Int64)).all(), measure
        hidden = joined.filter(pl.col(f"{measure}_suppressed"))
        assert hidden[measure].is_null().all()
        small = joined.filter(pl.col(f"{measure}_true").is_between(1, 10))
        assert small[f"{measure}_suppressed"].all(), f"a {measure} count of 1 to 10 is shown"


def test_type_level_flows_are_the_sums_of_organisation_flows(clean_demo_run):
    by_org = serving(clean_demo_run, "SELECT * FROM referral_flows_by_org")
    by_type = serving(clean_demo_run, "SELECT * FROM yearly_referral_flows").filter(~pl.col("referrals_suppressed"))
    types = ["year", "referring_org_type", "receiving_org_type"]
    sums = by_org.group_by(types).agg(pl.col("referrals").sum().alias("shown"),
                                      pl.col("referrals_suppressed").any().alias("hidden"))
    check = sums.join(by_type, on=types)
    assert check.height == by_type.height > 0  # every published type flow has its organisation flows
    assert (check["shown"] <= check["referrals"]).all()  # published parts never exceed the total
    complete = check.filter(~pl.col("hidden"))
    assert (complete["shown"] == complete["referrals"]).all()


def test_audit_catches_an_org_cell_recoverable_from_its_type_total(clean_demo_run, tmp_path):
    """Publish every organisation cell of one type flow but a small one, and the type flow's total: the
    hidden one is the difference. The audit must know organisation < type to see it."""
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        truth = con.execute("""
            SELECT CAST(year(month) AS INTEGER) AS year, referring_org_id, referring_org_type, receiving_org_id,
                   receiving_org_type, sum(referrals) AS referrals
            FROM marts.mart_monthly_referrals_by_org GROUP BY ALL""").pl()
    types = ["year", "referring_org_type", "receiving_org_type"]
    groups = truth.group_by(types).agg(pl.len().alias("orgs"), pl.col("referrals").sum().alias("total"),
                                       (pl.col("referrals").is_between(1, 10)).sum().alias("small"))
    year, referring_type, receiving_type, _, total, _ = groups.filter(
        (pl.col("orgs") >= 2) & (pl.col("small") >= 1)).sort(types).row(0)
    cells = truth.filter((pl.col("year") == year) & (pl.col("referring_org_type") == referring_type)
                         & (pl.col("receiving_org_type") == receiving_type))
    victim = cells.filter(pl.col("referrals").is_between(1, 10)).row(0, named=True)

    copy = tmp_path / "serving.duckdb"
    shutil.copy(clean_demo_run.home / "serving.duckdb", copy)
    assert audit_serving_database(copy).passed
    with duckdb.connect(str(copy)) as con:
        for cell in cells.iter_rows(named=True):
            hide = cell["referring_org_id"] == victim["referring_org_id"] and \
                cell["receiving_org_id"] == victim["receiving_org_id"]
            con.execute("UPDATE referral_flows_by_org SET referrals = ?, referrals_suppressed = ? "
                        "WHERE year = ? AND referring_org_id = ? AND receiving_org_id = ?",
                        [None if hide else cell["referrals"], hide, year, cell["referring_org_id"],
                         cell["receiving_org_id"]])
        con.execute("UPDATE yearly_referral_flows SET referrals = ?, referrals_suppressed = false "
                    "WHERE year = ? AND referring_org_type = ? AND receiving_org_type = ?",
                    [total, year, referring_type, receiving_type])
    report = audit_serving_database(copy)
    assert not report.passed
    assert "referral_flows_by_org" in set(report.failures["table"].drop_nulls().to_list())


def test_every_superset_dataset_reads_the_real_serving_database(clean_demo_run):
    """The Superset specs against what the pipeline really publishes (the Superset server tests use a
    fixed fixture): every dataset's table and columns exist, nothing is dropped as unpublished, and every
    dataset's SQL runs on the real file."""
    from dashboards.superset.datasets import dataset_source_sql
    from dashboards.superset.catalog import load_specs

    serving_path = clean_demo_run.home / "serving.duckdb"
    declared = load_specs()
    specs = load_specs(serving=serving_path)
    assert set(specs.datasets) == set(declared.datasets)
    assert {name: set(d["charts"]) for name, d in specs.dashboards.items()} == \
        {name: set(d["charts"]) for name, d in declared.dashboards.items()}
    files = {"release": serving_path, "internal": clean_demo_run.home / "internal.duckdb"}  # audiences.yaml
    for name, ds in specs.datasets.items():
        with duckdb.connect(str(files[ds["database"]]), read_only=True) as con:
            columns = ", ".join(col.get("sql") or f'"{column}"' for column, col in ds["columns"].items())
            metrics = "".join(f", {m['sql']}" for m in ds.get("metrics", {}).values())
            con.execute(f"SELECT {columns} FROM {dataset_source_sql(specs, name)} LIMIT 1").fetchall()
            con.execute(f"SELECT count(*){metrics} FROM {dataset_source_sql(specs, name)}").fetchall()
