"""The vector autoregression recursion on latent scores, for many sequences at once.

Step ``t`` of a sequence uses the model with ``k = min(t, p)`` lags:
``z[t] = base[t] + sum_j lag_coef[k, j] @ z[t - 1 - j] + chol[k] @ noise[t]``,
so the first steps of a sequence follow the models fitted with the lags they
have (Lütkepohl 2005, ch. 3: the pre-sample values are not needed).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._numba import jit

__all__ = ["var_recursion"]


@jit
def var_recursion(
    base: NDArray[np.float64],
    lag_coef: NDArray[np.float64],
    chol: NDArray[np.float64],
    noise: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """Fill ``out`` (n, T, d) with the recursion, from pre-drawn standard normals.

    ``base`` (n, T, d) holds each step's deterministic part (intercept,
    context, trend); ``lag_coef`` (p + 1, p, d, d) the lag matrices of the
    model with ``k`` lags in ``lag_coef[k, :k]``; ``chol`` (p + 1, d, d) the
    lower Cholesky factors of the models' noise covariances; ``noise``
    (n, T, d) standard normals.
    """
    n, steps, d = base.shape
    p = lag_coef.shape[0] - 1
    for s in range(n):
        for t in range(steps):
            k = min(t, p)
            for i in range(d):
                acc = base[s, t, i]
                for j in range(k):
                    for m in range(d):
                        acc += lag_coef[k, j, i, m] * out[s, t - 1 - j, m]
                for m in range(i + 1):
                    acc += chol[k, i, m] * noise[s, t, m]
                out[s, t, i] = acc
