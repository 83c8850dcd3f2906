"""Issue #15 items 3 and 4 on the static site and the briefing, from a real pipeline run's release: no rendered
number is a sum that includes a suppressed cell (a planted hidden cell turns the total into "suppressed"), zero
and suppressed look different, one vocabulary, CSV downloads (formula-neutralised), site <-> briefing links,
a 390 px phone layout in real chromium, and a briefing that opens with key findings and who did not report."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from dashboards.briefing import build_briefing
from dashboards.site import build_site
from support.browser import open_page, require_chromium

REPO = Path(__file__).resolve().parents[1]
PHONE_SCREENSHOT = REPO / "artifacts" / "site-phone.png"


@pytest.fixture(scope="module")
def release(clean_demo_run, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("honest") / "serving.duckdb"
    shutil.copyfile(clean_demo_run.home / "serving.duckdb", path)
    return path


@pytest.fixture(scope="module")
def site(release, tmp_path_factory) -> Path:
    return build_site(release, tmp_path_factory.mktemp("site")).path


def _copy(release: Path, tmp_path: Path, *statements: str) -> Path:
    planted = tmp_path / "planted.duckdb"
    shutil.copyfile(release, planted)
    con = duckdb.connect(str(planted))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return planted


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</section>", start)]


def _venue_sector_totals(page: str) -> dict[str, str]:
    """Sector heading rows of the venue table: sector -> the signals cell's text."""
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num[^"]*">([^<]+)</td>', _section(page, "h-venues"))
    return {html.unescape(name): text for name, text in rows}


def _expected_sector_totals(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        year = con.execute("SELECT coalesce(max(year) FILTER (WHERE months_loaded = 12), max(year)) "
                           "FROM venue_type_yearly").fetchone()[0]
        # a sector's year as published directly, else the sum of its quarters where none is suppressed
        rows = con.execute("""
            SELECT q.sector_name, bool_or(q.signals_suppressed), sum(q.signals), any_value(y.signals)
            FROM quarterly_by_sector AS q
            LEFT JOIN yearly_industry AS y ON y.sector_code = q.sector_code AND y.year = year(q.quarter)
                 AND y.trafficking_type = 'all' AND NOT y.signals_suppressed
            WHERE year(q.quarter) = ? GROUP BY q.sector_name""", [year]).fetchall()
    return {name: f"{year_total:,}" if year_total is not None else "suppressed" if hidden else f"{total:,}"
            for name, hidden, total, year_total in rows}


def test_no_site_total_includes_a_suppressed_cell(site, release):
    shown = _venue_sector_totals(site.read_text(encoding="utf-8"))
    expected = _expected_sector_totals(release)
    assert shown and all(shown[name] == expected[name] for name in shown if name in expected), (shown, expected)


def test_a_planted_hidden_quarter_turns_its_sector_total_into_suppressed(site, release, tmp_path):
    before = _venue_sector_totals(site.read_text(encoding="utf-8"))
    sector = next(name for name, text in before.items() if text != "suppressed")
    with duckdb.connect(str(release), read_only=True) as con:
        year = con.execute("SELECT coalesce(max(year) FILTER (WHERE months_loaded = 12), max(year)) "
                           "FROM venue_type_yearly").fetchone()[0]
    name = sector.replace("'", "''")
    planted = _copy(release, tmp_path, f"""UPDATE quarterly_by_sector SET signals = NULL, signals_suppressed = true
        WHERE sector_name = '{name}' AND quarter = DATE '{year}-04-01'""",  # and the year it adds up to
                    f"""UPDATE yearly_industry SET signals = NULL, signals_suppressed = true
        WHERE sector_name = '{name}' AND year = {year} AND trafficking_type = 'all'""")
    after = _venue_sector_totals(build_site(planted, tmp_path / "site").path.read_text(encoding="utf-8"))
    assert after[sector] == "suppressed"  # not the sum of the three published quarters (a lower bound)
    assert {k: v for k, v in after.items() if k != sector} == {k: v for k, v in before.items() if k != sector}


def test_zero_and_suppressed_look_different_and_one_vocabulary(site):
    page = site.read_text(encoding="utf-8")
    own = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    cells = re.findall(r'<td class="num([^"]*)"[^>]*>([^<]*)', own)
    assert cells
    for classes, text in cells:
        assert text.strip() not in ("", "-", "—", "–", "n/a", "not published"), (classes, text)
        if "suppressed" in classes:
            assert text == "suppressed"
        if text == "suppressed":
            assert "suppressed" in classes
        if text == "no data":
            assert "nodata" in classes
    assert any(t == "0" for _, t in cells) and any(t == "suppressed" for _, t in cells)
    legend = _section(page, "how-to-read")
    assert "suppressed" in legend and "no data" in legend


def test_every_table_of_the_release_is_a_formula_safe_download(release, tmp_path):
    planted = _copy(release, tmp_path, "UPDATE caveats SET text = '=HYPERLINK(\"http://evil.example\",\"x\")' "
                                       "WHERE caveat_id = (SELECT min(caveat_id) FROM caveats)")
    index = build_site(planted, tmp_path / "site").path
    page = index.read_text(encoding="utf-8")
    with duckdb.connect(str(planted), read_only=True) as con:
        tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
    files = {p.stem for p in (index.parent / "data").glob("*.csv")}
    assert files == tables
    for table in tables:
        assert f'href="data/{table}.csv"' in page
    with open(index.parent / "data" / "caveats.csv", encoding="utf-8-sig", newline="") as handle:
        texts = [row[1] for row in csv.reader(handle)]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in texts and not any(t.startswith("=") for t in texts)


def test_site_and_briefing_link_each_other(site, release, tmp_path):
    page = site.read_text(encoding="utf-8")
    link = re.search(r'href="(briefing/(\d{4}Q[1-4])\.html)"', page)
    assert link, "no link to the quarter's briefing"
    report = build_briefing(release, tmp_path / "briefings", site.parent)
    assert report.html_path == site.parent / link.group(1)  # the briefing the pipeline builds by default
    assert (site.parent / link.group(1)).with_suffix(".pdf").exists()
    assert 'href="../index.html"' in report.html_path.read_text(encoding="utf-8")


def test_referral_heading_names_the_last_day_of_the_data(site, release):
    page = site.read_text(encoding="utf-8")
    with duckdb.connect(str(release), read_only=True) as con:
        end = con.execute("SELECT last_day(CAST(value AS DATE)) FROM publication WHERE key = 'period_end'").fetchone()[0]
    heading = re.search(r'<h2 id="h-referrals">([^<]*)</h2>', page).group(1)
    if "year to date" in heading:
        assert f"through {end:%-d %B %Y}" in heading, heading


@pytest.mark.browser
def test_site_reads_on_a_390_px_phone_with_no_raw_names_or_long_floats(site):
    require_chromium()
    run = open_page(site.as_uri(), PHONE_SCREENSHOT, wait_for="document.body.dataset.chartsReady",
                    viewport=(390, 844),
                    evaluate="""(() => {
                      const clone = document.body.cloneNode(true);
                      clone.querySelectorAll('#downloads-section, #run-manifest-section, script').forEach(e => e.remove());
                      return {width: document.documentElement.scrollWidth, text: clone.innerText,
                              ready: document.body.dataset.chartsReady,
                              rendered: document.querySelectorAll('[data-rendered="true"]').length};
                    })()""")
    assert run.problems == []
    assert run.result["width"] <= 390, f"page is {run.result['width']} px wide on a 390 px phone"
    assert run.result["rendered"] == int(run.result["ready"]) > 0
    text = run.result["text"]
    raw = sorted(set(re.findall(r"\b[a-z]+_[a-z_]+\b", text)))
    assert raw == [], f"raw column names on the page: {raw}"
    long_floats = re.findall(r"(?<![\d.])\d+\.\d{4,}(?![\d.])", text)
    assert long_floats == [], long_floats


def test_briefing_opens_with_key_findings_and_who_did_not_report(release, tmp_path):
    report = build_briefing(release, tmp_path / "b", tmp_path / "s")
    page1 = PdfReader(report.pdf_path).pages[0].extract_text()
    assert page1.index("Key findings") < page1.index("Agencies that did not report this quarter")
    assert "Agencies that reported" not in page1
    quarter = report.quarter
    with duckdb.connect(str(release), read_only=True) as con:
        agency, name, feed = con.execute(
            "SELECT agency, org_name, feed FROM run_inputs WHERE period = ? AND file_status = 'loaded' "
            "ORDER BY agency LIMIT 1", [f"{quarter.start:%Y-%m}"]).fetchone()
    planted = _copy(release, tmp_path, f"DELETE FROM run_inputs WHERE agency = '{agency}' AND feed = '{feed}' "
                                       f"AND period = '{quarter.start:%Y-%m}'")
    again = build_briefing(planted, tmp_path / "b2", tmp_path / "s2", quarter)
    text = " ".join(PdfReader(again.pdf_path).pages[0].extract_text().split())
    assert name in text and f"no file for {quarter.start:%B}" in text


def test_briefing_shows_a_change_over_a_hidden_cell_as_suppressed(release, tmp_path):
    report = build_briefing(release, tmp_path / "b", tmp_path / "s")
    quarter = report.quarter.start
    planted = _copy(release, tmp_path, f"""UPDATE area_quarterly SET cases_yoy_change_pct = NULL,
        cases_yoy_change_low_pct = NULL, cases_yoy_change_high_pct = NULL, cases_yoy_change_pct_flag = 'suppressed'
        WHERE area_level = 'state' AND quarter = DATE '{quarter}'""",
                      f"""UPDATE area_quarterly SET cases = NULL, cases_suppressed = true
        WHERE area_level = 'state' AND quarter = DATE '{quarter.replace(year=quarter.year - 1)}'""")
    again = build_briefing(planted, tmp_path / "b2", tmp_path / "s2", report.quarter)
    text = "\n".join(page.extract_text() for page in PdfReader(again.pdf_path).pages[:3])
    cases = next(line for line in text.splitlines() if line.startswith("Cases ") and "CI" not in line
                 and "statewide" not in line)
    assert cases.split()[-2:] == ["suppressed", "suppressed"], cases
    assert " - " not in text
