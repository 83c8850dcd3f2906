"""The page's metric tables (changes, hotspots, rising industries, referral timeliness, outcomes), read
from the serving database with models/queries/site/*.sql and rendered as accessible HTML tables.

Every value comes from the serving database as published, in one vocabulary (dashboards/vocabulary.py): a
suppressed count, or a total, change, rate or median that would rest on one, reads "suppressed"; a value with
nothing behind it reads "no data". Never a blank or a dash.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import duckdb

from dashboards import published
from dashboards.panels import PanelView
from dashboards.vocabulary import NO_DATA
from models import query_sql

from .charts import NO_DATA_CELL, SUPPRESSED_CELL
from .data import _rows

Row = dict[str, Any]


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _count(row: Row, column: str) -> str:
    if row.get(f"{column}_suppressed"):
        return SUPPRESSED_CELL
    value = row.get(column)
    return NO_DATA_CELL if value is None else f'<td class="num">{value:,}</td>'


def _number(value: Any, digits: int = 1, suffix: str = "", flag: Any = None) -> str:
    """A derived number; `flag` 'suppressed' (it would rest on a hidden count) reads suppressed, never blank."""
    if flag == "suppressed":
        return SUPPRESSED_CELL
    return NO_DATA_CELL if value is None else f'<td class="num">{value:,.{digits}f}{suffix}</td>'


def _derived(row: Row, column: str, digits: int = 0) -> str:
    return _number(row.get(column), digits, flag=row.get(f"{column}_flag"))


def _change(row: Row, prefix: str, hidden: bool = False) -> str:
    """`<prefix>change_pct` with its interval, e.g. prefix 'signals_qoq_' or '' (rising_industries). `hidden`: it
    would be computed from a suppressed count (or a sum with one): suppressed, never a change of a lower bound."""
    value = row.get(f"{prefix}change_pct")
    if hidden or row.get(f"{prefix}change_pct_flag") == "suppressed":
        return SUPPRESSED_CELL
    if value is None:
        return NO_DATA_CELL
    low, high = row.get(f"{prefix}change_low_pct"), row.get(f"{prefix}change_high_pct")
    interval = f"{low:+.0f}% to {'+∞' if high is None or high == float('inf') else f'{high:+.0f}%'}"
    return f'<td class="num">{value:+.0f}% <span class="ci">({interval})</span></td>'


def _share(value: Any) -> str:
    return NO_DATA_CELL if value is None else f'<td class="num">{value:.0%}</td>'


def _table(caption: str, headers: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def quarter_changes(con) -> str:
    rows = _rows(con, "quarter_changes")
    quarter = rows[0]["quarter_label"] if rows else ""
    body = [f"<tr><th scope=\"row\">{_e(r['area_name'])}</th>{_count(r, 'signals')}"
            f"{_change(r, 'signals_qoq_', bool(r['signals_suppressed']))}"
            f"{_change(r, 'signals_yoy_', bool(r['signals_suppressed']))}</tr>" for r in rows]
    return _table(f"Signals in {quarter}: change on the previous quarter and on a year earlier (95% interval)",
                  ["Area", "Signals", "vs previous quarter", "vs a year earlier"], body,
                  "No complete quarter yet.")


def _p(value: float | None) -> str:
    """A p- or q-value to 3 decimals, "< 0.001" below that (never 2e-05 or 0.00012)."""
    if value is None:
        return NO_DATA
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def hotspots(con) -> str:
    body = [f"<tr><td>{_e(r['quarter_label'])}</td><td>{_e(r['region_label'])}</td><td>{_e(r['sector_name'])}</td>"
            f"<td class=\"num\">{r['observed']:,}</td>{_number(r['expected'])}{_number(r['seasonal_factor'], 2)}"
            f"{_number(r['ratio'], 1, '×')}"
            f"<td class=\"num\">{_p(r['p_value'])}</td><td class=\"num\">{_p(r['q_value'])}</td></tr>"
            for r in _rows(con, "emerging_hotspots")]
    return _table("Region × sector cells whose quarter rose significantly above their previous four quarters "
                  "(expected: their mean, times the sector's seasonal factor for that quarter of the year)",
                  ["Quarter", "Region", "Sector", "Signals", "Expected", "Season", "Ratio", "p", "q (FDR)"], body,
                  "No emerging hotspot this quarter: no region × sector cell rose significantly above its previous "
                  "four quarters (a rise whose evidence rests on suppressed counts cannot be shown).")


def rising(con) -> str:
    # A sector with a suppressed quarter has no four-quarter sums (NULL): they would be lower bounds.
    body = [f"<tr><th scope=\"row\">{_e(r['sector_name'])}</th><td>{_e(r['recent_quarters'])}</td>"
            f"{_number(r['signals_recent'], 0, flag=_hidden_sum(r['signals_recent']))}"
            f"{_number(r['signals_prior'], 0, flag=_hidden_sum(r['signals_prior']))}"
            f"{_change(r, '', r['signals_recent'] is None or r['signals_prior'] is None)}"
            f"{_number(r['q_value'], 3)}</tr>" for r in _rows(con, "rising_industries")]
    return _table("Sectors: last four complete quarters against the four before",
                  ["Sector", "Quarters", "Signals (recent)", "Signals (before)", "Change (95% interval)", "q (FDR)"],
                  body, "Not enough complete quarters yet.")


def _hidden_sum(value: Any) -> str | None:
    """A sum of published quarters that the serving table leaves NULL because one of them is suppressed."""
    return "suppressed" if value is None else None


def venue_types(con, view: PanelView | None = None) -> str:
    """The venue-type panel as a table for the latest complete year, grouped by sector: the release's chosen grain
    (`view`, dashboards/panels.py), with each sector's "Other" where the release rolled small venue types up. Without
    a view (a database from before the grain choice): every venue type as published, signals and cases."""
    rows = _rows(con, "venue_types")
    year = f"{rows[0]['year']}{' (part year)' if rows[0]['months_loaded'] < 12 else ''}" if rows else ""
    cells = [c for c in (view.cells if view else ()) if rows and c.period_label == str(rows[0]["year"])]
    if cells:
        return _venue_panel_table(rows, cells, year)
    body, sector = [], None
    for r in rows:
        if r["sector_name"] != sector:  # a sector's total heads its venue types
            sector = r["sector_name"]
            body.append(f'<tr><th scope="row">{_e(sector)}</th>'
                        f'{_number(r["sector_signals"], 0, flag=_hidden_sum(r["sector_signals"]))}'
                        f'{_number(r["sector_cases"], 0, flag=_hidden_sum(r["sector_cases"]))}</tr>')
        body.append(f'<tr><td class="indent">{_e(r["venue_name"])}</td>{_count(r, "signals")}'
                    f'{_count(r, "cases")}</tr>')
    return _table(f"Signals and cases by Polaris venue type, grouped by sector, {year}",
                  ["Sector / venue type", "Signals", "Cases"], body, "No signals have been published yet.")


def _venue_panel_table(rows: list[Row], cells: list, year: str) -> str:
    """Signals by venue type at the chosen grain: under each sector's total its venue types shown, then its
    "Other" (the sector's published total minus them) naming the venue types inside."""
    sectors = {r["sector_code"]: r for r in rows}  # name and total of each sector
    names = {r["venue_type"]: r["venue_name"] for r in rows}
    body = []
    for code, sector in sorted(sectors.items(), key=lambda kv: kv[1]["sector_name"]):
        mine = [c for c in cells if c.group == code]
        if not mine:
            continue
        body.append(f'<tr><th scope="row">{_e(sector["sector_name"])}</th>'
                    f'{_number(sector["sector_signals"], 0, flag=_hidden_sum(sector["sector_signals"]))}</tr>')
        shown = sorted((c for c in mine if not c.other), key=lambda c: (c.value is None, -(c.value or 0), c.label))
        for c in shown:
            body.append(f'<tr><td class="indent">{_e(c.label)}</td>{_panel_value(c)}</tr>')
        for c in (c for c in mine if c.other):
            inside = sorted(names[r["venue_type"]] for r in rows if r["sector_code"] == code
                            and r["venue_type"] not in {s.category for s in shown})
            label = "Other venue types" if shown else "Its venue types together"  # none shown on its own
            body.append(f'<tr class="other"><td class="indent">{label} ({_e(", ".join(inside))})</td>'
                        f"{_panel_value(c)}</tr>")
    return _table(f"Signals by Polaris venue type, grouped by sector, {year}", ["Sector / venue type", "Signals"],
                  body, "No signals have been published yet.")


def _panel_value(cell) -> str:
    return SUPPRESSED_CELL if cell.suppressed else f'<td class="num">{cell.value:,}</td>'


def _profile_cell(row: Row, count: str, share: str) -> str:
    """A profile count with its share of the type's total; hidden reads as suppressed, never 0."""
    if row.get(f"{count}_suppressed"):
        return SUPPRESSED_CELL
    value = row.get(count)
    if value is None:
        return '<td class="num">—</td>'
    part = row.get(share)
    return f'<td class="num">{value:,}{"" if part is None else f" <span class=ci>({part:.0%})</span>"}</td>'


def _total(value: Any) -> str:
    """A type's total as the main tables publish it: NULL there means hidden."""
    return SUPPRESSED_CELL if value is None else f'<td class="num">{value:,}</td>'


def victim_profile(con) -> str:
    """One table per attribute: its categories by trafficking type (signals, share of the type's signals), and
    the cases of all types. One-way distributions: the attributes are never crossed."""
    rows = _rows(con, "victim_profile")
    if not rows:
        return "<p>No signals have been published yet.</p>"
    year = f"{rows[0]['period']}{' (part year)' if rows[0]['months_loaded'] < 12 else ''}"
    types = sorted({(r["type_order"], r["trafficking_type"], r["trafficking_type_label"]) for r in rows})
    parts = [f"<p>Who the {_e(year)} signals were about, one attribute at a time (age band and gender of the "
             "first potential victim, how they were recruited, the main means of control, and how the contact "
             "reached the hotline), by trafficking type. Each attribute's categories add up to the type's "
             "signals; a signal counts once per attribute. Contacts, not prevalence. Small categories are grouped; "
             "'Unknown or not recorded' is kept explicit.</p>"]
    attributes = sorted({(r["attribute_order"], r["attribute"], r["attribute_label"]) for r in rows})
    for _, attribute, label in attributes:
        mine = [r for r in rows if r["attribute"] == attribute]
        body = []
        for order, category, category_label in sorted({(r["category_order"], r["category"], r["category_label"])
                                                       for r in mine}):
            cells = {r["trafficking_type"]: r for r in mine if r["category"] == category}
            body.append(f'<tr><th scope="row">{_e(category_label)}</th>'
                        + "".join(_profile_cell(cells[t], "profile_signals", "signal_share") for _, t, _ in types)
                        + _profile_cell(cells["all"], "profile_cases", "case_share") + "</tr>")
        totals = {r["trafficking_type"]: r for r in mine}
        body.append('<tr><th scope="row">All signals of the type</th>'
                    + "".join(_total(totals[t]["type_signals"]) for _, t, _ in types)
                    + _total(totals["all"]["type_cases"]) + "</tr>")
        parts.append(_table(f"{label}, {year}: signals by trafficking type (share of the type's signals), and "
                            f"cases of all types",
                            ["Category", *(f"Signals: {type_label}" for _, _, type_label in types), "Cases: all types"],
                            body, "No signals have been published yet."))
    return "".join(parts)


def timeliness(con) -> str:
    body = [f"<tr><th scope=\"row\">{r['year']}</th>{_count(r, 'referrals')}"
            f"{_derived(r, 'median_days_signal_to_first_referral')}{_derived(r, 'p90_days_signal_to_first_referral')}"
            f"{_derived(r, 'median_days_referral_to_service')}{_derived(r, 'p90_days_referral_to_service')}"
            f"{_count(r, 'referrals_pending_over_30_days')}{_flagged_share(r, 'signal_link_share')}</tr>"
            for r in _rows(con, "referral_timeliness")]
    return _table("Referral timeliness, by year (linked: the share of referrals whose situation links to a hotline "
                  "signal across agencies, from the agencies' linkage tokens; the delays rest on that linkage)",
                  ["Year", "Referrals", "Signal → first referral, median days", "90th pct", "Referral → service, median days",
                   "90th pct", "Pending > 30 days", "Linked to a signal"], body, "No referral data has been published yet.")


PERSON_GROUPS = {"all": "All people met", "minor": "Minors", "adult": "Adults"}


def _flagged_share(row: Row, column: str) -> str:
    return _ratio(row.get(column), row.get(f"{column}_flag"))


def dss_notification(con) -> str:
    """§ 566.223 over encounters: every person law enforcement met is in the denominator, notified or not."""
    body = [f"<tr><td>{r['year']}</td><th scope=\"row\">{_e(PERSON_GROUPS[r['person_group']])}</th>"
            f"{_count(r, 'encounters')}{_flagged_share(r, 'share_dss_within_1_day')}"
            f"{_flagged_share(r, 'share_dss_within_3_days')}{_flagged_share(r, 'share_dss_never_notified')}"
            f"{_derived(r, 'median_dss_delay_days')}"
            + (f"{_flagged_share(r, 'share_juvenile_within_1_day')}{_flagged_share(r, 'share_juvenile_never_notified')}"
               if r["person_group"] == "minor" else NO_DATA_CELL * 2)
            + f"{_flagged_share(r, 'notification_link_share')}</tr>" for r in _rows(con, "dss_notification")]
    return _table("Missouri § 566.223: people law enforcement met who appeared to be trafficking victims, and their "
                  "notification of the Department of Social Services (and of the juvenile office for minors), "
                  "by year of encounter",
                  ["Year", "Who", "People met", "DSS within 1 day", "DSS within 3 days", "Never notified to DSS",
                   "Median days to DSS", "Juvenile office within 1 day", "Never notified to juvenile office",
                   "Notifications linked to an encounter"], body,
                  "No encounters have been published yet.")


def funnel(con) -> str:
    stages = ("situations_signalled", "situations_case", "situations_investigated", "situations_charged",
              "situations_convicted")
    body = [f"<tr><th scope=\"row\">{r['cohort_year']}</th>{''.join(_count(r, s) for s in stages)}"
            f"{_derived(r, 'median_days_signal_to_investigation')}{_derived(r, 'median_days_investigation_to_charge')}"
            f"{_derived(r, 'median_days_charge_to_conviction')}{_count(r, 'compensation_awards')}"
            f"{_count(r, 'visa_certifications_signed')}{_count(r, 'restitution_orders')}"
            f"{_flagged_share(r, 'outcome_link_share')}</tr>"
            for r in _rows(con, "case_funnel")]
    return _table("From signal to conviction, by year of first signal; victim outcomes by year of the event (stages "
                  "count situations linked across agencies from linkage tokens: a lower bound where events do not link)",
                  ["Year", "Signalled", "Cases", "Investigated", "Charged", "Convicted", "Days to investigation",
                   "Investigation → charge", "Charge → conviction", "Compensation awards", "Visa certifications signed",
                   "Restitution orders", "Outcome events linked to a signal"], body, "No outcome data has been published yet.")


OUTCOME_COLUMNS = (("investigations", "Investigations"), ("arrests", "Arrests"), ("charges_state", "Charges (state)"),
                   ("charges_federal", "Charges (federal)"), ("convictions", "Convictions"), ("dismissals", "Dismissals"),
                   ("acquittals", "Acquittals"), ("sentences", "Sentences"), ("services_started", "Services started"),
                   ("services_completed", "Services completed"))


def justice_outcomes(con) -> str:
    body = [f"<tr><th scope=\"row\">{_e(r['quarter_label'])}</th>{''.join(_count(r, c) for c, _ in OUTCOME_COLUMNS)}</tr>"
            for r in _rows(con, "outcomes_quarterly")]
    return _table("Justice and victim-service outcomes, statewide, by quarter of the event (the last eight quarters)",
                  ["Quarter", *(label for _, label in OUTCOME_COLUMNS)], body, "No outcome data has been published yet.")


SECTIONS = (  # anchor, title, renderer, tables it reads
    ("h-profile", "Victim profile", victim_profile, {"victim_profile"}),
    ("h-changes", "What changed this quarter", quarter_changes, {"area_quarterly"}),
    ("h-hotspots", "Emerging hotspots", hotspots, {"emerging_hotspots"}),
    ("h-rising", "Fastest-rising industries", rising, {"rising_industries"}),
    ("h-venues", "Polaris venue types", venue_types, {"venue_type_yearly", "quarterly_by_sector", "yearly_industry"}),
    ("h-timeliness", "Referral coordination", timeliness, {"referral_timeliness"}),
    ("h-566-223", "Notification after law enforcement meets a victim (§ 566.223)", dss_notification,
     {"dss_notification_compliance"}),
    ("h-outcomes", "Outcomes", funnel, {"case_funnel", "victim_outcomes_yearly"}),
    ("h-justice", "Justice and victim-service outcomes by quarter", justice_outcomes, {"outcomes_quarterly"}),
)


def render_metric_sections(serving_db: Path, notes: dict[str, str] | None = None,
                           views: dict[str, PanelView] | None = None) -> str:
    """Every metric section the database has; `notes`: anchor -> HTML put first in that section (a headline
    panel's note on the grain it is shown at); `views`: anchor -> the headline panel the section draws, at the
    grain its release chose."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        present = published.tables(con)
        parts = []
        for anchor, title, render, tables in SECTIONS:
            if not tables <= present:
                continue  # a serving database from before these metrics: show what it has
            body = render(con, views[anchor]) if anchor in (views or {}) else render(con)
            parts.append(f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(title)}</h2>'
                         f'{(notes or {}).get(anchor, "")}<div class="table-scroll">{body}</div></section>')
        return "\n".join(parts)
    finally:
        con.close()


# --- Public context (docs/public-context.md): beside the hotline trends --------------------------------------

CONTEXT_TABLES = {"context_hotline_yearly", "context_fbi_region_yearly"}
PARTIAL_FILES_TABLE = "context_file_years"
FBI_CAVEAT = "fbi_context"
QUARANTINED_CELL = ('<td class="num" title="Agencies reported, but their rows in the file were quarantined">'
                    'rows quarantined</td>')


def _known_count(row: Row, column: str, min_cell: int, reported: Any = True, quarantined: Any = False,
                 public: bool = False) -> str:
    """A count as published: suppressed reads as suppressed (never 0); no reporting agency reads "no data"; a cell
    whose agencies' rows were quarantined reads "rows quarantined" (none loaded) or carries "incomplete".
    `public`: a figure its publisher already made public (FBI, national hotline), shown as printed."""
    if row.get(f"{column}_suppressed"):
        return SUPPRESSED_CELL
    value = row.get(column)
    if not public and value is not None and 0 < value < min_cell:  # last line of defence for our own counts
        return SUPPRESSED_CELL
    if reported is False:
        return QUARANTINED_CELL if quarantined else f'<td class="num nodata" title="No agency reported">{NO_DATA}</td>'
    note = ' <span class="ci">incomplete: rows quarantined</span>' if quarantined else ""
    return NO_DATA_CELL if value is None else f'<td class="num">{value:,}{note}</td>'


def _ratio(value: Any, flag: Any = None) -> str:
    if flag == "suppressed":
        return SUPPRESSED_CELL
    if value is None:
        return NO_DATA_CELL
    note = ' <span class="ci">unreliable</span>' if flag == "unreliable" else ""
    return f'<td class="num">{value:.0%}{note}</td>'


def context_hotline(con, min_cell: int) -> str:
    body = []
    for r in _rows(con, "context_hotline"):
        own_partial = r["months_loaded"] is not None and r["months_loaded"] < 12
        year = f"{r['year']}{' (part year)' if own_partial else ''}"
        body.append(
            f"<tr><th scope=\"row\">{_e(year)}</th>{_known_count(r, 'published_signals', min_cell, public=True)}"
            f"{_number(r['share_of_national_signals_pct'], 2, '%')}"
            f"{_known_count(r, 'published_cases', min_cell, public=True)}"
            f"{_number(r['share_of_national_cases_pct'], 2, '%')}{_known_count(r, 'own_signals', min_cell)}"
            f"{_known_count(r, 'own_cases', min_cell)}{_ratio(r['signal_coverage'])}{_ratio(r['case_coverage'])}</tr>")
    return _table("National hotline (published in its state table: shown as published) and the task force's own "
                  "intake, by year",
                  ["Year", "National hotline signals", "Share of US signals", "National hotline cases",
                   "Share of US cases", "Our signals", "Our cases", "Signal coverage", "Case coverage"], body,
                  "No national hotline table has been loaded.")


def context_fbi(con, min_cell: int) -> str:
    body = []
    for r in _rows(con, "context_fbi"):
        body.append(
            f"<tr><td>{r['year']}</td><th scope=\"row\">{_e(r['region_label'])}</th>"
            f"{_known_count(r, 'actual_offenses', min_cell, r['reported'], r['rows_quarantined'], public=True)}"
            f"{_known_count(r, 'sex_offenses', min_cell, r['sex_reported'], r['rows_quarantined'], public=True)}"
            f"{_known_count(r, 'labor_offenses', min_cell, r['labor_reported'], r['rows_quarantined'], public=True)}"
            f"{_known_count(r, 'cleared', min_cell, r['reported'], r['rows_quarantined'], public=True)}"
            f"{_ratio(r['clearance_rate'], r['clearance_rate_flag'])}</tr>")
    return _table("FBI-reported human-trafficking offenses and clearances, by year and region, as published by the "
                  "FBI Crime Data Explorer (public figures: shown as published, never suppressed)",
                  ["Year", "Region", "Offenses reported", "Commercial sex acts", "Involuntary servitude", "Cleared",
                   "Clearance rate"], body, "No FBI file has been loaded.")


def partial_files_banner(con, present: set[str]) -> str:
    """A banner naming the publisher-years whose file was only partly loaded, or nothing."""
    if PARTIAL_FILES_TABLE not in present:
        return ""
    lines = [f"{_e(r['feed_title'])}: {_e(r['years'])}" for r in _rows(con, "context_partial_years")]
    if not lines:
        return ""
    return ('<p class="notice" role="alert" id="context-partial"><strong>Incomplete public files.</strong> '
            "Rows of the file loaded for these years were quarantined, so the figures below for them are "
            "incomplete and differ from what the publisher published: " + "; ".join(lines)
            + ". A complete download dropped into the inbox replaces the file.</p>")


def render_context_section(serving_db: Path, min_cell: int) -> str:
    """The "Public context" section, or nothing for a serving database from before these tables."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        present = published.tables(con)
        if not CONTEXT_TABLES <= present:
            return ""
        caveat = con.execute(query_sql("queries/site", "caveat_text"), [FBI_CAVEAT]).fetchone() \
            if "caveats" in present else None
        return (
            '<section aria-labelledby="h-context"><h2 id="h-context">Public context</h2>'
            '<p class="lede">What is published nationally, beside our own intake. The national hotline\'s state '
            "table gives the state's signals and cases; coverage is our own intake divided by it (complete years "
            "only; it can exceed 100%, since other tip lines feed the task force). Figures the FBI and the national "
            "hotline already published are shown as they published them; our own intake is protected, and its "
            "suppressed values read “suppressed”, never 0.</p>"
            + partial_files_banner(con, present)
            + f'<h3 id="h-context-hotline">National hotline and our intake</h3>'
            f'<div class="table-scroll">{context_hotline(con, min_cell)}</div>'
            f'<h3 id="h-context-fbi">FBI-reported offenses and clearances</h3>'
            + (f'<p class="lede">{_e(caveat[0])}</p>' if caveat else "")
            + f'<div class="table-scroll">{context_fbi(con, min_cell)}</div></section>')
    finally:
        con.close()
