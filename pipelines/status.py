"""`lantern status`: files processed, rows loaded and quarantined, and a per-file quarantine report."""

from __future__ import annotations

import duckdb

from pipelines.settings import Paths


def print_status(paths: Paths, file_name: str | None = None) -> int:
    if not paths.warehouse.exists():
        print(f"No warehouse yet at {paths.warehouse}: run `lantern refresh`.")
        return 1
    try:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
    except duckdb.IOException:
        print("The warehouse is being written by a refresh right now; try again when it has finished.")
        return 1
    with con:
        if file_name:
            return _file_report(con, file_name)
        print("Files and rows per feed:")
        print(con.sql(
            "SELECT feed, status, count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded, "
            "sum(rows_quarantined) AS rows_quarantined FROM raw.file_manifest GROUP BY ALL ORDER BY ALL"))
        print("Quarantined rows by rule:")
        print(con.sql("SELECT feed, rule, count(*) AS rows FROM raw.quarantine GROUP BY ALL ORDER BY ALL"))
        partial = con.execute("SELECT file_name, rows_quarantined, rows_read FROM raw.file_manifest "
                              "WHERE status = 'partial' ORDER BY processed_at").fetchall()
        for name, quarantined, read in partial:
            print(f"PARTIAL public context file {name}: {quarantined} of {read} rows quarantined; the figures of its "
                  f"years are incomplete (lantern status --file {name!r})")
    return 0


def _file_report(con: duckdb.DuckDBPyConnection, file_name: str) -> int:
    manifest = con.execute(
        "SELECT status, rows_read, rows_loaded, rows_quarantined, message, processed_at FROM raw.file_manifest "
        "WHERE file_name = ? ORDER BY processed_at", [file_name]).fetchall()
    if not manifest:
        print(f"{file_name}: not processed yet")
        return 1
    for status, read, loaded, quarantined, message, processed_at in manifest:
        print(f"{file_name} ({processed_at:%Y-%m-%d %H:%M} UTC): {status}; {read} rows read, {loaded} loaded, "
              f"{quarantined} quarantined" + (f"\n  note: {message}" if message else ""))
    rows = con.execute(
        "SELECT row_number, column_name, rule, message FROM raw.quarantine WHERE file_name = ? ORDER BY row_number",
        [file_name]).fetchall()
    for row_number, column, rule, message in rows:
        where = f"row {row_number}" if row_number is not None else "file"
        print(f"  {where}, column {column or '-'}: [{rule}] {message}")
    return 0
