"""`lantern status`: files processed, rows loaded and quarantined, and a per-file quarantine report."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from models import query_sql
from sources.reference.paths import Paths


def _query(name: str) -> str:
    return query_sql("queries/status", name)


def print_status(paths: Paths, file_name: str | None = None) -> int:
    if not paths.warehouse.exists():
        print(f"No warehouse yet at {paths.warehouse}: run `lantern refresh`.")
        return 1
    try:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
    except duckdb.IOException:
        print("The warehouse is being written by a refresh right now; try again when it has finished.")
        return 1
    with con:
        if file_name:
            return _file_report(con, file_name)
        print("Files and rows per feed:")
        print(con.sql(_query("files_per_feed")))
        print("Quarantined rows by rule:")
        print(con.sql(_query("quarantine_by_rule")))
        partial = con.execute(_query("partial_files")).fetchall()
        for name, quarantined, read in partial:
            print(f"PARTIAL public context file {name}: {quarantined} of {read} rows quarantined; the figures of its "
                  f"years are incomplete (lantern status --file {name!r})")
        _print_releases(con, paths)
    return 0


def _print_releases(con: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    """The protected releases kept, and the late records the next revision would have to publish."""
    from dashboards import published
    from dashboards.release import kept_releases, release_cutoff, release_due
    from dashboards.release.held_back import held_back_records
    from dashboards.release.utility import release_panel_utility, release_utility

    kept = kept_releases(paths.home)
    if not kept:
        print("Protected releases: none yet (`lantern release` cuts the first).")
        return
    print(f"Protected releases ({paths.releases}):")
    for release in kept:
        print(f"  {release.release_id}: months through {release.cutoff:%Y-%m}, data loaded before "
              f"{release.snapshot_at:%Y-%m-%d %H:%M} UTC")
    today = date.today()
    print(f"  next: {'due now' if release_due(today, kept[-1].cutoff) else 'not due'} "
          f"(the calendar has closed the months through {release_cutoff(today):%Y-%m})")
    with published.connect(kept[0].serving) as first:
        first_month = date.fromisoformat(published.publication(first)["period_start"])
    measured = release_utility(con, kept[-1].release_id)
    if measured is not None and measured.height:
        print(f"  utility of release {kept[-1].release_id} (share of cells hidden; share of the true count in "
              f"hidden cells, internal), worst first:")
        for row in measured.head(12).iter_rows(named=True):
            mass = "n/a" if row["mass_hidden_pct"] is None else f"{row['mass_hidden_pct']:.1f}%"
            print(f"    {row['table_name']}.{row['count_name']}: {row['cells_hidden_pct']:.1f}% of "
                  f"{row['cells']:,} cells hidden, {mass} of the count")
    panels = release_panel_utility(con, kept[-1].release_id)
    if panels is not None and panels.height:
        print(f"  headline panels of release {kept[-1].release_id} at the grain shown (cells hidden; share of the true "
              f"count in hidden cells, internal), worst first:")
        for row in panels.filter(pl.col("chosen")).iter_rows(named=True):
            print(f"    {row['panel']}: {_panel_figures(row)}")
            finer = panels.filter(~pl.col("chosen") & (pl.col("panel") == row["panel"])
                                  & (pl.col("grain").replace_strict(GRAIN_ORDER, default=9)
                                     <= GRAIN_ORDER.get(row["grain"], 9)))
            for other in finer.iter_rows(named=True):  # the finer options, and why they were not shown
                if other["grain"] != row["grain"] or other["rollup"] == "none":
                    print(f"      not shown: {_panel_figures(other)}")
    held = held_back_records(con, kept, first_month)
    if held.is_empty():
        print("  late records held back: none")
        return
    print(f"  late records held back (loaded after their month was released; no release shows them): "
          f"{int(held['records'].sum())} in {held.height} feed-months, for example:")
    for row in held.head(5).iter_rows(named=True):
        print(f"    {row['feed']} {row['month']:%Y-%m}: {row['records']}")


GRAIN_ORDER = {"month": 0, "quarter": 1, "year": 2}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _panel_figures(row: dict) -> str:
    """One panel at one grain; a grain with no closed period yet has no cells (and no shares) to show."""
    if not row["cells"]:
        return f"by {row['grain']} ({row['source_table']}): no cell published yet [{row['reason']}]"
    rolled = (f", small categories rolled into other ({_pct(row['other_pct'])} of the count)"
              if row["rollup"] == "other" else "")
    return (f"by {row['grain']} ({row['source_table']}{rolled}): {_pct(row['cells_hidden_pct'])} of {row['cells']:,} "
            f"cells hidden, {_pct(row['mass_hidden_pct'])} of the count [{row['reason']}]")


def _file_report(con: duckdb.DuckDBPyConnection, file_name: str) -> int:
    manifest = con.execute(_query("file_manifest"), [file_name]).fetchall()
    if not manifest:
        print(f"{file_name}: not processed yet")
        return 1
    for status, read, loaded, quarantined, message, processed_at in manifest:
        print(f"{file_name} ({processed_at:%Y-%m-%d %H:%M} UTC): {status}; {read} rows read, {loaded} loaded, "
              f"{quarantined} quarantined" + (f"\n  note: {message}" if message else ""))
    rows = con.execute(_query("file_quarantine"), [file_name]).fetchall()
    for row_number, column, rule, message in rows:
        where = f"row {row_number}" if row_number is not None else "file"
        print(f"  {where}, column {column or '-'}: [{rule}] {message}")
    return 0
