"""Bivariate Archimedean pair-copula kernels: log-density, cdf, h-function and its inverse.

Families are coded by an integer: 1 Clayton, 2 Frank, 3 Gumbel, 4 Joe. The
kernels work on the unrotated copula; rotations are applied by the caller by
reflecting arguments (Joe 2014, section 4.2). All four families are
exchangeable, so one h-function serves both conditioning directions:
``hfunc(x, c)`` is ``P(X <= x | C = c)``, the partial derivative of the copula
cdf with respect to the conditioning argument (Aas et al. 2009).

Formulas follow Joe (2014), sections 4.5 (Frank), 4.6 (Clayton), 4.7 (Joe),
4.8 (Gumbel), written in log space where powers overflow.
"""

from __future__ import annotations

import math

import numpy as np

from stochgen._numba import jit

__all__ = [
    "CLAYTON",
    "FRANK",
    "GUMBEL",
    "JOE",
    "archimedean_cdf",
    "archimedean_hfunc",
    "archimedean_hinv",
    "archimedean_logpdf",
    "clayton_derivative_sums",
    "sibuya_from_uniform",
]

CLAYTON = 1
FRANK = 2
GUMBEL = 3
JOE = 4


@jit
def _log_sum_pow_m1(a: float, b: float) -> float:
    # log(exp(a) + exp(b) - 1) for a, b >= 0 without overflow.
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m) - math.exp(-m))


@jit
def _logpdf_scalar(family: int, theta: float, u: float, v: float) -> float:
    if family == CLAYTON:
        lu = math.log(u)
        lv = math.log(v)
        la = _log_sum_pow_m1(-theta * lu, -theta * lv)
        return math.log1p(theta) - (1.0 + theta) * (lu + lv) - (2.0 + 1.0 / theta) * la
    if family == FRANK:
        # The textbook denominator (1 - e^-t) - (1 - e^-tu)(1 - e^-tv) cancels to 0 for
        # large |theta|; times e^(theta (u + v)) it is a sum of terms of one sign.
        g = math.expm1(theta * v) - math.exp(theta * u) * math.expm1(theta * (v - 1.0))
        return math.log(-theta * math.expm1(-theta)) + theta * (u + v) - 2.0 * math.log(abs(g))
    if family == GUMBEL:
        x = -math.log(u)
        y = -math.log(v)
        lx = math.log(x)
        ly = math.log(y)
        m = max(lx, ly)
        la = theta * m + math.log(math.exp(theta * (lx - m)) + math.exp(theta * (ly - m)))
        s = math.exp(la / theta)
        return (
            -s
            + x
            + y
            + (theta - 1.0) * (lx + ly)
            + (1.0 / theta - 2.0) * la
            + math.log(s + theta - 1.0)
        )
    # Joe
    lbu = math.log1p(-u)
    lbv = math.log1p(-v)
    a = math.exp(theta * lbu)
    b = math.exp(theta * lbv)
    s = a + b - a * b
    return (
        (1.0 / theta - 2.0) * math.log(s) + (theta - 1.0) * (lbu + lbv) + math.log(theta - 1.0 + s)
    )


@jit
def _cdf_scalar(family: int, theta: float, u: float, v: float) -> float:
    if family == CLAYTON:
        la = _log_sum_pow_m1(-theta * math.log(u), -theta * math.log(v))
        return math.exp(-la / theta)
    if family == FRANK:
        # log1p(w) of the textbook form tends to log(0) for large theta; this is exact algebra.
        g = math.expm1(theta * v) - math.exp(theta * u) * math.expm1(theta * (v - 1.0))
        return (u + v) - math.log(g / -math.expm1(-theta)) / theta
    if family == GUMBEL:
        x = -math.log(u)
        y = -math.log(v)
        return math.exp(-((x**theta + y**theta) ** (1.0 / theta)))
    a = (1.0 - u) ** theta
    b = (1.0 - v) ** theta
    return 1.0 - (a + b - a * b) ** (1.0 / theta)


