"""Cutting a big CSV into piece files at record ends, each led by the header."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Iterator


def split_csv(path: Path, chunk_bytes: int, scratch: Path) -> Iterator[Path]:
    """Yield piece files of `path` cut at record ends (a line end with an even number of quotes before it,
    so a quoted line break stays inside its piece), each led by the header."""
    with open(path, "rb") as handle:
        header = handle.readline()
        if header.startswith(codecs.BOM_UTF8):
            header = header[len(codecs.BOM_UTF8):]
        if not header.endswith(b"\n"):
            header += b"\n"
        index, carry = 0, b""
        while True:
            block = handle.read(chunk_bytes)
            data = carry + block
            if not data:
                return
            if block:
                cut = _record_end(data)
                if cut == 0:  # one record longer than a piece: keep reading until it ends
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            piece = scratch / f"piece-{index:05d}.csv"
            with open(piece, "wb") as out:
                out.write(header)
                out.write(data)
            yield piece
            index += 1


def _record_end(data: bytes) -> int:
    """Offset just after the last line end in `data` outside quotes (0 when there is none). `data` starts
    at a record boundary, so quotes before a line end are balanced exactly when the count is even."""
    end = len(data)
    while True:
        cut = data.rfind(b"\n", 0, end) + 1
        if cut == 0 or data.count(b'"', 0, cut) % 2 == 0:
            return cut
        end = cut - 1
