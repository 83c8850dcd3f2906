"""Ingest drop files into the warehouse: every row loaded into raw.<feed> or quarantined with its reason.

Files are taken in batches (bounded by bytes); each batch is one transaction, so a crash leaves the
warehouse as it was before the batch and the next run simply processes those files again. A file bigger
than CHUNK_BYTES is a batch of its own and is read, validated and inserted piece by piece, one commit per
piece, so memory stays bounded however big one drop is (DuckDB holds an open transaction's inserts in
memory). Such a file is listed in raw.files_in_progress until its manifest row is written in the last
commit; staging ignores its rows until then, and a run that died half-way has them deleted by the next
ingest (discard_unfinished_files), so the file is processed again from the start.
"""

from __future__ import annotations

import codecs
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

from sources.contracts import Contract, load_contract
from sources.drops import DropNameError, parse_drop_name
from sources.ingest.header import header_problem, unknown_columns
from sources.ingest.inbox_entries import entry_modified_at, entry_refusal, entry_sha256, entry_size
from sources.ingest.quarantine_records import file_quarantine, row_quarantine
from sources.ingest.reader import (FILE_NAME, ROW_NUMBER, DropRead, FileProblem, count_data_rows, no_problems,
                                   read_csv_drops, read_header, read_parquet_drop)
from sources.ingest.validator import AGENCY, ValidationContext, validate
from sources.ingest.versions import CORRECTED_MARK, split_unchanged_resends, supersede_older_versions
from sources.ingest.warehouse_tables import raw_table
from sources.landing import insert_frame, manifest_frame

BATCH_BYTES = 256 * 1024 * 1024
# Failures of the warehouse itself, not of a file: they stop the run instead of refusing files.
_WAREHOUSE_FAULTS = (duckdb.IOException, duckdb.FatalException, duckdb.TransactionException)
# Pieces of a big file: small enough that its Polars frames (text + typed copies) stay a few hundred MB.
CHUNK_BYTES = 64 * 1024 * 1024


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


@dataclass
class _Drop:
    path: Path
    file_hash: str
    feed: str | None = None
    agency: str | None = None
    period: str | None = None
    file_format: str | None = None
    header: list[str] | None = None
    problem: tuple[str, str] | None = None  # (rule, message) when the whole file is refused
    warnings: list[str] | None = None
    size: int = 0  # bytes (0 for an entry that is not a regular file)
    rows_unknown: bool = False  # refused and its rows could not be counted


