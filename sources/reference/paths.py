"""Where Lantern keeps its data. Everything lives under LANTERN_HOME (default: ./data).

The one reader of LANTERN_HOME: the pipeline gets these paths injected as a Dagster resource
(pipelines/resources.py, PathsResource), the command-line tools and Superset's tools ask `lantern_paths()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class PathUnder:
    """A read-only attribute: the path `relative` under the folder its instance holds in attribute `base`."""

    def __init__(self, base: str, relative: str) -> None:
        self.base, self.relative = base, relative

    def __get__(self, instance: object, owner: type | None = None) -> Path:
        if instance is None:  # looked up on the class itself
            return self  # type: ignore[return-value]
        return getattr(instance, self.base) / self.relative


@dataclass(frozen=True)
class Paths:
    home: Path

    inbox = PathUnder("home", "inbox")
    warehouse = PathUnder("home", "warehouse.duckdb")
    serving = PathUnder("home", "serving.duckdb")  # the latest protected release
    # exact aggregates for analysts and (row-level secured) agencies; rebuilt every night
    internal = PathUnder("home", "internal.duckdb")
    releases = PathUnder("home", "releases")  # protected releases, one folder each, kept for good
    site = PathUnder("home", "site")
    temp = PathUnder("home", "tmp")

    def ensure(self) -> "Paths":
        for folder in (self.home, self.inbox, self.site, self.temp):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def lantern_paths() -> Paths:
    home = os.environ.get("LANTERN_HOME")
    return Paths(Path(home).resolve() if home else Path.cwd().resolve() / "data")
