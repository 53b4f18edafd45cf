"""Rejection-sampling kernels: candidates under a piecewise hat, and pdf batches.

The hat is a list of pieces: constant pieces ``[left, left + width)`` with
height ``hat`` and squeeze ``squeeze``, and at most two exponential tails
(``kind`` -1: ``hat * exp(rate * (x - left))`` for ``x < left``; ``kind`` 1:
``hat * exp(-rate * (x - left))`` for ``x > left``). `fill` draws its
uniforms from a Generator; its numpy twin in ``tests/reference/rejection.py``
reads the same uniforms from ``rng.random((m, 2))``. `drop_rejected` serves
this kernel and the TDR one (`stochgen._kernels.tdr`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._kernels.guide import guide_lookup
from stochgen._numba import jit

__all__ = ["drop_rejected", "fill", "pdf_evaluator"]

_LAST = 1.0 - 2.0**-53


@jit
def fill(
    rng,
    m,
    out,
    filled,
    cum_area,
    guide,
    kind,
    left,
    width,
    rate,
    hat,
    squeeze,
    pending_at,
    pending_y,
    pending_hat,
):
    """Draw at most ``m`` candidates under the piecewise hat into ``out[filled:]``.

    Each candidate takes ``rng.random()`` twice, ``u0`` then ``u1`` (the same
    stream as ``rng.random((m, 2))``). The piece is the first ``i`` with
    ``cum_area[i] > u0 * total``, found through the guide table built by
    `stochgen._kernels.guide.build_guide` over ``[0, total]``, in O(1)
    expected steps; where ``u0 * total`` falls inside that piece's share of
    the area is a fresh uniform, used for the position (two uniforms per
    candidate, not three). The height is ``y = u1 * hat(x)``. Candidates under
    the squeeze and pending ones (the pdf decides) are both written to
    ``out`` in order; a pending one's index, ``y`` and ``hat(x)`` go to
    ``pending_*``, for the caller to decide with the pdf and then remove the
    rejected ones with `drop_rejected`. Stops when ``out`` or the pending
    buffers are full.

    Returns
    -------
    tuple of int
        ``(filled, used, n_pending)``.
    """
    n = out.shape[0]
    capacity = pending_at.shape[0]
    total = cum_area[cum_area.shape[0] - 1]
    n_pending = 0
    used = 0
    while used < m and filled < n and n_pending < capacity:
        u0 = rng.random()
        u1 = rng.random()
        used += 1
        target = u0 * total
        i = guide_lookup(cum_area, guide, u0, target)
        below = cum_area[i - 1] if i > 0 else 0.0
        v = min(max((target - below) / (cum_area[i] - below), 0.0), _LAST)
        if kind[i] == 0:
            xk = left[i] + v * width[i]
            hk = hat[i]
        else:
            step = -np.log1p(-v) / rate[i]
            xk = left[i] + step if kind[i] == 1 else left[i] - step
            hk = hat[i] * np.exp(-rate[i] * step)
        yk = u1 * hk
        if yk > squeeze[i]:
            pending_at[n_pending] = filled
            pending_y[n_pending] = yk
            pending_hat[n_pending] = hk
            n_pending += 1
        out[filled] = xk
        filled += 1
    return filled, used, n_pending


@jit
def drop_rejected(out, filled, pending_at, rejected, n_pending):
    """Remove ``out[pending_at[j]]`` where ``rejected[j]``, keeping the order.

    Returns the new fill level.
    """
    if n_pending == 0:
        return filled
    write = pending_at[0]
    read = pending_at[0]
    j = 0
    while read < filled:
        if j < n_pending and pending_at[j] == read:
            keep = not rejected[j]
            j += 1
        else:
            keep = True
        if keep:
            out[write] = out[read]
            write += 1
        read += 1
    return write


# Like the Metropolis chain loop, this loop calls a user's numba function and so
# is built per function (memoised) and not cached on disk.
@functools.lru_cache(maxsize=32)
def pdf_evaluator(pdf: Callable) -> Callable:
    """Return a compiled loop evaluating a scalar numba ``pdf`` over an array.

    Parameters
    ----------
    pdf : numba dispatcher
        ``float64 -> float64``.

    Returns
    -------
    callable
        ``evaluate(x) -> numpy.ndarray``.
    """

    @numba.njit(nogil=True, error_model="numpy")
    def evaluate(x):
        out = np.empty(x.shape[0])
        for k in range(x.shape[0]):
            out[k] = pdf(x[k])
        return out

    return evaluate
