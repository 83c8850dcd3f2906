"""Read the serving database (read-only) for one quarter's briefing.

Every query lives in `models/queries/briefing/*.sql` (shared ones in `models/queries/published/`). A table that is not (yet) in the serving database does not fail the
briefing: its section says it is missing. Counts are protected again as a last line of defence (a count of
1..k-1 is never shown, whatever the database says), exactly as the static site does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboards import published
from dashboards.panels import PanelView, load_views
from dashboards.published import Row, protect
from models.metric_catalog import load_catalog

from .quarters import Quarter
from models import QUERIES_DIR

QUERIES = QUERIES_DIR / "briefing"


@dataclass
class BriefingData:
    quarter: Quarter
    publication: dict[str, str]
    min_cell_count: int
    # Each section's rows; None when its table is missing (the name is then in `missing`).
    areas: list[Row] | None = None
    state_trend: list[Row] | None = None
    industry: list[Row] | None = None
    hotspots: list[Row] | None = None
    rising_industries: list[Row] | None = None
    referral_timeliness: list[Row] | None = None
    referral_services: list[Row] | None = None
    dss_notification: list[Row] | None = None
    victim_profile: list[Row] | None = None
    outcomes: list[Row] | None = None
    case_funnel: list[Row] | None = None
    victim_outcomes: list[Row] | None = None
    feed_freshness: list[Row] | None = None
    caveats: list[Row] | None = None
    counties: list[Row] | None = None
    agency_quality: list[Row] | None = None
    reporting: list[Row] | None = None  # (agency, feed, month) with a loaded file in the quarter (run_inputs)
    missing: dict[str, str] = field(default_factory=dict)  # section -> missing table
    panels: dict[str, PanelView] = field(default_factory=dict)  # headline panels at the release's chosen grain

    @property
    def period_end(self) -> dt.date | None:
        value = self.publication.get("period_end")
        return dt.date.fromisoformat(value[:10]) if value else None


# Section -> (query file, serving table it reads).
SECTIONS = {
    "areas": "area_quarterly", "state_trend": "area_quarterly", "industry": "industry_quarterly",
    "hotspots": "emerging_hotspots",
    "rising_industries": "rising_industries", "referral_timeliness": "referral_timeliness",
    "referral_services": "referral_flows_by_service",
    "dss_notification": "dss_notification_compliance", "victim_profile": "victim_profile",
    "outcomes": "outcomes_quarterly",
    "case_funnel": "case_funnel", "victim_outcomes": "victim_outcomes_yearly", "feed_freshness": "feed_freshness",
    "caveats": "caveats", "counties": "county_regions",
}
QUERY_OF = {"areas": "areas", "state_trend": "state_trend", "industry": "industry",
            "hotspots": "hotspots",
            "rising_industries": "rising_industries", "referral_timeliness": "referral_timeliness",
            "referral_services": "referral_services", "dss_notification": "dss_notification",
            "victim_profile": "victim_profile",
            "outcomes": "outcomes", "case_funnel": "case_funnel", "victim_outcomes": "victim_outcomes",
            "feed_freshness": "feed_freshness", "caveats": "caveats", "counties": "county_regions"}
AGENCY_QUALITY_TABLE = "agency_data_quality"


_tables = published.tables


def _rows(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> list[Row]:
    return published.rows(con, published.query_file("briefing", query), params)


def _count_columns(table: str, row: Row) -> tuple[str, ...]:
    """The catalog's count columns of a table that this row carries."""
    return tuple(c for c in load_catalog().counts_of(table) if c in row)


def protect_rows(rows: list[Row], table: str, min_cell: int) -> list[Row]:
    return [protect(r, _count_columns(table, r), min_cell) for r in rows]


connect = published.connect


def complete_quarters(serving_db: Path) -> list[Quarter]:
    with connect(serving_db) as con:
        if "area_quarterly" not in _tables(con):
            return []
        return [Quarter.of(r["quarter"]) for r in _rows(con, "complete_quarters")]


def latest_complete_quarter(serving_db: Path) -> Quarter | None:
    """The newest quarter with all three months loaded, or None."""
    quarters = complete_quarters(serving_db)
    return quarters[0] if quarters else None


def briefing_data_quality(serving_db: Path) -> list[Row] | None:
    """Files and rows per agency and feed from `agency_data_quality`, or None where the table is missing."""
    with connect(serving_db) as con:
        return _agency_quality(con)


def _agency_quality(con: duckdb.DuckDBPyConnection) -> list[Row] | None:
    if AGENCY_QUALITY_TABLE not in _tables(con):
        return None
    return _rows(con, "agency_data_quality")


def load(serving_db: Path, quarter: Quarter) -> BriefingData:
    with connect(serving_db) as con:
        tables = _tables(con)
        publication = published.publication(con)
        min_cell = published.threshold(publication, serving_db)
        data = BriefingData(quarter=quarter, publication=publication, min_cell_count=min_cell)
        data.panels = load_views(con, "briefing", min_cell, serving_db)  # fails closed without the grain table
        for section, table in SECTIONS.items():
            if table not in tables:
                data.missing[section] = table
                continue
            rows = _rows(con, QUERY_OF[section], {"quarter": quarter.start})
            setattr(data, section, protect_rows(rows, table, min_cell))
        if "run_inputs" in tables:
            data.reporting = _rows(con, "reporting", {"quarter": quarter.start})
        data.agency_quality = _agency_quality(con)
        if data.agency_quality is None:
            data.missing["agency_quality"] = AGENCY_QUALITY_TABLE
    return data
