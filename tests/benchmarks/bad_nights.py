"""Nights of bad drops (issue #17): a year of clean Missouri drops, then `files` bad entries of every defect
class (sources/generator/bad_drops.py) spread over `nights` refreshes, and what a night must never do:
crash, lose a row, leave an identifier in clear under LANTERN_HOME (outside the inbox), or not publish."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from sources.contracts import FEEDS


def run_bad_nights(home: Path, files: int, nights: int) -> dict:
    from pipelines.run import run_refresh
    from sources.reference.paths import Paths
    from sources.generator import generate
    from sources.generator.bad_drops import write_bad_drops

    generate(home / "inbox", scale="mo", years=1, seed=5, defect_rate=0.0)
    planted, crashed, seconds = [], 0, []
    per_night = -(-files // nights)
    for night in range(nights):
        planted += write_bad_drops(home / "inbox", min(per_night, files - len(planted)), seed=17 + night,
                                   first_number=night * 100_000)
        started = time.perf_counter()
        try:
            crashed += not run_refresh(paths=Paths(home)).success
        except Exception:  # a crashed night is what is measured, not a reason to stop measuring
            crashed += 1
        seconds.append(round(time.perf_counter() - started, 1))
    return {"files": len(planted), "nights": nights, "crashed_nights": crashed, "night_seconds": seconds,
            **_accounting(home, planted), "identifiers_in_clear": _identifiers_in_clear(home, planted),
            "nights_published": _nights_published(home)}


def _accounting(home: Path, planted) -> dict:
    loaded = " UNION ALL ".join(f"SELECT _file_name AS file_name, count(*) AS n FROM raw.{f} GROUP BY 1" for f in FEEDS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        manifest = {name: (read, got) for name, read, got in con.execute(
            "SELECT file_name, rows_read, rows_loaded FROM raw.file_manifest").fetchall()}
        unaccounted = con.execute(f"""
            WITH loaded AS ({loaded}), held AS (SELECT file_name, count(*) AS n FROM raw.quarantine GROUP BY 1)
            SELECT coalesce(sum(abs(m.rows_read - coalesce(l.n, 0) - coalesce(h.n, 0))), 0)
            FROM raw.file_manifest AS m LEFT JOIN loaded AS l USING (file_name) LEFT JOIN held AS h USING (file_name)
            WHERE m.rows_read IS NOT NULL""").fetchone()[0]
    return {
        "rows_read": sum(read or 0 for read, _ in manifest.values()),
        "rows_loaded": sum(got for _, got in manifest.values()),
        "files_rows_unknown": sum(read is None for read, _ in manifest.values()),
        "entries_not_recorded": sum(p.name not in manifest for p in planted),
        "row_counts_wrong": sum(p.name in manifest and manifest[p.name][0] != p.rows for p in planted),
        "rows_unaccounted": int(unaccounted),
    }


def _identifiers_in_clear(home: Path, planted) -> int:
    identifiers = {i for p in planted for i in p.identifiers}
    found = 0
    for path in home.rglob("*"):
        if not path.is_file() or path.is_symlink() or (home / "inbox") in path.parents or path.name.endswith(".wal"):
            continue
        text = text_of_every_table(path) if path.suffix == ".duckdb" else path.read_bytes().decode("utf-8", "replace")
        found += sum(i in text for i in identifiers)
    return found


def text_of_every_table(path: Path) -> str:
    """Every distinct text value of every table of a DuckDB file, one per line (to search for identifiers)."""
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                              "WHERE data_type = 'VARCHAR'").fetchall()
        return "\n".join(str(v) for schema, table, column in columns for (v,) in con.execute(
            f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL').fetchall())


def _nights_published(home: Path) -> int:
    """Nights whose files reached the nightly publication (the internal database; a protected release is
    cut on the calendar, not every night)."""
    if not (home / "internal.duckdb").exists():
        return 0
    with duckdb.connect(str(home / "internal.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(DISTINCT ingested_by_run) FROM run_inputs").fetchone()[0]
