"""Kernels of the tabulated inverse CDF: interval search and Newton-form evaluation.

The table holds, for each interval ``i`` of the unit interval, its left end
``breaks[i]`` and a row ``table[i] = (u_0, a_0, ..., a_5, 0)`` of eight numbers
(one 64-byte cache line) for the polynomial
``x = P_i(u) = sum_k a_k (u - u_0)**k``. A guide table (Chen and Asau 1974;
`stochgen._kernels.guide`, built over the right ends ``breaks[1:]`` on
``[0, 1]``) maps ``u`` to its interval in O(1) expected steps.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.guide import guide_lookup
from stochgen._numba import jit

__all__ = ["evaluate_inverse"]


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
    ends = breaks[1:]
    lo = breaks[0]
    hi = breaks[m]
    for t in range(u.size):
        v = min(max(u[t], lo), hi)
        row = table[guide_lookup(ends, guide, v, v)]
        d = v - row[0]
        d2 = d * d
        out[t] = (row[1] + row[2] * d) + d2 * ((row[3] + row[4] * d) + d2 * (row[5] + row[6] * d))
