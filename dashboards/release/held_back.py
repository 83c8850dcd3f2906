"""Records a release holds back: late rows for months an earlier release already published (internal only)."""

from __future__ import annotations

import duckdb
import polars as pl

from dashboards.release.as_released import freeze_windows
from dashboards.release.store import KeptRelease
from models import query_sql
from sources.contracts import FEEDS, load_contract


def held_back_records(warehouse: duckdb.DuckDBPyConnection, kept: list[KeptRelease], first_month) -> pl.DataFrame:
    """Per feed and month: rows loaded after the release that first covered their month."""
    schema = {"feed": pl.Utf8, "month": pl.Date, "records": pl.Int64}
    if not kept:
        return pl.DataFrame(schema=schema)
    windows = freeze_windows([(r.cutoff, r.snapshot_at) for r in kept[:-1]], first_month, kept[-1].cutoff,
                             kept[-1].snapshot_at)
    warehouse.register("release_freeze", windows.to_arrow())
    try:
        parts = [warehouse.execute(query_sql("queries/release", "held_back", table=feed,
                                             event_date=load_contract(feed).event_date)).pl() for feed in FEEDS]
    finally:
        warehouse.unregister("release_freeze")
    return pl.concat([pl.DataFrame(schema=schema), *[p.cast(schema) for p in parts]]).sort("feed", "month")
