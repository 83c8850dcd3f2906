"""Proofs: the audit's answer for one component, kept under the exact content of the LP it answers.

The audit splits the attacker's system into independent components and bounds each component's hidden
cells with linear programs. A night of new data changes the numbers of a few components; the others are
the very same LP as last night. Their answer is a function of that LP alone, so it is looked up instead
of solved again.

The key is a SHA-256 over the component in a canonical order: rows (equations, then hidden cells) sorted
by cell name, atoms by their rows and upper bound; then the whole incidence matrix, every right-hand
side, known part and upper bound, the threshold, the mode, and a fingerprint of the code that solves
it. Equal keys mean equal LPs, so a reused answer is the answer a solve would give; anything that differs,
by one published value or one hidden cell, misses and is solved. Names only choose the order: two
orders of the same LP may miss, never match wrongly.

Proofs hold bounds computed from numbers published at some point of the search, so they are private
pipeline state, like the suppression pattern (dashboards/serving/disclosure_memory.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import scipy
import scipy.sparse as sp

PROOF_SCHEMA = {"proof_key": pl.Utf8, "low": pl.List(pl.Float64), "high": pl.List(pl.Float64), "n_lp": pl.Int64}
_SOLVER_CODE = [Path(__file__).with_name("audit.py"), Path(__file__)]


def solver_fingerprint() -> bytes:
    """Changes whenever the code or the solver that produced a proof could answer differently."""
    digest = hashlib.sha256(scipy.__version__.encode())
    for path in _SOLVER_CODE:
        digest.update(path.read_bytes())
    return digest.digest()


@dataclass
class Proof:
    low: np.ndarray  # per hidden cell, in canonical order
    high: np.ndarray
    n_lp: int


@dataclass
class ProofCache:
    """Proofs known from earlier runs, and what this run used or added (the next run's cache)."""

    known: dict[str, Proof] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    hits: int = 0  # components answered without a solve (proven by an earlier run, or earlier in this one)
    hits_from_earlier_runs: int = 0  # of those, proven by an earlier run (from_frame)
    misses: int = 0  # components solved
    lp_reused: int = 0  # linear programs the hits spared
    fingerprint: bytes = field(default_factory=solver_fingerprint)
    earlier: frozenset[str] = frozenset()  # keys handed over by an earlier run

    @classmethod
    def from_frame(cls, frame: pl.DataFrame | None) -> ProofCache:
        cache = cls()
        if frame is not None:
            for key, low, high, n_lp in frame.select(list(PROOF_SCHEMA)).iter_rows():
                cache.known[key] = Proof(np.asarray(low, dtype=float), np.asarray(high, dtype=float), int(n_lp))
        cache.earlier = frozenset(cache.known)
        return cache

    def to_frame(self) -> pl.DataFrame:
        """The proofs this run used or made: what is worth keeping for the next one."""
        rows = [(key, self.known[key].low.tolist(), self.known[key].high.tolist(), self.known[key].n_lp)
                for key in sorted(self.used)]
        return pl.DataFrame(rows, schema=PROOF_SCHEMA, orient="row")

    def bound(self, A: sp.csr_matrix, b: np.ndarray, S: sp.csr_matrix, s_known: np.ndarray, ub: np.ndarray,
              eq_rank: np.ndarray, hidden_rank: np.ndarray, k: int, full: bool, solve
              ) -> tuple[np.ndarray, np.ndarray, int, bool]:
        """(low, high, LPs solved, proven before): `solve(A, b, S, s_known, ub, k, full)` unless the same LP
        was answered before. The ranks (System.name_rank of each row's cell) only order the rows."""
        key, hidden_order = component_key(A, b, S, s_known, ub, eq_rank, hidden_rank, k, full, self.fingerprint)
        self.used.add(key)
        proof = self.known.get(key)
        if proof is not None:
            self.hits += 1
            self.hits_from_earlier_runs += key in self.earlier
            self.lp_reused += proof.n_lp
            low, high = np.empty(S.shape[0]), np.empty(S.shape[0])
            low[hidden_order], high[hidden_order] = proof.low, proof.high
            return low, high, 0, True
        self.misses += 1
        low, high, n_lp = solve(A, b, S, s_known, ub, k, full)
        self.known[key] = Proof(low[hidden_order], high[hidden_order], n_lp)
        return low, high, n_lp, False


def component_key(A: sp.csr_matrix, b: np.ndarray, S: sp.csr_matrix, s_known: np.ndarray, ub: np.ndarray,
                  eq_rank: np.ndarray, hidden_rank: np.ndarray, k: int, full: bool, fingerprint: bytes
                  ) -> tuple[str, np.ndarray]:
    """(key, order): the LP's canonical SHA-256, and the hidden rows in canonical order."""
    eq_order = np.argsort(eq_rank, kind="stable")
    hidden_order = np.argsort(hidden_rank, kind="stable")
    B = sp.vstack([A[eq_order], S[hidden_order]]).tocsc()
    B.sort_indices()
    # Order atoms by the set of rows they sit in (a 64-bit sum of mixed row numbers), then by bound.
    # A tie of different atoms only makes the order differ: a miss, never a wrong match.
    column = np.repeat(np.arange(B.shape[1]), np.diff(B.indptr))
    signature = np.zeros(B.shape[1], dtype=np.uint64)
    np.add.at(signature, column, _mixed(B.indices.astype(np.uint64)))
    atom_order = np.lexsort((ub, signature))
    B = B[:, atom_order].tocsc()
    B.sort_indices()
    digest = hashlib.sha256(fingerprint)
    for part in (np.asarray([A.shape[0], S.shape[0], B.shape[1], k, int(full)], dtype=np.int64),
                 B.indptr.astype(np.int64), B.indices.astype(np.int64), B.data.astype(np.float64),
                 np.asarray(b, dtype=np.float64)[eq_order], np.asarray(s_known, dtype=np.float64)[hidden_order],
                 np.asarray(ub, dtype=np.float64)[atom_order]):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest(), hidden_order


def _mixed(x: np.ndarray) -> np.ndarray:
    """splitmix64: spreads row numbers over 64 bits so that sums of different sets rarely meet."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
