"""DDL of the raw layer, derived from the contracts so a new contract column needs no SQL edit."""

from __future__ import annotations

from sources.contracts import Contract

DUCKDB_TYPES = {
    "identifier": "VARCHAR",
    "linkage_key": "VARCHAR",
    "linkage_token": "VARCHAR",  # nosec B105: a column type, not a secret
    "linkage_blocks": "VARCHAR",
    "date": "DATE",
    "code": "VARCHAR",
    "county_fips": "VARCHAR",
    "org_id": "VARCHAR",
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "text": "VARCHAR",
}
LINEAGE_COLUMNS = {
    "_agency": "VARCHAR NOT NULL",
    "_file_name": "VARCHAR NOT NULL",
    "_file_hash": "VARCHAR NOT NULL",
    "_row_number": "BIGINT NOT NULL",
    "_run_id": "VARCHAR",
    "_loaded_at": "TIMESTAMP NOT NULL",
    # when a newer version of the record (same agency and key) was loaded; null: the current version
    "_superseded_at": "TIMESTAMP",
}

MANIFEST_DDL = """
CREATE TABLE IF NOT EXISTS raw.file_manifest (
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    feed VARCHAR,
    agency VARCHAR,
    period VARCHAR,
    file_format VARCHAR,
    bytes BIGINT NOT NULL,
    status VARCHAR NOT NULL,          -- loaded | rejected
    rows_read BIGINT,                 -- null: unknown, the file could not be read (held whole)
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT,          -- null with rows_read
    message VARCHAR,
    duplicate_of VARCHAR,             -- an earlier file with the same content
    file_modified_at TIMESTAMP,
    processed_at TIMESTAMP NOT NULL,
    run_id VARCHAR,
    PRIMARY KEY (file_name, file_hash)
)
"""

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS raw.quarantine (
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    feed VARCHAR,
    agency VARCHAR,
    row_number BIGINT,                -- 1-based data row; null when the whole file was refused before rows
    column_name VARCHAR,
    rule VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    problem_count INTEGER NOT NULL,
    problems VARCHAR,                 -- every problem of the row, "column: rule" separated by "; "
    masked_record VARCHAR,            -- the row as JSON with identifiers masked; null for refused files
    quarantined_at TIMESTAMP NOT NULL,
    run_id VARCHAR
)
"""


# A file bigger than one piece commits piece by piece (one transaction for the whole file held every
# piece in memory until COMMIT: 4.5 GB for a 1 GB drop). It is listed here first; its rows count only
# once its manifest row exists, and a run that died half-way is undone by discard_unfinished_files.
FILES_IN_PROGRESS_DDL = """
CREATE TABLE IF NOT EXISTS raw.files_in_progress (
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    feed VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    run_id VARCHAR
)
"""


def raw_table(feed: str) -> str:
    return f"raw.{feed}"


def raw_table_ddl(contract: Contract) -> str:
    columns = [f"    {c.name} {DUCKDB_TYPES[c.type]}" for c in contract.columns]
    columns += [f"    {name} {kind}" for name, kind in LINEAGE_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {raw_table(contract.feed)} (\n" + ",\n".join(columns) + "\n)"


def ensure_raw_schema(con, contracts: list[Contract]) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(MANIFEST_DDL)
    for column in ("rows_read", "rows_quarantined"):  # warehouses made before unreadable files had no count
        con.execute(f"ALTER TABLE raw.file_manifest ALTER COLUMN {column} DROP NOT NULL")
    con.execute(QUARANTINE_DDL)
    con.execute(FILES_IN_PROGRESS_DDL)
    for contract in contracts:
        con.execute(raw_table_ddl(contract))
        # a column added to the contract (or lineage) later is added to an existing warehouse's table
        for name, kind in [*((c.name, DUCKDB_TYPES[c.type]) for c in contract.columns), *LINEAGE_COLUMNS.items()]:
            con.execute(f"ALTER TABLE {raw_table(contract.feed)} ADD COLUMN IF NOT EXISTS {name} "
                        f"{kind.replace(' NOT NULL', '')}")
