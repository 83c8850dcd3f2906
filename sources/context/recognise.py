"""Recognise a public context file by its exact header (first line only), whatever the user named it."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from sources.context.contracts import context_contracts

_FIRST_LINE_LIMIT = 64 * 1024  # a header is short; never read a large file to decide


def context_feed_of(path: Path) -> str | None:
    """The context feed whose published header the file's first line is exactly, else None."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        return None
    with open(path, "rb") as handle:
        first_line = handle.readline(_FIRST_LINE_LIMIT)
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8):]
    try:
        text = first_line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    header = tuple(next(csv.reader(io.StringIO(text)), []))
    for feed, contract in context_contracts().items():
        if header == contract.header:
            return feed
    return None


def is_context_file(path: Path) -> bool:
    """True for the national hotline state table and the FBI CDE human-trafficking file."""
    return context_feed_of(path) is not None
