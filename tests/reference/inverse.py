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
    a = table[i]
    d = v - a[:, 0]
    return np.polynomial.polynomial.polyval(d, a[:, 1:7].T, tensor=False)


def mark_pure_buckets(ends, guide):
    size = guide.size
    tol = 1e-6 / size
    lo = np.arange(size) / size
    hi = (np.arange(size) + 1) / size
    below = np.where(guide > 0, ends[np.maximum(guide - 1, 0)], -np.inf)
    pure = (ends[guide] > hi + tol) & (below < lo - tol)
    return np.where(pure, guide, -guide - 1)
