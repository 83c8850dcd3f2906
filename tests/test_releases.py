"""Releases that survive differencing: an attacker who keeps every release learns nothing new from comparing them.

The scenario: a release of the months closed by 2 October, then late records for July (3 hotline signals in
one county), a correction of one July record and the whole of October arrive, then the next release. An independent attack (scipy's LP, not
the product's audit) on both releases' area tables together bounds every hidden cell and every difference
between the releases; none may be narrowed to 1..k-1. The same attack on two nightly builds of the same data
as main published them before releases existed (`build_serving`: all months, current data) finds the leak.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.optimize import linprog
from support.pipeline import lantern_env

PIPELINE_FIXTURES = {'two_releases'}  # they run the real pipeline: tests using them are in the slow tier

K = 11
FIRST_CUT, SECOND_CUT = date(2026, 10, 2), date(2026, 11, 2)
AREA_TABLES = {"area_monthly": "month", "area_quarterly": "quarter", "area_yearly": "year"}


def _cells(serving: Path) -> dict[tuple, float | None]:
    """(table, period, region, count) -> value (None where hidden), for region and state rows of the area tables."""
    out = {}
    with duckdb.connect(str(serving), read_only=True) as con:
        for table, period in AREA_TABLES.items():
            for row in con.execute(f"SELECT CAST({period} AS VARCHAR), region, signals, signals_suppressed "
                                   f"FROM {table} WHERE county = 'all'").fetchall():
                out[(table, row[0], row[1], "signals")] = None if row[3] else float(row[2])
    return out


def _months_of(table: str, period: str, months: list[str]) -> list[str]:
    if table == "area_monthly":
        return [period]
    if table == "area_quarterly":
        start = date.fromisoformat(period)
        return [m for m in months if date.fromisoformat(m).year == start.year
                and (date.fromisoformat(m).month - 1) // 3 == (start.month - 1) // 3]
    return [m for m in months if m.startswith(period)]


def narrowed_cells(first: dict, second: dict) -> list[tuple]:
    """Every hidden cell of either release and every difference between them that an attacker holding both can
    narrow to 1..k-1. Unknowns: the data in the first release (x) and what was added by the second (d >= 0),
    per region and month; every shown cell of each release is an equation."""
    months = sorted({k[1] for k in {**first, **second} if k[0] == "area_monthly"})
    regions = sorted({k[2] for k in {**first, **second} if k[2] != "all"})
    atoms = {(m, r): i for i, (m, r) in enumerate((m, r) for m in months for r in regions)}
    n = len(atoms)

    def row(key, release: int) -> np.ndarray:
        table, period, region, _ = key
        vec = np.zeros(2 * n)
        for m in _months_of(table, period, months):
            for r in (regions if region == "all" else [region]):
                vec[atoms[(m, r)]] = 1
                if release == 2:
                    vec[n + atoms[(m, r)]] = 1
        return vec

    equations, values = [], []
    for release, cells in ((1, first), (2, second)):
        for key, value in cells.items():
            if value is not None:
                equations.append(row(key, release))
                values.append(value)
    a_eq, b_eq = np.array(equations), np.array(values)
    targets = [("hidden in release 1", key, row(key, 1)) for key, v in first.items() if v is None]
    targets += [("hidden in release 2", key, row(key, 2)) for key, v in second.items() if v is None]
    targets += [("difference", key, row(key, 2) - row(key, 1)) for key in first if key in second]
    found = []
    for what, key, objective in targets:
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status in (0, 3) and high.status in (0, 3), (what, key, low.message, high.message)
        lo = low.fun if low.status == 0 else -np.inf
        hi = -high.fun if high.status == 0 else np.inf
        if lo > 0.5 and hi < K - 0.5:  # integers: the range holds only 1 .. k-1
            found.append((what, key, round(lo, 3), round(hi, 3)))
    return found


def _late_records(inbox: Path, month: str, county: str, rows: int) -> None:
    """A hotline that sends `rows` more signals for an already closed month, in one county."""
    source = sorted(inbox.glob(f"hotline_signals__*__{month}.csv"))[0]
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        records = [r for _, r in zip(range(rows), reader)]
        fields = reader.fieldnames
    for i, record in enumerate(records):
        record.update(signal_id=f"{record['signal_id']}-LATE{i}", county_fips=county,
                      linkage_key=f"{i:x}".rjust(64, "f"), received_date=f"{month}-15")
    late = inbox / source.name.replace(f"__{month}.csv", f"__{month}_late.csv")
    with late.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(records)


def _correction(inbox: Path, month: str) -> str:
    """The hotline corrects one record of a closed month (same id, another venue): returns its id."""
    source = sorted(inbox.glob(f"hotline_signals__*__{month}.csv"))[0]  # the file the late records copy
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        next(reader)
        record, fields = next(reader), reader.fieldnames
    record["venue_type"] = "construction" if record["venue_type"] != "construction" else "landscaping"
    corrected = inbox / source.name.replace(f"__{month}.csv", f"__{month}_corrected.csv")
    with corrected.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerow(record)
    return record["signal_id"]


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """Two releases a month apart, with late July records and October between them; and two nightly builds of
    the same data as main published them (`build_serving`) for the attack to find today's leak."""
    from dashboards.serving.build import build_serving
    from pipelines.resources import prepare_session
    from sources.generator import generate

    from support.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("releases")
    staged = tmp_path_factory.mktemp("october")
    nightly = tmp_path_factory.mktemp("nightly")
    with lantern_env(home):
        generate(home / "inbox", scale="mo", years=2, seed=23, end_date=date(2026, 9, 30), defect_rate=0.0)
        generate(staged, scale="mo", years=2, seed=23, end_date=date(2026, 10, 31), defect_rate=0.0)
        first = run_pipeline(home, release=FIRST_CUT)
        assert first.success, first.summary()
        shutil.copy(home / "serving.duckdb", nightly / "release_1.duckdb")
        with duckdb.connect(str(home / "warehouse.duckdb")) as con:
            prepare_session(con, home)
            build_serving(con, nightly / "nightly_1.duckdb", run_id=None)
        for path in staged.glob("*__2026-10*.csv"):
            shutil.copy(path, home / "inbox" / path.name)
        _late_records(home / "inbox", "2026-07", "29019", rows=3)
        _correction(home / "inbox", "2026-07")
        second = run_pipeline(home, release=SECOND_CUT)
        assert second.success, second.summary()
        with duckdb.connect(str(home / "warehouse.duckdb")) as con:
            prepare_session(con, home)
            build_serving(con, nightly / "nightly_2.duckdb", run_id=None)
    return home, nightly


