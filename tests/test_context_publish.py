"""Public context published: after a real pipeline run with the synthetic national-hotline table and FBI file
in the inbox, the serving tables context_hotline_yearly and context_fbi_region_yearly hold the numbers an
independent computation from the files gives, shown as their publishers printed them (public figures are never
suppressed; the task force's own intake beside them is), the disclosure audit and the serving guard pass, and the static site shows the "Public context" panels in chromium."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.browser import open_page, require_chromium
from support.pipeline import lantern_env, run_pipeline

from sources.context.samples import write_fbi_human_trafficking, write_hotline_state_statistics
from sources.reference import counties, deployment

PIPELINE_FIXTURES = {'publish_run'}  # they run the real pipeline: tests using them are in the slow tier

HOTLINE_FILE = "Hotline Statistics - State (2026).csv"
FBI_FILE = "HT_2013-2023.csv"
K = 11


@dataclass
class PublishRun:
    home: Path
    result: object

    def serving(self, sql: str) -> pl.DataFrame:
        with duckdb.connect(str(self.home / "serving.duckdb"), read_only=True) as con:
            return con.execute(sql).pl()


@pytest.fixture(scope="module")
def publish_run(tmp_path_factory: pytest.TempPathFactory) -> PublishRun:
    """The clean demo drops (as conftest's clean_demo_run) plus both context files, through the whole pipeline."""
    from sources.generator import generate

    home = tmp_path_factory.mktemp("context_publish")
    with lantern_env(home):
        summary = generate(home / "inbox", scale="mo", years=2, seed=11, defect_rate=0.0)
        last_year = max(int(m[:4]) for m in _own_months(home / "inbox"))
        # Published years up to the data's last year, so complete years of own intake have a national figure.
        write_hotline_state_statistics(home / "inbox" / HOTLINE_FILE, deployment(), years=range(2015, last_year + 1))
        write_fbi_human_trafficking(home / "inbox" / FBI_FILE, deployment(), counties())
        assert summary is not None
        yield PublishRun(home, run_pipeline(home))


def _own_months(inbox: Path) -> set[str]:
    return set(_own_signals(inbox)["month"].to_list())


def _own_signals(inbox: Path) -> pl.DataFrame:
    frames = [pl.read_csv(p, infer_schema=False) if p.suffix == ".csv" else
              pl.read_parquet(p).select(pl.all().cast(pl.Utf8)) for p in sorted(inbox.glob("hotline_signals__*"))]
    return pl.concat(frames, how="diagonal_relaxed").select(
        pl.col("received_date").str.slice(0, 7).alias("month"),
        pl.col("received_date").str.slice(0, 4).cast(pl.Int32).alias("year"),
        (pl.col("is_case") == "true").alias("is_case"))


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _published_hotline(inbox: Path) -> dict[int, tuple[int, int, float, float]]:
    state = deployment().state_name
    with open(inbox / HOTLINE_FILE, newline="", encoding="utf-8") as handle:
        return {int(r["Year"]): (_number(r["Signals received"]), _number(r["Cases identified"]),
                                 float(r["% of total signals"].rstrip("%")), float(r["% of total cases"].rstrip("%")))
                for r in csv.DictReader(handle) if r["State"] == state}


def _county_key(name: str) -> str:
    key = re.sub(r"\bCOUNTY\b", "", re.sub(r"[^A-Z0-9 ]", "", name.upper()))
    key = re.sub(r"\bSAINTE\b", "STE", re.sub(r"\bSAINT\b", "ST", key))
    return re.sub(r"\s+", " ", re.sub(r"\bDE KALB\b", "DEKALB", key)).strip()


def _expected_fbi(inbox: Path) -> pl.DataFrame:
    """Year x region x offense from the file (first recognised listed county's region, else unallocated),
    completed to the grid of regions and offenses, with the 'all' margins."""
    region_of = {_county_key(r["county_name"]): r["region"] for r in counties().iter_rows(named=True)}
    rows = []
    with open(inbox / FBI_FILE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["STATE_ABBR"] != deployment().state_code:
                continue
            known = [region_of[_county_key(n)] for n in row["COUNTY_NAME"].split(";")
                     if n.strip() and _county_key(n) in region_of]
            rows.append({"year": int(row["DATA_YEAR"]), "region": known[0] if known else "unallocated",
                         "offense": row["OFFENSE_SUBCAT_NAME"].lower().replace(" ", "_"),
                         "actual": int(row["ACTUAL_COUNT"]), "cleared": int(row["CLEARED_COUNT"])})
    cells = pl.DataFrame(rows)
    regions = pl.DataFrame({"region": [*counties()["region"].cast(pl.Utf8).unique().to_list(), "unallocated"]})
    grid = (cells.select("year").unique().join(regions, how="cross")
            .join(cells.select("offense").unique(), how="cross"))
    detail = grid.join(cells.group_by("year", "region", "offense").agg(pl.col("actual", "cleared").sum()),
                       on=["year", "region", "offense"], how="left").fill_null(0)
    margins = [detail,
               detail.group_by("year", "region").agg(pl.col("actual", "cleared").sum()).with_columns(offense=pl.lit("all")),
               detail.group_by("year", "offense").agg(pl.col("actual", "cleared").sum()).with_columns(region=pl.lit("all")),
               detail.group_by("year").agg(pl.col("actual", "cleared").sum()).with_columns(
                   region=pl.lit("all"), offense=pl.lit("all"))]
    return pl.concat([m.select("year", "region", "offense", pl.col("actual").alias("actual_true"),
                               pl.col("cleared").alias("cleared_true")) for m in margins])


def test_refresh_succeeds_with_the_audit_and_the_guard_passing(publish_run):
    assert publish_run.result.success, publish_run.result.failures
    from dashboards.serving.audit import audit_serving_database
    from dashboards.serving.guard import serving_violations

    serving = publish_run.home / "serving.duckdb"
    assert serving_violations(serving) == []
    report = audit_serving_database(serving)
    assert report.passed, report.summary()
    tables = publish_run.serving("SELECT table_name FROM information_schema.tables")["table_name"].to_list()
    assert {"context_hotline_yearly", "context_fbi_region_yearly"} <= set(tables)


def test_hotline_table_holds_published_figures_own_intake_and_coverage(publish_run):
    inbox = publish_run.home / "inbox"
    published = _published_hotline(inbox)
    own = _own_signals(inbox).group_by("year").agg(pl.len().alias("signals"), pl.col("is_case").sum().alias("cases"),
                                                    pl.col("month").n_unique().alias("months"))
    own = {r["year"]: r for r in own.iter_rows(named=True)}
    table = publish_run.serving("SELECT * FROM context_hotline_yearly ORDER BY year")
    assert table["year"].to_list() == sorted(published)
    covered = 0
    for row in table.iter_rows(named=True):
        signals, cases, pct_signals, pct_cases = published[row["year"]]
        assert (row["published_signals"], row["published_cases"]) == (signals, cases)
        assert not row["published_signals_suppressed"] and not row["published_cases_suppressed"]
        assert row["share_of_national_signals_pct"] == pytest.approx(pct_signals)
        assert row["share_of_national_cases_pct"] == pytest.approx(pct_cases)
        mine = own.get(row["year"]) if row["year"] < _open_year(publish_run) else None
        if mine is None:  # before the publication period, or a year the release has not closed: no own intake
            assert row["own_signals"] is None and row["own_signals_suppressed"] is None and row["signal_coverage"] is None
            continue
        assert row["own_signals_suppressed"] is False and row["own_cases_suppressed"] is False
        assert (row["own_signals"], row["own_cases"], row["months_loaded"]) == (mine["signals"], mine["cases"],
                                                                                mine["months"])
        if mine["months"] == 12:
            assert row["signal_coverage"] == pytest.approx(mine["signals"] / signals)
            assert row["case_coverage"] == pytest.approx(mine["cases"] / cases)
            covered += 1
        else:  # a part year is never set against a whole year's published figure
            assert row["signal_coverage"] is None and row["case_coverage"] is None
    assert covered >= 1
    # Own intake is the published statewide count of area_yearly, not a second copy of it.
    state = publish_run.serving("SELECT year, signals FROM area_yearly WHERE region = 'all' AND county = 'all'")
    joined = table.join(state, on="year")
    assert joined.height >= 2 and (joined["own_signals"] == joined["signals"]).all()


def _open_year(run: PublishRun) -> int:
    """The first year the release has not closed (its own intake is not published yet)."""
    period_end = run.serving("SELECT value FROM publication WHERE key = 'period_end'")["value"][0]
    year, month = int(period_end[:4]), int(period_end[5:7])
    return year + 1 if month == 12 else year


def test_fbi_table_holds_the_file_numbers_as_published(publish_run):
    """Public figures stay public: the FBI's own numbers, allocated to regions, are shown as the file gives
    them, small ones included (suppression protects the task force's intake, not what the FBI printed)."""
    expected = _expected_fbi(publish_run.home / "inbox")
    table = publish_run.serving("SELECT * FROM context_fbi_region_yearly")
    keys = ["year", "region", "offense"]
    assert table.height == expected.height == table.select(keys).unique().height
    joined = table.join(expected, on=keys, how="full", coalesce=True)
    assert set(table["region"]) >= {"all", "unallocated"}
    for count, truth in (("actual_offenses", "actual_true"), ("cleared", "cleared_true")):
        assert not joined[f"{count}_suppressed"].any(), count
        assert (joined[count] == joined[truth]).all(), count
    assert joined["actual_true"].is_between(1, K - 1).any()  # small public numbers are shown, not hidden
    rated = joined.filter(pl.col("clearance_rate").is_not_null())
    assert rated.height > 0
    assert ((rated["clearance_rate"] - rated["cleared_true"] / rated["actual_true"]).abs() < 1e-9).all()
    few = (pl.col("actual_true") <= 20) | (pl.col("cleared_true") <= 20)
    assert (rated.filter(few)["clearance_rate_flag"] == "unreliable").all()
    assert rated.filter(~few)["clearance_rate_flag"].is_null().all()
    # The statewide row includes 'unallocated': the state total is the sum of every region's true count.
    detail = expected.filter((pl.col("region") != "all") & (pl.col("offense") == "all"))
    state = joined.filter((pl.col("region") == "all") & (pl.col("offense") == "all"))
    sums = detail.group_by("year").agg(pl.col("actual_true").sum().alias("sum_regions"))
    checked = state.join(sums, on="year")
    assert checked.height > 0 and (checked["actual_offenses"] == checked["sum_regions"]).all()


def test_site_shows_the_public_context_panels(publish_run):
    page = (publish_run.home / "site" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="h-context"'):page.index('id="h-regions"')]
    assert "National hotline and our intake" in section and "FBI-reported offenses and clearances" in section
    hotline = publish_run.serving("SELECT * FROM context_hotline_yearly")
    for row in hotline.iter_rows(named=True):
        assert f'<td class="num">{row["published_signals"]:,}</td>' in section
    assert "clearance rate can exceed 100%" in section  # the FBI caveat
    fbi = section[section.index("FBI-reported offenses and clearances"):]
    assert "as published by the FBI Crime Data Explorer" in fbi
    # public figures stay public: the FBI's small numbers are shown as printed, never suppressed
    assert re.search(r'<td class="num">[1-9]</td>|<td class="num">10</td>', fbi)
    assert "suppressed</td>" not in fbi


@pytest.mark.browser
def test_site_with_context_renders_in_chromium_without_errors(publish_run):
    require_chromium()
    page = publish_run.home / "site" / "index.html"
    run = open_page(page.as_uri(), publish_run.home / "context-site.png", wait_for="document.body.dataset.chartsReady",
                    evaluate="""({
                        panels: document.querySelectorAll('#h-context ~ div table, section[aria-labelledby="h-context"] table').length,
                        drawFailures: document.body.innerText.includes('could not be drawn'),
                    })""")
    assert run.problems == [] and run.console_errors == []
    assert run.blocked == [] and run.requests == []
    assert run.result["panels"] == 2 and run.result["drawFailures"] is False


def test_site_skips_the_panels_for_a_serving_database_without_them(publish_run, tmp_path):
    from dashboards.site import build_site

    db = tmp_path / "serving.duckdb"
    db.write_bytes((publish_run.home / "serving.duckdb").read_bytes())
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE context_hotline_yearly")
        con.execute("DROP TABLE context_fbi_region_yearly")
    report = build_site(db, tmp_path / "site")
    assert 'id="h-context"' not in report.path.read_text(encoding="utf-8")


def test_an_empty_published_table_has_nothing_to_protect():
    """Without the context files both tables are empty: suppression and audit still run (older inboxes)."""
    from dashboards.disclosure import PublishedSet, TableSpec, audit, suppress

    spec = PublishedSet(tables=[TableSpec("a", ["x"], ["n"]), TableSpec("b", ["year"], ["m"], levels={"year": "hy"})],
                        min_cell_count=11)
    frames = {"a": pl.DataFrame({"x": ["p", "q", "all"], "n": [5, 20, 25]}),
              "b": pl.DataFrame(schema={"year": pl.Int32, "m": pl.Int64})}
    result = suppress(frames, spec)
    assert result.frames["b"].height == 0 and result.n_primary == 1 and result.n_complementary == 1
    assert audit(result.frames, spec).passed


def test_a_partial_fbi_file_shows_a_banner_and_quarantined_cells_on_the_site(publish_run, tmp_path):
    """The published run's home, copied, with a new FBI file for 2024 whose rows for one region were all
    quarantined: the refresh still publishes but says it succeeded only with a warning, the serving grid marks that
    region's cells, and the site shows the banner and "rows quarantined" where it showed "no agency reported"."""
    import shutil

    from support.context_files import FBI_HEADER, fbi_row, write_rows

    home = tmp_path / "home"
    shutil.copytree(publish_run.home, home)
    regions = counties().select("fips", "county_name", "region")
    jackson_region = regions.filter(pl.col("fips") == "29095")["region"].item()
    other = regions.filter(pl.col("region") != jackson_region).row(0, named=True)
    other_name = other["county_name"].upper().removesuffix(" COUNTY")
    write_rows(home / "inbox" / "HT_2024 download.csv", FBI_HEADER, [
        fbi_row(2024, "MO0950000", "JACKSON", actual="25", cleared="12"),
        fbi_row(2024, "MO0770000", other_name, actual="n/a"),
        fbi_row(2024, "MO0770000", other_name, subcat="Involuntary Servitude", actual="n/a")])
    with lantern_env(home):  # the next month's release takes the new file in
        result = run_pipeline(home, release=dt.date.today() + dt.timedelta(days=40))
    assert result.success and "cut" in result.release_note, result.summary()
    assert result.warnings and all("context_files_complete" in w for w in result.warnings), result.summary()
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as con:
        cell = con.execute("SELECT reported, rows_quarantined FROM context_fbi_region_yearly "
                           "WHERE year = 2024 AND region = ? AND offense = 'all'", [other["region"]]).fetchone()
        partial = con.execute("SELECT feed, year FROM context_file_years WHERE partial").fetchall()
    assert cell == (False, True)
    assert partial == [("fbi_cde_human_trafficking", 2024)]
    page = (home / "site" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="h-context"'):page.index('id="h-regions"')]
    assert 'id="context-partial"' in section and "human-trafficking offenses: 2024" in section
    label = publish_run.serving(f"SELECT DISTINCT region_label FROM context_fbi_region_yearly "
                                f"WHERE region = '{other['region']}'").item()
    row = re.search(rf"<tr><td>2024</td><th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", section).group(1)
    assert "rows quarantined" in row and "No agency reported" not in row
