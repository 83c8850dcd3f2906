"""A feed's planned files read as the contract's columns, a bounded piece at a time: small files grouped
up to CHUNK_BYTES, a bigger file split (CSV at record ends, Parquet in row slices), so memory stays bounded
however big one drop is."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

from sources.contracts import Contract
from sources.ingest.csv_split import split_csv
from sources.ingest.planning import Drop
from sources.ingest.reader import (FILE_NAME, ROW_NUMBER, DropRead, FileProblem, no_problems, read_csv_drops,
                                   read_parquet_drop)
from sources.ingest.validator import AGENCY

# Pieces of a big file: small enough that its Polars frames (text + typed copies) stay a few hundred MB.
CHUNK_BYTES = 64 * 1024 * 1024


def feed_pieces(drops: list[Drop], contract: Contract, reader: duckdb.DuckDBPyConnection, chunk_bytes: int,
                scratch_dir: Path | None) -> Iterator[DropRead]:
    """The feed's rows as the contract's columns, a bounded piece at a time: small files grouped, big ones split."""
    group: list[Drop] = []
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


def _read_feed(drops: list[Drop], contract: Contract, reader: duckdb.DuckDBPyConnection) -> DropRead:
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


def _csv_pieces(drop: Drop, reader: duckdb.DuckDBPyConnection, chunk_bytes: int,
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


def _parquet_pieces(drop: Drop, chunk_bytes: int) -> Iterator[DropRead]:
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
