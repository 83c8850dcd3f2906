"""The vocabulary of what can be wrong with a drop, and the shape of a problem record."""

from __future__ import annotations

import polars as pl

# Rule codes, each with the plain sentence a data manager reads in the quarantine report.
RULES = {
    "empty_file": "The file is empty: no header and no rows.",
    "unreadable_file": "The file could not be read as CSV or Parquet (binary, compressed, corrupt, or named for the other format); its rows could not be counted.",
    "ingest_failed": "Reading or checking the file failed; the message names the cause. Nothing of it was loaded; the other files were not affected.",
    "unroutable_file": "The file's name does not say which feed and agency it is (<feed>__<agency>__<period>.csv).",
    "unknown_agency": "The agency in the file's name is not in the organisation registry, or not registered for the feed.",
    "not_a_file": "A directory (or pipe or device) with a drop's name; only files are read.",
    "symbolic_link": "A symbolic link with a drop's name; links are never followed: put the file itself in the inbox.",
    "empty_column_name": "A column of the header has no name (a trailing comma?).",
    "missing_column": "A column the contract requires is missing from the header.",
    "duplicate_column": "The header names the same column twice.",
    "forbidden_column": "The header has a column for a direct identifier; such files are refused whole and no value is kept.",
    "missing_fields": "The row has fewer fields than the header (a truncated or broken line).",
    "extra_fields": "The row has more fields than the header (an unquoted comma?).",
    "invalid_encoding": "The row is not valid UTF-8 (save the file as UTF-8).",
    "unterminated_quote": "A quoted value is never closed.",
    "malformed_row": "The row could not be parsed as CSV.",
    "required": "A required value is empty.",
    "format": "The value does not have the required format.",
    "date_format": "Not a real date in YYYY-MM-DD form.",
    "date_in_future": "The date is after the day the file was processed.",
    "date_too_old": "The date is implausibly old.",
    "code_list": "The value is not in the contract's code list.",
    "unknown_county": "Not a county FIPS code of this state.",
    "unknown_organisation": "Not an org_id in the organisation registry.",
    "boolean": "Not a true/false value.",
    "integer": "Not a whole number.",
    "decimal": "Not a number.",
    "out_of_range": "The number is outside the allowed range.",
    "too_long": "The text is longer than allowed.",
    "inconsistent": "The value contradicts another column of the same row.",
    "duplicate_key": "Another row already has this key.",
    "identifier_detected": "The value looks like a direct identifier (phone, e-mail, SSN, address, date of birth, social-media handle, driver's licence, IP address, vehicle plate, passport or A-number, payment card); the row is refused and only a masked excerpt is kept.",
}

PROBLEM_SCHEMA = {
    "row_number": pl.Int64,  # 1-based data row (the header is not a row); null for a whole-file problem
    "column_name": pl.Utf8,
    "rule": pl.Utf8,
    "message": pl.Utf8,
}
