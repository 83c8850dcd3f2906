"""Vectorized categorical draws where each row has its own distribution (chosen by a group index)."""

from __future__ import annotations

import numpy as np


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative probabilities of a (groups, choices) weight matrix."""
    w = np.asarray(weights, dtype=float)
    total = w.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        raise ValueError("a group has no positive weight")
    cum = np.cumsum(w / total, axis=1)
    cum[:, -1] = 1.0
    return cum


def choose_by_group(cum: np.ndarray, group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from the distribution cum[group[row]]; O(n log n), no per-row Python."""
    u = rng.random(len(group))
    out = np.empty(len(group), dtype=np.int64)
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    bounds = np.flatnonzero(np.diff(sorted_groups)) + 1
    for chunk in np.split(order, bounds):
        if len(chunk):
            out[chunk] = np.searchsorted(cum[group[chunk[0]]], u[chunk], side="right")
    return np.minimum(out, cum.shape[1] - 1)


def choose(p: np.ndarray | list[float], n: int, rng: np.random.Generator) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def gamma_days(rng: np.random.Generator, n: int, shape: float, scale: float, minimum: int = 0) -> np.ndarray:
    """Whole-day delays with a right tail, at least `minimum`."""
    return minimum + np.floor(rng.gamma(shape, scale, size=n)).astype(np.int64)
