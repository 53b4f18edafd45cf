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

__all__ = ["pdf_evaluator", "propose_candidates"]


@jit
def propose_candidates(
    u, cum_area, guide, kind, left, width, rate, hat, squeeze, x, y, hat_x, need
):
    """Turn uniforms ``u`` (m, 3) into candidates under the hat.

    The piece is the first ``i`` with ``cum_area[i] > u[:, 0] * total``, found
    through the guide table built by `stochgen._kernels.guide.build_guide` over
    ``[0, total]``, in O(1) expected steps. Writes the candidate ``x``,
    its height ``y = u[:, 2] * hat(x)``, ``hat(x)``, and ``need`` (True where
    ``y`` lies above the squeeze, so the pdf decides).
    """
    total = cum_area[cum_area.shape[0] - 1]
    for k in range(u.shape[0]):
        i = guide_lookup(cum_area, guide, u[k, 0], u[k, 0] * total)
        if kind[i] == 0:
            xk = left[i] + u[k, 1] * width[i]
            hk = hat[i]
        elif kind[i] == 1:
            step = -np.log1p(-u[k, 1]) / rate[i]
            xk = left[i] + step
            hk = hat[i] * np.exp(-rate[i] * step)
        else:
            step = -np.log1p(-u[k, 1]) / rate[i]
            xk = left[i] - step
            hk = hat[i] * np.exp(-rate[i] * step)
        yk = u[k, 2] * hk
        x[k] = xk
        y[k] = yk
        hat_x[k] = hk
        need[k] = yk > squeeze[i]


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
