"""Freshness per feed: is each feed's latest file younger than the contract's `expected_every_days`?

A Dagster asset check on each raw feed table (visible in the UI, warning severity: a quiet feed is not
a broken run), and an alert when a feed goes stale — once, on the change, not on every run.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition, asset_check

from models import query_sql
from pipelines.assets.keys import table_key
from pipelines.resources import PathsResource, WarehouseResource
from sources.contracts import FEEDS, load_contract

GRACE_DAYS = 1  # a daily feed that arrives at 03:00 instead of 01:00 is not stale


def _state_file(home: Path) -> Path:
    return home / "state" / "feed_freshness.json"


def _state(home: Path) -> dict:
    """Which feeds were stale at the last check; a missing or unreadable file means none known."""
    try:
        return json.loads(_state_file(home).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _was_stale(home: Path, feed: str) -> bool:
    return bool(_state(home).get(feed))


def _remember(home: Path, feed: str, stale: bool) -> None:
    path = _state_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = _state(home)
    state[feed] = stale
    # written aside and swapped in: a run killed mid-write must not leave a broken file behind
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(partial, path)


def feed_freshness_check(feed: str) -> AssetChecksDefinition:
    contract = load_contract(feed)

    @asset_check(asset=table_key(f"raw.{feed}"), name="feed_is_fresh",
                 description=f"A {contract.title.lower()} file arrived within the last "
                             f"{contract.expected_every_days} day(s) (+{GRACE_DAYS} day grace).")
    def _check(warehouse: WarehouseResource, lantern_home: PathsResource) -> AssetCheckResult:
        home = lantern_home.paths.home
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        with warehouse.session() as con:
            last_file, data_as_of = con.execute(
                query_sql("queries/pipeline", "feed_freshness", event_date=contract.event_date, feed=feed), [feed]).fetchone()
        age_days = (now - last_file).total_seconds() / 86400 if last_file else None
        stale = age_days is None or age_days > contract.expected_every_days + GRACE_DAYS
        if stale and not _was_stale(home, feed):
            from pipelines.alerts import alert_for_stale_feed, send_alert

            send_alert(alert_for_stale_feed(feed, data_as_of, contract.expected_every_days, now, last_file_at=last_file))
        _remember(home, feed, stale)
        return AssetCheckResult(
            passed=not stale, severity=AssetCheckSeverity.WARN,
            metadata={"last_file_loaded_at": str(last_file), "data_as_of": str(data_as_of),
                      "age_days": round(age_days, 2) if age_days is not None else -1,
                      "expected_every_days": contract.expected_every_days})

    return _check


freshness_checks = [feed_freshness_check(feed) for feed in FEEDS]
