"""The one reader of a published database (a release's `serving.duckdb` or the internal one) for the outputs.

The site and the briefing read rows through here, and the threshold through `threshold`: it comes from the
database's own `publication` stamp and has no fallback. A database without the stamp is not a publication
this code knows how to protect, so reading it fails closed instead of guessing 11.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from models import QUERIES_DIR, query_sql

Row = dict[str, Any]
SHARED_QUERIES = QUERIES_DIR / "published"  # queries every reader shares: publication, caveats, county_regions


class UnstampedPublication(ValueError):
    """The published database carries no usable `min_cell_count` in its `publication` table."""


class MissingGrainTable(ValueError):
    """The published database has no `grain` (or `grain_rollup`) table: nobody chose the grain its headline
    panels may be shown at, so none is drawn (fail closed)."""


GRAIN_TABLES = ("grain", "grain_rollup")


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(database), read_only=True)


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(query_sql("queries/common", "table_names")).fetchall()}


def query_file(reader: str, name: str) -> Path:
    """A reader's own query (models/queries/<reader>/<name>.sql), else the shared one of that name."""
    own = QUERIES_DIR / reader / f"{name}.sql"
    return own if own.exists() else SHARED_QUERIES / f"{name}.sql"


def rows(con: duckdb.DuckDBPyConnection, query: Path, params: dict | None = None,
         dates_as_text: bool = False) -> list[Row]:
    """The rows of one `.sql` file, as dicts; only the named parameters the query uses are bound (DuckDB
    rejects unused ones)."""
    sql = query.read_text(encoding="utf-8")
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    cursor = con.execute(sql, used or None)
    columns = [d[0] for d in cursor.description]
    plain = _iso if dates_as_text else (lambda v: v)
    return [{c: plain(v) for c, v in zip(columns, values)} for values in cursor.fetchall()]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def publication(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The publication stamp (key -> value); empty where the table is missing (then `threshold` refuses)."""
    if "publication" not in tables(con):
        return {}
    return {r["key"]: r["value"] for r in rows(con, SHARED_QUERIES / "publication.sql")}


def threshold(stamp: dict[str, str], database: Path | str = "the published database") -> int:
    """The smallest count the publication may show, from its stamp; refuses a missing or unusable one."""
    raw = stamp.get("min_cell_count")
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        value = None
    if value is None or value < 2:
        raise UnstampedPublication(
            f"{database}: publication.min_cell_count is {raw!r}; without the threshold it was protected "
            "with, nothing from it can be shown (fail closed)")
    return value


def protect(row: Row, measures: tuple[str, ...], min_cell: int) -> Row:
    """Null every suppressed (or suppressible) count and set its `_suppressed` flag: the outputs' last line
    of defence, whatever the database says."""
    for m in measures:
        value = row.get(m)
        if row.get(f"{m}_suppressed") or (value is not None and 0 < value < min_cell):
            row[m] = None
            row[f"{m}_suppressed"] = True
        else:
            row[f"{m}_suppressed"] = False
    return row


def grain_choices(con: duckdb.DuckDBPyConnection, database: Path | str = "the published database",
                  ) -> tuple[list[Row], list[Row]]:
    """The release's `grain` and `grain_rollup` rows (dashboards/release/grain.py), read once by each output;
    refuses a database without them (fail closed: a panel is never drawn at a grain the release did not choose)."""
    missing = [t for t in GRAIN_TABLES if t not in tables(con)]
    if missing:
        raise MissingGrainTable(
            f"{database}: no {' or '.join(missing)} table; without the release's grain choice no headline panel "
            "can be drawn (fail closed)")
    return rows(con, SHARED_QUERIES / "grain.sql"), rows(con, SHARED_QUERIES / "grain_rollup.sql")


def table_frame(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """One published table, whole, for a headline panel (models/queries/published/panel_table.sql)."""
    return con.execute((SHARED_QUERIES / "panel_table.sql").read_text(encoding="utf-8"), {"table": table}).pl()
