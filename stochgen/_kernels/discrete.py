"""Kernels for discrete sampling: the alias method and guide-table search.

Alias method: Walker (1977), with the numerically stable set-up of Vose (1991).
Guide table: Chen and Asau (1974). Uniforms are passed in, so every kernel is
deterministic.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.guide import build_guide, guide_lookup
from stochgen._numba import jit

__all__ = ["alias_lookup", "alias_setup", "guide_search", "build_cdf_guide"]


@jit
def alias_setup(probs: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Return Vose's alias table ``(accept, alias)`` for probabilities summing to 1."""
    k = probs.size
    scaled = probs * k
    accept = np.ones(k)
    alias = np.arange(k)
    small = np.empty(k, dtype=np.int64)
    large = np.empty(k, dtype=np.int64)
    n_small = 0
    n_large = 0
    for i in range(k):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        n_large -= 1
        g = large[n_large]
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small[n_small] = g
            n_small += 1
        else:
            large[n_large] = g
            n_large += 1
    # Left-overs hold probability 1 up to rounding (Vose, 1991).
    return accept, alias


@jit
def alias_lookup(
    u: NDArray[np.float64], accept: NDArray[np.float64], alias: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Map uniforms to category indices: column ``floor(u k)``, then accept or alias."""
    k = accept.size
    out = np.empty(u.size, dtype=np.int64)
    for t in range(u.size):
        scaled = u[t] * k
        i = int(scaled)
        if i >= k:
            i = k - 1
        if scaled - i < accept[i]:
            out[t] = i
        else:
            out[t] = alias[i]
    return out


@jit
def build_cdf_guide(cum: NDArray[np.float64], size: int) -> NDArray[np.int64]:
    """Return ``guide[j]`` = the first index ``i`` with ``cum[i] > j / size``."""
    return build_guide(cum, 0.0, 1.0, size)


@jit
def guide_search(
    u: NDArray[np.float64], cum: NDArray[np.float64], guide: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Return the first index ``i`` with ``u < cum[i]`` (the last index if none)."""
    out = np.empty(u.size, dtype=np.int64)
    for t in range(u.size):
        out[t] = guide_lookup(cum, guide, u[t], u[t])
    return out