def pending_files(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[tuple[Path, str]]:
    """Files whose (name, content) the manifest has not seen, with their SHA-256.

    A file whose name, size and modification time are those the manifest recorded is not hashed again:
    re-reading a whole inbox of processed drops every night would cost more than the new day's work.
    """
    seen = set(con.execute("SELECT file_name, file_hash FROM raw.file_manifest").fetchall())
    unchanged = {(name, size, modified) for name, size, modified in con.execute(
        "SELECT file_name, bytes, file_modified_at FROM raw.file_manifest WHERE file_modified_at IS NOT NULL").fetchall()}
    pending = []
    for path in paths:
        if (path.name, entry_size(path), entry_modified_at(path)) in unchanged:
            continue
        try:
            file_hash = entry_sha256(path)
        except FileNotFoundError:  # taken out of the inbox since it was listed: nothing to do
            continue
        if (path.name, file_hash) not in seen:
            pending.append((path, file_hash))
    return pending


def ingest_files(con: duckdb.DuckDBPyConnection, paths: list[Path], context: ValidationContext,
                 agency_feeds: dict[str, set[str]], run_id: str | None = None,
                 chunk_bytes: int = CHUNK_BYTES, scratch_dir: Path | None = None) -> list[FileOutcome]:
    """Ingest these agency drops (sources.inbox.list_inbox sorts public context files out beforehand).

    Files over `chunk_bytes` are split into pieces in a scratch folder (default: the system's temporary
    folder) and ingested piece by piece, a commit per piece (see the module docstring).
    """
    discard_unfinished_files(con)
    outcomes: list[FileOutcome] = []
    batch: list[tuple[Path, str]] = []
    batch_bytes = 0

    def run(files: list[tuple[Path, str]]) -> None:
        try:
            outcomes.extend(_ingest_batch(con, files, context, agency_feeds, run_id, chunk_bytes, scratch_dir))
        except _WAREHOUSE_FAULTS:  # the warehouse itself failed: no file is to blame, stop the run
            raise
        except Exception as error:  # something in one file broke the batch (rolled back): find it alone
            if len(files) > 1:
                for one in files:
                    run([one])
                return
            path = files[0][0]
            cause = f"{path.name} could not be ingested: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
            outcomes.extend(_ingest_batch(con, files, context, agency_feeds, run_id, chunk_bytes, scratch_dir,
                                          refusal=("ingest_failed", cause)))

    for path, file_hash in pending_files(con, sorted(paths)):
        size = entry_size(path)
        if size > chunk_bytes:  # a big file alone: it is streamed, and its transaction holds nothing else
            if batch:
                run(batch)
                batch, batch_bytes = [], 0
            run([(path, file_hash)])
            continue
        batch.append((path, file_hash))
        batch_bytes += size
        if batch_bytes >= BATCH_BYTES:
            run(batch)
            batch, batch_bytes = [], 0
    if batch:
        run(batch)
    return outcomes


def _plan(path: Path, file_hash: str, agency_feeds: dict[str, set[str]], known_hashes: dict[str, str],
          refusal: tuple[str, str] | None = None) -> _Drop:
    """Route a file by its name and check its header; any failure doing so is the file's refusal."""
    drop = _Drop(path, file_hash, warnings=[])
    try:
        _route_and_check(drop, agency_feeds, known_hashes)
    except Exception as error:
        drop.problem = ("unreadable_file", f"{path.name} could not be read: {type(error).__name__}: "
                                           f"{' '.join(str(error).split())[:300]}")
    if refusal is not None:
        drop.problem = refusal
    return drop


def _route_and_check(drop: _Drop, agency_feeds: dict[str, set[str]], known_hashes: dict[str, str]) -> None:
    path, file_hash = drop.path, drop.file_hash
    drop.size = entry_size(path)
    earlier = known_hashes.get(file_hash)
    if earlier and earlier != path.name:
        drop.warnings.append(f"same content as {earlier}, already processed: its rows are duplicates")
    try:
        name = parse_drop_name(path)
    except DropNameError as error:
        drop.problem = ("unroutable_file", str(error))
    else:
        drop.feed, drop.agency, drop.period, drop.file_format = name.feed, name.agency, name.period, name.file_format
    drop.problem = entry_refusal(path) or drop.problem  # a link or directory is never opened
    if drop.problem is not None:
        return
    if drop.agency not in agency_feeds:
        drop.problem = ("unknown_agency", f"agency {drop.agency!r} is not in the organisation registry")
        return
    if drop.feed not in agency_feeds[drop.agency]:
        drop.problem = ("unknown_agency", f"agency {drop.agency} is not registered to send {drop.feed}")
        return
    try:
        drop.header = read_header(path)
    except FileProblem as problem:
        drop.problem = (problem.rule, problem.message)
        return
    contract = load_contract(drop.feed)
    drop.problem = header_problem(drop.header, contract)
    ignored = unknown_columns(drop.header, contract)
    if ignored and drop.problem is None:
        drop.warnings.append(f"column(s) not in the contract were ignored: {', '.join(ignored)}")


def _read_feed(drops: list[_Drop], contract: Contract, reader: duckdb.DuckDBPyConnection) -> DropRead:
    """All usable files of one feed as one frame of the contract's columns (absent optional ones null)."""
    by_header: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    parts: list[DropRead] = []
    for drop in drops:
        if drop.file_format == "parquet":
            try:
                parts.append(read_parquet_drop(drop.path))
            except Exception as error:  # a truncated or foreign file: refuse it whole
                drop.problem = ("unreadable_file", f"{drop.path.name} is not a readable Parquet file: {error}")
        else:
            by_header[tuple(drop.header)].append(drop.path)
    refused: dict[str, tuple[str, str]] = {}
    for header, paths in by_header.items():
        read = read_csv_drops(paths, list(header), reader)
        refused.update(read.refused)
        parts.append(read)
    for drop in drops:
        drop.problem = refused.get(drop.path.name, drop.problem)
    agency_of = {d.path.name: d.agency for d in drops}
    return _as_feed_frame(DropRead(
        pl.concat([_contract_columns(part.rows, contract) for part in parts]) if parts else
        pl.DataFrame(schema={**{c: pl.Utf8 for c in contract.column_names}, FILE_NAME: pl.Utf8, ROW_NUMBER: pl.Int64}),
        pl.concat([no_problems(), *[p.problems for p in parts]]),
    ), contract, agency_of)


def _contract_columns(rows: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """The contract's columns as text (absent optional ones null), plus FILE_NAME and ROW_NUMBER."""
    return (rows.with_columns([pl.lit(None, pl.Utf8).alias(c) for c in contract.column_names if c not in rows.columns])
            .select([*contract.column_names, FILE_NAME, ROW_NUMBER])
            .with_columns(pl.col(c).cast(pl.Utf8) for c in contract.column_names))


def _as_feed_frame(read: DropRead, contract: Contract, agency_of: dict[str, str]) -> DropRead:
    frame = _contract_columns(read.rows, contract).with_columns(
        pl.col(FILE_NAME).replace_strict(agency_of, return_dtype=pl.Utf8, default=None).alias(AGENCY))
    return DropRead(frame, read.problems)


def _ingest_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[Path, str]], context: ValidationContext,
                  agency_feeds: dict[str, set[str]], run_id: str | None, chunk_bytes: int = CHUNK_BYTES,
                  scratch_dir: Path | None = None, refusal: tuple[str, str] | None = None) -> list[FileOutcome]:
    """One transaction for the batch; `refusal` (rule, message) refuses every file of it unread."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    known_hashes = dict(con.execute("SELECT file_hash, min(file_name) FROM raw.file_manifest GROUP BY file_hash").fetchall())
    drops = [_plan(path, file_hash, agency_feeds, known_hashes, refusal) for path, file_hash in batch]
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
        _mark_in_progress(con, piecewise, now, run_id)
    con.execute("BEGIN TRANSACTION")
    try:
        by_feed: dict[str, list[_Drop]] = defaultdict(list)
        for drop in drops:
            if drop.problem is None:
                by_feed[drop.feed].append(drop)
        for feed, feed_drops in by_feed.items():
            contract = load_contract(feed)
            for piece in _pieces(feed_drops, contract, reader, chunk_bytes, scratch_dir):
                usable = sorted(d.path.name for d in feed_drops if d.problem is None)
                rows = piece.rows.filter(pl.col(FILE_NAME).is_in(usable))
                valid, problems = _checked(con, rows, piece.problems.filter(pl.col("file_name").is_in(usable)),
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
                rows_held = _rows_held(drop)
                drop.rows_unknown = rows_held is None
                insert_quarantine(file_quarantine(drop.path.name, drop.file_hash, drop.feed, drop.agency,
                                                  rows_held, rule, message, now, run_id))
        outcomes = [_outcome(drop, loaded, quarantined) for drop in drops]
        insert_frame(con, "raw.file_manifest", _manifest(drops, outcomes, now, run_id))
        if piecewise:
            con.execute("DELETE FROM raw.files_in_progress WHERE run_id IS NOT DISTINCT FROM ? "
                        "AND file_hash IN (SELECT unnest(?))", [run_id, [d.file_hash for d in piecewise]])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if piecewise:  # pieces already committed: take them out again, the file is processed afresh later
            discard_unfinished_files(con)
        raise
    finally:
        reader.close()
    return outcomes


def _rows_held(drop: _Drop) -> int | None:
    """How many rows a refused entry held: None when unknown (unreadable, vanished, or a link, which is
    never followed); a directory holds none."""
    try:
        refusal = entry_refusal(drop.path)
    except OSError:
        return None
    if refusal is not None:
        return 0 if refusal[0] == "not_a_file" and drop.path.is_dir() else None
    return count_data_rows(drop.path)


def _checked(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, read_problems: pl.DataFrame, contract: Contract,
             context: ValidationContext, drop_of: dict[str, _Drop], chunk_bytes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to load, problems) of a piece. A failure validating several files is retried file by file, and
    a file that fails alone is refused (its rows are not used), so it cannot take its neighbours down."""
    try:
        validated = validate(rows, contract, context)
        valid, already_loaded = split_unchanged_resends(con, validated.valid, contract)
        return valid, pl.concat([read_problems, validated.problems, already_loaded])
    except _WAREHOUSE_FAULTS:
        raise
    except Exception as error:
        names = sorted(set(rows.get_column(FILE_NAME).to_list()) | set(read_problems.get_column("file_name").to_list()))
        if len(names) == 1:
            drop = drop_of[names[0]]
            if drop.size > chunk_bytes:  # earlier pieces are committed: fail the batch, it is undone and refused
                raise
            drop.problem = ("ingest_failed", f"{drop.path.name} could not be validated: {type(error).__name__}: "
                                             f"{' '.join(str(error).split())[:300]}")
            return pl.DataFrame(), no_problems()  # nothing of it is loaded
        parts = [_checked(con, rows.filter(pl.col(FILE_NAME) == name), read_problems.filter(pl.col("file_name") == name),
                          contract, context, drop_of, chunk_bytes) for name in names]
        valid = [v for v, _ in parts if not v.is_empty()]
        return (pl.concat(valid) if valid else pl.DataFrame()), pl.concat([p for _, p in parts])


