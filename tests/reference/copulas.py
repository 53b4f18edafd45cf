"""Plain-numpy twin of stochgen._kernels.copulas: Kendall's tau-b by counting all pairs."""

from __future__ import annotations

import numpy as np


def kendall_tau_matrix(x):
    n, d = x.shape
    out = np.eye(d)
    iu = np.triu_indices(n, 1)
    for i in range(d):
        for j in range(i + 1, d):
            dx = np.sign(x[:, i][:, None] - x[:, i][None, :])[iu]
            dy = np.sign(x[:, j][:, None] - x[:, j][None, :])[iu]
            num = (dx * dy).sum()
            out[i, j] = out[j, i] = num / np.sqrt((dx != 0).sum() * (dy != 0).sum())
    return out
