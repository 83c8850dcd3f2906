"""Normalize text before matching, keeping a map back to the original offsets.

Why: a leak can hide behind fullwidth or Arabic-Indic digits, fullwidth '＠', odd dashes or zero-width
spaces. Patterns are written for plain ASCII, so each character is folded first; the offset map lets
hits point at the original string (masking must cut the original, not the folded copy).
"""

from __future__ import annotations

import unicodedata

# Dashes NFKC leaves alone but a writer may use between digit groups.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63"), "-")


def _fold(ch: str) -> str:
    digit = unicodedata.digit(ch, None)  # Nd and No digits: '٣', '３', '³', '③'
    if digit is not None:
        return str(digit)
    if unicodedata.category(ch) == "Cf":  # zero-width space/joiner, soft hyphen, bidi marks
        return ""
    return unicodedata.normalize("NFKC", ch).translate(_DASHES)


def normalize(value: str) -> tuple[str, list[int] | None]:
    """Return (folded text, offsets) where offsets[i] is the original index of folded char i.

    offsets has one extra trailing entry (len(value)) so an end offset maps too. None means identity
    (pure ASCII, the common case, costs nothing).
    """
    if value.isascii():
        return value, None
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(value):
        folded = ch if ch.isascii() else _fold(ch)
        out.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(value))
    return "".join(out), offsets


def to_original(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Map a [start, end) span of folded text back to the original string."""
    if offsets is None:
        return start, end
    orig_end = offsets[end - 1] + 1 if end > start else offsets[end]
    return offsets[start], orig_end
