"""What a connection needs before it runs the models: the macros (models/macros.sql) and the task force's
re-keying key, given to SQL as HMAC pads (RFC 2104), so that agency linkage keys are re-keyed in staging and
never travel further."""

from __future__ import annotations

import hashlib

import duckdb

from models.catalog import macros_sql

_HMAC_BLOCK = 64  # SHA-256 block size in bytes


def hmac_pads(secret: bytes) -> tuple[str, str]:
    """RFC 2104 inner and outer padded keys (hex), so SQL can compute HMAC-SHA256 with sha256() alone."""
    key = hashlib.sha256(secret).digest() if len(secret) > _HMAC_BLOCK else secret
    key = key.ljust(_HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def prepare_models_session(con: duckdb.DuckDBPyConnection, rekey_secret: bytes) -> None:
    """Make the models' macros and the re-keying key available on this connection."""
    inner, outer = hmac_pads(rekey_secret)
    con.execute(f"SET VARIABLE lantern_ipad = '{inner}'")
    con.execute(f"SET VARIABLE lantern_opad = '{outer}'")
    con.execute(macros_sql())
