"""Kernels of the tabulated inverse CDF: interval search and Newton-form evaluation.

The table holds, for each interval ``i`` of the unit interval, its left end
``breaks[i]`` and a row ``table[i] = (u_0, a_0, ..., a_5, 0)`` of eight numbers
(one 64-byte cache line) for the polynomial
``x = P_i(u) = sum_k a_k (u - u_0)**k``. A guide table (Chen and Asau, 1974)
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

    The degree-5 polynomial is evaluated by Estrin's scheme, whose dependency
    chain is half as long as Horner's. Values of ``u`` outside
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
        row = table[i]
        d = v - row[0]
        d2 = d * d
        out[t] = (row[1] + row[2] * d) + d2 * ((row[3] + row[4] * d) + d2 * (row[5] + row[6] * d))
