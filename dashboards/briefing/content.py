"""What the briefing says, section by section, built only from serving rows, the metric catalog and templates."""

from __future__ import annotations

import datetime as dt

from models.metric_catalog import load_catalog

from . import charts
from .data import BriefingData, Row
from .document import Bullets, Chart, Document, Paragraph, Section, Table
from .narrative import (change_cell, change_of, change_sentence, hotspot_sentence, label, rising_sentence,
                        significance_word)
from dashboards.vocabulary import legend

from .numbers import NOT_PUBLISHED, SUPPRESSED, count, derived, share, suppressed_note

AREA_TABLE = "area_quarterly"
HEADLINE_COUNTS = ("signals", "cases", "people_in_cases", "minors_in_cases")
OUTCOME_COUNTS = ("investigations", "arrests", "charges", "charges_state", "charges_federal", "convictions",
                  "dismissals", "acquittals", "sentences", "services_started", "services_completed")
SECTION_TITLES = {
    "cover": "Key findings", "headline": "Headline numbers", "profile": "Victim profile", "regions": "Regions", "industries": "Industry sectors and emerging hotspots",
    "referrals": "Referral coordination and DSS notification", "outcomes": "The outcome funnel",
    "quality": "Data quality and coverage", "methods": "Methods, caveats and suppression",
}


# Running totals of agencies' files are for the internal audiences (models/serving/published_tables.yaml
# `audience: internal`): a release never has them, which is not a gap to be filled later.
INTERNAL_ONLY = {"feed_freshness", "agency_data_quality"}
INTERNAL_NOTE = ("Files and rows per feed and agency are not in a protected release: every release would move "
                 "those running totals by a count of records. Each agency sees its own exactly in its dashboard; "
                 "task-force analysts see all of them.")


def _missing(data: BriefingData, *sections: str) -> Paragraph | None:
    tables = sorted({data.missing[s] for s in sections if s in data.missing})
    if not tables:
        return None
    if set(tables) <= INTERNAL_ONLY and data.publication.get("audience") == "public":
        return Paragraph(INTERNAL_NOTE, "missing")
    names = ", ".join(f"'{t}'" for t in tables)
    return Paragraph(f"Not available for this briefing: the serving database has no table {names} yet. "
                     "This part will appear once the table is published.", "missing")


