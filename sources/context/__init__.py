"""Public context files (national hotline statistics, FBI Crime Data Explorer), recognised by header."""

from __future__ import annotations

import csv
import io
from pathlib import Path

NATIONAL_HOTLINE_HEADER = ("State", "Signals received", "% of total signals", "Cases identified", "% of total cases", "Year")
FBI_CDE_HEADER = (
    "DATA_YEAR", "ORI", "PUB_AGENCY_NAME", "PUB_AGENCY_UNIT", "AGENCY_TYPE_NAME", "STATE_ABBR", "STATE_NAME",
    "DIVISION_NAME", "COUNTY_NAME", "REGION_NAME", "POPULATION_GROUP_CODE", "POPULATION_GROUP_DESC",
    "OFFENSE_SUBCAT_ID", "OFFENSE_NAME", "OFFENSE_SUBCAT_NAME", "ACTUAL_COUNT", "UNFOUNDED_COUNT", "CLEARED_COUNT",
    "JUVENILE_CLEARED_COUNT",
)


def is_context_file(path: Path) -> bool:
    """True for a CSV whose header is exactly one of the public files' headers."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with open(path, "rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n")
    header = tuple(next(csv.reader(io.StringIO(first)), []))
    return header in (NATIONAL_HOTLINE_HEADER, FBI_CDE_HEADER)
