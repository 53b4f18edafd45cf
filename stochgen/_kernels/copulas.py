"""Kendall's tau (tau-b) for every pair of columns, in O(n log n) per pair.

Knight's (1966) algorithm, as in `scipy.stats.kendalltau`: sort by the first
column (ties broken by the second), count discordant pairs as the swaps of a
merge sort of the second column, and correct for ties in either column.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from stochgen._numba import parallel_jit

__all__ = ["kendall_tau_matrix"]


@parallel_jit
def kendall_tau_matrix(x: np.ndarray) -> np.ndarray:
    """Kendall's tau-b of every pair of columns of ``x`` (n, d); NaN for a constant column."""
    n, d = x.shape
    orders = np.empty((d, n), dtype=np.int64)
    for j in range(d):
        orders[j] = np.argsort(x[:, j], kind="mergesort")
    n_pairs = d * (d - 1) // 2
    first = np.empty(n_pairs, dtype=np.int64)
    second = np.empty(n_pairs, dtype=np.int64)
    k = 0
    for i in range(d):
        for j in range(i + 1, d):
            first[k] = i
            second[k] = j
            k += 1
    tau = np.eye(d)
    total = n * (n - 1.0) / 2.0
    for p in numba.prange(n_pairs):
        i = first[p]
        j = second[p]
        order = orders[i]
        xs = np.empty(n)
        ys = np.empty(n)
        for r in range(n):
            xs[r] = x[order[r], i]
            ys[r] = x[order[r], j]
        ties_x = 0.0
        ties_xy = 0.0
        start = 0
        for r in range(1, n + 1):
            if r == n or xs[r] != xs[start]:
                run = r - start
                if run > 1:
                    ties_x += run * (run - 1.0) / 2.0
                    ys[start:r] = np.sort(ys[start:r])
                    s2 = start
                    for q in range(start + 1, r + 1):
                        if q == r or ys[q] != ys[s2]:
                            m = q - s2
                            ties_xy += m * (m - 1.0) / 2.0
                            s2 = q
                start = r
        swaps = 0.0
        buf = np.empty(n)
        src = ys
        dst = buf
        width = 1
        while width < n:
            for lo in range(0, n, 2 * width):
                mid = min(lo + width, n)
                hi = min(lo + 2 * width, n)
                a = lo
                b = mid
                c = lo
                while a < mid and b < hi:
                    if src[a] <= src[b]:
                        dst[c] = src[a]
                        a += 1
                    else:
                        dst[c] = src[b]
                        swaps += mid - a
                        b += 1
                    c += 1
                while a < mid:
                    dst[c] = src[a]
                    a += 1
                    c += 1
                while b < hi:
                    dst[c] = src[b]
                    b += 1
                    c += 1
            src, dst = dst, src
            width *= 2
        ties_y = 0.0
        start = 0
        for r in range(1, n + 1):
            if r == n or src[r] != src[start]:
                run = r - start
                ties_y += run * (run - 1.0) / 2.0
                start = r
        num = total - ties_x - ties_y + ties_xy - 2.0 * swaps
        value = num / math.sqrt((total - ties_x) * (total - ties_y))
        tau[i, j] = value
        tau[j, i] = value
    return tau
