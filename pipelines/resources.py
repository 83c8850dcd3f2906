"""The warehouse connection: one DuckDB file, written by one process at a time."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from models.session import prepare_models_session
from pipelines.secrets import linkage_secret
from pipelines.writer_lock import warehouse_writer_lock
from sources.reference.paths import Paths

# DuckDB's own default is 80% of RAM; a nightly job sharing a small server must stay well under the 4 GB
# budget (Polars validation and Python need the rest), so it spills to LANTERN_HOME/tmp instead.
DEFAULT_MEMORY_LIMIT = "2GB"
MEMORY_LIMIT_VARIABLE = "LANTERN_DUCKDB_MEMORY_LIMIT"


def duckdb_memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_VARIABLE, DEFAULT_MEMORY_LIMIT)


def duckdb_temp_directory(home: Path) -> Path:
    return Path(home) / "tmp" / "duckdb"


def limit_memory(con: duckdb.DuckDBPyConnection, home: Path) -> None:
    """Bound DuckDB's memory and let it spill to disk under LANTERN_HOME rather than grow or fail."""
    temp = duckdb_temp_directory(home)
    temp.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{duckdb_memory_limit()}'")
    con.execute(f"SET temp_directory = '{str(temp).replace(chr(39), chr(39) * 2)}'")


def prepare_session(con: duckdb.DuckDBPyConnection, home: Path) -> None:
    """The models' session (models/session.py) with this deployment's re-keying secret."""
    prepare_models_session(con, linkage_secret(home))


class PathsResource(ConfigurableResource):
    """Where this deployment keeps its files (sources.reference.paths.Paths), injected into every asset, check,
    sensor and schedule that touches one: the pipeline reads LANTERN_HOME once, in the composition root."""

    home: str

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.home))


class WarehouseResource(DuckDBResource):
    """DuckDB warehouse with Lantern's session set-up. Only the pipeline process opens it for writing."""

    home: str

    @contextmanager
    def session(self):
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with warehouse_writer_lock(Path(self.database)), self.get_connection() as con:
            try:
                limit_memory(con, Path(self.home))
                prepare_session(con, Path(self.home))
                yield con
            finally:
                # dagster-duckdb closes only on success; a failed step must not leave the file open
                con.close()


def pipeline_resources(paths: Paths) -> dict:
    """Every resource the pipeline's assets, checks, sensors and schedules ask for, for one LANTERN_HOME."""
    return {"warehouse": WarehouseResource(database=str(paths.warehouse), home=str(paths.home)),
            "lantern_home": PathsResource(home=str(paths.home))}
