"""Splitting a piece's rows into those to load and the problems to quarantine, one file's failure kept to
that file."""

from __future__ import annotations

import duckdb
import polars as pl

from sources.contracts import Contract
from sources.ingest.planning import Drop
from sources.ingest.reader import FILE_NAME, no_problems
from sources.ingest.validator import ValidationContext, validate
from sources.ingest.versions import split_unchanged_resends

# Failures of the warehouse itself, not of a file: they stop the run instead of refusing files.
WAREHOUSE_FAULTS = (duckdb.IOException, duckdb.FatalException, duckdb.TransactionException)


def split_rows(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, read_problems: pl.DataFrame, contract: Contract,
               context: ValidationContext, drop_of: dict[str, Drop], chunk_bytes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to load, problems) of a piece. A failure validating several files is retried file by file, and
    a file that fails alone is refused (its rows are not used), so it cannot take its neighbours down."""
    try:
        validated = validate(rows, contract, context)
        valid, already_loaded = split_unchanged_resends(con, validated.valid, contract)
        return valid, pl.concat([read_problems, validated.problems, already_loaded])
    except WAREHOUSE_FAULTS:
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
        parts = [split_rows(con, rows.filter(pl.col(FILE_NAME) == name), read_problems.filter(pl.col("file_name") == name),
                            contract, context, drop_of, chunk_bytes) for name in names]
        valid = [v for v, _ in parts if not v.is_empty()]
        return (pl.concat(valid) if valid else pl.DataFrame()), pl.concat([p for _, p in parts])
