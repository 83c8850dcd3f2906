"""Primary suppression: the small counts themselves."""

from __future__ import annotations

import numpy as np


def primary_mask(values: np.ndarray, min_cell_count: int) -> np.ndarray:
    """True where 1 <= value < min_cell_count. Zero is shown (domain rule: a true zero reveals no one)."""
    v = np.asarray(values, dtype=float)
    return (v >= 1) & (v < min_cell_count)