@jit
def _hfunc_scalar(family: int, theta: float, x: float, c: float) -> float:
    # P(X <= x | C = c) = dC(c, x) / dc.
    if family == CLAYTON:
        lc = math.log(c)
        la = _log_sum_pow_m1(-theta * lc, -theta * math.log(x))
        return math.exp(-(theta + 1.0) * lc - (1.0 + 1.0 / theta) * la)
    if family == FRANK:
        # Both denominator terms share the sign of theta: no cancellation at large |theta|.
        ex = math.expm1(theta * x)
        return ex / (ex - math.exp(theta * c) * math.expm1(theta * (x - 1.0)))
    if family == GUMBEL:
        a = -math.log(c)
        b = -math.log(x)
        la_ = math.log(a)
        lb = math.log(b)
        m = max(la_, lb)
        la = theta * m + math.log(math.exp(theta * (la_ - m)) + math.exp(theta * (lb - m)))
        s = math.exp(la / theta)
        return math.exp(-s + a + (theta - 1.0) * la_ + (1.0 / theta - 1.0) * la)
    lbc = math.log1p(-c)
    a = math.exp(theta * lbc)
    b = math.exp(theta * math.log1p(-x))
    s = a + b - a * b
    return math.exp((1.0 / theta - 1.0) * math.log(s) + (theta - 1.0) * lbc) * (1.0 - b)


@jit
def _hinv_gumbel(theta: float, p: float, c: float) -> float:
    # Solve z + (theta-1) log z = x + (theta-1) log x - log p for z >= x, with
    # x = -log c and z = (x^theta + y^theta)^(1/theta); g is increasing and
    # concave, so Newton from z = x climbs monotonically to the root.
    x = -math.log(c)
    target = x + (theta - 1.0) * math.log(x) - math.log(p)
    z = x
    for _ in range(100):
        g = z + (theta - 1.0) * math.log(z) - target
        step = g / (1.0 + (theta - 1.0) / z)
        z -= step
        if abs(step) <= 1e-15 * z:
            break
    ratio = x / z
    ly = math.log(z) + math.log1p(-(ratio**theta)) / theta
    return math.exp(-math.exp(ly))


@jit
def _hinv_bracketed(family: int, theta: float, p: float, c: float) -> float:
    # Newton on v with the density as derivative, kept inside a bisection bracket.
    lo = 0.0
    hi = 1.0
    v = p
    for _ in range(200):
        h = _hfunc_scalar(family, theta, v, c) - p
        if abs(h) <= 1e-15:
            return v
        if h > 0.0:
            hi = v
        else:
            lo = v
        dens = math.exp(_logpdf_scalar(family, theta, c, v))
        new = v - h / dens if dens > 0.0 else -1.0
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        if abs(new - v) <= 1e-14 * v or hi - lo <= 1e-300:
            return new
        v = new
    return v


@jit
def _hinv_scalar(family: int, theta: float, p: float, c: float) -> float:
    if family == CLAYTON:
        a = -theta * math.log(c)
        e1 = math.expm1(-theta / (1.0 + theta) * math.log(p))
        t = a + math.log(e1)
        log_term = t + math.log1p(math.exp(-t)) if t > 0.0 else math.log1p(math.exp(t))
        return math.exp(-log_term / theta)
    if family == FRANK:
        if theta < 0.0:
            # Every term positive: the textbook closed form is stable.
            ec = math.exp(-theta * c)
            w = p * math.expm1(-theta) / (ec - p * math.expm1(-theta * c))
            return min(max(-math.log1p(w) / theta, 0.0), 1.0)
        # theta > 0: the textbook w tends to -1 (log1p cancels); the stable h-function solved
        # for expm1(theta x) has denominator terms of one sign.
        den = p - 1.0 - p * math.exp(theta * (c - 1.0))
        a = p * math.exp(theta * c) * math.expm1(-theta) / den
        return min(max(math.log1p(max(a, -1.0)) / theta, 0.0), 1.0)
    if family == GUMBEL:
        return _hinv_gumbel(theta, p, c)
    return _hinv_bracketed(family, theta, p, c)


