"""The disclosure audit of a serving database file, from what it publishes alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from dashboards.disclosure import AuditReport, audit
from dashboards.serving.published_set import published_set


def published_tables(serving_db: Path) -> tuple[dict[str, pl.DataFrame], dt.date, dt.date]:
    with duckdb.connect(str(serving_db), read_only=True) as con:
        period = dict(con.execute(
            "SELECT key, value FROM publication WHERE key IN ('period_start', 'period_end')").fetchall())
        spec = published_set(dt.date.fromisoformat(period["period_start"]), dt.date.fromisoformat(period["period_end"]))
        frames = {t.name: con.execute(f"SELECT * FROM {t.name}").pl() for t in spec.tables}
    return frames, dt.date.fromisoformat(period["period_start"]), dt.date.fromisoformat(period["period_end"])


def audit_serving_database(serving_db: Path) -> AuditReport:
    """Attack every published table together (every margin, every grain pair, every measure relation)."""
    frames, first, last = published_tables(serving_db)
    return audit(frames, published_set(first, last))
