"""Keep record values out of alerts. Alerts travel by e-mail and chat, outside Lantern's controls."""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Integral, Real

from sources.pii import scan_text

MAX_ERROR_CHARS = 240
# Database and validation errors quote the offending value ("Could not convert string 'Jane ...'").
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_DIGIT_RUNS = re.compile(r"\d(?:[\W_]{0,3}\d){4,}")  # phone, SSN or id fragments the scanner did not claim


def safe_error_summary(error_message: str) -> str:
    """The first line of an error with quoted values, identifiers and long digit runs blanked, cut short."""
    first_line = next((line.strip() for line in (error_message or "").splitlines() if line.strip()), "")
    text = _QUOTED.sub("'…'", first_line)
    for hit in sorted(scan_text(text), key=lambda h: h.start, reverse=True):
        text = text[: hit.start] + f"[{hit.rule}]" + text[hit.end :]
    text = _DIGIT_RUNS.sub("#", text)
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def numeric_metadata(metadata: Mapping[str, object]) -> tuple[dict[str, int | float], list[str]]:
    """Split check metadata into numbers (safe to send) and the names of everything else (left in Dagster).

    Accepts plain values or Dagster MetadataValue objects (their `.value`). Text is never copied: a
    check may put example rows or keys in it.
    """
    numbers: dict[str, int | float] = {}
    withheld: list[str] = []
    for key, raw in metadata.items():
        value = getattr(raw, "value", raw)
        if isinstance(value, Integral):  # bool and numpy integers included
            numbers[str(key)] = int(value)
        elif isinstance(value, Real):
            numbers[str(key)] = float(value)
        else:
            withheld.append(str(key))
    return numbers, withheld
