"""What an inbox entry is, looked at without following it: a regular file is a drop; a directory, a symbolic
link or a device/pipe with a drop's name is recorded and refused, and never opened (a link could point
anywhere on the host, a pipe would block the night)."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path


def entry_refusal(path: Path) -> tuple[str, str] | None:
    """(rule, message) when the entry is not a regular file, else None."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return "symbolic_link", (f"{path.name} is a symbolic link; links are never followed: put the file "
                                 "itself in the inbox")
    if stat.S_ISDIR(mode):
        return "not_a_file", f"{path.name} is a directory, not a file: put the file itself in the inbox"
    if not stat.S_ISREG(mode):
        return "not_a_file", f"{path.name} is not a regular file (a pipe, socket or device): it is not read"
    return None


def entry_size(path: Path) -> int:
    """Bytes of a regular file; 0 for anything else (its target is never looked at) or a vanished entry."""
    try:
        info = path.lstat()
    except FileNotFoundError:  # taken out of the inbox while the night ran
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def entry_modified_at(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.lstat().st_mtime, timezone.utc).replace(tzinfo=None)
    except FileNotFoundError:
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry_sha256(path: Path) -> str:
    """The content hash of a regular file; for another entry (or a file that cannot be opened) a hash of
    what it is, so it is recorded once and not again every night until it changes."""
    refusal = entry_refusal(path)
    if refusal is None:
        try:
            return file_sha256(path)
        except OSError as error:  # refused when read; recorded once per (name, reason)
            return hashlib.sha256(f"unopenable:{error.errno}".encode()).hexdigest()
    target = os.readlink(path) if refusal[0] == "symbolic_link" else ""
    return hashlib.sha256(f"{refusal[0]}:{target}".encode()).hexdigest()
