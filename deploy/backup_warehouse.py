"""Nightly warehouse backup: EXPORT DATABASE while no writer is active, prove it restores, keep the newest N.

Run as the lantern user after the nightly refresh (deploy/systemd/lantern-backup.timer):
    /opt/lantern/.venv/bin/python /opt/lantern/deploy/backup_warehouse.py
Environment: LANTERN_HOME, LANTERN_BACKUP_DIR (default $LANTERN_HOME/backups), LANTERN_BACKUP_KEEP (14).

It holds Lantern's writer lock (pipelines/writer_lock.py) while exporting: refreshes wait for it instead of
failing on DuckDB's file lock, and no writer can change the file mid-export.
Parquet exports also survive DuckDB upgrades (a .duckdb file may not open in another major version).
Exit status 1 when the export or the restore test fails: watch `systemctl --failed`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.writer_lock import warehouse_writer_lock

WAIT_FOR_WRITER_SECONDS = 4 * 3600  # a nightly refresh may still be running when the timer fires
COUNTS_FILE = "lantern_row_counts.json"


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
                         "ORDER BY ALL").fetchall()
    return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def export(warehouse: Path, backups: Path) -> Path:
    final = backups / f"warehouse-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    partial = final.with_name(final.name + ".partial")
    with warehouse_writer_lock(warehouse, wait_seconds=WAIT_FOR_WRITER_SECONDS), \
            duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"EXPORT DATABASE '{partial}' (FORMAT parquet, COMPRESSION zstd)")
        (partial / COUNTS_FILE).write_text(json.dumps(row_counts(con), indent=1), encoding="utf-8")
    partial.rename(final)  # only complete exports carry the final name
    return final


def verify_restore(export_dir: Path, scratch: Path) -> None:
    """IMPORT the export into a scratch database and compare every table's row count."""
    scratch.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(scratch)) as con:
            con.execute(f"IMPORT DATABASE '{export_dir}'")
            restored = row_counts(con)
    finally:
        scratch.unlink(missing_ok=True)
    expected = json.loads((export_dir / COUNTS_FILE).read_text(encoding="utf-8"))
    if restored != expected:
        differing = sorted(k for k in expected.keys() | restored.keys() if expected.get(k) != restored.get(k))
        raise RuntimeError(f"restore test of {export_dir} failed; tables differ: {', '.join(differing)}")


def prune(backups: Path, keep: int) -> list[Path]:
    exports = sorted(p for p in backups.glob("warehouse-*") if p.is_dir() and not p.name.endswith(".partial"))
    stale = exports[:-keep] if keep > 0 else []
    for path in stale:
        shutil.rmtree(path)
    return stale


def main() -> int:
    home = Path(os.environ.get("LANTERN_HOME") or "data").resolve()
    backups = Path(os.environ.get("LANTERN_BACKUP_DIR") or home / "backups")
    backups.mkdir(parents=True, exist_ok=True, mode=0o700)  # same sensitivity as the warehouse itself
    warehouse = home / "warehouse.duckdb"
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}", file=sys.stderr)
        return 1
    made = export(warehouse, backups)
    verify_restore(made, backups / ".restore-test.duckdb")
    removed = prune(backups, int(os.environ.get("LANTERN_BACKUP_KEEP") or 14))
    print(f"backup {made} restored and verified; removed {len(removed)} old export(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
