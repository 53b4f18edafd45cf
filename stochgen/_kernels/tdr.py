"""Transformed density rejection kernels (Hörmann 1995), with ``T(f) = -1/sqrt(f)``.

The hat is made of pieces, two per design point ``p``: one going left of
``p`` and one going right, each ``width`` long (``inf`` for an unbounded
tail). On a piece, with ``s >= 0`` the distance from ``p`` in the piece's
``direction`` (-1 or 1), the hat is ``1 / (hat_a + hat_b s)**2`` (the
tangent of ``T(f)`` at ``p``, mapped back) and the squeeze is
``1 / (sq_a + sq_c s)**2`` (the secant of ``T(f)`` to the neighbouring design
point); ``sq_c`` is NaN where there is no squeeze (the outermost pieces'
outer sides). Both lines are negative on the piece. The hat's area on
``[0, s]`` is ``s / (a (a + b s))``, so a piece is sampled by inversion in
closed form, without exp or log: ``s = A a**2 / (1 - a b A)`` for area ``A``.

`fill` draws two uniforms per candidate from a Generator and writes
squeeze-accepted and pending candidates straight into the output; its numpy
twin in ``tests/reference/tdr.py`` draws the same uniforms with
``rng.random((m, 2))``.
"""

from __future__ import annotations

import numpy as np

from stochgen._kernels.guide import guide_lookup
from stochgen._numba import jit

__all__ = ["fill", "piece_areas"]

_LAST = 1.0 - 2.0**-53


@jit
def piece_areas(a, b, width):
    """Area of ``1 / (a + b s)**2`` over ``[0, width]`` (``width`` may be inf, then b < 0)."""
    area = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        if np.isinf(width[i]):
            area[i] = 1.0 / (a[i] * b[i])
        else:
            area[i] = width[i] / (a[i] * (a[i] + b[i] * width[i]))
    return area


@jit
def fill(
    rng,
    m,
    out,
    filled,
    cum,
    guide,
    anchor,
    direction,
    width,
    hat_a,
    hat_b,
    sq_a,
    sq_c,
    pending_at,
    pending_y,
    pending_hat,
):
    """Draw at most ``m`` candidates from ``rng`` into ``out[filled:]``.

    Each candidate takes ``rng.random()`` twice, ``u0`` then ``u1`` (the same
    stream as ``rng.random((m, 2))``). The piece is the first ``i`` with
    ``cum[i] > u0 * total``, found through the guide table of
    `stochgen._kernels.guide.build_guide` over ``[0, total]``; the remainder
    of ``u0 * total`` inside that piece's area is recycled as the area up to
    the candidate. Its height is ``y = u1 * hat(x)``. Candidates under the
    squeeze and pending ones are both written to ``out`` in order; a pending
    one's index, ``y`` and ``hat(x)`` go to ``pending_*``, for the caller to
    decide with the pdf and then remove the rejected ones with
    `stochgen._kernels.rejection.drop_rejected`. Stops when ``out`` or the
    pending buffers are full.

    Returns
    -------
    tuple of int
        ``(filled, used, n_pending)``.
    """
    n = out.shape[0]
    capacity = pending_at.shape[0]
    total = cum[cum.shape[0] - 1]
    n_pending = 0
    used = 0
    while used < m and filled < n and n_pending < capacity:
        u0 = rng.random()
        u1 = rng.random()
        used += 1
        # Inline, not a helper taking the nine arrays: each such call costs
        # their reference counts, which was most of the time per candidate.
        target = u0 * total
        i = guide_lookup(cum, guide, u0, target)
        below = cum[i - 1] if i > 0 else 0.0
        part = min(max(target - below, 0.0), _LAST * (cum[i] - below))
        a = hat_a[i]
        b = hat_b[i]
        s = min(part * a * a / (1.0 - a * b * part), width[i])
        line = a + b * s
        q = sq_a[i] + sq_c[i] * s
        # u1 hat(x) <= squeeze(x), as u1 q**2 <= line**2 without a division;
        # False when sq_c is NaN (no squeeze).
        if not u1 * q * q <= line * line:
            hat = 1.0 / (line * line)
            pending_at[n_pending] = filled
            pending_y[n_pending] = u1 * hat
            pending_hat[n_pending] = hat
            n_pending += 1
        out[filled] = anchor[i] + direction[i] * s
        filled += 1
    return filled, used, n_pending
