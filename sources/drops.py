"""How drop files are named: `<feed>__<agency>__<period>.<csv|parquet>`.

The feed and the sending agency are known from the name alone, so a file is routed before it is read.
The period is the span the file covers: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-Www.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sources.contracts.model import FEEDS

DROP_SUFFIXES = (".csv", ".parquet")
_NAME = re.compile(
    r"^(?P<feed>[a-z_]+)__(?P<agency>[A-Za-z0-9-]+)__(?P<period>\d{4}(-\d{2}(-\d{2})?|-W\d{2})?)"
    r"(?P<tag>[A-Za-z0-9._-]*)\.(?P<ext>csv|parquet)$"
)


class DropNameError(ValueError):
    """A file in the inbox whose name does not say which feed and agency it is."""


@dataclass(frozen=True)
class DropName:
    feed: str
    agency: str
    period: str
    file_format: str  # csv or parquet


def drop_file_name(feed: str, agency: str, period: str, file_format: str = "csv", tag: str = "") -> str:
    if feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}")
    return f"{feed}__{agency}__{period}{tag}.{file_format}"


def parse_drop_name(path: Path | str) -> DropName:
    name = Path(path).name
    match = _NAME.match(name)
    if match is None:
        raise DropNameError(
            f"{name}: drop files are named <feed>__<agency>__<period>.csv|parquet, "
            f"for example hotline_signals__HL-NATL__2025-03.csv"
        )
    if match["feed"] not in FEEDS:
        raise DropNameError(f"{name}: unknown feed {match['feed']!r}; expected one of {', '.join(FEEDS)}")
    return DropName(match["feed"], match["agency"], match["period"], match["ext"])
