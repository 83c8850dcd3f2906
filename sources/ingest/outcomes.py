"""What became of each file: its outcome (loaded or rejected, rows counted) and its raw.file_manifest row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from sources.ingest.fingerprints import duplicate_of
from sources.ingest.inbox_entries import entry_modified_at
from sources.ingest.planning import Drop
from sources.landing import manifest_frame


@dataclass(frozen=True)
class FileOutcome:
    file_name: str
    file_hash: str
    feed: str | None
    agency: str | None
    status: str  # loaded | rejected
    rows_read: int | None  # None: unknown, the file could not be read
    rows_loaded: int
    rows_quarantined: int | None  # None with rows_read: the file is held whole, its rows uncounted
    message: str | None


def file_outcome(drop: Drop, loaded: Counter, quarantined: Counter) -> FileOutcome:
    name = drop.path.name
    rows_loaded = loaded[name] if drop.problem is None else 0
    rows_quarantined = quarantined[name]
    messages = list(drop.warnings or [])
    if drop.problem is not None:
        status = "rejected"
        messages.insert(0, f"{drop.problem[0]}: {drop.problem[1]}")
    else:
        status = "loaded"
        if rows_loaded == 0 and rows_quarantined > 0:
            messages.insert(0, "every row was quarantined")
    if drop.rows_unknown:  # held whole (one quarantine entry without a row number), its rows uncounted
        messages.insert(1, "rows unknown: the file could not be read, so its rows could not be counted")
        return FileOutcome(name, drop.file_hash, drop.feed, drop.agency, status, None, 0, None, "; ".join(messages))
    return FileOutcome(name, drop.file_hash, drop.feed, drop.agency, status, rows_loaded + rows_quarantined,
                       rows_loaded, rows_quarantined, "; ".join(messages) or None)


def manifest_rows(drops: list[Drop], outcomes: list[FileOutcome], now: datetime, run_id: str | None) -> pl.DataFrame:
    return manifest_frame([{
        "file_name": o.file_name, "file_hash": o.file_hash, "feed": o.feed, "agency": o.agency,
        "period": d.period, "file_format": d.file_format, "bytes": d.size, "status": o.status,
        "rows_read": o.rows_read, "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined,
        "message": o.message, "duplicate_of": duplicate_of(d.warnings or []), "file_modified_at": entry_modified_at(d.path),
        "processed_at": now, "run_id": run_id,
    } for d, o in zip(drops, outcomes)])
