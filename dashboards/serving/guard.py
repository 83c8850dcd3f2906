"""The serving database holds aggregates only: a blocking check on the candidate before it is swapped in.

What "aggregates only" means here, rule by rule (each a reason the check fails):

1. tables: every table is declared: a published table (models/serving/published_tables.yaml), a
   derived-only table (models/serving/derived/*.sql) or one the build adds (METADATA_TABLES). No view,
   no other schema.
2. grain: each published table's declared dimensions are a unique key, i.e. one row per cell, never
   one row per record.
3. column names: none names record-level data (linkage/situation keys, signal/referral/event ids,
   notes, free text, source files, row numbers, direct identifiers).
4. column types: plain scalars only (numbers, booleans, dates, timestamps, text); a BLOB or nested
   value could smuggle a key.
5. text values (every distinct value of every VARCHAR column):
   - none holds a 64-hex string (an agency linkage key or a re-keyed situation key);
   - none holds anything the identifier scanner flags (sources.pii);
   - label columns (*_label, *_name, *_title, text) hold only our own words: reference data, code-list
     labels, deployment settings, caveats, string literals of the SQL models (models/**/*.sql), or
     quarter labels ('2025Q3', '2024Q4-2025Q3');
   - other text columns hold those words or machine tokens (snake_case codes, quarter labels, ISO
     dates and timestamps, numbers, run ids), never prose an agency could have written.
6. the one exception: the run manifest's file hashes (FILE_HASH_COLUMNS) are 64-hex by nature; there
   every value must be exactly one lowercase SHA-256 and nothing else (checked instead of rule 5).

pipelines/checks.py runs these rules as a blocking check of the candidate beside the disclosure audit;
Dagster runs serving/serving_published only when every blocking check of serving/serving_database passed,
so a published database has passed both.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from dashboards.release.grain import grain_words
from dashboards.serving.build import caveats
from dashboards.serving.derive import derived_queries
from models import MODELS_DIR, query_sql, serving_models
from sources.pii import scan_text
from sources.reference import deployment, reference_tables

# Tables dashboards/serving/build.py adds beside the published and derived ones.
METADATA_TABLES = frozenset({"publication", "caveats", "emerging_hotspots", "utility", "grain", "grain_rollup"})
RECORD_LEVEL_COLUMN = re.compile(
    r"linkage|situation_(?:key|id)|(?:^|_)(?:signal|referral|event|record|person|victim|case_number|docket)_?id$"
    r"|(?:^|_)(?:notes?|free_?text|comments?|narrative|remarks?|masked_record|problems|message)$"
    r"|source_file|file_name|file_hash|row_number|(?:^|_)(?:ssn|dob|date_of_birth|phone|e_?mail|address|handle)(?:_|$)",
    re.IGNORECASE,
)
LABEL_COLUMN = re.compile(r"(?:_label|_name|_title)$|^(?:label|name|title|text)$")
SCALAR_TYPES = re.compile(
    r"^(?:BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE"
    r"|DECIMAL\(\d+,\d+\)|DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|VARCHAR)$")
HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
# The run manifest names each input file by its SHA-256 (models/serving/run_inputs.sql); only there may a
# 64-hex value appear, and only as the whole value.
FILE_HASH_COLUMNS = frozenset({("run_inputs", "file_sha256")})
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_QUARTER = r"\d{4}Q[1-4]"
PERIOD_LABEL = re.compile(rf"^{_QUARTER}(?:\s?[-–]\s?{_QUARTER})?$")  # quarter labels and ranges: computed
MACHINE_TOKEN = re.compile(
    r"^(?:[a-z][a-z0-9_]{0,39}"  # codes and flags: 'all', 'suppressed', 'hotels_hospitality'
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO dates / timestamps
    r"|\d{4}-(?:\d{2}|W\d{2})"  # drop periods: a month or an ISO week
    r"|\d+(?:\.\d+)+(?:\+[0-9a-z]+(?:\.[0-9a-z]+)*)?"  # versions: '1.5.6', '0.1.0+d231fbc0a1b2.dirty'
    r"|-?\d+(?:\.\d+)?"  # numbers kept as text (publication values)
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"  # run ids (Dagster UUIDs)
)
_SQL_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def declared_tables() -> frozenset[str]:
    return frozenset(serving_models()) | frozenset(derived_queries()) | METADATA_TABLES


@cache
def own_words() -> frozenset[str]:
    """Every string Lantern itself writes into a serving table (as opposed to what agencies send)."""
    words: set[str] = set()
    for frame in reference_tables().values():
        for column, dtype in frame.schema.items():
            if dtype == pl.Utf8:
                words.update(v for v in frame[column].to_list() if v is not None)
    settings = deployment()
    words.update([settings.state_code, settings.state_name, settings.region_scheme, settings.region_scheme_label])
    for caveat in caveats():
        words.update(caveat.values())
    words.update(grain_words())
    for sql in MODELS_DIR.rglob("*.sql"):
        code = re.sub(r"--[^\n]*", "", sql.read_text(encoding="utf-8"))
        words.update(m.replace("''", "'") for m in _SQL_LITERAL.findall(code))
    return frozenset(words)


def serving_violations(path: Path) -> list[str]:
    """Every way the database at `path` holds more than aggregates; empty when it is clean."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _violations(con)
    finally:
        con.close()


