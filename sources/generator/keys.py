"""Pseudonymous linkage keys and agency record ids.

Agencies key a situation with HMAC-SHA256 under a shared secret; here the secret is a fixed demo value,
so the same synthetic situation gets the same key in every feed and from every agency.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import polars as pl

DEMO_SECRET = b"lantern-demo-linkage-secret-not-for-production"
_BASE = hmac.new(DEMO_SECRET, digestmod=hashlib.sha256)


def situation_id(seed: int, number: int) -> str:
    return f"SIT-{seed}-{number:010d}"


def linkage_key(seed: int, number: int) -> str:
    return linkage_keys(seed, np.array([number]))[0]


def linkage_keys(seed: int, numbers: np.ndarray) -> list[str]:
    # Copying a pre-keyed HMAC halves the cost; at stress scale this is millions of keys.
    out = []
    for n in numbers.tolist():
        h = _BASE.copy()
        h.update(f"SIT-{seed}-{n:010d}".encode())
        out.append(h.hexdigest())
    return out


def record_ids(prefix: str, years: np.ndarray, numbers: np.ndarray) -> pl.Series:
    """Ids like S-2025-00000123: unique within the sender, never a case or docket number."""
    frame = pl.DataFrame({"y": years.astype(np.int32), "n": numbers.astype(np.int64)})
    return frame.select(
        pl.concat_str(
            [pl.lit(prefix + "-"), pl.col("y").cast(pl.Utf8), pl.lit("-"), pl.col("n").cast(pl.Utf8).str.zfill(8)]
        )
    ).to_series()


def agency_local_keys(keys: pl.Series, share: float, rng: np.random.Generator, eligible: np.ndarray | None = None) -> pl.Series:
    """`keys` with a `share` of them (among `eligible` rows) replaced by keys an agency hashed from its own
    internal id: real agencies do this (domain.md), and such a key links to nothing in any other feed."""
    local = rng.random(len(keys)) < share
    if eligible is not None:
        local &= eligible
    if not local.any():
        return keys
    fresh = [hashlib.sha256(b"agency-internal-" + rng.bytes(16)).hexdigest() for _ in range(int(local.sum()))]
    values = keys.to_list()
    for row, key in zip(np.flatnonzero(local).tolist(), fresh):
        values[row] = key
    return pl.Series(keys.name, values, dtype=pl.Utf8)
