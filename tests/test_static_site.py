"""The static dashboard: one self-contained, network-free, disclosure-safe index.html."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from dashboards.site import SiteReport, build_site
from dashboards.published import protect
from fixtures.serving_fixture import HOSTILE, HOSTILE_IMG, make_serving_fixture
from support.browser import open_page, require_chromium

PIPELINE_FIXTURES = {'serving_db', 'built'}  # they run the real pipeline: tests using them are in the slow tier

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "artifacts" / "site.png"


@pytest.fixture(scope="module")
def serving_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "serving.duckdb"
    make_serving_fixture(path, seed=1, grain=True)
    return path


@pytest.fixture(scope="module")
def built(serving_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteReport, str]:
    report = build_site(serving_db, tmp_path_factory.mktemp("site"))
    return report, report.path.read_text(encoding="utf-8")


def _specs(page: str) -> dict:
    match = re.search(r'<script id="lantern-specs" type="application/json">(.*?)</script>', page, re.S)
    assert match, "inline chart data not found"
    return json.loads(match.group(1))


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_report_and_atomic_write(built: tuple[SiteReport, str]) -> None:
    report, page = built
    assert report.path.name == "index.html" and report.path.exists()
    assert report.bytes == report.path.stat().st_size
    assert report.charts == 10  # 7 headline panels the fixture publishes (grain table, referrals by receiving type
    # included), map, ranking, the referral flows
    assert report.build_seconds > 0
    assert sorted(p.name for p in report.path.parent.iterdir()) == ["data", "index.html", "run_manifest.csv"], \
        "temp file left behind"
    downloads = report.path.parent / "data"
    assert not [p for p in downloads.iterdir() if p.suffix != ".csv"], "partial download left behind"
    assert page.startswith("<!doctype html>")


def test_header_content(built: tuple[SiteReport, str]) -> None:
    _, page = built
    assert "<title>Lantern — Missouri trafficking trends</title>" in page
    for text in ("Hotline signals: 30 June 2025", "Referrals: 27 June 2025", "Case outcomes: 31 May 2025",
                 "January 2022 – June 2025", "3 July 2025, 02:20", "minimum cell size of 11",
                 "signals per 100,000 residents, 2024"):
        assert text in page, text


def test_nothing_loads_from_the_network(built: tuple[SiteReport, str]) -> None:
    _, page = built
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"<(img|iframe|object|embed|source|video|audio)\b[^>]*\b(src|data)\s*=\s*[\"']?https?:", page,
                         re.I)
    assert not re.search(r"@import|@font-face|url\(\s*[\"']?(https?:)?//", page, re.I)
    assert "default-src 'none'" in page  # CSP: the browser refuses any fetch even if a library tried one


def test_suppressed_cells_never_shown_as_zero(built: tuple[SiteReport, str], serving_db: Path) -> None:
    _, page = built
    specs = _specs(page)
    records = [d for d in _walk(specs) if any(k.endswith("_suppressed") or k == "suppressed" for k in d)]
    assert records
    seen_suppressed = 0
    for d in records:
        for key, flag in d.items():
            if key == "suppressed" and flag:
                assert d["value"] is None, d
                seen_suppressed += 1
            elif key.endswith("_suppressed") and flag:
                assert d[key.removesuffix("_suppressed")] is None, d
    # Every suppressed monthly signal cell in the DB reaches the page as such, with its label.
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        (expected,) = con.execute("SELECT count(*) FROM monthly_statewide_by_type WHERE signals_suppressed").fetchone()
    finally:
        con.close()
    rows = specs["chart-trend-signals"]["data"]["values"]
    assert expected > 0
    assert sum(r["suppressed"] for r in rows) == expected
    assert all(r["text"] == "suppressed" for r in rows if r["suppressed"])
    assert seen_suppressed >= expected
    # Region I is suppressed in the fixture: its rate is suppressed, never 0.
    regions = {r["region"]: r for r in specs["chart-region-bars"]["data"]["values"]}
    assert regions["I"]["rate"] is None and regions["I"]["rate_text"] == "suppressed"
    assert regions["G"]["flag"] == "unreliable" and "unreliable" in regions["G"]["rate_text"]
    assert '<td class="num suppressed">suppressed</td>' in page


def test_protect_is_a_last_line_of_defence() -> None:
    leaked = protect({"signals": 4, "signals_suppressed": False, "cases": 0, "cases_suppressed": False},
                     ("signals", "cases"), 11)
    assert leaked == {"signals": None, "signals_suppressed": True, "cases": 0, "cases_suppressed": False}


def test_hostile_labels_are_inert_in_the_html(built: tuple[SiteReport, str]) -> None:
    _, page = built
    assert HOSTILE not in page and HOSTILE_IMG not in page
    own = re.sub(r"<script>.*?</script>", "", page, count=1, flags=re.S)  # drop the Vega bundle
    assert "<script>window.__pwned" not in own and "<img" not in own
    # Only the page's own three script elements open and close.
    assert len(re.findall(r"<script\b", page, re.I)) == len(re.findall(r"</script", page, re.I)) == 3
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # the caveat, escaped
    sectors = {r["category"] for r in _specs(page)["chart-sectors"]["data"]["values"]}
    assert any(HOSTILE in s and HOSTILE_IMG in s for s in sectors)  # survives as data, intact


def test_builds_without_referrals(serving_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "serving.duckdb"
    db.write_bytes(serving_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM yearly_referral_flows")
    con.close()
    report = build_site(db, tmp_path / "site")
    assert report.charts == 8
    assert "No referral data has been published yet." in report.path.read_text(encoding="utf-8")


@pytest.mark.browser
def test_page_renders_offline_in_chromium(built: tuple[SiteReport, str]) -> None:
    require_chromium()
    report, _ = built
    tooltip: dict = {}

    def hover_hostile_sector(page) -> None:
        # Hover sector bars until the tooltip shows the hostile label: it must be text, not markup.
        for bar in page.query_selector_all('#chart-sectors path[aria-roledescription="bar"]'):
            bar.hover(force=True)
            text = page.evaluate("document.getElementById('vg-tooltip-element')?.textContent || ''")
            if "__pwned" in text:
                tooltip["text"] = text
                tooltip["elements"] = page.evaluate(
                    "document.querySelectorAll('#vg-tooltip-element img, #vg-tooltip-element script').length")
                break
        page.mouse.move(0, 0)

    run = open_page(
        report.path.as_uri(),
        SCREENSHOT,
        wait_for="document.body.dataset.chartsReady",
        actions=hover_hostile_sector,
        evaluate="""({
            views: document.querySelectorAll('.vega-embed svg.marks').length,
            rendered: document.querySelectorAll('[data-rendered="true"]').length,
            ready: document.body.dataset.chartsReady,
            pwned: typeof window.__pwned,
            drawFailures: document.body.innerText.includes('could not be drawn'),
        })""",
    )
    assert run.problems == []
    assert run.blocked == [] and run.requests == []
    assert run.result == {"views": report.charts, "rendered": report.charts, "ready": str(report.charts),
                          "pwned": "undefined", "drawFailures": False}
    assert tooltip, "no tooltip showed the hostile sector label"
    assert HOSTILE in tooltip["text"] and tooltip["elements"] == 0
    assert SCREENSHOT.exists() and SCREENSHOT.stat().st_size > 50_000