def _violations(con: duckdb.DuckDBPyConnection) -> list[str]:
    found: list[str] = []
    declared = declared_tables()
    dimensions = {name: spec["dimensions"] for name, (_, spec) in serving_models().items()}
    tables = con.execute(query_sql("queries/serving", "guard_tables")).fetchall()
    for schema, table, kind in tables:
        if schema != "main" or kind != "BASE TABLE" or table not in declared:
            found.append(f"table {schema}.{table} ({kind}) is not a declared serving table")
    columns = con.execute(query_sql("queries/serving", "guard_columns")).fetchall()
    by_table: dict[str, list[str]] = {}
    for table, column, data_type in columns:
        by_table.setdefault(table, []).append(column)
        where = f"{table}.{column}"
        if RECORD_LEVEL_COLUMN.search(column):
            found.append(f"column {where} is named like record-level data")
        if not SCALAR_TYPES.match(data_type):
            found.append(f"column {where} has type {data_type}: only plain scalars are published")
        if data_type == "VARCHAR" and (table, column) in FILE_HASH_COLUMNS:
            found.extend(_hash_problems(con, table, column))
        elif data_type == "VARCHAR":
            found.extend(_text_problems(con, table, column))
    for table, dims in dimensions.items():
        if table in by_table and set(dims) <= set(by_table[table]):
            key = ", ".join(_quote(d) for d in dims)
            repeats = con.execute(
                query_sql("queries/serving", "guard_repeated_keys", key=key, table=_quote(table))).fetchone()[0]
            if repeats:
                found.append(f"table {table}: {repeats} cell key(s) ({', '.join(dims)}) appear on more than one row")
        elif table in by_table:
            found.append(f"table {table} lacks its declared dimension(s) {sorted(set(dims) - set(by_table[table]))}")
    return found


def _hash_problems(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    values = [v for (v,) in con.execute(
        query_sql("queries/serving", "guard_distinct_values", column=_quote(column), table=_quote(table))).fetchall()]
    bad = sum(1 for v in values if v is None or not SHA256.match(v))
    return [f"column {table}.{column}: {bad} value(s) are not a lone SHA-256"] if bad else []


def _text_problems(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    values = [v for (v,) in con.execute(
        query_sql("queries/serving", "guard_distinct_text", column=_quote(column), table=_quote(table))).fetchall()]
    words = own_words()
    is_label = bool(LABEL_COLUMN.search(column))
    problems = []
    keys = sum(1 for v in values if HEX_KEY.search(v))
    if keys:
        problems.append(f"column {table}.{column}: {keys} value(s) hold a 64-hex key")
    flagged = sorted({hit.rule for v in values for hit in scan_text(v)})
    if flagged:
        problems.append(f"column {table}.{column}: value(s) the identifier scanner flags ({', '.join(flagged)})")
    foreign = [v for v in values if v not in words and not PERIOD_LABEL.match(v)
               and (is_label or not MACHINE_TOKEN.match(v))]
    if foreign:
        kind = "label" if is_label else "text"
        problems.append(f"column {table}.{column}: {len(foreign)} {kind} value(s) not from reference data, code "
                        f"lists or the serving SQL (first, length {len(foreign[0])} chars, not shown)")
    return problems


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
