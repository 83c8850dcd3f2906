"""Per-file reports for the sending agency: what was loaded, what was quarantined and why.

One Markdown file per processed drop, `<report_dir>/<agency>/<file>.report.md`, written from the
warehouse's manifest and quarantine (the same rows the accounting check reconciles). The quarantine
already holds masked records only; every value is masked again here (defence in depth: a coded or date
column quotes its bad value in the message, and that value could be a phone number) and escaped, so
a report never carries an identifier or live Markdown/HTML from the drop.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.contracts import FEEDS, load_contract
from sources.ingest.problems import RULES
from sources.ingest.versions import CORRECTED_MARK, changes_in_file
from sources.landing import registered
from sources.pii import scan_text

UNROUTED = "_unrouted"  # files whose name names no registered agency
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# What could turn a value into markup: HTML, links and images, code spans, table cell breaks.
_MARKDOWN_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`", "\\": "\\\\",
                     "[": "\\[", "]": "\\]", "*": "\\*"}


def write_agency_reports(con: duckdb.DuckDBPyConnection, report_dir: Path, file_names: list[str]) -> list[Path]:
    """Write (or rewrite) the report of each named file's latest processing; return the paths written."""
    wanted = list(dict.fromkeys(file_names))
    if not wanted:
        return []
    # Two queries for the whole batch: the first load of a full inbox reports on thousands of files.
    with registered(con, "lantern_report_files", pa.table({"file_name": wanted})):
        manifests = con.execute(
            "SELECT file_name, file_hash, feed, agency, status, rows_read, rows_loaded, rows_quarantined, message, "
            "processed_at FROM raw.file_manifest JOIN lantern_report_files USING (file_name) "
            "QUALIFY row_number() OVER (PARTITION BY file_name ORDER BY processed_at DESC) = 1").fetchall()
        held: dict[tuple[str, str], list[tuple]] = {}
        for file_name, file_hash, *row in con.execute(
                "SELECT q.file_name, q.file_hash, q.row_number, q.column_name, q.rule, q.message, q.masked_record "
                "FROM raw.quarantine AS q JOIN lantern_report_files USING (file_name) "
                "ORDER BY q.file_name, q.row_number NULLS FIRST").fetchall():
            held.setdefault((file_name, file_hash), []).append(tuple(row))
    written = []
    for file_name, *manifest in manifests:
        path = report_path(report_dir, manifest[2], file_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        file_hash, feed, message = manifest[0], manifest[1], manifest[7]
        # only files whose manifest says they corrected something are looked up (one query each)
        changes = (changes_in_file(con, load_contract(feed), file_name, file_hash)
                   if message and CORRECTED_MARK in message and feed in FEEDS else [])
        _write_atomically(path, render_report(file_name, tuple(manifest), held.get((file_name, file_hash), []),
                                              changes))
        written.append(path)
    return written


def report_path(report_dir: Path, agency: str | None, file_name: str) -> Path:
    """Names come from the inbox: anything that could climb out of report_dir is replaced."""
    folder = agency if agency and _SAFE_PART.match(agency) else UNROUTED
    name = Path(file_name).name
    if not _SAFE_PART.match(name):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "unnamed"
    return report_dir / folder / f"{name}.report.md"


def render_report(file_name: str, manifest: tuple, quarantined: list[tuple], changes: list[dict] | None = None) -> str:
    _, feed, agency, status, rows_read, rows_loaded, rows_quarantined, message, processed_at = manifest
    when = f"{processed_at:%Y-%m-%d %H:%M} UTC" if processed_at else "unknown"
    lines = [
        f"# Drop report: {_cell(file_name)}",
        "",
        f"Agency: {_cell(agency or 'not recognised')} · feed: {_cell(feed or 'not recognised')} · "
        f"processed: {when} · status: **{_cell(status)}**",
        "",
        "| rows read | rows loaded | rows quarantined |",
        "|---:|---:|---:|",
        f"| {_count(rows_read)} | {rows_loaded} | {_count(rows_quarantined)} |",
        "",
    ]
    if message:
        lines += [f"Note: {_cell(message)}", ""]
    if changes:
        lines += [
            "## Corrections and withdrawals", "",
            "These rows replaced a record sent before with the same id. The newest version stands; earlier "
            "versions are kept.", "",
            "| row | record | change | replaces | columns changed |", "|---:|---|---|---|---|",
        ]
        lines += [f"| {c['row_number']} | {_cell(_masked(c['key']))} | {c['action']} | {_cell(c['replaces'])} | "
                  f"{_cell(', '.join(c['columns']) or 'none')} |" for c in changes]
        lines.append("")
    if not quarantined:
        lines += ["Every row was loaded. Nothing to fix.", ""]
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for _, _, rule, _, _ in quarantined:
        counts[rule] = counts.get(rule, 0) + 1
    lines += ["## Why rows were quarantined", "", "| rule | rows | what it means |", "|---|---:|---|"]
    lines += [f"| {_cell(rule)} | {n} | {_cell(RULES.get(rule, 'see the message'))} |"
              for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    lines += [
        "", "## Quarantined rows", "",
        "Row numbers count data rows (the header is not a row). Identifiers are shown as [phone], [email], ... "
        "and long digit runs as #: fix the row in your system and send it again.", "",
        "| row | column | rule | message | record (masked) |", "|---:|---|---|---|---|",
    ]
    for row_number, column, rule, row_message, masked_record in quarantined:
        where = str(row_number) if row_number is not None else "whole file"
        lines.append(f"| {where} | {_cell(column or '-')} | {_cell(rule)} | {_cell(_masked(row_message))} | "
                     f"{_cell(_masked(masked_record) if masked_record else 'not kept')} |")
    lines.append("")
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "unknown, file unreadable" if value is None else str(value)


def _masked(value: str | None) -> str:
    """Every identifier replaced by [rule], the rest kept whole (mask_text would cut to an excerpt)."""
    if not value:
        return ""
    pieces, cursor = [], 0
    for hit in scan_text(value):
        pieces += [value[cursor:hit.start], f"[{hit.rule}]"]
        cursor = hit.end
    return "".join(pieces) + value[cursor:]


def _cell(value: object) -> str:
    """Plain text inside a Markdown table cell: no line breaks, no markup, no HTML."""
    text = " ".join(str(value).split())
    return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in text)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
