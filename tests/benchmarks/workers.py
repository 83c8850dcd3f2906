"""Bench steps that run in their own process (so their time and memory are theirs alone).

    python -m benchmarks.workers floor INBOX
    python -m benchmarks.workers big-drop INBOX HOME TARGET_BYTES
    python -m benchmarks.workers new-days SOURCE_INBOX TARGET_INBOX [DAYS]
    python -m benchmarks.workers bad-drops HOME FILES NIGHTS

Each prints one JSON object on its last line of output.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl

from sources.contracts import load_contract
from sources.drops import drop_file_name, parse_drop_name


def _drops(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def floor(inbox: Path) -> dict:
    """DuckDB's own floor: every drop file read once (count(*)), files of one header in one scan, no
    sniffing (the header is known, as in ingest), nothing else."""
    from pipelines.resources import limit_memory
    from sources.ingest.reader import FileProblem, read_header

    groups: dict[tuple, list[str]] = defaultdict(list)
    for path in _drops(inbox):
        try:
            name = parse_drop_name(path)
            header = () if name.file_format == "parquet" else tuple(read_header(path))
        except (ValueError, FileProblem):
            continue
        groups[(name.file_format, header)].append(str(path))
    rows = 0
    with duckdb.connect() as con:
        limit_memory(con, inbox.parent)
        for (file_format, header), files in groups.items():
            if file_format == "parquet":
                sql = "SELECT count(*) FROM read_parquet(?, union_by_name = true)"
            else:
                columns = "{" + ", ".join("'" + h.replace("'", "''") + "': 'VARCHAR'" for h in header) + "}"
                sql = (f"SELECT count(*) FROM read_csv(?, columns = {columns}, header = true, auto_detect = false, "
                       "strict_mode = false, ignore_errors = true, null_padding = true)")
            rows += con.execute(sql, [files]).fetchone()[0]
    return {"rows": rows, "files": sum(len(f) for f in groups.values())}


def concatenate_hotline_drops(inbox: Path, out_path: Path, target_bytes: int) -> tuple[int, int]:
    """One CSV of the inbox's hotline CSV drops (header once), up to about target_bytes: (bytes, files used).
    Their identifiers are unique across agencies, so the rows stay distinct under one sender."""
    sources = [p for p in _drops(inbox) if p.suffix == ".csv" and parse_drop_name(p).feed == "hotline_signals"
               and "_resent" not in p.name]
    header_written, written, used = False, 0, 0
    with open(out_path, "wb") as out:
        for path in sources:
            if written >= target_bytes:
                break
            with open(path, "rb") as handle:
                header = handle.readline().removeprefix(b"\xef\xbb\xbf")
                if not header_written:
                    out.write(header)
                    header_written = True
                body = handle.read()
            out.write(body if body.endswith(b"\n") or not body else body + b"\n")
            written += len(body)
            used += 1
    return written, used


def big_drop(inbox: Path, home: Path, target_bytes: int) -> dict:
    """One ~target_bytes hotline CSV made of the inbox's hotline CSV drops (their ~1% defects included),
    ingested alone into an empty warehouse; every row must be either loaded or quarantined."""
    from datetime import date

    from sources.ingest import agency_feeds, ingest_files, validation_context
    from pipelines.resources import limit_memory
    from sources.contracts import all_contracts
    from sources.ingest.reader import count_data_rows
    from sources.ingest.warehouse_tables import ensure_raw_schema

    home.mkdir(parents=True, exist_ok=True)
    big = home / "inbox" / drop_file_name("hotline_signals", "HL-NATL", "2000")
    big.parent.mkdir(exist_ok=True)
    written, used = concatenate_hotline_drops(inbox, big, target_bytes)
    data_rows = count_data_rows(big)
    warehouse = home / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        limit_memory(con, home)
        ensure_raw_schema(con, list(all_contracts().values()))
        context = validation_context()
        [outcome] = ingest_files(con, [big], context, agency_feeds(), run_id="bench-big-drop",
                                 scratch_dir=home / "tmp")
        loaded = con.execute("SELECT count(*) FROM raw.hotline_signals").fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
        distinct_quarantined = con.execute(
            "SELECT count(DISTINCT row_number) FROM raw.quarantine").fetchone()[0]
        rules = dict(con.execute("SELECT rule, count(*) FROM raw.quarantine GROUP BY 1 ORDER BY 2 DESC").fetchall())
    big.unlink()
    return {
        "bytes": written, "source_files": used, "rows": data_rows, "rows_loaded": loaded,
        "rows_quarantined": quarantined, "quarantined_share": round(quarantined / max(data_rows, 1), 4),
        "conserved": loaded + quarantined == data_rows == outcome.rows_read and distinct_quarantined == quarantined,
        "rules": rules, "processed_on": date.today().isoformat(),
    }


def new_days(source: Path, target: Path, days: int = 1) -> dict:
    """`days` days of drops: from each file of the source inbox's last month, its share of rows for that many
    days, with identifiers made new (prefix) so they add to, rather than repeat, what the warehouse holds.
    Each length has its own prefix and file names, so a week lands beside a day already loaded."""
    files = [p for p in _drops(source) if "_resent" not in p.name]
    last = max(parse_drop_name(p).period[:7] for p in files)
    target.mkdir(parents=True, exist_ok=True)
    rows, written = 0, 0
    for path in files:
        name = parse_drop_name(path)
        if name.period[:7] != last:
            continue
        frame = pl.read_parquet(path) if name.file_format == "parquet" else pl.read_csv(
            path, infer_schema=False, encoding="utf8-lossy")
        frame = frame.rename({c: c.removeprefix("\ufeff") for c in frame.columns})
        if frame.height == 0:
            continue
        key = load_contract(name.feed).primary_key[0]
        day = frame.head(math.ceil(frame.height * days / 30)).with_columns(
            pl.format(f"d{days}-{{}}", pl.col(key).cast(pl.Utf8)).alias(key))
        out = target / drop_file_name(name.feed, name.agency, f"{last}-28", name.file_format,
                                      tag="-day" if days == 1 else f"-{days}days")
        if name.file_format == "parquet":
            day.write_parquet(out)
        else:
            day.write_csv(out)
        rows += day.height
        written += 1
    return {"rows": rows, "files": written, "month": last, "days": days}


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "floor":
        result = floor(Path(args[0]))
    elif command == "big-drop":
        result = big_drop(Path(args[0]), Path(args[1]), int(args[2]))
    elif command == "new-days":
        result = new_days(Path(args[0]), Path(args[1]), int(args[2]) if len(args) > 2 else 1)
    elif command == "bad-drops":
        from benchmarks.bad_nights import run_bad_nights

        result = run_bad_nights(Path(args[0]), int(args[1]), int(args[2]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
