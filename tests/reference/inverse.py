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
