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


def read_header_record(path: Path) -> list[str] | None:
    """The first record's fields (UTF-8), None when the file has none; UnicodeDecodeError if not UTF-8."""
    for fields in csv.reader(_text_lines(path)):
        return [_utf8(f) for f in fields]
    return None


def _is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


@dataclass
class RecordCount:
    """What a CSV file holds after its header: data records (blank ones skipped) and which are too wide."""

    records: int = 0
    too_wide: list[int] = field(default_factory=list)  # record numbers with more fields than the header


def count_records(path: Path, header_width: int | None = None) -> RecordCount:
    """Data records after the header, and (given the header's width) those with more fields than it."""
    counted = RecordCount()
    reader = csv.reader(_text_lines(path))
    if next(reader, None) is None:
        return counted
    for fields in reader:
        if _is_blank(fields):
            continue
        counted.records += 1
        if header_width is not None and len(fields) > header_width:
            counted.too_wide.append(counted.records)
    return counted


@dataclass(frozen=True)
class Record:
    number: int  # 1-based data record (the header is not one)
    fields: list[str] | None  # None when the record is broken
    rule: str | None = None  # why it is broken: invalid_encoding | unterminated_quote | malformed_row


def iter_records(path: Path) -> Iterator[Record]:
    """Every data record in order, strictly parsed; a broken one is yielded with its rule, never skipped."""
    lines = _text_lines(path)
    reader = csv.reader(lines, strict=True)
    number = 0
    header_seen = False
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if not header_seen:
                raise
            number += 1
            closed = "end of data" not in str(error) and "EOF" not in str(error)
            yield Record(number, None, "malformed_row" if closed else "unterminated_quote")
            continue
        if not header_seen:
            header_seen = True
            continue
        if _is_blank(fields):
            continue
        number += 1
        try:
            yield Record(number, [_utf8(f) for f in fields])
        except UnicodeDecodeError:
            yield Record(number, None, "invalid_encoding")
