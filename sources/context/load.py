"""Ingest public context files: every row loaded into raw.context_<feed> or quarantined with its reason,
recorded in the same raw.file_manifest and raw.quarantine as the agency feeds.

Each file is its own transaction (there are one or two a year). Rows about every state are loaded: the
other states are national context, and the deployment's state is chosen in the SQL models.
A republished table repeats earlier years; every file's rows are kept and staging reads the latest file's
row per key, so revisions win and nothing is quarantined merely for having been published twice.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from sources.context.contracts import ContextContract, context_contracts, load_context_contract
from sources.context.recognise import context_feed_of
from sources.context.validation import validate_context_rows
from sources.ingest import FileOutcome, pending_files
from sources.ingest.quarantine_records import QUARANTINE_SCHEMA, row_quarantine
from sources.ingest.reader import read_csv_drops
from sources.ingest.validator import AGENCY
from sources.ingest.warehouse_tables import DUCKDB_TYPES, LINEAGE_COLUMNS, MANIFEST_DDL, QUARANTINE_DDL
from sources.landing import insert_frame, manifest_frame
from sources.reference import Deployment


def ensure_context_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(MANIFEST_DDL)
    con.execute(QUARANTINE_DDL)
    for cc in context_contracts().values():
        columns = [f"    {c.name} {DUCKDB_TYPES[c.type]}" for c in cc.contract.columns]
        columns += [f"    {name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
        con.execute(f"CREATE TABLE IF NOT EXISTS {cc.raw_table} (\n" + ",\n".join(columns) + "\n)")


def ingest_context_files(con: duckdb.DuckDBPyConnection, paths: list[Path], deployment: Deployment,
                         run_id: str | None = None, processed_on: date | None = None) -> list[FileOutcome]:
    """Ingest the context files among `paths` that the manifest has not seen; other files are ignored."""
    ensure_context_schema(con)
    context_paths = [p for p in sorted(paths) if context_feed_of(p)]
    outcomes = []
    for path, file_hash in pending_files(con, context_paths):
        cc = load_context_contract(context_feed_of(path))
        outcomes.append(_ingest_file(con, path, file_hash, cc, deployment, run_id, processed_on or date.today()))
    return outcomes


def _ingest_file(con: duckdb.DuckDBPyConnection, path: Path, file_hash: str, cc: ContextContract,
                 deployment: Deployment, run_id: str | None, processed_on: date) -> FileOutcome:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    reader = duckdb.connect()  # in-memory, only parses CSV
    try:
        read = read_csv_drops([path], list(cc.header), reader)
    finally:
        reader.close()
    rows = read.rows.rename(cc.name_of).with_columns(pl.lit(cc.publisher).alias(AGENCY))
    checked = validate_context_rows(rows, cc, processed_on)
    problems = pl.concat([read.problems, checked.problems])
    quarantine = pl.concat([
        pl.DataFrame(schema=QUARANTINE_SCHEMA),
        row_quarantine(cc.feed, {path.name: cc.publisher}, {path.name: file_hash}, rows, cc.contract, problems, now, run_id),
    ])
    loaded = checked.valid.with_columns(
        pl.lit(file_hash).alias("_file_hash"), pl.lit(run_id, pl.Utf8).alias("_run_id"), pl.lit(now).alias("_loaded_at"))
    earlier = con.execute("SELECT min(file_name) FROM raw.file_manifest WHERE file_hash = ?", [file_hash]).fetchone()[0]
    # A public file's figures are sums over its rows: one quarantined row makes them differ from what was
    # published, so a file with any row quarantined is `partial`, reported loudly (docs/public-context.md).
    status = "partial" if quarantine.height else "loaded"
    outcome = FileOutcome(path.name, file_hash, cc.feed, cc.publisher, status, read.rows_read(path.name),
                          loaded.height, quarantine.height, _message(cc, loaded, quarantine, deployment, earlier))
    manifest = _manifest_row(path, outcome, _period(loaded, cc), earlier, now, run_id)
    con.execute("BEGIN TRANSACTION")
    try:
        if not loaded.is_empty():
            insert_frame(con, cc.raw_table, loaded)
        if not quarantine.is_empty():
            insert_frame(con, "raw.quarantine", quarantine)
        insert_frame(con, "raw.file_manifest", manifest)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcome


def _message(cc: ContextContract, loaded: pl.DataFrame, quarantine: pl.DataFrame, deployment: Deployment,
             earlier: str | None) -> str:
    """What the file was, and how many of its loaded rows are about other states (national context)."""
    in_state = (pl.col("state").str.to_lowercase() == deployment.state_name.lower()
                if "state" in loaded.columns else pl.col("state_abbr").str.to_uppercase() == deployment.state_code.upper())
    other_states = loaded.filter(~in_state).height
    parts = [f"public context file: {cc.contract.title}",
             f"{loaded.height - other_states} rows about {deployment.state_name}",
             f"{other_states} rows about other states loaded for national context"]
    if not quarantine.is_empty():
        read = loaded.height + quarantine.height
        parts.insert(1, f"PARTIAL: {quarantine.height} of {read} rows quarantined"
                        + (" (every row)" if loaded.is_empty() else "")
                        + "; the published figures of its years are incomplete until a complete file replaces it")
    if earlier:
        parts.append(f"same content as {earlier}, already processed")
    return "; ".join(parts)


def _period(loaded: pl.DataFrame, cc: ContextContract) -> str | None:
    """Years covered, `YYYY` or `YYYY/YYYY` (an ISO 8601 interval)."""
    years = loaded.get_column(cc.contract.event_date)
    if years.is_empty():
        return None
    first, last = int(years.min()), int(years.max())
    return str(first) if first == last else f"{first}/{last}"


def _manifest_row(path: Path, o: FileOutcome, period: str | None, earlier: str | None, now: datetime,
                  run_id: str | None) -> pl.DataFrame:
    stat = path.stat()
    return manifest_frame([{
        "file_name": o.file_name, "file_hash": o.file_hash, "feed": o.feed, "agency": o.agency, "period": period,
        "file_format": "csv", "bytes": stat.st_size, "status": o.status, "rows_read": o.rows_read,
        "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined, "message": o.message,
        "duplicate_of": earlier, "file_modified_at": datetime.fromtimestamp(stat.st_mtime, timezone.utc).replace(tzinfo=None),
        "processed_at": now, "run_id": run_id,
    }])
