"""Which months the models are behind on, one record per month: the newest raw row already modelled.

The one bookkeeping both ways of running use: `lantern refresh` (pipelines/run.py) asks `pending_months`
which partitions to recompute; the daemon's ingest publishes the same list as its `months_touched`
metadata for the touched-months sensor. The models job's last asset (`meta/modelled_months`) records what
it modelled, so months whose recompute failed or was killed stay pending until one succeeds.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from sources.contracts import FEEDS, load_contract

SQL_DIR = Path(__file__).parent / "bookkeeping"
MODELLED_MONTHS_DDL = "CREATE TABLE IF NOT EXISTS meta.modelled_months (month DATE PRIMARY KEY, loaded_through TIMESTAMP)"


@cache
def _raw_event_months() -> str:
    """One (month, _loaded_at) row per raw row of every feed, each feed by its contract's event date;
    _loaded_at is when the row last changed: loaded, or superseded by a correction."""
    return " UNION ALL ".join(
        # a row superseded by a correction changes its month as much as a newly loaded one
        f"SELECT CAST(date_trunc('month', {load_contract(feed).event_date}) AS DATE) AS month, "
        f"greatest(_loaded_at, coalesce(_superseded_at, _loaded_at)) AS _loaded_at "
        f"FROM raw.{feed}" for feed in FEEDS)


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").replace("{raw_event_months}", _raw_event_months())


def ensure_table(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("DROP TABLE IF EXISTS meta.models_watermark")  # the single watermark this table replaced
    con.execute(MODELLED_MONTHS_DDL)


def pending_months(con) -> list[str]:
    """First days (YYYY-MM-01) of the months with raw rows loaded after they were last modelled."""
    if not _table_count(con, "raw", FEEDS) == len(FEEDS):
        return []
    # read-only callers cannot create the table: with none, nothing was modelled yet
    query = "pending_months" if _table_count(con, "meta", ["modelled_months"]) else "raw_months"
    return [month for (month,) in con.execute(_sql(query)).fetchall()]


def record_modelled(con, start: date, end: date, run_started: datetime) -> int:
    """Mark months [start, end) modelled through the newest row loaded before `run_started` (naive UTC)."""
    ensure_table(con)
    con.execute(_sql("record_modelled_months"), {"start": start, "end": end, "run_started": run_started})
    return con.execute("SELECT count(*) FROM meta.modelled_months WHERE month >= ? AND month < ?",
                       [start, end]).fetchone()[0]


def _table_count(con, schema: str, names) -> int:
    names = list(names)
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name IN "
                       f"({', '.join('?' for _ in names)})", [schema, *names]).fetchone()[0]
