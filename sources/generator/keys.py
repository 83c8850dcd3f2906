"""Situation handles and agency record ids.

`linkage_keys` gives each synthetic situation one global handle while its rows are made; before a row
reaches a drop, sources/generator/identities.py replaces it by the sending agency's own key (from the
agency's own situation id) and the agency's linkage token, as real agencies would send them.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import polars as pl

DEMO_SECRET = b"lantern-demo-linkage-secret-not-for-production"
# The agencies' shared token secret of synthetic runs that are given none (pipelines/secrets.py for real ones).
DEMO_TOKEN_SECRET = b"lantern-demo-agency-token-secret-not-for-production"  # nosec B105: synthetic data only
_BASE = hmac.new(DEMO_SECRET, digestmod=hashlib.sha256)


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
