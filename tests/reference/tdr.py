"""Plain-numpy twins of stochgen._kernels.tdr."""

from __future__ import annotations

import numpy as np


def piece_areas(a, b, width):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isinf(width), 1.0 / (a * b), width / (a * (a + b * width)))


def fill(u, cum, guide, anchor, direction, width, hat_a, hat_b, sq_a, sq_c):
    """Candidates from uniforms ``u`` (m, 2): ``(x, pending_at, pending_y, pending_hat)``."""
    target = u[:, 0] * cum[-1]
    i = np.minimum(np.searchsorted(cum, target, side="right"), cum.size - 1)
    below = np.where(i > 0, cum[np.maximum(i - 1, 0)], 0.0)
    part = np.minimum(np.maximum(target - below, 0.0), (1.0 - 2.0**-53) * (cum[i] - below))
    a, b = hat_a[i], hat_b[i]
    s = np.minimum(part * a * a / (1.0 - a * b * part), width[i])
    line = a + b * s
    q = sq_a[i] + sq_c[i] * s
    pending = ~(u[:, 1] * q * q <= line * line)
    hat = 1.0 / line**2
    x = anchor[i] + direction[i] * s
    return x, np.flatnonzero(pending), (u[:, 1] * hat)[pending], hat[pending]


def drop_rejected(out, filled, pending_at, rejected):
    """Return ``out[:filled]`` without the rejected pending entries."""
    return np.delete(out[:filled], pending_at[rejected])
