"""Kernels of the tabulated inverse CDF: interval search and Newton-form evaluation.

The table holds, for each interval ``i`` of the unit interval, its left end
``breaks[i]`` and the nodes and Newton coefficients of a polynomial
``x = P_i(u)``, interleaved in ``table[i] = (u_0, c_0, u_1, c_1, ...)`` so that
one interval's data share cache lines. A guide table (Chen and Asau, 1974)
maps ``floor(u * len(guide))`` to the first candidate interval, so the search
takes O(1) steps on average.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._numba import jit

__all__ = ["build_guide", "evaluate_inverse"]


@jit
def build_guide(breaks: NDArray[np.float64], size: int) -> NDArray[np.int64]:
    """Return ``guide[j]`` = the last interval whose left end is <= ``j / size``.

    ``breaks`` holds the ``m + 1`` interval ends, increasing.
    """
    m = breaks.size - 1
    guide = np.empty(size, dtype=np.int64)
    i = 0
    for j in range(size):
        target = j / size
        while i < m - 1 and breaks[i + 1] <= target:
            i += 1
        guide[j] = i
    return guide


@jit
def evaluate_inverse(
    u: NDArray[np.float64],
    breaks: NDArray[np.float64],
    table: NDArray[np.float64],
    guide: NDArray[np.int64],
    out: NDArray[np.float64],
) -> None:
    """Write ``P_i(u)`` for each ``u`` into ``out`` (``out`` may be ``u`` itself).

    Each row of ``table`` holds six nodes and six Newton coefficients
    (degree 5), unrolled below because a fixed-length Horner chain runs about
    twice as fast as a loop. Values of ``u`` outside
    ``[breaks[0], breaks[-1]]`` are clamped to it.
    """
    m = breaks.size - 1
    size = guide.size
    lo = breaks[0]
    hi = breaks[m]
    for t in range(u.size):
        v = min(max(u[t], lo), hi)
        j = min(int(v * size), size - 1)
        i = guide[j]
        while i < m - 1 and v >= breaks[i + 1]:
            i += 1
        p = table[i, 11]
        p = p * (v - table[i, 8]) + table[i, 9]
        p = p * (v - table[i, 6]) + table[i, 7]
        p = p * (v - table[i, 4]) + table[i, 5]
        p = p * (v - table[i, 2]) + table[i, 3]
        p = p * (v - table[i, 0]) + table[i, 1]
        out[t] = p
