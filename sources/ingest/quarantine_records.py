"""Turn problems into quarantine rows: one per refused input row, with its first and all problems."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl

from sources.contracts import Contract
from sources.ingest.reader import FILE_NAME, ROW_NUMBER
from sources.pii import mask_column, mask_digits, mask_text, scan_text

QUARANTINE_SCHEMA = {
    "file_name": pl.Utf8,
    "file_hash": pl.Utf8,
    "feed": pl.Utf8,
    "agency": pl.Utf8,
    "row_number": pl.Int64,
    "column_name": pl.Utf8,
    "rule": pl.Utf8,
    "message": pl.Utf8,
    "problem_count": pl.Int32,
    "problems": pl.Utf8,
    "masked_record": pl.Utf8,
    "quarantined_at": pl.Datetime("us"),
    "run_id": pl.Utf8,
}


def file_quarantine(file_name: str, file_hash: str, feed: str | None, agency: str | None, row_count: int | None,
                    rule: str, message: str, now: datetime, run_id: str | None) -> pl.DataFrame:
    """A refused file: every row it held is quarantined under the file's reason; no value is kept. A file
    whose rows cannot be counted (row_count None) is held as one entry without a row number."""
    if row_count == 0:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return pl.DataFrame(
        {
            "file_name": file_name, "file_hash": file_hash, "feed": feed, "agency": agency,
            "row_number": [None] if row_count is None else list(range(1, row_count + 1)), "column_name": None, "rule": rule, "message": message,
            "problem_count": 1, "problems": rule, "masked_record": None, "quarantined_at": now, "run_id": run_id,
        },
        schema=QUARANTINE_SCHEMA,
    )


def row_quarantine(feed: str, agency_of: dict[str, str], hash_of: dict[str, str], rows: pl.DataFrame,
                   contract: Contract, problems: pl.DataFrame, now: datetime, run_id: str | None) -> pl.DataFrame:
    if problems.is_empty():
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    per_row = (
        problems.with_columns(
            pl.concat_str([pl.col("column_name").fill_null("row"), pl.col("rule")], separator=": ").alias("_problem")
        )
        .group_by("file_name", "row_number", maintain_order=True)
        .agg(
            pl.col("column_name").first(),
            pl.col("rule").first(),
            pl.col("message").first(),
            pl.len().cast(pl.Int32).alias("problem_count"),
            pl.col("_problem").unique(maintain_order=True).str.join("; ").alias("problems"),
        )
    )
    # a message may quote the bad value (a phone typed into a date column): mask it like the record
    per_row = per_row.with_columns(mask_column(per_row.get_column("message")))
    flagged = problems.filter(pl.col("rule") == "identifier_detected").select("file_name", "row_number", "column_name")
    records = _masked_records(rows, contract, per_row.select("file_name", "row_number"), flagged)
    return (
        per_row.join(records, on=["file_name", "row_number"], how="left")
        .with_columns(
            pl.col("file_name").replace_strict(hash_of, return_dtype=pl.Utf8).alias("file_hash"),
            pl.col("file_name").replace_strict(agency_of, return_dtype=pl.Utf8).alias("agency"),
            pl.lit(feed).alias("feed"), pl.lit(now).alias("quarantined_at"), pl.lit(run_id, pl.Utf8).alias("run_id"),
        )
        .select([pl.col(name).cast(kind) for name, kind in QUARANTINE_SCHEMA.items()])
        .sort("file_name", "row_number")
    )


def _masked_records(rows: pl.DataFrame, contract: Contract, wanted_keys: pl.DataFrame,
                    flagged: pl.DataFrame) -> pl.DataFrame:
    """The refused rows as JSON, every value passed through the identifier mask, so a data manager can
    find and fix the row without the quarantine itself holding an identifier. A cell a rule flagged as
    an identifier also has its digits blanked, whether or not the free-text scanner agrees."""
    flagged_cells = {(f, r, c) for f, r, c in flagged.iter_rows()}
    wanted = rows.join(
        wanted_keys.rename({"file_name": FILE_NAME, "row_number": ROW_NUMBER}), on=[FILE_NAME, ROW_NUMBER], how="semi"
    )
    columns = [c for c in contract.column_names if c in wanted.columns]
    safe = wanted.select(mask_column(wanted.get_column(name)) for name in columns)
    records = []
    for row, safe_values in zip(wanted.iter_rows(named=True), safe.iter_rows()):
        masked = {
            name: _flagged_value(row[name]) if (row[FILE_NAME], row[ROW_NUMBER], name) in flagged_cells
            else safe_value
            for name, safe_value in zip(columns, safe_values)
        }
        records.append({"file_name": row[FILE_NAME], "row_number": row[ROW_NUMBER],
                        "masked_record": json.dumps(masked, ensure_ascii=False)})
    return pl.DataFrame(records, schema={"file_name": pl.Utf8, "row_number": pl.Int64, "masked_record": pl.Utf8})


def _flagged_value(value: str | None) -> str | None:
    return None if value is None else mask_digits(_safe_value(value))


def _safe_value(value: str | None) -> str | None:
    """A value kept as sent unless it holds an identifier, which is masked (the rest of it stays)."""
    if value is None:
        return None
    hits = scan_text(value)
    return mask_text(value, hits) if hits else value
