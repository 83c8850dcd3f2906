"""Every published table of the serving database as one CSV file, defused against formula injection.

A spreadsheet runs a cell that starts with = + - @ (or TAB / CR, which some parsers skip before one)
as a formula: `=HYPERLINK(...)` can exfiltrate, `=cmd|...` can execute. Per OWASP, such text cells get
a leading apostrophe, which spreadsheets show as text and never evaluate. Numbers are written as
numbers (a negative change stays -3.5, which is data, not a formula); only text is neutralised.
Every field is quoted (RFC 4180), so commas, quotes and line breaks in a label cannot shift columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import duckdb

from models import query_sql

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """The CSV text of one value: '' for NULL, ISO for dates, and text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_published_tables(serving_db: Path, out_dir: Path) -> list[Path]:
    """Write <out_dir>/<table>.csv for every table of the serving database (read-only); return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(serving_db), read_only=True)
    written = []
    try:
        tables = [t for (t,) in con.execute(query_sql("queries/published", "base_tables")).fetchall()]
        for table in tables:
            cursor = con.execute(query_sql("queries/common", "whole_table", table=table))
            header = [d[0] for d in cursor.description]
            path = out_dir / f"{table}.csv"
            partial = path.with_name(path.name + ".partial")
            # utf-8-sig: Excel reads the labels' accents right; QUOTE_ALL: one field per cell, always.
            with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
                writer.writerow([neutralise_cell(name) for name in header])
                while rows := cursor.fetchmany(10_000):
                    writer.writerows([neutralise_cell(v) for v in row] for row in rows)
            os.replace(partial, path)
            written.append(path)
    finally:
        con.close()
    return written
