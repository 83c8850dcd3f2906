"""Recognise a public context file by its exact header (first line only), whatever the user named it."""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

from sources.context.contracts import context_contracts
from sources.ingest.inbox_entries import entry_refusal

_FIRST_LINE_LIMIT = 64 * 1024  # a header is short; never read a large file to decide


def context_feed_of(path: Path) -> str | None:
    """The context feed whose published header the file's first line is exactly, else None. Never raises
    and never follows a link: a file it cannot sniff is left to the agency ingest, which refuses it."""
    path = Path(path)
    try:
        if entry_refusal(path) is not None or path.suffix.lower() != ".csv":
            return None
        with open(path, "rb") as handle:
            start = handle.read(_FIRST_LINE_LIMIT)
    except OSError:
        return None
    if start.startswith(codecs.BOM_UTF8):
        start = start[len(codecs.BOM_UTF8):]
    first_line = re.split(rb"\r\n|\r|\n", start, maxsplit=1)[0]  # any line end: LF, CRLF or a lone CR
    try:
        header = tuple(next(csv.reader([first_line.decode("utf-8")]), []))
    except (UnicodeDecodeError, csv.Error):
        return None
    for feed, contract in context_contracts().items():
        if header == contract.header:
            return feed
    return None


def is_context_file(path: Path) -> bool:
    """True for the national hotline state table and the FBI CDE human-trafficking file."""
    return context_feed_of(path) is not None