def _mark_in_progress(con: duckdb.DuckDBPyConnection, drops: list[_Drop], now: datetime, run_id: str | None) -> None:
    insert_frame(con, "raw.files_in_progress", pl.DataFrame({
        "file_name": [d.path.name for d in drops], "file_hash": [d.file_hash for d in drops],
        "feed": [d.feed for d in drops], "started_at": [now] * len(drops), "run_id": [run_id] * len(drops)}))


def discard_unfinished_files(con: duckdb.DuckDBPyConnection) -> int:
    """Delete the rows of files whose piece-by-piece ingest never finished (a killed run); returns how many
    files. Their manifest row was never written, so the next ingest reads them again from the start."""
    unfinished = con.execute("SELECT DISTINCT file_name, file_hash, feed FROM raw.files_in_progress").fetchall()
    if not unfinished:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        for file_name, file_hash, feed in unfinished:
            con.execute(f"DELETE FROM {raw_table(feed)} WHERE _file_name = ? AND _file_hash = ?", [file_name, file_hash])
            con.execute("DELETE FROM raw.quarantine WHERE file_name = ? AND file_hash = ?", [file_name, file_hash])
        con.execute("DELETE FROM raw.files_in_progress")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(unfinished)


def _pieces(drops: list[_Drop], contract: Contract, reader: duckdb.DuckDBPyConnection, chunk_bytes: int,
            scratch_dir: Path | None) -> Iterator[DropRead]:
    """The feed's rows as the contract's columns, a bounded piece at a time: small files grouped, big ones split."""
    group: list[_Drop] = []
    group_bytes = 0
    for drop in drops:  # small files are read together, up to chunk_bytes at a time
        size = drop.size
        if size > chunk_bytes:
            continue
        if group and group_bytes + size > chunk_bytes:
            yield _read_feed(group, contract, reader)
            group, group_bytes = [], 0
        group.append(drop)
        group_bytes += size
    if group:
        yield _read_feed(group, contract, reader)
    for drop in drops:
        if drop.size <= chunk_bytes:
            continue
        if drop.file_format == "parquet":
            pieces = _parquet_pieces(drop, chunk_bytes)
        else:
            pieces = _csv_pieces(drop, reader, chunk_bytes, scratch_dir)
        yielded = 0
        try:
            for piece in pieces:
                yielded += 1
                yield _as_feed_frame(piece, contract, {drop.path.name: drop.agency})
        except FileProblem as problem:
            if yielded:  # rows of it are already in this transaction: fail the batch (rolled back) instead
                raise RuntimeError(f"{drop.path.name} became unreadable part-way: {problem.message}") from problem
            drop.problem = (problem.rule, problem.message)  # unreadable from the start: refuse the whole file


