"""Read drop files into all-text columns, keeping a record of every row that could not be parsed.

DuckDB parses CSV (fast, and its rejects table names the exact line and fault of a broken row) and
reads many files of the same shape in one scan, which matters when agencies send hundreds of small
files. Polars holds the result. Values stay text here: typing is the validator's job, so that a bad
value becomes a problem with a reason instead of a failed cast.

Row numbers are 1-based data rows (the header is not a row), i.e. line number - 1 when no quoted
value spans lines.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from sources.ingest.problems import PROBLEM_SCHEMA

ROW_NUMBER = "_row_number"
FILE_NAME = "_file_name"
_REJECT_RULES = {
    "MISSING COLUMNS": "missing_fields",
    "TOO MANY COLUMNS": "extra_fields",
    "INVALID ENCODING": "invalid_encoding",
    "INVALID UNICODE": "invalid_encoding",
    "UNQUOTED VALUE": "unterminated_quote",
}
_PLAIN_MESSAGES = {
    "missing_fields": "the row has fewer fields than the header (truncated line?)",
    "extra_fields": "the row has more fields than the header (an unquoted comma?)",
    "invalid_encoding": "the row is not valid UTF-8: save the file as UTF-8",
    "unterminated_quote": "a quoted value is never closed",
}
FILE_PROBLEM_SCHEMA = {"file_name": pl.Utf8, **PROBLEM_SCHEMA}


@dataclass
class DropRead:
    """What a set of files held: parsed rows (text) with file and row number, and unparseable rows."""

    rows: pl.DataFrame  # one Utf8 column per header name, plus FILE_NAME and ROW_NUMBER
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FILE_PROBLEM_SCHEMA))

    def rows_read(self, file_name: str) -> int:
        return (self.rows.filter(pl.col(FILE_NAME) == file_name).height
                + self.problems.filter(pl.col("file_name") == file_name).height)


class FileProblem(Exception):
    """The file itself is unusable; carries the rule and a plain message."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def read_header(path: Path) -> list[str]:
    """The header of a CSV drop or the columns of a Parquet drop; FileProblem if there is none."""
    if path.stat().st_size == 0:
        raise FileProblem("empty_file", "the file is empty (0 bytes)")
    if path.suffix == ".parquet":
        try:
            return pl.read_parquet_schema(path).names() if hasattr(pl, "read_parquet_schema") else list(
                pl.scan_parquet(path).collect_schema().names())
        except Exception as error:
            raise FileProblem("unreadable_file", f"not a readable Parquet file: {error}") from error
    with open(path, "rb") as handle:
        first_line = handle.readline()
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8):]
    try:
        text = first_line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise FileProblem("invalid_encoding", "the header line is not valid UTF-8: save the file as UTF-8") from error
    header = next(csv.reader(io.StringIO(text)), [])
    if not header or all(not name.strip() for name in header):
        raise FileProblem("empty_file", "the file has no header line")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise FileProblem("duplicate_column", f"the header repeats a column: {', '.join(repeated)}")
    return header


def count_data_rows(path: Path) -> int:
    """Non-blank physical lines after the header: what a file holds, even when it cannot be parsed."""
    if path.suffix == ".parquet":
        try:
            return pl.scan_parquet(path).select(pl.len()).collect().item()
        except Exception:
            return 0
    count = 0
    with open(path, "rb") as handle:
        handle.readline()
        for line in handle:
            if line.strip():
                count += 1
    return count


def read_parquet_drop(path: Path) -> DropRead:
    frame = pl.read_parquet(path)
    text = frame.select(pl.all().cast(pl.Utf8))
    return DropRead(text.with_columns(
        pl.lit(path.name).alias(FILE_NAME),
        pl.int_range(1, text.height + 1, dtype=pl.Int64).alias(ROW_NUMBER),
    ))


