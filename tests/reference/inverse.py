"""Plain-numpy twins of stochgen._kernels.inverse."""

from __future__ import annotations

import numpy as np


def build_guide(breaks, size):
    m = breaks.size - 1
    targets = np.arange(size) / size
    return np.clip(np.searchsorted(breaks, targets, side="right") - 1, 0, m - 1).astype(np.int64)


def evaluate_inverse(u, breaks, table):
    m = breaks.size - 1
    v = np.clip(u, breaks[0], breaks[m])
    i = np.clip(np.searchsorted(breaks, v, side="right") - 1, 0, m - 1)
    rows = table[i]
    p = rows[:, 11].copy()
    for r in range(4, -1, -1):
        p = p * (v - rows[:, 2 * r]) + rows[:, 2 * r + 1]
    return p