def test_the_attack_finds_the_leak_of_two_nightly_builds(two_releases):
    _, nightly = two_releases
    found = narrowed_cells(_cells(nightly / "nightly_1.duckdb"), _cells(nightly / "nightly_2.duckdb"))
    assert [f for f in found if f[0] == "difference"], "the late July records must show as a small difference"


def test_two_releases_a_month_apart_give_no_cell_or_difference_away(two_releases):
    home, _ = two_releases
    kept = sorted(p.name for p in (home / "releases").iterdir() if p.is_dir())
    assert kept == ["2026-09", "2026-10"]
    first, second = (_cells(home / "releases" / rid / "serving.duckdb") for rid in kept)
    assert narrowed_cells(first, second) == []
    # every cell of the first release is in the second, unchanged; the late July records are held back
    assert all(second[key] == value for key, value in first.items())
    with duckdb.connect(str(home / "releases" / "2026-10" / "serving.duckdb"), read_only=True) as con:
        months = [r[0] for r in con.execute("SELECT DISTINCT CAST(month AS VARCHAR) FROM area_monthly").fetchall()]
        quarters = [r[0] for r in con.execute("SELECT DISTINCT CAST(quarter AS VARCHAR) FROM area_quarterly").fetchall()]
    assert max(months) == "2026-10-01" and max(quarters) == "2026-07-01"  # Q4 is still open: not published


