"""Plain-numpy twins of stochgen._kernels.discrete."""

from __future__ import annotations

import numpy as np


def alias_setup(probs):
    k = probs.size
    scaled = probs * k
    accept = np.ones(k)
    alias = np.arange(k)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


def alias_lookup(u, accept, alias):
    k = accept.size
    scaled = u * k
    i = np.minimum(scaled.astype(np.int64), k - 1)
    return np.where(scaled - i < accept[i], i, alias[i])


def build_cdf_guide(cum, size):
    targets = np.arange(size) / size
    return np.minimum(np.searchsorted(cum, targets, side="right"), cum.size - 1).astype(np.int64)


def guide_search(u, cum):
    return np.minimum(np.searchsorted(cum, u, side="right"), cum.size - 1)
