"""Rejection-sampling kernels: candidates under a piecewise hat, and pdf batches.

The hat is a list of pieces: constant pieces ``[left, left + width)`` with
height ``hat`` and squeeze ``squeeze``, and at most two exponential tails
(``kind`` -1: ``hat * exp(rate * (x - left))`` for ``x < left``; ``kind`` 1:
``hat * exp(-rate * (x - left))`` for ``x > left``). Uniforms are pre-drawn,
so `propose_candidates` is a pure function, equal to its numpy twin in
``tests/reference/rejection.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._kernels.guide import guide_lookup
from stochgen._numba import jit

__all__ = [
    "ACCEPTED",
    "PENDING",
    "REJECTED",
    "collect_accepted",
    "pdf_evaluator",
    "propose_candidates",
]


#: Candidate status written by `propose_candidates`.
REJECTED = 0
ACCEPTED = 1
PENDING = 2


@jit
def propose_candidates(u, cum_area, guide, kind, left, width, rate, hat, squeeze, x, y, status):
    """Turn uniforms ``u`` (m, 2) into candidates under the hat.

    The piece is the first ``i`` with ``cum_area[i] > u[:, 0] * total``, found
    through the guide table built by `stochgen._kernels.guide.build_guide` over
    ``[0, total]``, in O(1) expected steps; where ``u[:, 0] * total`` falls
    inside that piece's share of the area is a fresh uniform, used for the
    position (the uniform is recycled: two uniforms per candidate, not three).
    Writes the candidate ``x``, its height ``y = u[:, 1] * hat(x)`` and
    ``status``: `ACCEPTED` where ``y`` lies under the squeeze, else `PENDING`
    (the pdf decides). Returns ``hat(x)`` of the last candidate (unused).
    """
    total = cum_area[cum_area.shape[0] - 1]
    last = 1.0 - 2.0**-53
    for k in range(u.shape[0]):
        target = u[k, 0] * total
        i = guide_lookup(cum_area, guide, u[k, 0], target)
        below = cum_area[i - 1] if i > 0 else 0.0
        v = min(max((target - below) / (cum_area[i] - below), 0.0), last)
        if kind[i] == 0:
            xk = left[i] + v * width[i]
            hk = hat[i]
        else:
            step = -np.log1p(-v) / rate[i]
            xk = left[i] + step if kind[i] == 1 else left[i] - step
            hk = hat[i] * np.exp(-rate[i] * step)
        yk = u[k, 1] * hk
        x[k] = xk
        y[k] = yk
        status[k] = ACCEPTED if yk <= squeeze[i] else PENDING


@jit
def collect_accepted(x, status, out, filled):
    """Copy accepted candidates, in order, into ``out[filled:]`` until it is full.

    Returns ``(filled, used)``: the new fill level and the number of candidates
    looked at (the last one copied is ``used - 1`` when ``out`` became full).
    """
    n = out.shape[0]
    used = 0
    for k in range(x.shape[0]):
        if filled >= n:
            break
        used = k + 1
        if status[k] == ACCEPTED:
            out[filled] = x[k]
            filled += 1
    return filled, used


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