def test_the_latest_release_is_what_readers_see_and_the_nightly_leaves_it_alone(two_releases):
    home, _ = two_releases
    latest = home / "releases" / "2026-10" / "serving.duckdb"
    assert (home / "serving.duckdb").read_bytes() == latest.read_bytes()
    assert (home / "releases" / "2026-10" / "site" / "index.html").exists()
    with duckdb.connect(str(home / "internal.duckdb"), read_only=True) as con:
        internal = con.execute("SELECT signals FROM area_monthly WHERE month = DATE '2026-07-01' AND region = 'all' "
                               "AND county = 'all'").fetchone()[0]
    with duckdb.connect(str(latest), read_only=True) as con:
        released = con.execute("SELECT signals FROM area_monthly WHERE month = DATE '2026-07-01' AND region = 'all' "
                               "AND county = 'all'").fetchone()[0]
    assert internal == released + 3  # analysts see the late records at once; the public release holds them
    from dashboards.release import kept_releases
    from dashboards.release.held_back import held_back_records

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        first_month = con.execute("SELECT min(month) FROM intermediate.int_calendar_months").fetchone()[0]
        held = held_back_records(con, kept_releases(home), first_month)
    # what `lantern status` reports: the 3 late records and the corrected version of one released record
    assert held.rows() == [("hotline_signals", date(2026, 7, 1), 4)]


def test_an_audit_with_an_earlier_release_changed_fails(two_releases, tmp_path):
    """The blocking check's cross-release half: a candidate that shows an earlier cell differently is refused."""
    from dashboards.release import earlier_cells_changed

    home, _ = two_releases
    candidate = tmp_path / "candidate.duckdb"
    shutil.copy(home / "releases" / "2026-10" / "serving.duckdb", candidate)
    assert earlier_cells_changed(candidate, [home / "releases" / "2026-09" / "serving.duckdb"]).is_empty()
    with duckdb.connect(str(candidate)) as con:
        con.execute("UPDATE area_monthly SET signals = signals + 3 WHERE month = DATE '2026-07-01' "
                    "AND region = 'all' AND county = 'all'")
    changed = earlier_cells_changed(candidate, [home / "releases" / "2026-09" / "serving.duckdb"])
    assert changed.height == 1 and changed["problem"][0] == "value changed"


def test_utility_recorded_for_a_release_matches_a_recount_from_the_drops(two_releases):
    """Hidden cells and hidden mass of the statewide and regional monthly signals, recounted from the drop files
    (the first release's months, late records excluded) against the release's hidden flags."""
    import polars as pl

    from dashboards.release.utility import release_utility
    from sources.reference import counties

    home, _ = two_releases
    frames = [pl.read_csv(p, infer_schema=False) if p.suffix == ".csv" else pl.read_parquet(p).select(pl.all().cast(pl.Utf8))
              for p in sorted((home / "inbox").glob("hotline_signals__*"))
              if p.stem.split("__")[-1] <= "2026-09"]  # the files the first release was cut from (not the late one)
    signals = (pl.concat(frames, how="diagonal_relaxed")
               .with_columns(pl.col("received_date").str.to_date().dt.truncate("1mo").alias("month"))
               .filter(pl.col("month") <= date(2026, 9, 1))
               .join(counties().select(pl.col("fips").alias("county_fips"), "region"), on="county_fips", how="left")
               .with_columns(pl.col("region").fill_null("unknown"), pl.col("county_fips").fill_null("unknown")))
    by_county = signals.group_by("month", "region", pl.col("county_fips").alias("county")).agg(pl.len().alias("truth"))
    by_region = signals.group_by("month", "region").agg(pl.len().alias("truth")).with_columns(pl.lit("all").alias("county"))
    state = signals.group_by("month").agg(pl.len().alias("truth")).with_columns(
        pl.lit("all").alias("region"), pl.lit("all").alias("county"))
    truth = pl.concat([by_county, by_region.select(by_county.columns), state.select(by_county.columns)])
    with duckdb.connect(str(home / "releases" / "2026-09" / "serving.duckdb"), read_only=True) as con:
        published = con.execute("SELECT month, region, county, signals_suppressed FROM area_monthly").pl()
        stated = con.execute("SELECT cells, cells_hidden FROM utility WHERE published_table = 'area_monthly' "
                             "AND measure = 'signals'").fetchone()
    joined = published.join(truth, on=["month", "region", "county"], how="left").with_columns(pl.col("truth").fill_null(0))
    hidden_mass = joined.filter(pl.col("signals_suppressed"))["truth"].sum()
    expected_mass = round(100 * hidden_mass / joined["truth"].sum(), 1)
    assert stated == (published.height, int(published["signals_suppressed"].sum()))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        measured = release_utility(con, "2026-09")
    row = measured.filter((pl.col("table_name") == "area_monthly") & (pl.col("count_name") == "signals")).row(0, named=True)
    assert (row["cells"], row["cells_hidden"]) == stated
    assert row["mass_hidden_pct"] == expected_mass