@jit
def archimedean_logpdf(family: int, theta: float, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Log-density of an unrotated bivariate Archimedean copula at ``(u[i], v[i])``."""
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = _logpdf_scalar(family, theta, u[i], v[i])
    return out


@jit
def archimedean_cdf(family: int, theta: float, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Cdf of an unrotated bivariate Archimedean copula at ``(u[i], v[i])``."""
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = _cdf_scalar(family, theta, u[i], v[i])
    return out


@jit
def archimedean_hfunc(family: int, theta: float, x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """H-function ``P(X <= x[i] | C = c[i])`` of an unrotated Archimedean copula."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = _hfunc_scalar(family, theta, x[i], c[i])
    return out


@jit
def archimedean_hinv(family: int, theta: float, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Inverse h-function: ``x`` with ``P(X <= x | C = c[i]) = p[i]``."""
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = _hinv_scalar(family, theta, p[i], c[i])
    return out


@jit
def clayton_derivative_sums(
    hi: np.ndarray, lo: np.ndarray, x: np.ndarray, s: np.ndarray
) -> tuple[float, float, float]:
    """Sum the first three theta-derivatives of the Clayton ``log S`` over rows.

    With ``a = -log u``, ``b = -log v``, ``hi = max(a, b)``, ``lo = min(a, b)``,
    the Clayton log-density holds ``log S`` with
    ``S = exp(theta a) + exp(theta b) - 1 = exp(theta hi) s``,
    ``s = 1 + x - exp(-theta hi)`` and ``x = exp(theta (lo - hi))``, so that
    ``S^(k) / S = (hi^k + lo^k x) / s``. The caller computes ``x`` and ``s``
    (numpy's vectorized exp is several times faster than the scalar calls made
    here); this kernel fuses the rest.
    """
    first = 0.0
    second = 0.0
    third = 0.0
    for i in range(hi.shape[0]):
        # One division per row: three of them would bound the loop's speed.
        inv = 1.0 / s[i]
        h = hi[i]
        lx = lo[i] * x[i]
        r1 = (h + lx) * inv
        r2 = (h * h + lo[i] * lx) * inv
        r3 = (h * h * h + lo[i] * lo[i] * lx) * inv
        first += r1
        second += r2 - r1 * r1
        third += r3 - 3.0 * r2 * r1 + 2.0 * r1 * r1 * r1
    return first, second, third


@jit
def _sibuya_log_survival(k: float, alpha: float, lg: float) -> float:
    # log P(V > k) = -(lgamma(k + 1) + lgamma(1 - alpha) - lgamma(k + 1 - alpha))
    return -(math.lgamma(k + 1.0) + lg - math.lgamma(k + 1.0 - alpha))


@jit
def sibuya_from_uniform(alpha: float, w: np.ndarray) -> np.ndarray:
    """Sibuya(``alpha``) draws by inversion of uniforms ``w`` (Hofert 2011).

    The survival function is ``1 / (k B(k, 1 - alpha))``; the search starts at
    its asymptotic inverse and finds the exact smallest ``k`` by bracketing
    and bisection (a few dozen steps even for small ``alpha``, where the
    asymptote can be far from it).
    """
    out = np.empty(w.shape[0])
    lg = math.lgamma(1.0 - alpha)
    for i in range(w.shape[0]):
        if w[i] <= alpha:
            out[i] = 1.0
            continue
        log_s = math.log1p(-w[i])
        k = np.floor(math.exp(-(log_s + lg) / alpha))
        k = max(k, 1.0)
        if k >= 1e15:
            # Beyond 2**53 unit steps are lost in rounding; the asymptote is exact enough.
            out[i] = k
            continue
        # Smallest k with log survival(k) <= log_s: bracket (lo, hi], then bisect.
        if _sibuya_log_survival(k, alpha, lg) <= log_s:
            hi = k
            lo = np.floor(k / 2.0)
            while lo >= 1.0 and _sibuya_log_survival(lo, alpha, lg) <= log_s:
                hi = lo
                lo = np.floor(lo / 2.0)
        else:
            lo = k
            hi = 2.0 * k
            while _sibuya_log_survival(hi, alpha, lg) > log_s and hi < 1e15:
                lo = hi
                hi = 2.0 * hi
        while hi - lo > 1.0:
            mid = np.floor((lo + hi) / 2.0)
            if _sibuya_log_survival(mid, alpha, lg) <= log_s:
                hi = mid
            else:
                lo = mid
        out[i] = max(hi, 1.0)
    return out


@jit
def logseries_from_log1mp(log1mp: float, rng: np.random.Generator, n: int) -> np.ndarray:
    """Logarithmic-series draws given ``log(1 - p)`` (Kemp 1981, algorithm LK).

    numpy's ``logseries`` takes ``p`` and refuses ``p`` that rounds to 1; the
    Frank frailty has ``log(1 - p) = -theta`` exactly, so large ``theta`` works.
    """
    p = -math.expm1(log1mp)
    out = np.empty(n)
    for i in range(n):
        while True:
            v = rng.random()
            if v >= p:
                out[i] = 1.0
                break
            t = log1mp * rng.random()
            q = -math.expm1(t)
            if v <= q * q:
                # log q as log1p(-e^t): exact even where q rounds to 1 (large theta).
                # np.floor stays float (numba's math.floor returns int64, which overflows).
                k = np.floor(1.0 + math.log(v) / math.log1p(-math.exp(t)))
                if k < 1.0 or v == 0.0:
                    continue
                out[i] = k
                break
            out[i] = 1.0 if v >= q else 2.0
            break
    return out
