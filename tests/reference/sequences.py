"""Plain-numpy twin of stochgen._kernels.sequences."""

import numpy as np


def var_recursion(base, lag_coef, chol, noise):
    n, steps, d = base.shape
    p = lag_coef.shape[0] - 1
    out = np.zeros((n, steps, d))
    for t in range(steps):
        k = min(t, p)
        z = base[:, t, :] + noise[:, t, :] @ np.tril(chol[k]).T
        for j in range(k):
            z = z + out[:, t - 1 - j, :] @ lag_coef[k, j].T
        out[:, t, :] = z
    return out