def _first_release_signals(home: Path):
    """The hotline signals the first release was cut from, recounted from the drop files (the late and corrected
    files came after it), with their region."""
    import polars as pl

    from sources.reference import counties

    frames = [pl.read_csv(p, infer_schema=False) if p.suffix == ".csv" else pl.read_parquet(p).select(pl.all().cast(pl.Utf8))
              for p in sorted((home / "inbox").glob("hotline_signals__*"))
              if len(p.stem.split("__")[-1]) == 7 and p.stem.split("__")[-1] <= "2026-09"]  # not _late, _corrected
    return (pl.concat(frames, how="diagonal_relaxed")
            .with_columns(pl.col("received_date").str.to_date().alias("day"))
            .filter(pl.col("day") < date(2026, 10, 1))
            .join(counties().select(pl.col("fips").alias("county_fips"), pl.col("region").cast(pl.Utf8)),
                  on="county_fips", how="left")
            .with_columns(pl.col("region").fill_null("unknown"),
                          pl.col("day").dt.truncate("3mo").cast(pl.Utf8).alias("quarter"),
                          pl.col("day").dt.year().cast(pl.Utf8).alias("year")))


def test_panel_utility_matches_a_recount_from_the_drops(two_releases):
    """Issue #15 item 1: per headline panel and grain, the cells hidden and the share of the true count in hidden
    cells recorded for the release equal a recount from the drop files against the release's hidden flags (over
    the panel's complete periods)."""
    import polars as pl

    from dashboards.release.utility import release_panel_utility

    home, _ = two_releases
    signals = _first_release_signals(home)
    recounts = {  # (panel, grain) -> (published rows query, recount keyed like it)
        ("signals_by_type", "quarter"): (
            "SELECT CAST(quarter AS VARCHAR) AS quarter, trafficking_type, signals_suppressed AS hidden "
            "FROM industry_quarterly WHERE sector_code = 'all' AND trafficking_type <> 'all' AND months_loaded = 3",
            signals.group_by("quarter", "trafficking_type").agg(pl.len().alias("truth"))),
        ("signals_by_type", "year"): (
            "SELECT CAST(year AS VARCHAR) AS year, trafficking_type, signals_suppressed AS hidden "
            "FROM yearly_industry WHERE sector_code = 'all' AND trafficking_type <> 'all' AND months_loaded = 12",
            signals.group_by("year", "trafficking_type").agg(pl.len().alias("truth"))),
        ("signals_by_region", "quarter"): (
            "SELECT CAST(quarter AS VARCHAR) AS quarter, region, signals_suppressed AS hidden "
            "FROM area_quarterly WHERE area_level = 'region' AND months_loaded = 3",
            signals.group_by("quarter", "region").agg(pl.len().alias("truth"))),
        ("signals_by_region", "year"): (
            "SELECT CAST(year AS VARCHAR) AS year, region, signals_suppressed AS hidden "
            "FROM area_yearly WHERE area_level = 'region' AND months_loaded = 12",
            signals.group_by("year", "region").agg(pl.len().alias("truth"))),
    }
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        measured = release_panel_utility(con, "2026-09")
    with duckdb.connect(str(home / "releases" / "2026-09" / "serving.duckdb"), read_only=True) as con:
        for (panel, grain), (query, truth) in recounts.items():
            published = con.execute(query).pl()
            keys = [c for c in published.columns if c != "hidden"]
            joined = published.join(truth, on=keys, how="left").with_columns(pl.col("truth").fill_null(0))
            assert joined["truth"].sum() > 0
            expected_mass = round(100 * joined.filter(pl.col("hidden"))["truth"].sum() / joined["truth"].sum(), 1)
            row = measured.filter((pl.col("panel") == panel) & (pl.col("grain") == grain)
                                  & (pl.col("rollup") == "none")).row(0, named=True)
            assert (row["cells"], row["cells_hidden"]) == (joined.height, int(joined["hidden"].sum())), (panel, grain)
            assert row["mass_hidden_pct"] == expected_mass, (panel, grain)
            # where the panel's totals are shown, the release's own figure (published numbers only) is the same
            stated = con.execute("SELECT hidden_share_pct FROM grain WHERE panel = ? AND grain = ? AND rollup = 'none'",
                                 [panel, grain]).fetchone()[0]
            assert stated is None or stated == expected_mass, (panel, grain, stated, expected_mass)
        # venue types rolled up within their sector: what is hidden is every venue type inside a sector "Other" whose
        # sector-year total the release suppresses (the rest is shown, alone or in its sector's "Other")
        venues = con.execute("""
            SELECT CAST(v.year AS VARCHAR) AS year, v.venue_type, v.sector_code, y.signals_suppressed AS sector_hidden,
                   v.venue_type IN (SELECT member FROM grain_rollup WHERE panel = 'signals_by_venue_type') AS rolled
            FROM venue_type_yearly AS v
            JOIN yearly_industry AS y ON y.sector_code = v.sector_code AND y.year = v.year AND y.trafficking_type = 'all'
            WHERE v.months_loaded = 12""").pl()
        rolled_up = con.execute("SELECT count(*) FROM grain WHERE panel = 'signals_by_venue_type' AND rollup = 'other'"
                                ).fetchone()[0]
    truth = signals.with_columns(pl.col("venue_type").fill_null("not_specified")).group_by(  # no venue: not specified
        "year", "venue_type").agg(pl.len().alias("truth"))
    joined = venues.join(truth, on=["year", "venue_type"], how="left").with_columns(pl.col("truth").fill_null(0))
    assert joined["truth"].sum() > 0
    plain = measured.filter((pl.col("panel") == "signals_by_venue_type") & (pl.col("rollup") == "none")).row(0, named=True)
    assert plain["true_total"] == joined["truth"].sum()
    if rolled_up:
        row = measured.filter((pl.col("panel") == "signals_by_venue_type") & (pl.col("rollup") == "other")
                              ).row(0, named=True)
        inside_hidden = joined.filter(pl.col("rolled") & pl.col("sector_hidden"))["truth"].sum()
        assert row["mass_hidden_pct"] == round(100 * inside_hidden / joined["truth"].sum(), 1)


