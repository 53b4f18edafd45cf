"""Plain-numpy twin of stochgen._kernels.rejection.propose_candidates."""

from __future__ import annotations

import numpy as np


def propose_candidates(u, cum_area, guide, kind, left, width, rate, hat, squeeze):
    total = cum_area[-1]
    i = np.minimum(np.searchsorted(cum_area, u[:, 0] * total, side="right"), cum_area.size - 1)
    x = np.empty(u.shape[0])
    hat_x = np.empty(u.shape[0])
    const = kind[i] == 0
    x[const] = left[i[const]] + u[const, 1] * width[i[const]]
    hat_x[const] = hat[i[const]]
    tail = ~const
    step = -np.log1p(-u[tail, 1]) / rate[i[tail]]
    x[tail] = left[i[tail]] + np.where(kind[i[tail]] == 1, step, -step)
    hat_x[tail] = hat[i[tail]] * np.exp(-rate[i[tail]] * step)
    y = u[:, 2] * hat_x
    return x, y, hat_x, y > squeeze[i]
