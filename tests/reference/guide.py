"""Plain-numpy twin of stochgen._kernels.guide."""

from __future__ import annotations

import numpy as np


def build_guide(ends, lo, hi, size):
    levels = lo + (np.arange(size) / size) * (hi - lo)
    return np.minimum(np.searchsorted(ends, levels, side="right"), ends.size - 1).astype(np.int64)


def guide_lookup(ends, v):
    return int(min(np.searchsorted(ends, v, side="right"), ends.size - 1))
