"""Kernels for table sampling: latent normal scores to column values."""

from __future__ import annotations

import math

from stochgen._numba import jit

__all__ = ["quantiles_from_normal"]

_SQRT_HALF = math.sqrt(0.5)


# Serial and nogil: the synthesizer runs blocks in threads, and numba's default
# threading layer must not be entered from several threads at once.
@jit
def quantiles_from_normal(z, knots_q, knots_x, guide, out):  # pragma: no cover - jitted
    """Write ``interp(Phi(z), knots_q, knots_x)`` into ``out``.

    ``knots_q`` must be non-decreasing; below its first knot the first value is
    returned, above its last the last, as `numpy.interp` does; NaN gives NaN.
    ``guide[j]`` is the last knot index with ``knots_q <= j / (len(guide) - 1)``
    (a guide table: the search for ``q`` starts between ``guide[j]`` and
    ``guide[j + 1]``, ``j = floor(q * (len(guide) - 1))``).
    """
    n_knots = knots_q.shape[0]
    buckets = guide.shape[0] - 1
    for i in range(z.shape[0]):
        zi = z[i]
        if math.isnan(zi):
            out[i] = math.nan
            continue
        q = 0.5 * math.erfc(-zi * _SQRT_HALF)
        if q <= knots_q[0]:
            out[i] = knots_x[0]
            continue
        if q >= knots_q[n_knots - 1]:
            out[i] = knots_x[n_knots - 1]
            continue
        j = min(int(q * buckets), buckets - 1)
        lo = max(guide[j], 0)
        hi = min(guide[j + 1] + 1, n_knots - 1)
        if knots_q[hi] <= q:
            hi = n_knots - 1
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if knots_q[mid] <= q:
                lo = mid
            else:
                hi = mid
        # numpy.interp's arithmetic, so the two agree to rounding.
        width = knots_q[hi] - knots_q[lo]
        if width > 0.0:
            slope = (knots_x[hi] - knots_x[lo]) / width
            out[i] = slope * (q - knots_q[lo]) + knots_x[lo]
        else:
            out[i] = knots_x[hi]
