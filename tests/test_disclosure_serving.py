"""Disclosure control of the real serving database: the audit passes on what the pipeline publishes and
catches deliberately leaky variants of it (the three classic leaks); hotspots publish no hidden evidence."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
import pytest

from dashboards.disclosure import audit
from dashboards.serving import audit_serving_database
from dashboards.release.build import closed_periods_only
from dashboards.serving.build import true_frames
from dashboards.serving.audit import published_tables
from dashboards.serving.hotspots import published_hotspots, score_cells, sector_seasons
from dashboards.serving.published_set import published_set
from dashboards.serving.satellites import profiles, satellites
from pipelines.resources import prepare_session
from sources.generator import generate
from sources.generator.summary import PlantedRise

K = 11


@pytest.fixture(scope="module")
def published_and_true(clean_demo_run):
    frames, first, last = published_tables(clean_demo_run.home / "serving.duckdb")
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        prepare_session(con, clean_demo_run.home)
        # the release publishes closed periods (no record arrived after it was cut in this run)
        truth = closed_periods_only(true_frames(con), last)
    return frames, truth, published_set(first, last)


def reveal(frames, truth, table, count, where: pl.Expr) -> dict:
    """A leaky publisher: show the true value of `count` in the rows matching `where`."""
    out = dict(frames)
    true_values = truth[table][count]
    mask = frames[table].select(where.fill_null(False)).to_series()
    out[table] = frames[table].with_columns(
        pl.when(mask).then(true_values).otherwise(pl.col(count)).alias(count),
        pl.when(mask).then(False).otherwise(pl.col(f"{count}_suppressed")).alias(f"{count}_suppressed"))
    return out


def flagged(report, table, count, key_parts) -> bool:
    rows = report.failures.filter((pl.col("table") == table) & (pl.col("count") == count)
                                  & pl.col("reason").str.starts_with("suppressed value"))
    return any(all(p in key for p in key_parts) for key in rows["key"].to_list())


def small_hidden(frames, truth, table, count, where: pl.Expr = pl.lit(True)) -> pl.DataFrame:
    with_truth = frames[table].with_columns(truth[table][count].alias("_true"))
    return with_truth.filter(where & pl.col(f"{count}_suppressed") & pl.col("_true").is_between(1, K - 1))


def test_audit_passes_on_the_real_serving_database_with_suppression_reported(clean_demo_run):
    report = audit_serving_database(clean_demo_run.home / "serving.duckdb")
    assert report.passed, report.failures.head(10)
    with duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True) as con:
        stats = dict(con.execute("SELECT key, value FROM publication").fetchall())
    assert int(stats["cells_suppressed_primary"]) > 0
    assert int(stats["cells_published"]) == report.n_cells
    assert int(stats["cells_suppressed_primary"]) + int(stats["cells_suppressed_complementary"]) == report.n_suppressed


def test_audit_catches_county_recoverable_from_its_region_row_total(published_and_true):
    frames, truth, spec = published_and_true
    target = small_hidden(frames, truth, "area_yearly", "signals", pl.col("area_level") == "county").row(0, named=True)
    same_row = ((pl.col("year") == target["year"]) & (pl.col("region") == target["region"])
                & (pl.col("area_level") == "county") & (pl.col("county") != target["county"]))
    report = audit(reveal(frames, truth, "area_yearly", "signals", same_row), spec)
    assert audit(frames, spec).passed
    assert flagged(report, "area_yearly", "signals", [f"county={target['county']}", f"year={target['year']}"])


def test_audit_catches_month_recoverable_from_quarter_minus_two_months(published_and_true):
    frames, truth, spec = published_and_true
    quarters = frames["area_quarterly"].filter(pl.col("signals").is_not_null() & (pl.col("area_level") == "county"))
    months = small_hidden(frames, truth, "area_monthly", "signals", pl.col("area_level") == "county").with_columns(
        pl.col("month").dt.truncate("3mo").alias("quarter")).join(quarters.select("quarter", "county"),
                                                                   on=["quarter", "county"])
    target = months.row(0, named=True)
    other_months = ((pl.col("county") == target["county"]) & (pl.col("month").dt.truncate("3mo") == target["quarter"])
                    & (pl.col("month") != target["month"]))
    report = audit(reveal(frames, truth, "area_monthly", "signals", other_months), spec)
    assert flagged(report, "area_monthly", "signals", [f"county={target['county']}", f"month={target['month']}"])


def test_audit_catches_region_recoverable_from_state_minus_other_regions(published_and_true):
    frames, truth, spec = published_and_true
    target = small_hidden(frames, truth, "area_quarterly", "cases", pl.col("area_level") == "region").row(0, named=True)
    other_regions = ((pl.col("quarter") == target["quarter"]) & (pl.col("area_level") == "region")
                     & (pl.col("region") != target["region"]))
    report = audit(reveal(frames, truth, "area_quarterly", "cases", other_regions), spec)
    assert flagged(report, "area_quarterly", "cases", [f"region={target['region']}", f"quarter={target['quarter']}"])


def test_derived_values_are_never_shown_over_a_suppressed_count(clean_demo_run):
    with duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True) as con:
        shown = con.execute("SELECT count(*) FROM area_quarterly WHERE signals_suppressed AND "
                            "(signals_per_100k IS NOT NULL OR signals_qoq_change_pct IS NOT NULL)").fetchone()[0]
        flags = con.execute("SELECT count(*) FROM area_quarterly WHERE signals_suppressed "
                            "AND signals_per_100k_flag IS DISTINCT FROM 'suppressed'").fetchone()[0]
    assert shown == 0 and flags == 0


def _true_region_sector_quarters(inbox) -> pl.DataFrame:
    from sources.reference import counties, industry_sectors

    signals = pl.concat([pl.read_csv(p, infer_schema=False) if p.suffix == ".csv" else
                         pl.read_parquet(p).select(pl.all().cast(pl.Utf8))
                         for p in sorted(inbox.glob("hotline_signals__*"))], how="diagonal_relaxed")
    return (signals
            .join(counties().select(pl.col("fips").alias("county_fips"), "region"), on="county_fips", how="left")
            .join(industry_sectors().select(pl.col("venue_code").alias("venue_type"), "sector_code"),
                  on="venue_type", how="left")
            .with_columns(pl.col("region").fill_null("unknown"), pl.col("sector_code").fill_null("not_specified"),
                          pl.col("received_date").str.to_date().dt.truncate("3mo").alias("quarter"))
            .group_by("quarter", "region", "sector_code").agg(pl.len().alias("signals")))


@pytest.mark.pipeline
def test_planted_rise_is_flagged_as_emerging_and_published_with_its_evidence(tmp_path):
    rise = PlantedRise(region="C", sector_code="hospitality", quarter="2025Q3", factor=3.0)
    generate(tmp_path / "inbox", scale="mo", years=3, seed=21, end_date=dt.date(2026, 6, 30), defect_rate=0.0,
             planted_rise=rise)
    cells = _true_region_sector_quarters(tmp_path / "inbox")
    quarters = sorted(cells["quarter"].unique().to_list())[1:]  # the first quarter is partial
    sectors = cells.group_by("quarter", "sector_code").agg(pl.col("signals").sum())
    tested = score_cells(cells, quarters, sector_seasons(sectors, quarters))
    planted = tested.filter((pl.col("region") == "C") & (pl.col("sector_code") == "hospitality")
                            & (pl.col("quarter") == dt.date(2025, 7, 1)))
    assert planted["is_emerging"].item(), planted
    others = tested.filter(pl.col("is_emerging") & ~((pl.col("region") == "C") & (pl.col("sector_code") == "hospitality")))
    assert others.height <= 2  # FDR 5%: at most a stray false discovery in the whole run

    labelled = cells.with_columns(pl.col("region").alias("region_label"), pl.col("sector_code").alias("sector_name"),
                                  pl.col("quarter").dt.strftime("%Y").alias("quarter_label"))
    everything_shown = published_hotspots(cells, labelled, sectors, quarters)
    assert everything_shown.filter((pl.col("region") == "C") & (pl.col("sector_code") == "hospitality")).height >= 1
    # Hide one trailing quarter of the planted cell: its evidence would rest on a hidden count.
    one_hidden = labelled.with_columns(
        pl.when((pl.col("region") == "C") & (pl.col("sector_code") == "hospitality")
                & (pl.col("quarter") == dt.date(2025, 1, 1))).then(None).otherwise(pl.col("signals")).alias("signals"))
    withheld = published_hotspots(cells, one_hidden, sectors, quarters)
    assert withheld.filter((pl.col("region") == "C") & (pl.col("sector_code") == "hospitality")
                           & (pl.col("quarter") == dt.date(2025, 7, 1))).is_empty()


def test_the_pattern_kept_for_the_next_build_is_the_published_one_and_stays_in_the_warehouse(
        clean_demo_run, published_and_true):
    frames, truth, spec = published_and_true
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        kept = con.execute("SELECT table_name, count_name, cell_key, true_value FROM meta.suppression_pattern").pl()
    with duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True) as con:
        stats = dict(con.execute("SELECT key, value FROM publication").fetchall())
        serving_columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns").fetchall()}
    in_satellites = sum(int(frames[name][f"{c}_suppressed"].sum()) for name, (sat, _) in satellites().items()
                        for c in sat.counts)  # protected on their own, from their parents: no pattern kept
    in_satellites += sum(int(frames[name][f"{c}_suppressed"].sum()) for name, (prof, _) in profiles().items()
                         for c in prof.counts)  # the victim profile too
    assert kept.height == (int(stats["cells_suppressed_primary"]) + int(stats["cells_suppressed_complementary"])
                           - in_satellites)
    assert "true_value" not in serving_columns  # the true values of hidden cells are never published
    hidden = set()
    for t in spec.tables:
        published = frames[t.name].with_row_index("_row")
        for c in t.counts:
            for row in published.filter(pl.col(f"{c}_suppressed")).iter_rows(named=True):
                key = ", ".join(f"{d}={row[d]}" for d in t.dimensions)
                hidden.add((t.name, c, key, float(truth[t.name][c][row["_row"]])))
    assert set(kept.iter_rows()) == hidden


def test_a_full_rebuild_forgets_the_pattern_and_the_proofs_and_another_threshold_ignores_the_pattern(tmp_path):
    from dashboards.disclosure.proofs import Proof, ProofCache
    from dashboards.serving.disclosure_memory import (earlier_pattern, earlier_proofs, forget_disclosure_memory,
                                                      record_pattern)

    pattern = pl.DataFrame({"table_name": ["t"], "count_name": ["signals"], "cell_key": ["region=A"],
                            "true_value": [4.0]})
    proofs = ProofCache(known={"used": Proof(np.array([0.0, 3.0]), np.array([12.0, np.inf]), 4),
                               "unused": Proof(np.array([1.0]), np.array([2.0]), 2)}, used={"used"})
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        record_pattern(con, pattern, K, "run-1", proofs)
        assert earlier_pattern(con, K).equals(pattern)
        assert earlier_pattern(con, K + 5).is_empty()
        kept = earlier_proofs(con)
        assert set(kept.known) == {"used"}  # a proof this run did not use is not carried over
        assert kept.known["used"].low.tolist() == [0.0, 3.0] and kept.known["used"].high.tolist() == [12.0, np.inf]
        assert kept.known["used"].n_lp == 4
        forget_disclosure_memory(con)
        assert earlier_pattern(con, K).is_empty() and not earlier_proofs(con).known


def test_audit_catches_a_venue_type_recoverable_from_its_sector_year_minus_the_other_venue_types(clean_demo_run,
                                                                                                published_and_true):
    from dashboards.disclosure.satellite import audit_satellite
    from dashboards.serving.satellites import satellite_parents, satellites

    frames, truth, spec = published_and_true
    sat, parent_table = satellites()["venue_type_yearly"]
    published = frames["venue_type_yearly"]
    # the sector-year totals as the main set shows them: every quarter shown, or the year in yearly_industry
    parents = satellite_parents("venue_type_yearly", sat, parent_table, published, frames)
    assert audit_serving_database(clean_demo_run.home / "serving.duckdb").passed
    assert audit_satellite(sat, published, parents, K).passed
    shown_sectors = parents.filter(pl.col("signals").is_not_null()).select("year", "sector_code")
    candidates = small_hidden(frames, truth, "venue_type_yearly", "signals").join(
        shown_sectors.with_columns(pl.col("year").cast(published["year"].dtype)), on=["year", "sector_code"])
    target = candidates.row(0, named=True)
    rest = ((pl.col("year") == target["year"]) & (pl.col("sector_code") == target["sector_code"])
            & (pl.col("venue_type") != target["venue_type"]))
    leaky = reveal(frames, truth, "venue_type_yearly", "signals", rest)["venue_type_yearly"]
    report = audit_satellite(sat, leaky, parents, K)
    assert any(f"venue_type={target['venue_type']}" in key and f"year={target['year']}" in key
               for key in report.failures["key"].to_list())
