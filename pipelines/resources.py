"""The warehouse connection: one DuckDB file, written by one process at a time."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

from models import macros_sql
from pipelines.secrets import linkage_secret

_HMAC_BLOCK = 64  # SHA-256 block size in bytes


def hmac_pads(secret: bytes) -> tuple[str, str]:
    """RFC 2104 inner and outer padded keys (hex), so SQL can compute HMAC-SHA256 with sha256() alone."""
    import hashlib

    key = hashlib.sha256(secret).digest() if len(secret) > _HMAC_BLOCK else secret
    key = key.ljust(_HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def prepare_session(con: duckdb.DuckDBPyConnection, home: Path) -> None:
    """Make the models' macros and the re-keying secret available on this connection."""
    inner, outer = hmac_pads(linkage_secret(home))
    con.execute(f"SET VARIABLE lantern_ipad = '{inner}'")
    con.execute(f"SET VARIABLE lantern_opad = '{outer}'")
    con.execute(macros_sql())


class WarehouseResource(DuckDBResource):
    """DuckDB warehouse with Lantern's session set-up. Only the pipeline process opens it for writing."""

    home: str

    @contextmanager
    def session(self):
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self.get_connection() as con:
            prepare_session(con, Path(self.home))
            yield con
