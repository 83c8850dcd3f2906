"""Planning a file before it is read: route it by its name, check its sender and header, or refuse it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sources.contracts import load_contract
from sources.drops import DropNameError, parse_drop_name
from sources.ingest.fingerprints import same_content_warning
from sources.ingest.header import header_problem, unknown_columns
from sources.ingest.inbox_entries import entry_refusal, entry_size
from sources.ingest.reader import FileProblem, count_data_rows, read_header


@dataclass
class Drop:
    path: Path
    file_hash: str
    feed: str | None = None
    agency: str | None = None
    period: str | None = None
    file_format: str | None = None
    header: list[str] | None = None
    problem: tuple[str, str] | None = None  # (rule, message) when the whole file is refused
    warnings: list[str] | None = None
    size: int = 0  # bytes (0 for an entry that is not a regular file)
    rows_unknown: bool = False  # refused and its rows could not be counted


def plan_drop(path: Path, file_hash: str, agency_feeds: dict[str, set[str]], known_hashes: dict[str, str],
              refusal: tuple[str, str] | None = None) -> Drop:
    """Route a file by its name and check its header; any failure doing so is the file's refusal."""
    drop = Drop(path, file_hash, warnings=[])
    try:
        _route_and_check(drop, agency_feeds, known_hashes)
    except Exception as error:
        drop.problem = ("unreadable_file", f"{path.name} could not be read: {type(error).__name__}: "
                                           f"{' '.join(str(error).split())[:300]}")
    if refusal is not None:
        drop.problem = refusal
    return drop


def _route_and_check(drop: Drop, agency_feeds: dict[str, set[str]], known_hashes: dict[str, str]) -> None:
    path = drop.path
    drop.size = entry_size(path)
    warning = same_content_warning(path, drop.file_hash, known_hashes)
    if warning:
        drop.warnings.append(warning)
    try:
        name = parse_drop_name(path)
    except DropNameError as error:
        drop.problem = ("unroutable_file", str(error))
    else:
        drop.feed, drop.agency, drop.period, drop.file_format = name.feed, name.agency, name.period, name.file_format
    drop.problem = entry_refusal(path) or drop.problem  # a link or directory is never opened
    if drop.problem is not None:
        return
    if drop.agency not in agency_feeds:
        drop.problem = ("unknown_agency", f"agency {drop.agency!r} is not in the organisation registry")
        return
    if drop.feed not in agency_feeds[drop.agency]:
        drop.problem = ("unknown_agency", f"agency {drop.agency} is not registered to send {drop.feed}")
        return
    try:
        drop.header = read_header(path)
    except FileProblem as problem:
        drop.problem = (problem.rule, problem.message)
        return
    contract = load_contract(drop.feed)
    drop.problem = header_problem(drop.header, contract)
    ignored = unknown_columns(drop.header, contract)
    if ignored and drop.problem is None:
        drop.warnings.append(f"column(s) not in the contract were ignored: {', '.join(ignored)}")


def rows_held(drop: Drop) -> int | None:
    """How many rows a refused entry held: None when unknown (unreadable, vanished, or a link, which is
    never followed); a directory holds none."""
    try:
        refusal = entry_refusal(drop.path)
    except OSError:
        return None
    if refusal is not None:
        return 0 if refusal[0] == "not_a_file" and drop.path.is_dir() else None
    return count_data_rows(drop.path)
