"""A file's fingerprint (name, size, modification time, SHA-256) against the manifest: what is new, and
what repeats content already processed under another name."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sources.ingest.inbox_entries import entry_modified_at, entry_sha256, entry_size

SAME_CONTENT = "same content as "


def pending_files(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[tuple[Path, str]]:
    """Files whose (name, content) the manifest has not seen, with their SHA-256.

    A file whose name, size and modification time are those the manifest recorded is not hashed again:
    re-reading a whole inbox of processed drops every night would cost more than the new day's work.
    """
    seen = set(con.execute("SELECT file_name, file_hash FROM raw.file_manifest").fetchall())
    unchanged = {(name, size, modified) for name, size, modified in con.execute(
        "SELECT file_name, bytes, file_modified_at FROM raw.file_manifest WHERE file_modified_at IS NOT NULL").fetchall()}
    pending = []
    for path in paths:
        if (path.name, entry_size(path), entry_modified_at(path)) in unchanged:
            continue
        try:
            file_hash = entry_sha256(path)
        except FileNotFoundError:  # taken out of the inbox since it was listed: nothing to do
            continue
        if (path.name, file_hash) not in seen:
            pending.append((path, file_hash))
    return pending


def known_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The first file name the manifest recorded for each content hash."""
    return dict(con.execute("SELECT file_hash, min(file_name) FROM raw.file_manifest GROUP BY file_hash").fetchall())


def same_content_warning(path: Path, file_hash: str, known: dict[str, str]) -> str | None:
    """The warning for a file whose content was already processed under another name (None otherwise)."""
    earlier = known.get(file_hash)
    if earlier and earlier != path.name:
        return f"{SAME_CONTENT}{earlier}, already processed: its rows are duplicates"
    return None


def duplicate_of(warnings: list[str]) -> str | None:
    """The earlier file name a same-content warning names, for the manifest's duplicate_of."""
    for warning in warnings:
        if warning.startswith(SAME_CONTENT):
            return warning.removeprefix(SAME_CONTENT).split(",")[0]
    return None