def read_csv_drops(paths: list[Path], header: list[str], reader: duckdb.DuckDBPyConnection) -> DropRead:
    """Read CSV files that share one header in a single DuckDB scan."""
    columns = "{" + ", ".join(f"'{_sql_string(name)}': 'VARCHAR'" for name in header) + "}"
    reader.execute("DROP TABLE IF EXISTS rejected_rows; DROP TABLE IF EXISTS rejected_scans")
    # Parsed into a table first, then exported: streaming read_csv straight into Arrow is about twice as
    # slow (the export does not keep the parallel CSV scan busy).
    reader.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE parsed_rows AS
        SELECT * REPLACE (parse_filename({FILE_NAME}) AS {FILE_NAME})
        FROM read_csv(?, columns = {columns}, header = true, auto_detect = false,
            delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false,
            filename = '{FILE_NAME}', store_rejects = true, rejects_table = 'rejected_rows',
            rejects_scan = 'rejected_scans')
        """,
        [[str(p) for p in paths]],
    )
    rows = reader.sql("SELECT * FROM parsed_rows").pl()
    reader.execute("DROP TABLE parsed_rows")
    rejects = reader.sql(
        """
        SELECT s.file_path, r.line, r.column_name, r.error_type
        FROM rejected_rows AS r JOIN rejected_scans AS s USING (scan_id, file_id)
        ORDER BY s.file_path, r.line
        """
    ).pl()
    # Split once by file (one pass), not one filter over all rows per file.
    rows_of = rows.partition_by(FILE_NAME, as_dict=True, include_key=True, maintain_order=True)
    rejects_of = rejects.partition_by("file_path", as_dict=True, maintain_order=True)
    no_rows, no_rejects = rows.clear(), rejects.clear()

    numbered, problems, fallbacks = [], [], []
    for path in paths:
        mine = rows_of.get((path.name,), no_rows)
        bad = rejects_of.get((str(path),), no_rejects).unique("line", keep="first", maintain_order=True)
        bad_rows = (bad.get_column("line").cast(pl.Int64) - 1).to_numpy()
        if mine.height + bad.height != count_data_rows(path):
            # DuckDB skipped something it did not report (seen with a final unterminated quote):
            # read this file line by line instead, which accounts for every line.
            fallbacks.append(path)
            continue
        good_rows = np.setdiff1d(np.arange(1, mine.height + bad.height + 1), bad_rows)
        numbered.append(mine.with_columns(pl.Series(ROW_NUMBER, good_rows, dtype=pl.Int64)))
        rules = [_REJECT_RULES.get(str(t), "malformed_row") for t in bad.get_column("error_type").to_list()]
        problems.append(pl.DataFrame({
            "file_name": path.name, "row_number": bad_rows.tolist(), "column_name": bad.get_column("column_name"),
            "rule": rules, "message": [_PLAIN_MESSAGES.get(r, "the row could not be parsed as CSV") for r in rules],
        }, schema=FILE_PROBLEM_SCHEMA))
    for path in fallbacks:
        fallback = _read_csv_line_by_line(path, header)
        numbered.append(fallback.rows)
        problems.append(fallback.problems)
    empty_rows = pl.DataFrame(schema={**{h: pl.Utf8 for h in header}, FILE_NAME: pl.Utf8, ROW_NUMBER: pl.Int64})
    return DropRead(
        pl.concat([empty_rows, *[n.select(empty_rows.columns) for n in numbered]], how="vertical_relaxed"),
        pl.concat([pl.DataFrame(schema=FILE_PROBLEM_SCHEMA), *problems]),
    )


def _read_csv_line_by_line(path: Path, header: list[str]) -> DropRead:
    """Slow, exact path for broken files: each non-blank line after the header is one row."""
    good: list[list[str]] = []
    good_numbers: list[int] = []
    problem_rows: list[dict] = []
    with open(path, "rb") as handle:
        handle.readline()
        row_number = 0
        for raw_line in handle:
            if not raw_line.strip():
                continue
            row_number += 1
            rule = None
            try:
                line = raw_line.decode("utf-8").rstrip("\r\n")
                fields = next(csv.reader([line], strict=True))
                if len(fields) != len(header):
                    rule = "missing_fields" if len(fields) < len(header) else "extra_fields"
            except UnicodeDecodeError:
                rule = "invalid_encoding"
            except csv.Error:
                rule = "unterminated_quote"
            if rule:
                problem_rows.append({"file_name": path.name, "row_number": row_number, "column_name": None,
                                     "rule": rule, "message": _PLAIN_MESSAGES[rule]})
                continue
            good.append(fields)
            good_numbers.append(row_number)
    columns = {name: [row[i] or None for row in good] for i, name in enumerate(header)}
    rows = pl.DataFrame(columns, schema={name: pl.Utf8 for name in header}).with_columns(
        pl.lit(path.name).alias(FILE_NAME), pl.Series(ROW_NUMBER, good_numbers, dtype=pl.Int64))
    return DropRead(rows, pl.DataFrame(problem_rows, schema=FILE_PROBLEM_SCHEMA))


def _sql_string(value: str) -> str:
    return value.replace("'", "''")
