"""Build the self-contained static dashboard `index.html` from the serving database.

One HTML file, no server, no network: Vega/Vega-Lite/Vega-Embed come inline from
`vl_convert.javascript_bundle()`, chart data is inline JSON, CSS is inline, fonts are system fonts.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert

from dashboards.export import neutralise_cell
from dashboards.export.csv_export import export_published_tables
from dashboards.vocabulary import legend

from . import charts
from .data import SiteData, last_day, load
from .metric_tables import render_context_section, render_metric_sections

TEMPLATE = Path(__file__).parent / "template.html"
REGION_SCHEME_LABELS = {"mshp_troop": "Highway Patrol troop", "planning_region": "regional planning commission"}


@dataclass(frozen=True)
class SiteReport:
    path: Path
    bytes: int
    charts: int
    build_seconds: float


@cache
def vega_bundle() -> str:
    """Vega + Vega-Lite + Vega-Embed as one script (cached: it takes a couple of seconds)."""
    bundle = vl_convert.javascript_bundle()
    return re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.IGNORECASE)


def inline_json(value: Any) -> str:
    """JSON that is safe inside <script>: no `<`, `>` or `&` survive, so `</script>` in a label is inert."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _date(value: str | None, fmt: str = "%-d %B %Y") -> str:
    if not value:
        return "unknown"
    try:
        return dt.datetime.fromisoformat(value).strftime(fmt)
    except ValueError:
        return value


def _through(period_end: str | None) -> str:
    """The last day the data cover: a release's period_end is the first day of its last (whole) month, so
    '2026-11-01' reads "30 November 2026", never "1 November 2026"."""
    end = last_day(period_end)
    return "unknown" if end is None else f"{end:%-d %B %Y}"


def _built_at(value: str | None) -> str:
    if not value:
        return "unknown"
    try:
        return dt.datetime.fromisoformat(value).strftime("%-d %B %Y, %H:%M")
    except ValueError:
        return value


def _cell(value: int | None, suppressed: bool) -> str:
    if suppressed:
        return charts.SUPPRESSED_CELL
    return f'<td class="num">{_e(charts.count_text(value, False))}</td>'