def _date(value: object, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return "unknown"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.strftime(fmt)


def _state(data: BriefingData) -> Row | None:
    return next((r for r in data.areas or [] if r["area_level"] == "state"), None)


def _regions(data: BriefingData) -> list[Row]:
    return [r for r in data.areas or [] if r["area_level"] == "region"]


def _where(row: Row) -> str:
    return "statewide" if row["area_level"] == "state" else f"in {row['area_name']}"


# --- headline panels at the release's chosen grain ----------------------------------------------------------

def panel_periods(view, quarter) -> tuple[list[str], list[str]]:
    """The periods of a headline panel the briefing shows, at the panel's chosen grain, and their labels: the
    quarter's months; the quarter and the same quarter a year earlier; or the latest complete year up to the
    quarter and the year before it."""
    if view is None or not view.cells:
        return [], []
    labels = {c.period: c.period_label for c in view.cells}
    start, end = quarter.start, quarter.end
    if view.period == "month":
        chosen = [p for p in view.periods() if start.isoformat() <= p <= end.isoformat()]
    elif view.period == "quarter":
        chosen = [p for p in (start.isoformat(), start.replace(year=start.year - 1).isoformat()) if p in labels]
    else:
        years = [p for p in view.periods() if p[:4] <= str(end.year)]
        chosen = years[::-1][:2]
    return chosen, [labels[p] for p in chosen]


def panel_table(view, periods: list[str], labels: list[str], heading: str) -> Table | Paragraph:
    """A headline panel's categories (small ones in "Other" as the release states) for the periods shown."""
    if not periods:
        return Paragraph(f"{view.title}: no {view.period} has been published for this briefing yet.", "missing")
    cells = {(c.label, c.period): c for c in view.cells}
    names = sorted({c.label for c in view.cells}, key=lambda n: (n == "Other", n))
    rows = tuple((name, *(NOT_PUBLISHED if (c := cells.get((name, p))) is None else
                          SUPPRESSED if c.suppressed else f"{c.value:,}" for p in periods)) for name in names)
    return Table((heading, *labels), rows, widths=(3.0, *([1.6] * len(labels))))


def panel_note(view) -> Paragraph | None:
    return None if view is None else Paragraph(view.note, "note")


def _statewide_by_grain(data: BriefingData) -> Paragraph | None:
    """The statewide counts at the grain the release chose for them, in the briefing quarter."""
    parts = []
    for name in ("signals_statewide", "cases_statewide"):
        view = data.panels.get(name)
        periods, labels = panel_periods(view, data.quarter)
        if not periods:
            continue
        by = {c.period: c for c in view.cells}
        values = "; ".join(f"{label} {SUPPRESSED if by[p].suppressed else f'{by[p].value:,}'}"
                           for p, label in zip(periods, labels))
        parts.append(f"{view.title} by {view.grain_label}: {values}.")
    if not parts:
        return None
    notes = {data.panels[n].note for n in ("signals_statewide", "cases_statewide") if n in data.panels}
    return Paragraph(" ".join(parts) + " " + " ".join(sorted(notes)))


# --- cover -----------------------------------------------------------------------------------------------

def cover(data: BriefingData) -> Section:
    """Page 1: what a lead needs first. The key findings (each generated from a published number), then who did
    not report this quarter, then what the numbers are and how to read them."""
    q, pub = data.quarter, data.publication
    state = pub.get("state_name") or "State"
    section = Section("cover", SECTION_TITLES["cover"])
    section.add(Paragraph(f"{q.label}: {q.months}", "lead"))
    section.add(Paragraph("Key findings", "lead"), Bullets(tuple(key_findings(data)) or ("No published number yet.",)))
    section.add(Paragraph("Agencies that did not report this quarter", "lead"), _non_reporting(data))
    feeds = data.feed_freshness or []
    if feeds:
        section.add(Paragraph("Data as of: " + "; ".join(f"{f['feed_title']} {_date(f['data_as_of'])}" for f in feeds)
                              + f". Serving database built {_date(pub.get('built_at'), '%-d %B %Y, %H:%M')} UTC."))
    elif pub.get("release_id"):
        section.add(Paragraph(f"Release {pub['release_id']}: every feed through {_month_end(data)}; records that "
                              "arrived later wait for the next release."))
    section.add(Paragraph(
        f"Prepared by the task force's data platform from the disclosure-controlled serving database of {state}. "
        f"No number from 1 to {data.min_cell_count - 1} is shown. Markers: " + "; ".join(
            f"\"{word}\" = {meaning.rstrip('.')}" for word, meaning in legend(data.min_cell_count).items())
        + ". Every sentence is generated from the published numbers by a fixed template; a change is called a rise "
        "or a fall only when its 95% confidence interval excludes zero. The interactive dashboard (index.html of "
        "the static site, beside this briefing's page) has every table as CSV.", "note"))
    section.add(Bullets(tuple(SECTION_TITLES[s] for s in SECTION_TITLES if s != "cover")))
    return section


def _month_end(data: BriefingData) -> str:
    end = data.period_end
    if end is None:
        return "unknown"
    following = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    return f"{following - dt.timedelta(days=1):%-d %B %Y}"


def key_findings(data: BriefingData) -> list[str]:
    """Sentences from published numbers only: nothing from a suppressed count, no change of a lower bound."""
    k, q = data.min_cell_count, data.quarter
    out: list[str] = []
    state = _state(data)
    if state is not None:
        for measure in ("signals", "cases"):
            if measure not in state:
                continue
            value = count(state, measure, k)
            yoy = change_of(state, measure, "yoy", AREA_TABLE)
            qoq = change_of(state, measure, "qoq", AREA_TABLE)
            sentence = f"{label(measure)} statewide in {q.label}: {value}."
            said = [change_sentence(measure, "statewide", c, ch) for c, ch in (("yoy", yoy), ("qoq", qoq))
                    if ch is not None and ch.published and (ch.significant or c == "yoy")]
            out.append(" ".join([sentence, *[s for s in said if s]]))
    regions = _regions(data)
    if regions:
        moved = [r["area_name"] for r in regions
                 if (c := change_of(r, "signals", "yoy", AREA_TABLE)) is not None and c.significant]
        hidden = [r["area_name"] for r in regions if r.get("signals_suppressed")]
        text = (f"Regions whose signals changed significantly on a year earlier: {', '.join(moved)}." if moved else
                "No region's signals changed significantly on the same quarter last year.")
        if hidden:
            text += f" Suppressed this quarter: {', '.join(hidden)}."
        out.append(text)
    if data.hotspots is not None:
        out.append(f"{len(data.hotspots)} emerging hotspot(s): " + "; ".join(
            f"{r['sector_name']} in {r['region_label']}" for r in data.hotspots) + "." if data.hotspots else
            "No emerging hotspot this quarter (no region x sector cell rose significantly above its trailing "
            "four quarters).")
    if data.rising_industries is not None:
        rising = [r for r in data.rising_industries if r.get("change_pct") is not None
                  and r.get("change_low_pct") is not None and r["change_low_pct"] > 0]
        out.append(rising_sentence(rising[0]) if rising else
                   "No industry sector rose significantly over the last four quarters.")
    if data.outcomes is not None:
        now = next((r for r in data.outcomes if r["quarter"] == q.start), None)
        if now is not None:
            parts = [f"{label(m).lower()}: {count(now, m, k)}" for m in ("investigations", "arrests", "convictions")
                     if m in now]
            out.append(f"Justice outcomes statewide in {q.label}: " + "; ".join(parts) + ".")
    return [s for s in out if s]


def _non_reporting(data: BriefingData) -> Paragraph:
    """Agencies registered to send a feed with no file for one or more months of the quarter (run_inputs)."""
    if data.reporting is None:
        return Paragraph("Not available: the serving database has no file list (run_inputs).", "missing")
    from sources.reference import organisations

    months = [dt.date(data.quarter.year, data.quarter.start.month + i, 1) for i in range(3)]
    sent = {(r["agency"], r["feed"], r["period"]) for r in data.reporting}
    missing = []
    registry = organisations().to_dicts()
    for org in registry:
        gaps = []
        for feed in (org.get("sends_feeds") or "").split(";"):
            feed = feed.strip()
            absent = [m for m in months if feed and (org["org_id"], feed, f"{m:%Y-%m}") not in sent]
            if absent and feed:
                gaps.append(f"{feed.replace('_', ' ')}: " + (
                    "no file this quarter" if len(absent) == 3 else "no file for " + ", ".join(f"{m:%B}" for m in absent)))
        if gaps:
            missing.append(f"{org['org_name']} ({'; '.join(gaps)})")
    expected = sum(1 for org in registry if (org.get("sends_feeds") or "").strip())
    if not missing:
        return Paragraph(f"None: every one of the {expected} agencies that send data sent a file for every month of "
                         f"{data.quarter.label} for each of its feeds.")
    return Paragraph(f"{len(missing)} of {expected} agencies did not send every file expected for {data.quarter.label} "
                     "(their numbers are missing, not zero): " + "; ".join(missing) + ".")


# --- headline --------------------------------------------------------------------------------------------

def _change_pair(row: Row, measure: str, k: int) -> list[str]:
    cells = []
    for comparison in ("qoq", "yoy"):
        change = change_of(row, measure, comparison, AREA_TABLE)
        cells += [change_cell(change, SUPPRESSED), significance_word(change)]
    return cells


def headline(data: BriefingData) -> Section:
    section = Section("headline", SECTION_TITLES["headline"])
    k = data.min_cell_count
    state = _state(data)
    if state is None:
        return section.add(_missing(data, "areas") or Paragraph("No statewide row for this quarter.", "missing"))
    rows = [(label(m), count(state, m, k), *_change_pair(state, m, k)) for m in HEADLINE_COUNTS if m in state]
    section.add(Table(("Statewide, " + data.quarter.label, "Count", "vs previous quarter (95% CI)", "Sig.",
                       "vs same quarter last year (95% CI)", "Sig."), tuple(rows),
                      widths=(2.2, 1.2, 2.5, 1.1, 2.5, 1.1)))
    section.add(_statewide_by_grain(data))
    rate = load_catalog().metric("signals_per_100k")
    placement = next(p for p in rate.published_in if p.table == AREA_TABLE)
    rate_text = derived(state, placement.column, k)
    if state.get(placement.low) is not None and state.get(f"{placement.column}_flag") != "suppressed":
        rate_text += f" (95% CI {state[placement.low]:.1f} to {state[placement.high]:.1f})"
    section.add(Paragraph(f"{rate.label}, statewide: {rate_text}."))
    sentences = [change_sentence(m, "statewide", c, change_of(state, m, c, AREA_TABLE))
                 for m in HEADLINE_COUNTS for c in ("qoq", "yoy")]
    section.add(Bullets(tuple(s for s in sentences if s)))
    if data.outcomes is not None:
        section.add(_outcomes_table(data))
    section.add(_missing(data, "outcomes"))
    spec = charts.quarterly_trend(data)
    if spec:
        grain = data.panels["signals_statewide"].period
        section.add(Chart("quarterly_trend", spec, f"Bar chart of statewide hotline signals per {grain}", 0.75))
    return section


# --- victim profile -------------------------------------------------------------------------------------

def _profile_cell(row: Row | None, k: int) -> str:
    """A profile count with its share of the type's signals; hidden reads as suppressed, never 0."""
    if row is None:
        return NOT_PUBLISHED
    text = count(row, "profile_signals", k)
    if text in (SUPPRESSED, NOT_PUBLISHED) or row.get("signal_share") is None:
        return text
    return f"{text} ({row['signal_share']:.0%})"


def profile(data: BriefingData) -> Section:
    """Who the signals were about, one attribute at a time, by trafficking type: the briefing quarter (all types)
    and the latest complete year (all types, sex, labor)."""
    section = Section("profile", SECTION_TITLES["profile"])
    k = data.min_cell_count
    rows = data.victim_profile
    if rows is None:
        return section.add(_missing(data, "victim_profile"))
    years = sorted({r["period"] for r in rows if r["period_grain"] == "year"})
    year = years[-1] if years else None
    columns = [("quarter", "all", f"{data.quarter.label}, all types")]
    if year:
        columns += [("year", t, f"{year}, {label}") for t, label in (("all", "all types"), ("sex", "sex"),
                                                                     ("labor", "labor"))]
    cells = {(r["period_grain"], r["trafficking_type"], r["attribute"], r["category"]): r for r in rows}
    categories = sorted({(r["attribute_order"], r["category_order"], r["attribute"], r["attribute_label"],
                          r["category"], r["category_label"]) for r in rows})
    table_rows = [(f"{attribute_label}: {category_label}",
                   *(_profile_cell(cells.get((grain, t, attribute, category)), k) for grain, t, _ in columns))
                  for _, _, attribute, attribute_label, category, category_label in categories]
    if not table_rows:
        return section.add(Paragraph("No signals have been published for this period yet.", "missing"))
    section.add(Paragraph(
        "Who the signals were about, one attribute at a time: age band and gender of the first potential victim, "
        "how they were recruited, the main means of control, and how the contact reached the hotline. Each "
        "attribute's categories add up to the signals of the type (shares in brackets); a signal counts once per "
        "attribute, and attributes are never crossed. Small codes are grouped; 'Unknown or not recorded' is kept "
        "explicit. Contacts, not prevalence."))
    section.add(Table(("Attribute: category", *(label for _, _, label in columns)), tuple(table_rows),
                      widths=(3.6, *([1.6] * len(columns)))))
    if year:
        totals = {r["trafficking_type"]: r for r in rows if r["period_grain"] == "year"}
        shown = [f"{label} {int(totals[t]['type_signals']):,}" for t, label in (("all", "all types"), ("sex", "sex"),
                                                                             ("labor", "labor"))
                 if t in totals and totals[t].get("type_signals") is not None]
        if shown:
            section.add(Paragraph(f"Signals in {year}: {', '.join(shown)}. Cases by attribute, every quarter and "
                                  "the other trafficking types are in the dashboards.", "note"))
    return section


# --- regions ---------------------------------------------------------------------------------------------

def regions(data: BriefingData) -> Section:
    section = Section("regions", SECTION_TITLES["regions"])
    rows = _regions(data)
    if not rows:
        return section.add(_missing(data, "areas") or Paragraph("No regional rows for this quarter.", "missing"))
    scheme = data.publication.get("region_label") or "region"
    section.add(Paragraph(f"Hotline signals by {scheme}, {data.quarter.label}. Counties are shaded by their "
                          "region's signals per 100,000 residents; darker is higher."))
    spec = charts.region_map(data)
    if spec:
        section.add(Chart("region_map", spec, f"Map of {data.publication.get('state_name', 'the state')} counties "
                                              "shaded by their region's signals per 100,000 residents", 0.5))
    section.add(_missing(data, "counties"))
    for name, heading in (("signals_by_region", "Signals, region"), ("cases_by_region", "Cases, region")):
        view = data.panels.get(name)
        if view is None:
            continue
        periods, labels = panel_periods(view, data.quarter)
        section.add(Paragraph(f"{view.title}, by {view.grain_label}", "lead"), panel_table(view, periods, labels, heading),
                    panel_note(view))
    rolled = set(data.panels["signals_by_region"].rolled) if "signals_by_region" in data.panels else set()
    rows = [r for r in rows if r["area_name"] not in rolled]  # a region inside "Other" is not described alone
    sentences = []
    for r in rows:
        yoy = change_sentence("signals", _where(r), "yoy", change_of(r, "signals", "yoy", AREA_TABLE))
        qoq_change = change_of(r, "signals", "qoq", AREA_TABLE)
        qoq = change_sentence("signals", _where(r), "qoq", qoq_change) if qoq_change and qoq_change.significant else None
        sentences += [s for s in (yoy, qoq) if s]
    if sentences:
        section.add(Bullets(tuple(sentences)))
    hidden = [r["area_name"] for r in rows if r.get("signals_suppressed")]
    if hidden:
        section.add(Paragraph(f"Suppressed this quarter (not described): {', '.join(hidden)}.", "note"))
    return section


# --- industries ------------------------------------------------------------------------------------------

def industries(data: BriefingData) -> Section:
    section = Section("industries", SECTION_TITLES["industries"])
    k = data.min_cell_count
    view = data.panels.get("signals_by_sector")
    if view is not None:
        periods, labels = panel_periods(view, data.quarter)
        spec = charts.panel_bars(view, periods, labels)
        if spec:
            section.add(Chart("sectors", spec, f"Bar chart of signals by sector, by {view.grain_label}", 0.75))
        section.add(panel_table(view, periods, labels, "Sector"), panel_note(view))
    if data.industry is not None and view is not None and view.period == "quarter":
        # the quarter's changes, where the release shows sectors by quarter (a sector inside "Other" not alone)
        shown = [r for r in data.industry if r["sector_name"] not in set(view.rolled)]
        rows = tuple((r["sector_name"], count(r, "signals", k), *_change_pair_industry(r, k)) for r in shown)
        section.add(Table(("Sector", "Signals", "vs previous quarter (95% CI)", "Sig.",
                           "vs same quarter last year (95% CI)", "Sig."), rows, widths=(2.4, 1.3, 2.3, 1.1, 2.3, 1.1)))
        sentences = [change_sentence("signals", f"in the {r['sector_name']} sector", "yoy",
                                     change_of(r, "signals", "yoy", "industry_quarterly"))
                     for r in shown if r["sector_code"] != "all"]
        if any(sentences):
            section.add(Bullets(tuple(s for s in sentences if s)))
    section.add(_missing(data, "industry"))
    section.add(Paragraph(f"Emerging hotspots, {data.quarter.label}", "lead"))
    if data.hotspots is not None:
        if data.hotspots:
            section.add(Paragraph(f"{len(data.hotspots)} region x sector cell(s) rose significantly against their "
                                  f"trailing four quarters ({data.hotspots[0]['cells_tested']} cells tested; "
                                  "Benjamini-Hochberg q <= 0.05):"),
                        Bullets(tuple(hotspot_sentence(r) for r in data.hotspots)))
        else:
            section.add(Paragraph("No region x sector cell rose significantly against its trailing four quarters "
                                  "this quarter (or too few cells were published to test)."))
    section.add(_missing(data, "hotspots"))
    section.add(Paragraph("Fastest-rising industries (last four complete quarters against the four before)", "lead"))
    if data.rising_industries is not None:
        ranked = [r for r in data.rising_industries if r.get("change_pct") is not None]
        sentences = [rising_sentence(r) for r in ranked[:5]]
        section.add(Bullets(tuple(s for s in sentences if s)) if any(sentences) else
                    Paragraph("No sector had enough published quarters to compare."))
        unranked = [r["sector_name"] for r in data.rising_industries if r.get("change_pct") is None]
        if unranked:
            section.add(Paragraph("Not compared (a quarter is suppressed): " + ", ".join(unranked) + ".", "note"))
    section.add(_missing(data, "rising_industries"))
    return section


def _change_pair_industry(row: Row, k: int) -> list[str]:
    cells = []
    for comparison in ("qoq", "yoy"):
        change = change_of(row, "signals", comparison, "industry_quarterly")
        cells += [change_cell(change, SUPPRESSED), significance_word(change)]
    return cells


# --- referrals -------------------------------------------------------------------------------------------

def _year_note(data: BriefingData, year: int) -> str:
    end = data.period_end
    return "" if end is None or end >= dt.date(year, 12, 1) else f" (year to date, data through {_date(end, '%B %Y')})"


def referrals(data: BriefingData) -> Section:
    section = Section("referrals", SECTION_TITLES["referrals"])
    k = data.min_cell_count
    year = data.quarter.year
    if data.referral_timeliness is not None:
        rows = [r for r in data.referral_timeliness if r["year"] == year]
        section.add(Paragraph(f"Referral timeliness by receiving organisation type, {year}{_year_note(data, year)}.",
                              "lead"))
        section.add(Table(
            ("Receiving organisation", label("referrals"), label("first_referrals"), "Median days signal to 1st referral",
             "Median days referral to service", label("referrals_pending_over_30_days")),
            tuple((r["receiving_org_type_label"], count(r, "referrals", k), count(r, "first_referrals", k),
                   derived(r, "median_days_signal_to_first_referral", k, "{:,.0f}"),
                   derived(r, "median_days_referral_to_service", k, "{:,.0f}"),
                   count(r, "referrals_pending_over_30_days", k)) for r in rows),
            widths=(3.0, 1.5, 1.6, 1.6, 1.6, 1.6)))
        total = next((r for r in rows if r["receiving_org_type"] == "all"), None)
        if total and total.get("median_days_signal_to_first_referral") is not None \
                and total.get("median_days_signal_to_first_referral_flag") != "suppressed":
            section.add(Paragraph(f"In {year}, half of all situations were first referred within "
                                  f"{total['median_days_signal_to_first_referral']:,.0f} days of their first signal."))
    section.add(_missing(data, "referral_timeliness"))
    services = data.panels.get("referrals_by_service")
    periods, labels = panel_periods(services, data.quarter)
    if periods:  # services at the grain the release chose (small ones in "Other")
        section.add(Paragraph(f"{services.title}, by {services.grain_label}", "lead"),
                    panel_table(services, periods, labels, "Service"), panel_note(services))
    if data.referral_services is not None:
        section.add(_services_table(data))
        if not periods:
            section.add(panel_note(services))
    section.add(_missing(data, "referral_services"))
    section.add(Paragraph("Notification after law enforcement meets a victim (Missouri § 566.223): every person "
                          "met who reasonably appeared to be a victim, adult or minor, notified or not", "lead"))
    if data.dss_notification is not None:
        rows = data.dss_notification
        groups = {"all": "All", "minor": "Minors", "adult": "Adults"}
        section.add(Table(
            ("Year of encounter", "Who", label("encounters"), label("share_dss_within_1_day"),
             label("share_dss_within_3_days"), label("share_dss_never_notified"), label("dss_notification_delay")),
            tuple((f"{r['year']}{_year_note(data, r['year'])}", groups[r["person_group"]], count(r, "encounters", k),
                   share(r, "share_dss_within_1_day", k), share(r, "share_dss_within_3_days", k),
                   share(r, "share_dss_never_notified", k),
                   derived(r, "median_dss_delay_days", k, "{:,.1f}", " days")) for r in rows),
            widths=(2.0, 1.2, 1.5, 1.6, 1.6, 1.6, 1.6)))
        section.add(_566_223_sentence(data, year, rows))
    section.add(_missing(data, "dss_notification"))
    return section


def _566_223_sentence(data: BriefingData, year: int, rows: list) -> Paragraph | None:
    """The year's § 566.223 figures in words, over the people met (never over the notifications made)."""
    latest = {r["person_group"]: r for r in rows if r["year"] == year}
    total = latest.get("all")
    if not total or total.get("share_dss_within_1_day_flag") == "suppressed" or total.get("share_dss_within_1_day") is None:
        return None
    text = (f"In {year}{_year_note(data, year)}, of the people law enforcement met who appeared to be trafficking "
            f"victims, {total['share_dss_within_1_day']:.0%} were notified to the Department of Social Services within "
            "1 day")
    if total.get("share_dss_never_notified") is not None and total.get("share_dss_never_notified_flag") != "suppressed":
        text += f" and {total['share_dss_never_notified']:.0%} have no notification on record"
    minors = latest.get("minor")
    if minors and minors.get("share_juvenile_within_1_day") is not None \
            and minors.get("share_juvenile_within_1_day_flag") != "suppressed":
        text += f"; {minors['share_juvenile_within_1_day']:.0%} of the minors met were notified to the juvenile office within 1 day"
    unreliable = total.get("share_dss_within_1_day_flag") == "unreliable"
    return Paragraph(text + (" (unreliable: 20 or fewer people met)." if unreliable else "."))


def _services_table(data: BriefingData) -> Table | Paragraph:
    """Referrals per service, as published: the flows table has no service totals, so show its largest rows."""
    k = data.min_cell_count
    rows = [r for r in data.referral_services if not r.get("referrals_suppressed") and r.get("referrals")]
    rows.sort(key=lambda r: -r["referrals"])
    if not rows:
        return Paragraph("No referral flow by service is large enough to publish this year.", "note")
    return Table(("Referring", "Receiving", "Service", label("referrals"), label("accepted"),
                  label("acceptance_rate")),
                 tuple((r["referring_org_type_label"], r["receiving_org_type_label"], r["service_label"],
                        count(r, "referrals", k), count(r, "accepted", k), share(r, "acceptance_rate", k))
                       for r in rows[:8]),
                 caption=f"The largest published referral flows by service, {data.quarter.year}"
                         f"{_year_note(data, data.quarter.year)}",
                 widths=(2.2, 2.2, 2.6, 1.2, 1.2, 1.4), text_columns=3)


# --- outcomes --------------------------------------------------------------------------------------------

def _outcomes_table(data: BriefingData) -> Table:
    k = data.min_cell_count
    by_quarter = {r["quarter"]: r for r in data.outcomes or []}
    quarters = [data.quarter.start, data.quarter.previous().start,
                data.quarter.start.replace(year=data.quarter.year - 1)]
    header = tuple(["Justice outcomes, statewide"] + [f"{q.year}Q{(q.month - 1) // 3 + 1}" for q in quarters])
    return Table(header, tuple((label(m), *(count(by_quarter.get(q), m, k) for q in quarters)) for m in OUTCOME_COUNTS),
                 caption="No significance test is published for these counts, so no change is described.",
                 widths=(3.0, 2.0, 2.0, 2.0))


def outcomes(data: BriefingData) -> Section:
    section = Section("outcomes", SECTION_TITLES["outcomes"])
    k = data.min_cell_count
    if data.case_funnel is not None:
        section.add(Paragraph(load_catalog().metric("funnel_stage_counts").definition))
        spec = charts.funnel(data)
        if spec:
            section.add(Chart("funnel", spec, "Bar chart of situations reaching each stage of the case funnel", 0.55))
        stages = charts.FUNNEL_STAGES
        section.add(Table(("Cohort year", *(charts.FUNNEL_LABELS[s] for s in stages), "Median days signal to investigation"),
                          tuple((f"{r['cohort_year']}{_year_note(data, r['cohort_year'])}",
                                 *(count(r, s, k) for s in stages),
                                 derived(r, "median_days_signal_to_investigation", k, "{:,.0f}"))
                                for r in data.case_funnel),
                          widths=(2.4, 1.3, 1.3, 1.3, 1.3, 1.3, 1.7)))
        section.add(Paragraph("Later cohorts have had less time to reach charges and convictions; the first and the "
                              "current cohort years are partial.", "note"))
    section.add(_missing(data, "case_funnel"))
    if data.outcomes is not None:
        section.add(_outcomes_table(data))
    section.add(_missing(data, "outcomes"))
    if data.victim_outcomes is not None:
        measures = ("compensation_claims", "compensation_awards", "visa_certifications_requested",
                    "visa_certifications_signed", "restitution_orders")
        section.add(Table(("Victim outcomes", *(str(r["year"]) for r in data.victim_outcomes)),
                          tuple((label(m), *(count(r, m, k) for r in data.victim_outcomes)) for m in measures),
                          widths=(3.2, *([1.5] * len(data.victim_outcomes)))))
    section.add(_missing(data, "victim_outcomes"))
    return section


# --- data quality ----------------------------------------------------------------------------------------

def quality(data: BriefingData) -> Section:
    section = Section("quality", SECTION_TITLES["quality"])
    if data.feed_freshness is not None:
        k = data.min_cell_count  # the feed totals are protected counts like any other
        section.add(Table(("Feed", "Data as of", "Files", "Rows loaded", "Rows quarantined"),
                          tuple((f["feed_title"], _date(f["data_as_of"]), _protected(f, "files", k),
                                 _protected(f, "rows_loaded", k), _protected(f, "rows_quarantined", k))
                                for f in data.feed_freshness),
                          caption="Every file received since the start of the history, by feed.",
                          widths=(2.4, 2.0, 1.2, 1.6, 1.8)))
    section.add(_missing(data, "feed_freshness"))
    if data.agency_quality is not None:
        k = data.min_cell_count
        # Counts come protected from the serving build; rows loaded is not published, so that no hidden
        # number follows from sent - quarantined.
        rows = tuple((r["org_name"], r["feed"].replace("_", " "), _protected(r, "files", k),
                      _protected(r, "rows_read", k), _protected(r, "rows_quarantined", k))
                     for r in data.agency_quality)
        section.add(Table(("Agency", "Feed", "Files", "Rows sent", "Rows quarantined"), rows,
                          caption="Quarantine by agency: rows that failed the feed contract are held back with the "
                                  "reason and returned to the agency.",
                          widths=(3.8, 1.8, 1.0, 1.4, 1.6), text_columns=2))
    else:
        section.add(_missing(data, "agency_quality"))
    return section


def _protected(row: dict, column: str, k: int) -> str:
    value = row[column]
    if row.get(f"{column}_suppressed") or (value is not None and 0 < value < k):
        return SUPPRESSED
    return NOT_PUBLISHED if value is None else f"{value:,}"


# --- methods ---------------------------------------------------------------------------------------------

def methods(data: BriefingData) -> Section:
    section = Section("methods", SECTION_TITLES["methods"])
    pub, k = data.publication, data.min_cell_count
    section.add(Paragraph("Caveats", "lead"))
    section.add(Bullets(tuple(c["text"] for c in data.caveats or [])) if data.caveats else _missing(data, "caveats"))
    section.add(Paragraph("Suppression applied", "lead"))
    cells = [(key, pub.get(key)) for key in ("cells_published", "cells_suppressed_primary",
                                             "cells_suppressed_complementary") if pub.get(key) is not None]
    section.add(Paragraph(
        f"Threshold: counts from 1 to {k - 1} are suppressed (k = {k}), together with enough other cells "
        "(complementary suppression) that none can be worked out from totals, other tables or rates; an "
        "attacker with a linear-programming solver audits every publish. Rates, shares and changes built on "
        "a suppressed count are suppressed too; those on 20 or fewer events are marked unreliable."))
    if cells:
        section.add(Table(("Serving database", "Cells"),
                          tuple((key.replace("_", " ").capitalize(), f"{int(value):,}") for key, value in cells),
                          widths=(4.0, 2.0)))
    section.add(Paragraph("Changes and significance", "lead"))
    change = load_catalog().metric("signals_yoy_change")
    section.add(Paragraph(change.definition + " A change is called a rise or a fall only when the 95% interval "
                          "excludes zero; otherwise it is reported as not statistically significant."))
    section.add(Paragraph("Definitions (metric catalog)", "lead"))
    names = ("signals", "cases", "profile_signals", "people_in_cases", "minors_in_cases", "signals_per_100k", "emerging_hotspot",
             "rising_industry_change", "days_signal_to_first_referral", "encounters", "share_dss_within_1_day",
             "funnel_stage_counts", "investigations", "convictions")
    catalog = load_catalog()
    section.add(Bullets(tuple(f"{catalog.metric(n).label}: {catalog.metric(n).definition}" for n in names)))
    period = f"{_date(pub.get('period_start'), '%B %Y')} to {_date(pub.get('period_end'), '%B %Y')}"
    section.add(Paragraph(
        f"Data period in the serving database: {period}. Run manifest: run {pub.get('run_id', 'unknown')}, "
        f"built {pub.get('built_at', 'at an unknown time')} (UTC) by code version {pub.get('code_version', 'unknown')} "
        f"from {pub.get('input_files', 'an unknown number of')} agency files (each listed with its SHA-256 in the "
        "serving database's run_inputs table and beside the static dashboard).", "note"))
    return section


def build_document(data: BriefingData) -> Document:
    state = data.publication.get("state_name") or "State"
    sections = [cover(data), headline(data), profile(data), regions(data), industries(data), referrals(data), outcomes(data),
                quality(data), methods(data)]
    return Document(title=f"{state} human trafficking: quarterly briefing",
                    subtitle=f"{data.quarter.label}, {data.quarter.months}", quarter_label=data.quarter.label,
                    sections=sections, suppressed_note=suppressed_note(data.min_cell_count))