def _csv_pieces(drop: _Drop, reader: duckdb.DuckDBPyConnection, chunk_bytes: int,
                scratch_dir: Path | None) -> Iterator[DropRead]:
    """Split a big CSV at record ends into files of about chunk_bytes (each with the header), read each, and
    give its rows the file's own name and record numbers (every record of a piece is a row or a problem)."""
    scratch = Path(tempfile.mkdtemp(prefix="lantern-split-", dir=scratch_dir))
    rows_before = 0
    try:
        for piece_path in split_csv(drop.path, chunk_bytes, scratch):
            read = read_csv_drops([piece_path], drop.header, reader)
            piece_path.unlink()
            if read.refused:
                raise FileProblem(*read.refused[piece_path.name])
            yield DropRead(
                read.rows.with_columns(pl.lit(drop.path.name).alias(FILE_NAME), pl.col(ROW_NUMBER) + rows_before),
                read.problems.with_columns(pl.lit(drop.path.name).alias("file_name"),
                                           pl.col("row_number") + rows_before),
            )
            rows_before += read.rows.height + read.problems.height
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def split_csv(path: Path, chunk_bytes: int, scratch: Path) -> Iterator[Path]:
    """Yield piece files of `path` cut at record ends (a line end with an even number of quotes before it,
    so a quoted line break stays inside its piece), each led by the header."""
    with open(path, "rb") as handle:
        header = handle.readline()
        if header.startswith(codecs.BOM_UTF8):
            header = header[len(codecs.BOM_UTF8):]
        if not header.endswith(b"\n"):
            header += b"\n"
        index, carry = 0, b""
        while True:
            block = handle.read(chunk_bytes)
            data = carry + block
            if not data:
                return
            if block:
                cut = _record_end(data)
                if cut == 0:  # one record longer than a piece: keep reading until it ends
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            piece = scratch / f"piece-{index:05d}.csv"
            with open(piece, "wb") as out:
                out.write(header)
                out.write(data)
            yield piece
            index += 1


