"""Plain-numpy twins of stochgen._kernels.qmc (same formulas, vectorized)."""

from __future__ import annotations

import numpy as np

_A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
      13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
      33430.575583588128105, 2509.0809287301226727]  # fmt: skip
_B = [1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
      21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
      5226.495278852545925]  # fmt: skip
_C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
      3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
      0.0227238449892691845833, 7.7454501427834140764e-4]  # fmt: skip
_D = [1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
      0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
      1.05075007164441684324e-9]  # fmt: skip
_E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358,
      0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386,
      2.71155556874348757815e-5, 2.01033439929228813265e-7]  # fmt: skip
_F = [1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
      7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
      2.04426310338993978564e-15]  # fmt: skip


def _poly(coefs, r):
    out = np.zeros_like(r)
    for c in reversed(coefs):
        out = out * r + c
    return out


def ndtri(p):
    """Wichura's AS 241, vectorized."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    r = 0.180625 - q[central] ** 2
    out[central] = q[central] * _poly(_A, r) / _poly(_B, r)
    tail = ~central
    rr = np.where(q[tail] < 0, p[tail], 1 - p[tail])
    with np.errstate(divide="ignore"):
        s = np.sqrt(-np.log(rr))
    near = s <= 5.0
    val = np.where(
        near, _poly(_C, s - 1.6) / _poly(_D, s - 1.6), _poly(_E, s - 5) / _poly(_F, s - 5)
    )
    val = np.where(rr <= 0, np.inf, val)
    out[tail] = np.where(q[tail] < 0, -val, val)
    return out


def ndtri_table(lo=0.02, intervals=2048, degree=5):
    """Per interval of (lo, 1 - lo): powers-of-t coefficients of the Chebyshev interpolant."""
    m = degree + 1
    k = np.arange(m)
    nodes = np.cos(np.pi * (k + 0.5) / m)  # t in [-1, 1]
    width = (1 - 2 * lo) / intervals
    left = lo + width * np.arange(intervals)
    values = ndtri(left[:, None] + 0.5 * width * (1 + nodes[None, :]))  # (intervals, m)
    basis = np.cos(np.pi * np.outer(k, k + 0.5) / m)  # (j, node)
    series = values @ basis.T * np.where(k == 0, 1.0 / m, 2.0 / m)
    power = np.zeros((m, m))  # power[j, p]: coefficient of t**p in T_j
    for j in range(m):
        coefs = np.polynomial.chebyshev.cheb2poly(np.eye(m)[j])
        power[j, : coefs.size] = coefs
    return series @ power


def ndtri_fast(p, table, lo=0.02):
    """The interpolant inside (lo, 1 - lo), AS 241 outside."""
    p = np.asarray(p, dtype=float)
    out = ndtri(p)
    inside = (p > lo) & (p < 1 - lo)
    x = (p[inside] - lo) * (table.shape[0] / (1 - 2 * lo))
    k = np.minimum(x.astype(np.int64), table.shape[0] - 1)
    t = 2 * (x - k) - 1
    out[inside] = _poly(list(table[k].T), t)
    return out


def sobol_points(directions, shift, start, n, bits):
    """Point i = shift XOR the directions of the set bits of gray(i), at the cell centre."""
    index = np.arange(start, start + n, dtype=np.uint64)
    gray = index ^ (index >> np.uint64(1))
    state = np.tile(shift, (n, 1))
    for k in range(bits):
        on = ((gray >> np.uint64(k)) & np.uint64(1)).astype(bool)
        state[on] ^= directions[:, k]
    return (state.astype(float) + 0.5) / float(2**bits)


def correlated_normal_map(u, chol, kind, c0, c1, c2, table=None):
    """Rows (n, d) of the Gaussian-copula law; the kernel works on the transpose."""
    z = ndtri(u) if table is None else ndtri_fast(u, table)
    y = (z @ chol.T) * c2
    from scipy import special

    out = np.where(kind == 1, np.exp(y), np.where(kind == 2, special.ndtr(y), y))
    return c0 + c1 * out
