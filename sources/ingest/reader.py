"""Read drop files into all-text columns, keeping a record of every row that could not be parsed.

DuckDB parses CSV (fast, and its rejects table names the exact line and fault of a broken row) and
reads many files of the same shape in one scan, which matters when agencies send hundreds of small
files. Polars holds the result. Values stay text here: typing is the validator's job, so that a bad
value becomes a problem with a reason instead of a failed cast.

Row numbers are 1-based data records (the header is not one): a quoted value may span lines, and LF,
CRLF and a lone CR all end a record (sources/ingest/records.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from sources.ingest.problems import PROBLEM_SCHEMA
from sources.ingest.records import binary_kind, count_records, iter_records, read_header_record

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
    "malformed_row": "the row could not be parsed as CSV (a quote inside an unquoted value?)",
}
FILE_PROBLEM_SCHEMA = {"file_name": pl.Utf8, **PROBLEM_SCHEMA}


def no_problems() -> pl.DataFrame:
    """An empty problem list (FILE_PROBLEM_SCHEMA): the start of every concatenation of problems."""
    return pl.DataFrame(schema=FILE_PROBLEM_SCHEMA)


@dataclass
class DropRead:
    """What a set of files held: parsed rows (text) with file and row number, and unparseable rows."""

    rows: pl.DataFrame  # one Utf8 column per header name, plus FILE_NAME and ROW_NUMBER
    problems: pl.DataFrame = field(default_factory=no_problems)
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)  # file name -> (rule, message)

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
    kind = binary_kind(path)
    if path.suffix == ".parquet":
        if kind != "a Parquet file":
            found = kind or ("CSV text" if _looks_like_text(path) else "something else")
            raise FileProblem("unreadable_file", f"{path.name} is named .parquet but is not Parquet (it holds "
                                                 f"{found}): send Parquet, or CSV named .csv")
        try:
            return list(pl.scan_parquet(path).collect_schema().names())
        except Exception as error:
            raise FileProblem("unreadable_file", f"{path.name} is not a readable Parquet file: {error}") from error
    if kind is not None:
        raise FileProblem("unreadable_file", f"{path.name} is not CSV text: it is {kind}; send plain UTF-8 CSV")
    try:
        header = read_header_record(path)
    except UnicodeDecodeError as error:
        raise FileProblem("invalid_encoding", "the header line is not valid UTF-8: save the file as UTF-8") from error
    if not header or all(not name.strip() for name in header):
        raise FileProblem("empty_file", "the file has no header line")
    unnamed = [str(i) for i, name in enumerate(header, start=1) if not name.strip()]
    if unnamed:
        raise FileProblem("empty_column_name", f"column {', '.join(unnamed)} of the header has no name (a trailing "
                                               "comma?); every column needs its contract name")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise FileProblem("duplicate_column", f"the header repeats a column: {', '.join(repeated)}")
    return header


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        start = handle.read(4096)
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:  # a character cut at the end of the sample is still text
        return error.start >= len(start) - 3
    return True


def count_data_rows(path: Path) -> int | None:
    """Data records after the header: what a file holds, even when it cannot be parsed; None when that
    cannot be known (not CSV text, or a Parquet file without readable metadata)."""
    try:
        if path.suffix == ".parquet":
            return pl.scan_parquet(path).select(pl.len()).collect().item()
        if binary_kind(path) is not None:
            return None
        return count_records(path).records
    except Exception:  # unreadable: the count is unknown, never a guess
        return None


def read_parquet_drop(path: Path) -> DropRead:
    frame = pl.read_parquet(path)
    text = frame.select(pl.all().cast(pl.Utf8))
    return DropRead(text.with_columns(
        pl.lit(path.name).alias(FILE_NAME),
        pl.int_range(1, text.height + 1, dtype=pl.Int64).alias(ROW_NUMBER),
    ))


def read_csv_drops(paths: list[Path], header: list[str], reader: duckdb.DuckDBPyConnection) -> DropRead:
    """Read CSV files that share one header, in a single DuckDB scan when it can; a file DuckDB cannot
    read, or reads differently from its record count, is read record by record; a file that cannot be
    read at all is refused (DropRead.refused), never the whole scan."""
    try:
        scanned = _duckdb_scan(paths, header, reader)
    except duckdb.Error:  # one odd file fails the scan: read each alone so only that one is affected
        scanned = None
    numbered, problems, refused = [], [], {}
    for path in paths:
        try:
            one = _read_one(path, header, reader, scanned)
        except Exception as error:
            refused[path.name] = ("unreadable_file", f"{path.name} could not be read as CSV: {_cause(error)}")
            continue
        numbered.append(one.rows)
        problems.append(one.problems)
    empty_rows = pl.DataFrame(schema={**{h: pl.Utf8 for h in header}, FILE_NAME: pl.Utf8, ROW_NUMBER: pl.Int64})
    return DropRead(
        pl.concat([empty_rows, *[n.select(empty_rows.columns) for n in numbered]], how="vertical_relaxed"),
        pl.concat([no_problems(), *problems]),
        refused,
    )


def _cause(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"


def _duckdb_scan(paths: list[Path], header: list[str], reader: duckdb.DuckDBPyConnection):
    """Rows and rejects of one DuckDB scan, split by file: ({(file name,): rows}, {(path,): rejects})."""
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
    return (rows.partition_by(FILE_NAME, as_dict=True, include_key=True, maintain_order=True), rows.clear(),
            rejects.partition_by("file_path", as_dict=True, maintain_order=True), rejects.clear())


def _read_one(path: Path, header: list[str], reader: duckdb.DuckDBPyConnection, scanned) -> DropRead:
    counted = count_records(path, len(header))
    if scanned is None:
        try:
            scanned = _duckdb_scan([path], header, reader)
        except duckdb.Error:  # e.g. mixed line ends: the exact reader copes
            return _read_records(path, header)
    rows_of, no_rows, rejects_of, no_rejects = scanned
    mine = rows_of.get((path.name,), no_rows)
    bad = rejects_of.get((str(path),), no_rejects).unique("line", keep="first", maintain_order=True)
    if mine.height + bad.height != counted.records:
        # DuckDB skipped or split something it did not report (a final unterminated quote, line ends it
        # took differently): read this file record by record instead, which accounts for every record.
        return _read_records(path, header)
    bad_rows = (bad.get_column("line").cast(pl.Int64) - 1).to_numpy()  # DuckDB's line counts records
    good_rows = np.setdiff1d(np.arange(1, mine.height + bad.height + 1), bad_rows)
    rows = mine.with_columns(pl.Series(ROW_NUMBER, good_rows, dtype=pl.Int64))
    rules = [_REJECT_RULES.get(str(t), "malformed_row") for t in bad.get_column("error_type").to_list()]
    problems = pl.DataFrame({
        "file_name": path.name, "row_number": bad_rows.tolist(), "column_name": bad.get_column("column_name"),
        "rule": rules, "message": [_PLAIN_MESSAGES.get(r, "the row could not be parsed as CSV") for r in rules],
    }, schema=FILE_PROBLEM_SCHEMA)
    if counted.too_wide:  # DuckDB accepts trailing empty fields beyond the header: shifted columns, refused
        rows = rows.filter(~pl.col(ROW_NUMBER).is_in(counted.too_wide))
        problems = pl.concat([problems, _problem_rows(path, [n for n in counted.too_wide if n not in set(bad_rows)],
                                                      "extra_fields")])
    return DropRead(rows, problems)


def _problem_rows(path: Path, numbers: list[int], rule: str) -> pl.DataFrame:
    return pl.DataFrame({"file_name": [path.name] * len(numbers), "row_number": numbers,
                         "column_name": [None] * len(numbers), "rule": [rule] * len(numbers),
                         "message": [_PLAIN_MESSAGES[rule]] * len(numbers)}, schema=FILE_PROBLEM_SCHEMA)


def _read_records(path: Path, header: list[str]) -> DropRead:
    """Slow, exact path for files DuckDB cannot read as they are: each record is one row or one problem."""
    good: list[list[str]] = []
    good_numbers: list[int] = []
    problem_rows: list[dict] = []
    for record in iter_records(path):
        rule = record.rule
        if rule is None and len(record.fields) != len(header):
            rule = "missing_fields" if len(record.fields) < len(header) else "extra_fields"
        if rule:
            problem_rows.append({"file_name": path.name, "row_number": record.number, "column_name": None,
                                 "rule": rule, "message": _PLAIN_MESSAGES[rule]})
            continue
        good.append(record.fields)
        good_numbers.append(record.number)
    columns = {name: [row[i] or None for row in good] for i, name in enumerate(header)}
    rows = pl.DataFrame(columns, schema={name: pl.Utf8 for name in header}).with_columns(
        pl.lit(path.name).alias(FILE_NAME), pl.Series(ROW_NUMBER, good_numbers, dtype=pl.Int64))
    return DropRead(rows, pl.DataFrame(problem_rows, schema=FILE_PROBLEM_SCHEMA))


def _sql_string(value: str) -> str:
    return value.replace("'", "''")