def _record_end(data: bytes) -> int:
    """Offset just after the last line end in `data` outside quotes (0 when there is none). `data` starts
    at a record boundary, so quotes before a line end are balanced exactly when the count is even."""
    end = len(data)
    while True:
        cut = data.rfind(b"\n", 0, end) + 1
        if cut == 0 or data.count(b'"', 0, cut) % 2 == 0:
            return cut
        end = cut - 1


def _parquet_pieces(drop: _Drop, chunk_bytes: int) -> Iterator[DropRead]:
    """A big Parquet file in row slices sized from its bytes per row."""
    try:
        total = pl.scan_parquet(drop.path).select(pl.len()).collect().item()
    except Exception as error:
        raise FileProblem("unreadable_file", f"not a readable Parquet file: {error}") from error
    per_piece = max(1, int(total * chunk_bytes / max(drop.size, 1)))
    for offset in range(0, total, per_piece):
        try:
            frame = pl.scan_parquet(drop.path).slice(offset, per_piece).collect()
        except Exception as error:
            raise FileProblem("unreadable_file", f"not a readable Parquet file: {error}") from error
        text = frame.select(pl.all().cast(pl.Utf8))
        yield DropRead(text.with_columns(
            pl.lit(drop.path.name).alias(FILE_NAME),
            pl.int_range(offset + 1, offset + text.height + 1, dtype=pl.Int64).alias(ROW_NUMBER),
        ))


def _outcome(drop: _Drop, loaded: Counter, quarantined: Counter) -> FileOutcome:
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


def _manifest(drops: list[_Drop], outcomes: list[FileOutcome], now: datetime, run_id: str | None) -> pl.DataFrame:
    return manifest_frame([{
        "file_name": o.file_name, "file_hash": o.file_hash, "feed": o.feed, "agency": o.agency,
        "period": d.period, "file_format": d.file_format, "bytes": d.size, "status": o.status,
        "rows_read": o.rows_read, "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined,
        "message": o.message, "duplicate_of": _duplicate_of(d), "file_modified_at": entry_modified_at(d.path),
        "processed_at": now, "run_id": run_id,
    } for d, o in zip(drops, outcomes)])


def _duplicate_of(drop: _Drop) -> str | None:
    for warning in drop.warnings or []:
        if warning.startswith("same content as "):
            return warning.removeprefix("same content as ").split(",")[0]
    return None