def _region_table(data: SiteData) -> str:
    rows = []
    for r in sorted(data.regions, key=lambda r: r["region_label"]):
        rate = r["signals_per_100k"]
        rate_cell = charts.SUPPRESSED_CELL if rate is None else f'<td class="num">{rate:,.1f}</td>'
        flag = r["signals_per_100k_flag"]
        population = charts.NO_DATA if r["population"] is None else f"{r['population']:,}"
        rows.append(
            f"<tr><th scope=\"row\">{_e(r['region_label'])}</th>"
            f"<td class=\"num{' nodata' if r['population'] is None else ''}\">{_e(population)}</td>"
            f"{_cell(r['signals'], r['signals_suppressed'])}"
            f"{_cell(r['cases'], r['cases_suppressed'])}{rate_cell}"
            f"<td class=\"flag\">{_e('unreliable' if flag == 'unreliable' else '')}</td></tr>"
        )
    return (f"<table><caption>Regions, {data.region_year}</caption><thead><tr><th scope=\"col\">Region</th>"
            "<th scope=\"col\" class=\"num\">Population</th><th scope=\"col\" class=\"num\">Signals</th>"
            "<th scope=\"col\" class=\"num\">Cases</th><th scope=\"col\" class=\"num\">Per 100,000</th>"
            "<th scope=\"col\">Note</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _referral_body(data: SiteData) -> str:
    if not data.referrals:
        return "<p>No referral data has been published yet.</p>"
    rows = []
    for r in data.referrals:
        cells = "".join(_cell(r[k], r[f"{k}_suppressed"])
                        for k in ("referrals", "accepted", "declined", "pending"))
        rows.append(f"<tr><td>{_e(r['referring_org_type_label'])}</td><td>{_e(r['receiving_org_type_label'])}</td>"
                    f"{cells}</tr>")
    table = ("<table><caption>Referrals by organisation type</caption><thead><tr>"
             "<th scope=\"col\">Referring</th><th scope=\"col\">Receiving</th><th scope=\"col\" class=\"num\">Referrals</th>"
             "<th scope=\"col\" class=\"num\">Accepted</th><th scope=\"col\" class=\"num\">Declined</th>"
             "<th scope=\"col\" class=\"num\">Pending</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    return ('<div class="row"><div class="chart" id="chart-referrals" role="img" '
            'aria-label="Bar chart of referrals between organisation types by outcome"></div>'
            f"<div>{table}</div></div>")


MANIFEST_CSV = "run_manifest.csv"  # beside index.html: every input file and its SHA-256
MANIFEST_COLUMNS = ("file_number", "feed", "agency", "org_name", "period", "file_format", "file_status",
                    "file_sha256", "ingested_by_run", "processed_at")


def _manifest_body(data: SiteData) -> str:
    """The run manifest: which run and code built this page, and the input files per feed (each file with
    its SHA-256 is in run_manifest.csv beside the page, which would otherwise grow by a third)."""
    pub = data.publication
    facts = [("Run", pub.get("run_id") or "unknown"), ("Built (UTC)", _built_at(pub.get("built_at"))),
             ("Code version", pub.get("code_version") or "unknown"),
             ("Input files", f"{len(data.inputs):,}"), ("Ingest runs", pub.get("ingest_runs") or "unknown")]
    if pub.get("unrecognised_files") not in (None, "0"):
        facts.append(("Files refused for their name", pub["unrecognised_files"]))
    listed = "".join(f"<dt>{_e(k)}</dt><dd><code>{_e(v)}</code></dd>" for k, v in facts)
    if not data.inputs:
        return f'<dl class="manifest">{listed}</dl>'
    per_feed: dict[str, dict] = {}
    for row in data.inputs:
        feed = per_feed.setdefault(row["feed"], {"files": 0, "agencies": set(), "periods": [], "not_loaded": 0})
        feed["files"] += 1
        feed["agencies"].add(row["agency"])
        feed["periods"].append(row["period"])
        feed["not_loaded"] += row["file_status"] != "loaded"
    rows = "".join(
        f"<tr><td>{_e(name)}</td><td class=\"num\">{f['files']:,}</td><td class=\"num\">{len(f['agencies']):,}</td>"
        f"<td>{_e(min(f['periods']))} – {_e(max(f['periods']))}</td><td class=\"num\">{f['not_loaded']:,}</td></tr>"
        for name, f in sorted(per_feed.items()))
    table = ("<table><caption>Input files per feed</caption><thead><tr><th scope=\"col\">Feed</th>"
             "<th scope=\"col\" class=\"num\">Files</th><th scope=\"col\" class=\"num\">Agencies</th>"
             "<th scope=\"col\">Periods</th><th scope=\"col\" class=\"num\">Refused or duplicate</th></tr></thead>"
             f"<tbody>{rows}</tbody></table>")
    return (f'<dl class="manifest">{listed}</dl>{table}'
            f'<p>Every file with its SHA-256 (check one with <code>sha256sum</code>): '
            f'<a href="{MANIFEST_CSV}" download>{MANIFEST_CSV}</a>.</p>')


def manifest_csv(data: SiteData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows([neutralise_cell(row[c]) for c in MANIFEST_COLUMNS] for row in data.inputs)
    return out.getvalue().encode("utf-8")


def _release_coverage(pub: dict) -> str:
    """A protected release covers every feed through the same closed month (later records wait for the next)."""
    if pub.get("release_id"):
        return (f"<li>Release {_e(pub['release_id'])}: every feed, months through "
                f"{_e(_date(pub.get('period_end'), '%B %Y'))} (records that arrive later wait for a later "
                "release)</li>")
    return "<li>unknown</li>"


DOWNLOADS_DIR = "data"  # beside index.html: every table of the release as CSV


def briefing_page(data: SiteData) -> str | None:
    """The site-relative page of the latest complete quarter's briefing (built by `lantern briefing`)."""
    return f"briefing/{data.latest_quarter}.html" if data.latest_quarter else None


def _briefing_link(data: SiteData) -> str:
    page = briefing_page(data)
    if page is None:
        return ""
    return (f'<a class="briefing-link" href="{_e(page)}">Quarterly briefing, {_e(data.latest_quarter)}</a> '
            f'(<a href="{_e(page[:-5])}.pdf">PDF</a>)')


PANEL_HEADINGS = {  # panel -> heading on the page (the chart ids are charts.PANEL_CHARTS)
    "signals_by_type": "Signals", "cases_by_type": "Cases", "signals_statewide": "Signals, statewide",
    "cases_statewide": "Cases, statewide", "signals_by_region": "Signals by region",
    "cases_by_region": "Cases by region", "signals_by_sector": "Signals by sector", "cases_by_sector": "Cases by sector",
    "referrals_by_org_type": "Referrals by organisation type",
}


def grain_note(view) -> str:
    """The panel's grain and roll-up in words, marked with the panel and the grain it draws."""
    return (f'<p class="grain-note" data-panel="{_e(view.name)}" data-grain="{_e(view.grain)}">'
            f"{_e(view.note)}</p>")


def _panel(data: SiteData, name: str) -> str:
    """A headline panel: heading, the note on its grain, and its chart (drawn at the release's chosen grain)."""
    view = data.panels.get(name)
    heading = f"<h3>{_e(PANEL_HEADINGS[name])}</h3>"
    if view is None:
        return heading + '<p class="grain-note">Not shown: the release chose no grain for this panel.</p>'
    if not view.cells:
        return heading + grain_note(view) + (f"<p>No {_e(view.measure)} published yet.</p>" if view.available else "")
    chart = charts.PANEL_CHARTS[name]
    return (heading + grain_note(view)
            + f'<div class="chart" id="{chart}" data-panel="{_e(name)}" data-grain="{_e(view.grain)}" role="img" '
            f'aria-label="{_e(f"Chart of {view.title.lower()} by {view.grain_label}")}"></div>')


def _downloads_body(paths: list[Path]) -> str:
    if not paths:
        return "<p>No table has been published yet.</p>"
    items = "".join(f'<li><a href="{DOWNLOADS_DIR}/{_e(p.name)}" download>{_e(p.name)}</a></li>' for p in paths)
    return ("<p class=\"lede\">Every table of this release, as published (suppressed cells are empty, with a "
            "<code>_suppressed</code> column saying so; text that a spreadsheet could run as a formula starts "
            f"with an apostrophe).</p><ul class=\"downloads\">{items}</ul>")


def _seasonality_section(data: SiteData) -> str:
    if not data.seasonality:
        return ""
    return ('<section aria-labelledby="h-seasonality"><h2 id="h-seasonality">Seasonality by sector</h2>'
            '<p class="lede">Hotline signals in each quarter of the year, over the sector\'s average quarter (1 = a '
            'typical quarter; above 1, a busier season), from the published quarterly counts of every complete '
            'year. A sector with a suppressed quarter has no profile: it is hatched and reads “suppressed”.</p>'
            '<div class="chart" id="chart-seasonality" role="img" aria-label="Heat map of the seasonality index '
            'per sector and quarter of the year"></div></section>')


def render(data: SiteData, specs: dict[str, Any], metric_sections: str = "", context_section: str = "",
           downloads: list[Path] | None = None) -> str:
    pub = data.publication
    state = pub.get("state_name") or "State"
    min_cell = data.min_cell_count
    period = f"{_date(pub.get('period_start'), '%B %Y')} – {_date(pub.get('period_end'), '%B %Y')}"
    scheme_label = pub.get("region_label") or REGION_SCHEME_LABELS.get(pub.get("region_scheme", ""), "region")
    feeds = "".join(f"<li>{_e(f['feed_title'] or f['feed'])}: {_e(_date(f['data_as_of']))}</li>" for f in data.feeds)
    partial = "" if data.region_year_complete else " (not yet a complete year)"
    ref_partial = "" if data.referral_year_complete else f", year to date (through {_through(pub.get('period_end'))})"
    values = {
        "title": _e(f"Lantern — {state} trafficking trends"),
        "state_name": _e(state),
        "period": _e(period),
        "feeds": feeds or _release_coverage(pub),
        "built_at": _e(_built_at(pub.get("built_at"))),
        "run_id": _e(pub.get("run_id") or "unknown"),
        "min_cell_count": _e(min_cell),
        "max_suppressed": _e(min_cell - 1),
        "region_year": _e(f"{data.region_year}{partial}"),
        "region_lede": _e(f"Hotline signals per 100,000 residents in {data.region_year}"
                          + (", the latest complete year," if data.region_year_complete else " so far,")
                          + f" for each region ({scheme_label}). Counties are coloured by their region. "
                          "Hover for the counts."),
        "region_scheme_label": _e(scheme_label),
        "region_year_note": _e(f"The map and ranking use {data.region_year}, the latest complete year in the data."
                               if data.region_year_complete else
                               f"No complete year yet: the map shows {data.region_year} so far."),
        "region_table": _region_table(data),
        "referral_year": _e(f"{data.referral_year or ''}{ref_partial}"),
        "referral_lede": _e("The detail as published: referrals from one type of organisation to another and what "
                            "became of them. Most flows are too small to show at this volume; the hatched part of a "
                            "bar is the referrals whose outcome is suppressed."),
        "referral_body": _referral_body(data),
        **{f"panel_{name}": _panel(data, name) for name in PANEL_HEADINGS},
        "metric_sections": metric_sections,
        "context_section": context_section,
        "run_manifest": _manifest_body(data),
        "caveats": "".join(f"<li>{_e(c['text'])}</li>" for c in data.caveats),
        "legend": "".join(f"<li><span class=\"marker\">{_e(word)}</span> {_e(meaning)}</li>"
                          for word, meaning in legend(min_cell).items()),
        "briefing_link": _briefing_link(data),
        "downloads": _downloads_body(downloads or []),
        "seasonality_section": _seasonality_section(data),
        "specs_json": inline_json(specs),
        "vega_bundle": vega_bundle(),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    # One pass over the template only: inserted text (the bundle, the data) is never re-scanned.
    return re.sub(r"\{\{ (\w+) \}\}", lambda m: values[m.group(1)], template)


def build_site(serving_db: Path, site_dir: Path) -> SiteReport:
    """Write `site_dir/index.html` (atomically) from the serving DB; return what was built."""
    started = time.perf_counter()
    data = load(Path(serving_db))
    specs = charts.all_charts(data)
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    # the downloads first, like the manifest: a page's links always find their files
    downloads = export_published_tables(Path(serving_db), site_dir / DOWNLOADS_DIR)
    for stale in set((site_dir / DOWNLOADS_DIR).glob("*.csv")) - set(downloads):  # a table no longer published
        stale.unlink()
    venue_view = data.panels.get("signals_by_venue_type")
    notes = {"h-venues": grain_note(venue_view)} if venue_view else {}
    views = {"h-venues": venue_view} if venue_view else {}
    page = render(data, specs, render_metric_sections(Path(serving_db), notes, views),
                  render_context_section(Path(serving_db), data.min_cell_count), downloads).encode("utf-8")
    # the manifest first: a reader who sees the new page can follow its link to the matching list
    _write_atomically(site_dir / MANIFEST_CSV, manifest_csv(data))
    target = _write_atomically(site_dir / "index.html", page)
    return SiteReport(path=target, bytes=len(page), charts=len(specs),
                      build_seconds=round(time.perf_counter() - started, 3))


def _write_atomically(target: Path, content: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{target.suffix}.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
