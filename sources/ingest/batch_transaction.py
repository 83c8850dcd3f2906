"""The transaction that lands a batch of files: every row of them loaded into raw.<feed> or quarantined,
their manifest rows written, all committed together (a big file commits piece by piece, see
sources/ingest/load.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from sources.contracts import load_contract
from sources.ingest.fingerprints import known_hashes
from sources.ingest.outcomes import FileOutcome, file_outcome, manifest_rows
from sources.ingest.pieces import CHUNK_BYTES, feed_pieces
from sources.ingest.planning import Drop, plan_drop, rows_held
from sources.ingest.quarantine_records import file_quarantine, row_quarantine
from sources.ingest.reader import FILE_NAME
from sources.ingest.row_split import split_rows
from sources.ingest.unfinished_files import discard_unfinished_files, mark_finished, mark_in_progress
from sources.ingest.validator import ValidationContext
from sources.ingest.versions import CORRECTED_MARK, supersede_older_versions
from sources.ingest.warehouse_tables import raw_table
from sources.landing import insert_frame


def land_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[Path, str]], context: ValidationContext,
               agency_feeds: dict[str, set[str]], run_id: str | None, chunk_bytes: int = CHUNK_BYTES,
               scratch_dir: Path | None = None, refusal: tuple[str, str] | None = None) -> list[FileOutcome]:
    """One transaction for the batch; `refusal` (rule, message) refuses every file of it unread."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    seen = known_hashes(con)
    drops = [plan_drop(path, file_hash, agency_feeds, seen, refusal) for path, file_hash in batch]
    loaded: Counter = Counter()  # rows loaded per file name
    quarantined: Counter = Counter()  # rows quarantined per file name

    def insert_quarantine(frame: pl.DataFrame) -> None:
        if not frame.is_empty():
            insert_frame(con, "raw.quarantine", frame)
            quarantined.update(dict(frame.group_by("file_name").len().iter_rows()))

    reader = duckdb.connect()  # in-memory, only parses CSV (its parsed piece is a table there, which
    # must fit in memory: a memory limit on it makes a piece of many small files fail rather than spill)
    piecewise = [d for d in drops if d.problem is None and d.size > chunk_bytes]
    if piecewise:
        mark_in_progress(con, piecewise, now, run_id)
    con.execute("BEGIN TRANSACTION")
    try:
        by_feed: dict[str, list[Drop]] = defaultdict(list)
        for drop in drops:
            if drop.problem is None:
                by_feed[drop.feed].append(drop)
        for feed, feed_drops in by_feed.items():
            contract = load_contract(feed)
            for piece in feed_pieces(feed_drops, contract, reader, chunk_bytes, scratch_dir):
                usable = sorted(d.path.name for d in feed_drops if d.problem is None)
                rows = piece.rows.filter(pl.col(FILE_NAME).is_in(usable))
                valid, problems = split_rows(con, rows, piece.problems.filter(pl.col("file_name").is_in(usable)),
                                             contract, context, {d.path.name: d for d in feed_drops}, chunk_bytes)
                agency_of = {d.path.name: d.agency for d in feed_drops}
                hash_of = {d.path.name: d.file_hash for d in feed_drops}
                insert_quarantine(row_quarantine(feed, agency_of, hash_of, rows, contract, problems, now, run_id))
                if not valid.is_empty():
                    insert_frame(con, raw_table(feed), valid.with_columns(
                        pl.col(FILE_NAME).replace_strict(hash_of, return_dtype=pl.Utf8).alias("_file_hash"),
                        pl.lit(run_id, pl.Utf8).alias("_run_id"),
                        pl.lit(now).alias("_loaded_at"),
                    ))
                    loaded.update(dict(valid.group_by(FILE_NAME).len().iter_rows()))
                if piecewise:  # release the piece's inserts (an open transaction keeps them in memory)
                    con.execute("COMMIT")
                    con.execute("BEGIN TRANSACTION")
            # in the batch's last transaction, so a killed run never leaves a version superseded by rows
            # that discard_unfinished_files then deletes
            loaded_files = [(d.path.name, d.file_hash) for d in feed_drops if d.problem is None]
            for name, (corrected, withdrawn) in supersede_older_versions(con, contract, loaded_files, now).items():
                drop_of_name = next(d for d in feed_drops if d.path.name == name)
                drop_of_name.warnings.append(f"{corrected} {CORRECTED_MARK} and {withdrawn} withdrawn: the newest "
                                             "version stands, the report lists them")
        for drop in drops:
            if drop.problem is not None:
                rule, message = drop.problem
                held = rows_held(drop)
                drop.rows_unknown = held is None
                insert_quarantine(file_quarantine(drop.path.name, drop.file_hash, drop.feed, drop.agency,
                                                  held, rule, message, now, run_id))
        outcomes = [file_outcome(drop, loaded, quarantined) for drop in drops]
        insert_frame(con, "raw.file_manifest", manifest_rows(drops, outcomes, now, run_id))
        if piecewise:
            mark_finished(con, piecewise, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if piecewise:  # pieces already committed: take them out again, the file is processed afresh later
            discard_unfinished_files(con)
        raise
    finally:
        reader.close()
    return outcomes
