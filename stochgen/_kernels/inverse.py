"""Kernels of the tabulated inverse CDF: interval search and Newton-form evaluation.

The table holds, for each interval ``i`` of the unit interval, its left end
``breaks[i]`` and a row ``table[i] = (u_0, a_0, ..., a_5, 0)`` of eight numbers
(one 64-byte cache line) for the polynomial
``x = P_i(u) = sum_k a_k (u - u_0)**k``. A guide table (Chen and Asau 1974;
`stochgen._kernels.guide`, built over the right ends ``breaks[1:]`` on
``[0, 1]``, its pure buckets marked by `mark_pure_buckets`) maps ``u`` to
its interval, in nearly every case without a comparison.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.guide import walk_from
from stochgen._kernels.pcg64 import next_double
from stochgen._numba import jit

__all__ = ["evaluate_inverse", "fill_inverse", "mark_pure_buckets"]

_CHUNK = 1024


@jit
def mark_pure_buckets(ends: NDArray[np.float64], guide: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return ``guide`` with the buckets that hold an interval end negated.

    ``guide`` is `stochgen._kernels.guide.build_guide` over ``ends`` on
    ``[0, 1]``. Where bucket ``j`` lies inside one interval (no end within it,
    nor within a millionth of a bucket of its edges), every ``u`` in it belongs
    to interval ``guide[j]``, found with no comparison; elsewhere the entry
    becomes ``-guide[j] - 1`` and `evaluate_inverse` walks from there
    (`stochgen._kernels.guide.walk_from`). With 32 buckets per interval, about
    97% of buckets are pure.
    """
    size = guide.shape[0]
    out = guide.copy()
    tol = 1e-6 / size
    for j in range(size):
        g = guide[j]
        lo = j / size
        hi = (j + 1) / size
        if not (ends[g] > hi + tol and (g == 0 or ends[g - 1] < lo - tol)):
            out[j] = -g - 1
    return out


@jit
def evaluate_inverse(
    u: NDArray[np.float64],
    breaks: NDArray[np.float64],
    table: NDArray[np.float64],
    guide: NDArray[np.int64],
    out: NDArray[np.float64],
) -> None:
    """Write ``P_i(u)`` for each ``u`` into ``out`` (``out`` may be ``u`` itself).

    ``guide`` comes from `mark_pure_buckets`: in a pure bucket the interval is
    read off the table, which removes the search's dependent loads and
    branches from nearly every draw. Values go in chunks of 1,024 through two
    loops, the interval search and then the polynomials, so that the second,
    free of branches, overlaps its loads. The degree-5 polynomial is evaluated
    by Estrin's scheme, whose dependency chain is half as long as Horner's.
    Values of ``u`` outside ``[breaks[0], breaks[-1]]`` are clamped to it.
    """
    m = breaks.size - 1
    ends = breaks[1:]
    lo = breaks[0]
    hi = breaks[m]
    size = guide.shape[0]
    index = np.empty(_CHUNK, dtype=np.int64)
    for start in range(0, u.size, _CHUNK):
        stop = min(start + _CHUNK, u.size)
        for t in range(start, stop):
            v = min(max(u[t], lo), hi)
            i = guide[min(max(int(v * size), 0), size - 1)]
            if i < 0:
                i = walk_from(ends, -i - 1, v)
            index[t - start] = i
        for t in range(start, stop):
            v = min(max(u[t], lo), hi)
            row = table[index[t - start]]
            d = v - row[0]
            d2 = d * d
            out[t] = (row[1] + row[2] * d) + d2 * (
                (row[3] + row[4] * d) + d2 * (row[5] + row[6] * d)
            )


# The two loops are written out again rather than shared through inlined
# helpers: with numba's IR inlining both kernels ran at half speed (measured).
@jit
def fill_inverse(
    states: NDArray[np.uint64],
    breaks: NDArray[np.float64],
    table: NDArray[np.float64],
    guide: NDArray[np.int64],
    out: NDArray[np.float64],
    block_rows: int,
) -> None:
    """Fill ``out`` block by block with ``P_i(u)`` of each block's own uniforms.

    Block ``b`` (rows ``b * block_rows`` on) draws its uniforms from the
    PCG64 state ``states[b]`` (`stochgen._kernels.pcg64`, advanced in place):
    the values of ``Generator(PCG64(seq_b)).random(out=block)`` followed by
    `evaluate_inverse`, but the uniforms are drawn inline, never go through
    memory, and no generator object is made per block. In each chunk they
    are drawn, clamped and located in one loop and turned into values in the
    next.
    """
    m = breaks.size - 1
    ends = breaks[1:]
    lo = breaks[0]
    hi = breaks[m]
    size = guide.shape[0]
    index = np.empty(_CHUNK, dtype=np.int64)
    values = np.empty(_CHUNK)
    for b in range(states.shape[0]):
        state = states[b]
        first = b * block_rows
        last = min(first + block_rows, out.size)
        for start in range(first, last, _CHUNK):
            count = min(_CHUNK, last - start)
            for t in range(count):
                v = min(max(next_double(state), lo), hi)
                values[t] = v
                i = guide[min(max(int(v * size), 0), size - 1)]
                if i < 0:
                    i = walk_from(ends, -i - 1, v)
                index[t] = i
            for t in range(count):
                v = values[t]
                row = table[index[t]]
                d = v - row[0]
                d2 = d * d
                out[start + t] = (row[1] + row[2] * d) + d2 * (
                    (row[3] + row[4] * d) + d2 * (row[5] + row[6] * d)
                )
