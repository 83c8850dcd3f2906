"""The page's metric tables (changes, hotspots, rising industries, referral timeliness, outcomes), read
from the serving database with queries/*.sql and rendered as accessible HTML tables.

Every value comes from the serving database as published: a suppressed count reads "suppressed (1-10)",
a value that cannot be shown reads "—".
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import duckdb

from .data import _rows

Row = dict[str, Any]


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _count(row: Row, column: str, min_cell: int) -> str:
    if row.get(f"{column}_suppressed"):
        return f'<td class="num suppressed">suppressed (1–{min_cell - 1})</td>'
    value = row.get(column)
    return f'<td class="num">{"—" if value is None else f"{value:,}"}</td>'


def _number(value: Any, digits: int = 1, suffix: str = "") -> str:
    return '<td class="num">—</td>' if value is None else f'<td class="num">{value:,.{digits}f}{suffix}</td>'


def _change(row: Row, prefix: str) -> str:
    """`<prefix>change_pct` with its interval, e.g. prefix 'signals_qoq_' or '' (rising_industries)."""
    value = row.get(f"{prefix}change_pct")
    if value is None:
        return '<td class="num">—</td>'
    low, high = row.get(f"{prefix}change_low_pct"), row.get(f"{prefix}change_high_pct")
    interval = f"{low:+.0f}% to {'+∞' if high is None or high == float('inf') else f'{high:+.0f}%'}"
    return f'<td class="num">{value:+.0f}% <span class="ci">({interval})</span></td>'


def _share(value: Any) -> str:
    return '<td class="num">—</td>' if value is None else f'<td class="num">{value:.0%}</td>'


def _table(caption: str, headers: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def quarter_changes(con, min_cell: int) -> str:
    rows = _rows(con, "quarter_changes")
    quarter = rows[0]["quarter_label"] if rows else ""
    body = [f"<tr><th scope=\"row\">{_e(r['area_name'])}</th>{_count(r, 'signals', min_cell)}"
            f"{_change(r, 'signals_qoq_')}{_change(r, 'signals_yoy_')}</tr>" for r in rows]
    return _table(f"Signals in {quarter}: change on the previous quarter and on a year earlier (95% interval)",
                  ["Area", "Signals", "vs previous quarter", "vs a year earlier"], body,
                  "No complete quarter yet.")


def hotspots(con) -> str:
    body = [f"<tr><td>{_e(r['quarter_label'])}</td><td>{_e(r['region_label'])}</td><td>{_e(r['sector_name'])}</td>"
            f"<td class=\"num\">{r['observed']:,}</td>{_number(r['expected'])}{_number(r['ratio'], 1, '×')}"
            f"<td class=\"num\">{r['p_value']:.2g}</td><td class=\"num\">{r['q_value']:.2g}</td></tr>"
            for r in _rows(con, "emerging_hotspots")]
    return _table("Region × sector cells whose quarter rose significantly above their previous four quarters",
                  ["Quarter", "Region", "Sector", "Signals", "Expected", "Ratio", "p", "q (FDR)"], body,
                  "No emerging hotspot can be shown: none was found, or its evidence rests on suppressed counts.")


def rising(con) -> str:
    body = [f"<tr><th scope=\"row\">{_e(r['sector_name'])}</th><td>{_e(r['recent_quarters'])}</td>"
            f"{_number(r['signals_recent'], 0)}{_number(r['signals_prior'], 0)}{_change(r, '')}"
            f"{_number(r['q_value'], 3)}</tr>" for r in _rows(con, "rising_industries")]
    return _table("Sectors: last four complete quarters against the four before",
                  ["Sector", "Quarters", "Signals (recent)", "Signals (before)", "Change (95% interval)", "q (FDR)"],
                  body, "Not enough complete quarters yet.")


def timeliness(con, min_cell: int) -> str:
    body = [f"<tr><th scope=\"row\">{r['year']}</th>{_count(r, 'referrals', min_cell)}"
            f"{_number(r['median_days_signal_to_first_referral'], 0)}{_number(r['p90_days_signal_to_first_referral'], 0)}"
            f"{_number(r['median_days_referral_to_service'], 0)}{_number(r['p90_days_referral_to_service'], 0)}"
            f"{_count(r, 'referrals_pending_over_30_days', min_cell)}{_count(r, 'notifications', min_cell)}"
            f"{_share(r['share_notified_within_1_day'])}{_share(r['share_notified_within_3_days'])}"
            f"{_number(r['median_notification_delay_days'], 0)}</tr>" for r in _rows(con, "referral_timeliness")]
    return _table("Referral timeliness and child-welfare notification (§ 566.223), by year",
                  ["Year", "Referrals", "Signal → first referral, median days", "90th pct", "Referral → service, median days",
                   "90th pct", "Pending > 30 days", "Minors notified to DSS", "Within 1 day", "Within 3 days",
                   "Median delay (days)"], body, "No referral data has been published yet.")


def funnel(con, min_cell: int) -> str:
    stages = ("situations_signalled", "situations_case", "situations_investigated", "situations_charged",
              "situations_convicted")
    body = [f"<tr><th scope=\"row\">{r['cohort_year']}</th>{''.join(_count(r, s, min_cell) for s in stages)}"
            f"{_number(r['median_days_signal_to_investigation'], 0)}{_number(r['median_days_investigation_to_charge'], 0)}"
            f"{_number(r['median_days_charge_to_conviction'], 0)}{_count(r, 'compensation_awards', min_cell)}"
            f"{_count(r, 'visa_certifications_signed', min_cell)}{_count(r, 'restitution_orders', min_cell)}</tr>"
            for r in _rows(con, "case_funnel")]
    return _table("From signal to conviction, by year of first signal; victim outcomes by year of the event",
                  ["Year", "Signalled", "Cases", "Investigated", "Charged", "Convicted", "Days to investigation",
                   "Investigation → charge", "Charge → conviction", "Compensation awards", "Visa certifications signed",
                   "Restitution orders"], body, "No outcome data has been published yet.")


SECTIONS = (  # anchor, title, renderer, needs min_cell, tables it reads
    ("h-changes", "What changed this quarter", quarter_changes, True, {"area_quarterly"}),
    ("h-hotspots", "Emerging hotspots", hotspots, False, {"emerging_hotspots"}),
    ("h-rising", "Fastest-rising industries", rising, False, {"rising_industries"}),
    ("h-timeliness", "Referral coordination", timeliness, True, {"referral_timeliness", "child_welfare_notifications"}),
    ("h-outcomes", "Outcomes", funnel, True, {"case_funnel", "victim_outcomes_yearly"}),
)


def render_metric_sections(serving_db: Path, min_cell: int) -> str:
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        parts = []
        for anchor, title, render, needs_min_cell, tables in SECTIONS:
            if not tables <= present:
                continue  # a serving database from before these metrics: show what it has
            body = render(con, min_cell) if needs_min_cell else render(con)
            parts.append(f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(title)}</h2>'
                         f'<div class="table-scroll">{body}</div></section>')
        return "\n".join(parts)
    finally:
        con.close()
