"""Whole-file checks on a drop's header, before any row is looked at."""

from __future__ import annotations

import re

from sources.contracts import Contract, forbidden_name_parts


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s_\-.]+", name.lower()) if w]


def forbidden_columns(header: list[str], contract: Contract) -> list[str]:
    """Header names that announce a direct identifier (whole name or one of its words)."""
    allowed = set(contract.column_names)
    parts = set(forbidden_name_parts())
    found = []
    for name in header:
        if name in allowed:
            continue
        if _squash(name) in parts or any(word in parts for word in _words(name)):
            found.append(name)
    return found


def header_problem(header: list[str], contract: Contract) -> tuple[str, str] | None:
    """(rule, message) when the header makes the whole file unusable, else None."""
    forbidden = forbidden_columns(header, contract)
    if forbidden:
        return "forbidden_column", (
            f"column(s) {', '.join(forbidden)} would carry direct identifiers; the file is refused and no "
            f"value is kept. Remove the column(s) and send the file again")
    missing = [c for c in contract.required_columns if c not in header]
    if missing:
        return "missing_column", (
            f"required column(s) missing from the header: {', '.join(missing)} "
            f"(the header has: {', '.join(header) or 'nothing'})")
    return None


def unknown_columns(header: list[str], contract: Contract) -> list[str]:
    """Columns the contract does not know: ignored (never loaded) and reported as a warning."""
    known = set(contract.column_names)
    return [name for name in header if name not in known]