def test_the_grain_choice_is_read_from_the_published_release_alone(two_releases):
    """Issue #15 item 2: recomputing the choice from the release file gives the release's `grain` table (so it is
    a function of published numbers); every panel shows exactly one grain, the finest that holds up."""
    import polars as pl

    from dashboards.release.grain import choose_grains

    home, _ = two_releases
    for rid in ("2026-09", "2026-10"):
        with duckdb.connect(str(home / "releases" / rid / "serving.duckdb"), read_only=True) as con:
            tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
            frames = {t: con.execute(f'SELECT * FROM "{t}"').pl() for t in tables}
        stated = frames["grain"].sort("panel", "grain_rank")
        chosen_again, rolled_again = choose_grains(frames)
        assert chosen_again.sort("panel", "grain_rank").equals(stated)
        assert rolled_again.sort("panel", "grain", "member").equals(frames["grain_rollup"].sort("panel", "grain", "member"))
        chosen = stated.filter(pl.col("chosen"))
        assert chosen["panel"].is_unique().all() and set(chosen["panel"]) == set(stated["panel"])
        for row in chosen.iter_rows(named=True):
            finer = stated.filter((pl.col("panel") == row["panel"]) & (pl.col("grain_rank") < row["grain_rank"]))
            assert not finer["holds"].any(), row["panel"]  # no finer grain that holds up was passed over
            assert row["holds"] or row["reason"] == "coarsest_none_holds"


