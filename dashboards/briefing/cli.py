"""`lantern briefing [--quarter 2026Q3]`: the quarterly briefing pack from the published serving database."""

from __future__ import annotations

from pathlib import Path

from .build import build_briefing


def run(quarter: str | None, home: Path) -> int:
    """Build the briefing for `quarter` (default: the latest complete quarter) under LANTERN_HOME `home`."""
    home = Path(home)
    serving = home / "serving.duckdb"
    if not serving.exists():
        print(f"No serving database at {serving}: run `lantern refresh` first.")
        return 1
    try:
        report = build_briefing(serving, home / "briefings", home / "site", quarter)
    except ValueError as exc:
        print(f"Briefing not built: {exc}")
        return 1
    print(f"Briefing {report.quarter.label}: {report.pdf_path} ({report.pages} pages, {report.pdf_bytes:,} bytes, "
          f"{report.seconds:.1f} s)")
    print(f"Site page: {report.html_path}")
    for table in report.missing_tables:
        print(f"  note: serving table {table} is missing; its section says so")
    return 0
