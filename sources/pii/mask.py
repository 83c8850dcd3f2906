"""Masked excerpts that are safe to keep in quarantine."""

from __future__ import annotations

import re

import polars as pl

from .scan import PiiHit, scan_text, scan_values

EXCERPT = 80
# Defence in depth: digit runs the detectors did not claim (a malformed number, a partial SSN) are
# blanked too; a reviewer needs to see why a row was held, not the digits.
_LEFTOVER_DIGITS = re.compile(r"\d(?:[\W_]{0,3}\d){4,}")


def mask_digits(value: str) -> str:
    """Blank every digit run in a value another rule flagged (an id shaped like an SSN the scanner,
    tuned for free text, would not claim): the flag, not the scanner, decides it is an identifier."""
    return _LEFTOVER_DIGITS.sub("#", value)


def mask_text(value: str, hits: list[PiiHit] | None = None) -> str:
    """Replace every hit by [rule] and cut to about EXCERPT characters around the first hit."""
    if hits is None:
        hits = scan_text(value)
    pieces: list[str] = []
    cursor = 0
    first_at = 0
    for n, hit in enumerate(sorted(hits, key=lambda h: h.start)):
        if hit.start < cursor:  # overlapping hits given by a caller: extend the masked area
            continue
        pieces.append(_LEFTOVER_DIGITS.sub("#", value[cursor : hit.start]))
        if n == 0:
            first_at = sum(map(len, pieces))
        pieces.append(f"[{hit.rule}]")
        cursor = max(cursor, hit.end)
    pieces.append(_LEFTOVER_DIGITS.sub("#", value[cursor:]))
    masked = "".join(pieces)
    if len(masked) <= EXCERPT:
        return masked
    start = max(0, min(first_at - EXCERPT // 3, len(masked) - EXCERPT))
    excerpt = masked[start : start + EXCERPT]
    return ("…" if start else "") + excerpt + ("…" if start + EXCERPT < len(masked) else "")


def mask_column(values: pl.Series) -> pl.Series:
    """Each value with its identifiers masked (as mask_text), others unchanged (nulls stay null).

    Scanned through scan_values (distinct values the Polars prefilters pass, only the detectors they
    wake): a quarantine of thousands of rows would otherwise run every detector on every id one by one.
    """
    text = values.cast(pl.String)
    changed = {value: mask_text(value, hits) for value, hits in scan_values(text).items()}
    return text.replace(changed) if changed else text