def _release_frames(path: Path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}"').pl() for t in tables}


def test_other_is_the_true_sum_of_the_rolled_categories_and_never_small(two_releases):
    """A rolled-up panel's "Other", computed as a reader would (published total minus the categories shown), is
    per period 0 or >= k, and over the panel equals the true count of the rolled categories (recorded from the
    true frames): no hidden count hides inside it."""
    import polars as pl

    from dashboards.release.grain import _select, panel_rows, panels
    from dashboards.release.utility import release_panel_utility

    home, _ = two_releases
    frames = _release_frames(home / "releases" / "2026-10" / "serving.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        measured = release_panel_utility(con, "2026-10")
    rolled_rows = frames["grain"].filter(pl.col("rollup") == "other")
    assert rolled_rows.height, "the fixture's release has rolled-up options"
    for row in rolled_rows.iter_rows(named=True):
        grain = next(g for g in panels()[row["panel"]]["grains"] if g["grain"] == row["grain"])
        count, period, category = row["measure"], grain["period"], grain["category"]
        members = frames["grain_rollup"].filter((pl.col("panel") == row["panel"]) & (pl.col("grain") == row["grain"]))
        kept = panel_rows(frames, grain).filter(~pl.col(category).cast(pl.Utf8).is_in(members["member"].to_list()))
        assert not kept[count].is_null().any()
        total = _select(frames[grain["total"]["table"]], grain["total"]["where"])
        keys = [period, *grain["total"].get("by", [])]  # one "Other" per period (and group: a venue type's sector)
        hidden = pl.col(count).is_null() | pl.col(f"{count}_suppressed").fill_null(False)
        other = (total.group_by([pl.col(k).cast(pl.Utf8) for k in keys])
                 .agg(pl.when(hidden.any()).then(None).otherwise(pl.col(count).sum()).alias("total"))
                 .join(kept.group_by([pl.col(k).cast(pl.Utf8) for k in keys]).agg(pl.col(count).sum().alias("kept")),
                       on=keys, how="left")
                 .filter(pl.col("total").is_not_null())  # a hidden group total: its "Other" is suppressed
                 .with_columns((pl.col("total") - pl.col("kept").fill_null(0)).alias("other")))
        assert other.filter((pl.col("other") > 0) & (pl.col("other") < K)).is_empty(), row["panel"]
        truth = measured.filter((pl.col("panel") == row["panel"]) & (pl.col("grain") == row["grain"])
                                & (pl.col("rollup") == "other")).row(0, named=True)
        assert truth["other_total"] == float(other["other"].sum()), row["panel"]


def test_a_small_remainder_is_never_leaned_on(two_releases):
    """Plant a total 5 above the sum of a panel's shown cells: the hidden cells of that period would add up to
    5, so no grain of the panel that reads it holds up (it would be a leak of the release, not a panel)."""
    import polars as pl

    from dashboards.release.grain import choose_grains

    home, _ = two_releases
    frames = _release_frames(home / "releases" / "2026-10" / "serving.duckdb")
    state = (pl.col("area_level") == "state") & (pl.col("months_loaded") == 12)
    regions = frames["area_yearly"].filter((pl.col("area_level") == "region") & ~pl.col("signals_suppressed"))
    year = frames["area_yearly"].filter(state)["year"].max()
    shown = regions.filter(pl.col("year") == year)["signals"].sum()
    planted = dict(frames, area_yearly=frames["area_yearly"].with_columns(
        pl.when(state & (pl.col("year") == year)).then(pl.lit(shown + 5)).otherwise(pl.col("signals")).alias("signals")))
    before, _ = choose_grains(frames)
    after, _ = choose_grains(planted)
    row = after.filter((pl.col("panel") == "signals_by_region") & (pl.col("grain") == "year")
                       & (pl.col("rollup") == "none")).row(0, named=True)
    assert row["reason"] == "small_remainder" and not row["holds"]
    assert not before.filter(pl.col("reason") == "small_remainder").height
