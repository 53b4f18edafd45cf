"""Plain-numpy twins of stochgen._kernels.archimedean (same formulas, vectorized)."""

from __future__ import annotations

import numpy as np


def _log_sum_pow_m1(a, b):
    m = np.maximum(a, b)
    return m + np.log(np.exp(a - m) + np.exp(b - m) - np.exp(-m))


def logpdf(family, theta, u, v):
    if family == 1:
        lu, lv = np.log(u), np.log(v)
        la = _log_sum_pow_m1(-theta * lu, -theta * lv)
        return np.log1p(theta) - (1 + theta) * (lu + lv) - (2 + 1 / theta) * la
    if family == 2:
        g = np.expm1(theta * v) - np.exp(theta * u) * np.expm1(theta * (v - 1))
        return np.log(-theta * np.expm1(-theta)) + theta * (u + v) - 2 * np.log(np.abs(g))
    if family == 3:
        x, y = -np.log(u), -np.log(v)
        lx, ly = np.log(x), np.log(y)
        m = np.maximum(lx, ly)
        la = theta * m + np.log(np.exp(theta * (lx - m)) + np.exp(theta * (ly - m)))
        s = np.exp(la / theta)
        return -s + x + y + (theta - 1) * (lx + ly) + (1 / theta - 2) * la + np.log(s + theta - 1)
    lbu, lbv = np.log1p(-u), np.log1p(-v)
    a, b = np.exp(theta * lbu), np.exp(theta * lbv)
    s = a + b - a * b
    return (1 / theta - 2) * np.log(s) + (theta - 1) * (lbu + lbv) + np.log(theta - 1 + s)


def cdf(family, theta, u, v):
    if family == 1:
        return np.exp(-_log_sum_pow_m1(-theta * np.log(u), -theta * np.log(v)) / theta)
    if family == 2:
        g = np.expm1(theta * v) - np.exp(theta * u) * np.expm1(theta * (v - 1))
        return (u + v) - np.log(g / -np.expm1(-theta)) / theta
    if family == 3:
        return np.exp(-(((-np.log(u)) ** theta + (-np.log(v)) ** theta) ** (1 / theta)))
    a, b = (1 - u) ** theta, (1 - v) ** theta
    return 1 - (a + b - a * b) ** (1 / theta)


def hfunc(family, theta, x, c):
    if family == 1:
        lc = np.log(c)
        la = _log_sum_pow_m1(-theta * lc, -theta * np.log(x))
        return np.exp(-(theta + 1) * lc - (1 + 1 / theta) * la)
    if family == 2:
        ex = np.expm1(theta * x)
        return ex / (ex - np.exp(theta * c) * np.expm1(theta * (x - 1)))
    if family == 3:
        a, b = -np.log(c), -np.log(x)
        la_, lb = np.log(a), np.log(b)
        m = np.maximum(la_, lb)
        la = theta * m + np.log(np.exp(theta * (la_ - m)) + np.exp(theta * (lb - m)))
        s = np.exp(la / theta)
        return np.exp(-s + a + (theta - 1) * la_ + (1 / theta - 1) * la)
    lbc = np.log1p(-c)
    a, b = np.exp(theta * lbc), np.exp(theta * np.log1p(-x))
    s = a + b - a * b
    return np.exp((1 / theta - 1) * np.log(s) + (theta - 1) * lbc) * (1 - b)


def hinv_closed_form(family, theta, p, c):
    """Clayton and Frank inverse h-functions (closed forms)."""
    if family == 1:
        t = -theta * np.log(c) + np.log(np.expm1(-theta / (1 + theta) * np.log(p)))
        return np.exp(-np.logaddexp(0.0, t) / theta)
    if theta < 0:
        w = p * np.expm1(-theta) / (np.exp(-theta * c) - p * np.expm1(-theta * c))
        return np.clip(-np.log1p(w) / theta, 0.0, 1.0)
    a = p * np.exp(theta * c) * np.expm1(-theta) / (p - 1 - p * np.exp(theta * (c - 1)))
    return np.clip(np.log1p(np.maximum(a, -1.0)) / theta, 0.0, 1.0)


def clayton_derivative_sums(hi, lo, x, s):
    inv = 1.0 / s
    lx = lo * x
    r1 = (hi + lx) * inv
    r2 = (hi * hi + lo * lx) * inv
    r3 = (hi * hi * hi + lo * lo * lx) * inv
    terms = (r1, r2 - r1 * r1, r3 - 3.0 * r2 * r1 + 2.0 * r1 * r1 * r1)
    # Summed left to right, in the kernel's order: the third sum cancels heavily.
    return tuple(np.cumsum(t)[-1] for t in terms)


def sibuya_from_uniform(alpha, w):
    """Sibuya draws by inversion: smallest k with 1 - F(k) <= 1 - w (exact search)."""
    from scipy.special import gammaln

    out = np.empty(w.shape[0])
    for i, wi in enumerate(w):
        k = 1
        while gammaln(k + 1 - alpha) - gammaln(k + 1) - gammaln(1 - alpha) > np.log1p(-wi):
            k += 1
        out[i] = k
    return out


def logseries_from_log1mp(log1mp, rng, n):
    """Kemp's LK algorithm, one scalar draw at a time in the kernel's order."""
    p = -np.expm1(log1mp)
    out = np.empty(n)
    for i in range(n):
        while True:
            v = rng.random()
            if v >= p:
                out[i] = 1.0
                break
            t = log1mp * rng.random()
            q = -np.expm1(t)
            if v <= q * q:
                # log q as log1p(-e^t): exact even where q rounds to 1 (large theta).
                k = np.floor(1.0 + np.log(v) / np.log1p(-np.exp(t)))
                if k < 1.0 or v == 0.0:
                    continue
                out[i] = k
                break
            out[i] = 1.0 if v >= q else 2.0
            break
    return out
