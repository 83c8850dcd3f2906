"""The quarterly briefing built from a real serving database (a real pipeline run): its PDF text is
extractable and its numbers are the serving database's, suppressed values read "suppressed", a missing
table is reported in its section, page 1 renders non-blank, and the Dagster asset builds it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboards.briefing import briefing_data_quality, build_briefing, latest_complete_quarter
from dashboards.briefing.cli import run as briefing_cli
from dashboards.briefing.narrative import change_placement
from dashboards.briefing.numbers import bound_pct, signed_pct
from dashboards.briefing.quarters import Quarter

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = REPO / "artifacts" / "briefing-page1.png"


@pytest.fixture(scope="module")
def briefing(clean_demo_run, tmp_path_factory):
    home = clean_demo_run.home
    out = tmp_path_factory.mktemp("briefing")
    report = build_briefing(home / "serving.duckdb", out / "briefings", out / "site")
    pages = [page.extract_text() for page in PdfReader(report.pdf_path).pages]
    return report, pages, home / "serving.duckdb"


def _state_row(serving: Path, quarter: Quarter) -> dict:
    with duckdb.connect(str(serving), read_only=True) as con:
        cursor = con.execute("SELECT * FROM area_quarterly WHERE area_level = 'state' AND quarter = ?", [quarter.start])
        return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def _change_text(row: dict, measure: str, comparison: str) -> str:
    p = change_placement(measure, comparison, "area_quarterly")
    if row[p.column] is None:
        return "no data"
    return f"{signed_pct(row[p.column])} ({bound_pct(row[p.low])} to {bound_pct(row[p.high])})"


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_briefing_defaults_to_the_latest_complete_quarter(briefing):
    report, _, serving = briefing
    with duckdb.connect(str(serving), read_only=True) as con:
        latest = con.execute("SELECT max(quarter) FROM area_quarterly WHERE area_level = 'state' AND months_loaded = 3"
                             ).fetchone()[0]
    assert report.quarter == Quarter.of(latest) == latest_complete_quarter(serving)
    assert report.pdf_path.name == f"{report.quarter.label}.pdf"


def test_pdf_text_is_extractable_and_headline_numbers_match_the_serving_database(briefing):
    report, pages, serving = briefing
    assert report.quarter.label in pages[0] and "Headline numbers" in pages[1]
    state = _state_row(serving, report.quarter)
    for measure, label in (("signals", "Hotline signals"), ("cases", "Cases")):
        line = _line(pages[1], label + " ")
        count = "suppressed" if state[f"{measure}_suppressed"] else f"{state[measure]:,}"
        expected = f"{label} {count} {_change_text(state, measure, 'qoq')} "
        assert line.startswith(expected), (line, expected)
        assert _change_text(state, measure, "yoy") in line


def test_regions_table_numbers_match_and_suppressed_regions_read_suppressed_never_zero(briefing):
    """The signals-by-region table is drawn at the grain the release chose (issue #15): each region's latest
    period reads its published cell ("suppressed", never 0, where hidden); a region the release rolls into
    "Other" is not listed alone."""
    report, pages, serving = briefing
    text = "\n".join(p for p in pages)
    with duckdb.connect(str(serving), read_only=True) as con:
        grain, rollup = con.execute("SELECT grain, rollup FROM grain WHERE panel = 'signals_by_region' AND chosen").fetchone()
        rolled = {m for (m,) in con.execute("SELECT member FROM grain_rollup WHERE panel = 'signals_by_region' "
                                            "AND grain = ?", [grain]).fetchall()} if rollup == "other" else set()
        table, period = {"month": ("area_monthly", "month"), "quarter": ("area_quarterly", "quarter"),
                         "year": ("area_yearly", "year")}[grain]
        if grain == "year":
            at = con.execute("SELECT max(year) FROM area_yearly WHERE area_level = 'state' AND months_loaded = 12 "
                             "AND year <= ?", [report.quarter.start.year]).fetchone()[0]
        else:
            at = report.quarter.start
        regions = con.execute(f"SELECT region, area_name, signals, signals_suppressed FROM {table} "
                              f"WHERE area_level = 'region' AND {period} = ?", [at]).fetchall()
    start = text.index(f"Hotline signals by region, by {grain}")
    block = text[start:text.index("Cases by region, by", start)]
    assert regions
    for code, name, signals, suppressed in regions:
        if code in rolled:
            assert not re.search(rf"^{re.escape(name)} ", block, re.M), name
            continue
        line = _line(block, name + " ")
        assert line.startswith(f"{name} {'suppressed' if suppressed else f'{signals:,}'}"), line
    assert ("\nOther " in block) == bool(rolled)


def test_only_significant_changes_are_called_rises_or_falls(briefing):
    report, pages, serving = briefing
    text = " ".join(pages).replace("\n", " ")
    state = _state_row(serving, report.quarter)
    for measure, label in (("signals", "Hotline signals"), ("cases", "Cases")):
        for comparison, against in (("qoq", "the previous quarter"), ("yoy", "the same quarter last year")):
            p = change_placement(measure, comparison, "area_quarterly")
            low, high = state[p.low], state[p.high]
            if low is None:
                continue
            called = re.search(rf"{label} statewide (rose|fell) \d+% on {against}", text)
            assert bool(called) == (low > 0 or high < 0), (measure, comparison, low, high)


def test_page_one_renders_to_a_non_blank_png_kept_as_artifact(briefing, tmp_path):
    report, _, _ = briefing
    if shutil.which("pdftoppm") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "poppler-utils"], check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(report.pdf_path),
                    str(tmp_path / "page1")], check=True)
    with Image.open(tmp_path / "page1.png") as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128]) / (grey.width * grey.height)
    assert 0.005 < dark < 0.5, dark  # text on a white page, not blank and not a black box
    ARTIFACT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "page1.png", ARTIFACT)


def test_site_page_is_self_contained_and_says_the_same(briefing):
    report, pages, _ = briefing
    page = report.html_path.read_text(encoding="utf-8")
    assert report.html_path.with_suffix(".pdf").read_bytes() == report.pdf_path.read_bytes()
    assert "<script" not in page and not re.search(r'(src|href)="https?:', page)
    assert page.count("<svg") >= 3
    first_sentence = next(line for line in pages[1].splitlines() if line.startswith("• Hotline signals statewide"))
    assert first_sentence[2:40] in page


def test_missing_serving_table_is_reported_in_its_section(briefing, tmp_path):
    _, _, serving = briefing
    copy = tmp_path / "serving.duckdb"
    shutil.copyfile(serving, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE emerging_hotspots")
        con.execute("DROP TABLE case_funnel")
    report = build_briefing(copy, tmp_path / "briefings", tmp_path / "site")
    text = " ".join(p.extract_text() for p in PdfReader(report.pdf_path).pages).replace("\n", " ")
    assert {"emerging_hotspots", "case_funnel"} <= set(report.missing_tables)
    assert "no table 'emerging_hotspots' yet" in text and "no table 'case_funnel' yet" in text


def test_agency_data_quality_is_exact_internally_and_absent_from_the_release_briefing(briefing, clean_demo_run):
    """Files and quarantined rows per agency: exact in the internal database (each agency reads its own row
    through row-level security), and not in a protected release (every release would move those running totals),
    so the briefing says where they are instead of showing a gap."""
    report, _, serving = briefing
    assert briefing_data_quality(serving) is None
    rows = briefing_data_quality(clean_demo_run.home / "internal.duckdb")
    # independent truth: the warehouse's file manifest
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        truth = {(a, f): (n, read, held) for a, f, n, read, held in con.execute(
            "SELECT agency, feed, count(*), sum(rows_read), sum(rows_quarantined) FROM raw.file_manifest "
            "WHERE agency IS NOT NULL AND feed IN ('hotline_signals', 'referrals', 'case_outcomes') "
            "GROUP BY ALL").fetchall()}
    assert {(r["agency"], r["feed"]) for r in rows} == set(truth)
    for r in rows:
        assert (r["files"], r["rows_read"], r["rows_quarantined"]) == truth[(r["agency"], r["feed"])], r
        assert not (r["files_suppressed"] or r["rows_read_suppressed"] or r["rows_quarantined_suppressed"])
    text = " ".join(p.extract_text() for p in PdfReader(report.pdf_path).pages).replace("\n", " ")
    assert "not in a protected release" in text and "no table 'agency_data_quality'" not in text


def test_cli_builds_the_requested_quarter_under_lantern_home(briefing, writable_demo_run, capsys):
    report, _, _ = briefing
    previous = report.quarter.previous()
    home = writable_demo_run.home
    assert briefing_cli(previous.label, home) == 0
    assert (home / "briefings" / f"{previous.label}.pdf").exists()
    assert (home / "site" / "briefing" / f"{previous.label}.html").exists()
    assert f"Briefing {previous.label}" in capsys.readouterr().out


def test_dagster_asset_materializes_the_quarter_partition(briefing, writable_demo_run):
    from dagster import DagsterInstance, materialize

    from pipelines.assets.briefing import latest_briefing_partition, quarterly_briefing
    from pipelines.resources import pipeline_resources
    from sources.reference.paths import Paths

    report, _, serving = briefing
    key = latest_briefing_partition(serving)
    assert key == report.quarter.start.isoformat()
    with DagsterInstance.ephemeral() as instance:
        result = materialize([quarterly_briefing], partition_key=key, instance=instance,
                             resources=pipeline_resources(Paths(writable_demo_run.home)))
    assert result.success
    metadata = result.asset_materializations_for_node("briefing__quarterly_briefing")[0].metadata
    assert metadata["quarter"].value == report.quarter.label
    assert (writable_demo_run.home / "briefings" / f"{report.quarter.label}.pdf").exists()


def test_briefing_shows_suppressed_feed_totals_as_suppressed(clean_demo_run, tmp_path):
    """Feed totals are protected counts: a hidden one is written as suppressed, not a crash (make demo's
    defective drops hide some; the clean test run has none, so one is hidden here)."""
    serving = tmp_path / "serving.duckdb"
    shutil.copy(clean_demo_run.home / "serving.duckdb", serving)
    with duckdb.connect(str(serving)) as con:  # a database that has feed totals (a release has none)
        con.execute(f"ATTACH '{clean_demo_run.home / 'internal.duckdb'}' AS internal (READ_ONLY)")
        con.execute("CREATE TABLE feed_freshness AS SELECT * FROM internal.feed_freshness")
        con.execute("UPDATE feed_freshness SET rows_quarantined = NULL, rows_quarantined_suppressed = true, "
                    "files = NULL, files_suppressed = true WHERE feed = 'referrals'")
    report = build_briefing(serving, tmp_path / "briefings", tmp_path / "site")
    text = " ".join(page.extract_text() for page in PdfReader(report.pdf_path).pages)
    assert "Referrals" in text and "suppressed" in text.lower()
