"""CSV records, not lines: the header, the record count and exact record-by-record reading of a drop.

A record ends at a line end (LF, CRLF or a lone CR) outside quotes; a quoted value may hold line breaks.
Python's csv module does the splitting over the bytes decoded as Latin-1 (one character per byte, so
no file fails to decode and every separator is where it was); each field is then decoded as UTF-8 on its
own, so one badly encoded row is that row's problem, not the file's.
"""

from __future__ import annotations

import codecs
import csv
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

csv.field_size_limit(sys.maxsize)  # a long field is the validator's too_long, not a reader crash

_SNIFF_BYTES = 8192
# What an agency may send by mistake instead of CSV text, by its first bytes.
_MAGIC = {b"PAR1": "a Parquet file", b"\x1f\x8b": "a gzip file", b"PK\x03\x04": "a zip file (Excel?)",
          b"\xd0\xcf\x11\xe0": "an old Excel/Office file", b"%PDF": "a PDF file"}


class NotCsvText(Exception):
    """The bytes are not CSV text at all (binary, compressed, another format)."""


def binary_kind(path: Path) -> str | None:
    """What the file is instead of text ('a gzip file', ...) when its first bytes say so, else None."""
    with open(path, "rb") as handle:
        start = handle.read(_SNIFF_BYTES)
    for magic, kind in _MAGIC.items():
        if start.startswith(magic):
            return kind
    if b"\x00" in start:
        return "binary data"
    return None


def _text_lines(path: Path) -> Iterator[str]:
    """The file as Latin-1 text split at LF, CRLF and lone CR (kept), without its UTF-8 byte-order mark."""
    bom = codecs.BOM_UTF8.decode("latin-1")
    with open(path, "r", encoding="latin-1", newline="") as text:
        first = True
        for line in text:
            if first and line.startswith(bom):
                line = line[len(bom):]
            first = False
            yield line


def _utf8(value: str) -> str:
    return value.encode("latin-1").decode("utf-8")


class _Feed:
    """Hands the csv reader one record's text at a time (it keeps no state between records)."""

    def __init__(self) -> None:
        self.items: deque[str] = deque()

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.items:
            return self.items.popleft()
        raise StopIteration


class _Parser:
    def __init__(self) -> None:
        self.feed = _Feed()
        self.reader = csv.reader(self.feed, strict=True)

    def fields(self, text: str) -> tuple[list[str] | None, str | None]:
        """(fields, None), or (None, rule) when the text is not one well-formed record."""
        self.feed.items.append(text)
        try:
            return next(self.reader), None
        except csv.Error as error:
            self.feed.items.clear()
            return None, "unterminated_quote" if "end of data" in str(error) else "malformed_row"
        except StopIteration:
            return [], None


def _is_blank(fields: list[str] | None) -> bool:
    return fields is not None and (not fields or (len(fields) == 1 and not fields[0].strip()))


def _raw_records(path: Path) -> Iterator[tuple[list[str] | None, str | None]]:
    """(fields, None) or (None, rule) for the header and then every non-blank data record, fields still
    Latin-1. A record spanning lines (a quoted line break) stands only if it parses and has the header's
    width; otherwise its quote was never closed and each of its lines is a row of its own, as sent."""
    parser = _Parser()
    width: int | None = None
    pending: list[str] = []
    quotes = 0

    def settle(unterminated: bool) -> Iterator[tuple[list[str] | None, str | None]]:
        nonlocal width
        if len(pending) > 1 or unterminated:
            fields, rule = parser.fields("".join(pending))
            if rule is None and (width is None or len(fields) == width):
                yield fields, None
                return
            if len(pending) > 1:  # not one record after all: its lines, one by one
                for line in pending:
                    fields, rule = parser.fields(line)
                    if not _is_blank(fields):
                        yield fields, rule
                return
            yield None, rule or "unterminated_quote"
            return
        fields, rule = parser.fields(pending[0])
        if not _is_blank(fields):
            yield fields, rule

    for line in _text_lines(path):
        pending.append(line)
        quotes += line.count('"')
        if quotes % 2:
            continue
        for fields, rule in settle(unterminated=False):
            if width is None and fields is not None:
                width = len(fields)
            yield fields, rule
        pending, quotes = [], 0
    if pending:
        yield from settle(unterminated=True)


def read_header_record(path: Path) -> list[str] | None:
    """The first record's fields (UTF-8), None when the file has none; UnicodeDecodeError if not UTF-8."""
    for fields, _ in _raw_records(path):
        return None if fields is None else [_utf8(f) for f in fields]
    return None


@dataclass
class RecordCount:
    """What a CSV file holds after its header: data records (blank ones skipped) and which are too wide."""

    records: int = 0
    too_wide: list[int] = field(default_factory=list)  # record numbers with more fields than the header


def count_records(path: Path, header_width: int | None = None) -> RecordCount:
    """Data records after the header, and (given the header's width) those with more fields than it."""
    counted = RecordCount()
    records = _raw_records(path)
    if next(records, None) is None:
        return counted
    for fields, _ in records:
        counted.records += 1
        if header_width is not None and fields is not None and len(fields) > header_width:
            counted.too_wide.append(counted.records)
    return counted


@dataclass(frozen=True)
class Record:
    number: int  # 1-based data record (the header is not one)
    fields: list[str] | None  # None when the record is broken
    rule: str | None = None  # why it is broken: invalid_encoding | unterminated_quote | malformed_row


def iter_records(path: Path) -> Iterator[Record]:
    """Every data record in order, strictly parsed; a broken one is yielded with its rule, never skipped."""
    records = _raw_records(path)
    if next(records, None) is None:
        return
    for number, (fields, rule) in enumerate(records, start=1):
        if fields is None:
            yield Record(number, None, rule)
            continue
        try:
            yield Record(number, [_utf8(f) for f in fields])
        except UnicodeDecodeError:
            yield Record(number, None, "invalid_encoding")
