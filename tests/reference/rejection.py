"""Plain-numpy twin of stochgen._kernels.rejection.fill: the candidates it writes, from uniforms."""

from __future__ import annotations

import numpy as np


def propose_candidates(u, cum_area, guide, kind, left, width, rate, hat, squeeze):
    total = cum_area[-1]
    target = u[:, 0] * total
    i = np.minimum(np.searchsorted(cum_area, target, side="right"), cum_area.size - 1)
    below = np.where(i > 0, cum_area[np.maximum(i - 1, 0)], 0.0)
    v = np.clip((target - below) / (cum_area[i] - below), 0.0, 1.0 - 2.0**-53)
    x = np.empty(u.shape[0])
    hat_x = np.empty(u.shape[0])
    const = kind[i] == 0
    x[const] = left[i[const]] + v[const] * width[i[const]]
    hat_x[const] = hat[i[const]]
    tail = ~const
    step = -np.log1p(-v[tail]) / rate[i[tail]]
    x[tail] = np.where(kind[i[tail]] == 1, left[i[tail]] + step, left[i[tail]] - step)
    hat_x[tail] = hat[i[tail]] * np.exp(-rate[i[tail]] * step)
    y = u[:, 1] * hat_x
    return x, y, np.where(y <= squeeze[i], 1, 2).astype(np.int8)
