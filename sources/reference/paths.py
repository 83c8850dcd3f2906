"""Where Lantern keeps its data. Everything lives under LANTERN_HOME (default: ./data).

The one reader of LANTERN_HOME: the pipeline gets these paths injected as a Dagster resource
(pipelines/resources.py, PathsResource), the command-line tools and Superset's tools ask `lantern_paths()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.home / "serving.duckdb"

    @property
    def internal(self) -> Path:
        """Exact aggregates for analysts and (row-level secured) agencies; rebuilt every night."""
        return self.home / "internal.duckdb"

    @property
    def releases(self) -> Path:
        """Protected releases, one folder each, kept for good."""
        return self.home / "releases"

    @property
    def site(self) -> Path:
        return self.home / "site"

    @property
    def temp(self) -> Path:
        return self.home / "tmp"

    def ensure(self) -> "Paths":
        for folder in (self.home, self.inbox, self.site, self.temp):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def lantern_paths() -> Paths:
    home = os.environ.get("LANTERN_HOME")
    return Paths(Path(home).resolve() if home else Path.cwd().resolve() / "data")
