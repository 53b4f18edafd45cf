"""Guide tables (Chen and Asau 1974): O(1) expected search in a sorted array.

Given the increasing right ends ``ends[0] < ... < ends[m - 1]`` of ``m``
intervals covering ``[lo, hi]``, the table ``guide[j]`` holds the first
interval whose right end exceeds ``lo + (j / size) (hi - lo)``, the left edge
of bucket ``j``. A lookup starts there and walks forward past the few ends
still below the value (and back, should rounding have put the value into the
next bucket). Inverse-CDF tables (ends in probability), rejection hats (ends
in cumulative area) and discrete distributions share this one pair.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._numba import jit

__all__ = ["build_guide", "guide_lookup", "walk_from"]


@jit
def build_guide(ends: NDArray[np.float64], lo: float, hi: float, size: int) -> NDArray[np.int64]:
    """Return the guide table of ``size`` buckets over ``[lo, hi]``.

    ``guide[j]`` is the first ``i`` with ``ends[i] > lo + (j / size) * (hi - lo)``,
    or ``m - 1`` when there is none.
    """
    m = ends.shape[0]
    guide = np.empty(size, dtype=np.int64)
    i = 0
    for j in range(size):
        level = lo + (j / size) * (hi - lo)
        while i < m - 1 and ends[i] <= level:
            i += 1
        guide[j] = i
    return guide


@jit
def guide_lookup(ends: NDArray[np.float64], guide: NDArray[np.int64], q: float, v: float) -> int:
    """Return the first ``i`` with ``ends[i] > v`` (``m - 1`` if none).

    ``q`` is ``v``'s position in ``[lo, hi]`` as a fraction in ``[0, 1]``,
    which picks the bucket.
    """
    size = guide.shape[0]
    return walk_from(ends, guide[min(max(int(q * size), 0), size - 1)], v)


@jit
def walk_from(ends: NDArray[np.float64], i: int, v: float) -> int:
    """Return the first ``k`` with ``ends[k] > v`` (``m - 1`` if none), walking from ``i``."""
    m = ends.shape[0]
    while i < m - 1 and ends[i] <= v:
        i += 1
    while i > 0 and ends[i - 1] > v:
        i -= 1
    return i
