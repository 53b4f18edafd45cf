"""Quasi-Monte Carlo kernels: Sobol' points from scrambled direction numbers, normal quantiles."""

from __future__ import annotations

import math

import numba
import numpy as np

from stochgen._numba import jit, parallel_jit

#: Rows per parallel chunk of the kernels below (each chunk starts from its own state).
CHUNK_ROWS = 8192

__all__ = [
    "CHUNK_ROWS",
    "MAP_EXP",
    "MAP_IDENTITY",
    "MAP_NDTR",
    "NDTRI_INTERVALS",
    "NDTRI_LO",
    "correlated_normal_columns",
    "ndtri_inplace",
    "ndtri_table",
    "sobol_columns",
    "sobol_points",
]


@parallel_jit
def _sobol_fill(
    directions: np.ndarray, shift: np.ndarray, start: int, bits: int, out: np.ndarray
) -> np.ndarray:
    # Rows [start, start + len(out)) into `out` (n, dim), C- or F-ordered (see sobol_points).
    n, dim = out.shape
    scale = 1.0 / float(np.uint64(1) << np.uint64(bits))
    n_chunks = (n + CHUNK_ROWS - 1) // CHUNK_ROWS
    for chunk in numba.prange(n_chunks):
        first = chunk * CHUNK_ROWS
        last = min(first + CHUNK_ROWS, n)
        state = shift.copy()
        index0 = start + first
        gray = index0 ^ (index0 >> 1)
        for k in range(bits):
            if (gray >> k) & 1:
                for j in range(dim):
                    state[j] ^= directions[j, k]
        for i in range(first, last):
            for j in range(dim):
                out[i, j] = (float(state[j]) + 0.5) * scale
            # The next Gray code flips the bit at the number of trailing ones of the index.
            index = start + i
            c = 0
            while (index >> c) & 1:
                c += 1
            if c < bits:
                for j in range(dim):
                    state[j] ^= directions[j, c]
    return out


def sobol_points(
    directions: np.ndarray, shift: np.ndarray, start: int, n: int, bits: int
) -> np.ndarray:
    """Rows ``[start, start + n)`` of a (scrambled) Sobol' sequence in Gray-code order.

    ``directions`` (dim, bits) holds the direction numbers as integers of
    ``bits`` bits (already multiplied by a scrambling matrix, if any) and
    ``shift`` (dim,) the digital shift. Point ``i`` is ``shift`` XOR the
    direction numbers of the set bits of ``gray(i) = i ^ (i >> 1)``; each
    integer ``x`` maps to ``(x + 0.5) / 2**bits``, the centre of its cell, so
    no coordinate is exactly 0 or 1. Chunks of `CHUNK_ROWS` rows run in
    parallel, each from its own Gray-code state (the result does not depend
    on the number of threads). Returns a C-ordered (n, dim) array.
    """
    return _sobol_fill(directions, shift, start, bits, np.empty((n, directions.shape[0])))


def sobol_columns(
    directions: np.ndarray, shift: np.ndarray, start: int, n: int, bits: int
) -> np.ndarray:
    """`sobol_points` transposed: a C-ordered (dim, n) array, one coordinate per row."""
    out = np.empty((directions.shape[0], n))
    _sobol_fill(directions, shift, start, bits, out.T)
    return out


@jit
def _ndtri_scalar(p: float) -> float:
    # Wichura (1988), algorithm AS 241 (PPND16): relative error about 1e-16.
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (
            (
                (
                    (
                        (
                            (2509.0809287301226727 * r + 33430.575583588128105) * r
                            + 67265.770927008700853
                        )
                        * r
                        + 45921.953931549871457
                    )
                    * r
                    + 13731.693765509461125
                )
                * r
                + 1971.5909503065514427
            )
            * r
            + 133.14166789178437745
        ) * r + 3.387132872796366608
        den = (
            (
                (
                    (
                        (
                            (5226.495278852545925 * r + 28729.085735721942674) * r
                            + 39307.89580009271061
                        )
                        * r
                        + 21213.794301586595867
                    )
                    * r
                    + 5394.1960214247511077
                )
                * r
                + 687.1870074920579083
            )
            * r
            + 42.313330701600911252
        ) * r + 1.0
        return q * num / den
    r = p if q < 0.0 else 1.0 - p
    if r <= 0.0:
        return -math.inf if q < 0.0 else math.inf
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        num = (
            (
                (
                    (
                        (
                            (7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r
                            + 0.24178072517745061177
                        )
                        * r
                        + 1.27045825245236838258
                    )
                    * r
                    + 3.64784832476320460504
                )
                * r
                + 5.7694972214606914055
            )
            * r
            + 4.6303378461565452959
        ) * r + 1.42343711074968357734
        den = (
            (
                (
                    (
                        (
                            (1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r
                            + 0.0151986665636164571966
                        )
                        * r
                        + 0.14810397642748007459
                    )
                    * r
                    + 0.68976733498510000455
                )
                * r
                + 1.6763848301838038494
            )
            * r
            + 2.05319162663775882187
        ) * r + 1.0
    else:
        r -= 5.0
        num = (
            (
                (
                    (
                        (
                            (2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                            + 0.0012426609473880784386
                        )
                        * r
                        + 0.026532189526576123093
                    )
                    * r
                    + 0.29656057182850489123
                )
                * r
                + 1.7848265399172913358
            )
            * r
            + 5.4637849111641143699
        ) * r + 6.6579046435011037772
        den = (
            (
                (
                    (
                        (
                            (2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r
                            + 1.8463183175100546818e-5
                        )
                        * r
                        + 7.868691311456132591e-4
                    )
                    * r
                    + 0.0148753612908506148525
                )
                * r
                + 0.13692988092273580531
            )
            * r
            + 0.59983220655588793769
        ) * r + 1.0
    value = num / den
    return -value if q < 0.0 else value


#: The fast normal quantile interpolates AS 241 on (NDTRI_LO, 1 - NDTRI_LO), 96% of (0, 1),
#: in NDTRI_INTERVALS equal intervals, by a degree-5 Chebyshev interpolant per interval
#: (written in powers of the local coordinate t in [-1, 1]); outside it, AS 241 itself.
#: Measured error against scipy's ndtri: at most 7e-15 absolute and relative.
NDTRI_LO = 0.02
NDTRI_INTERVALS = 2048
NDTRI_DEGREE = 5


@jit
def ndtri_table() -> np.ndarray:
    """Coefficients (NDTRI_INTERVALS, NDTRI_DEGREE + 1) of the fast normal quantile.

    Row ``i`` holds the powers-of-``t`` coefficients of the polynomial that
    interpolates AS 241 at the 6 Chebyshev points of interval ``i`` of
    ``(NDTRI_LO, 1 - NDTRI_LO)``, with ``t`` in [-1, 1] across the interval.
    """
    m = NDTRI_DEGREE + 1
    n = NDTRI_INTERVALS
    width = (1.0 - 2.0 * NDTRI_LO) / n
    # cheb[j, p]: coefficient of t**p in the Chebyshev polynomial T_j.
    cheb = np.zeros((m, m))
    cheb[0, 0] = 1.0
    cheb[1, 1] = 1.0
    for j in range(2, m):
        for p in range(m):
            cheb[j, p] = -cheb[j - 2, p] + (2.0 * cheb[j - 1, p - 1] if p >= 1 else 0.0)
    out = np.empty((n, m))
    values = np.empty(m)
    series = np.empty(m)
    for i in range(n):
        left = NDTRI_LO + i * width
        for k in range(m):
            t = math.cos(math.pi * (k + 0.5) / m)
            values[k] = _ndtri_scalar(left + 0.5 * width * (1.0 + t))
        for j in range(m):
            total = 0.0
            for k in range(m):
                total += values[k] * math.cos(math.pi * j * (k + 0.5) / m)
            series[j] = total * (2.0 / m if j else 1.0 / m)
        for p in range(m):
            total = 0.0
            for j in range(m):
                total += series[j] * cheb[j, p]
            out[i, p] = total
    return out


@jit
def _ndtri_fast(p: float, table: np.ndarray) -> float:
    # The interpolant inside (NDTRI_LO, 1 - NDTRI_LO), AS 241 outside (and for NaN).
    if NDTRI_LO < p < 1.0 - NDTRI_LO:
        x = (p - NDTRI_LO) * (NDTRI_INTERVALS / (1.0 - 2.0 * NDTRI_LO))
        k = min(int(x), NDTRI_INTERVALS - 1)
        t = 2.0 * (x - k) - 1.0
        return (
            (((table[k, 5] * t + table[k, 4]) * t + table[k, 3]) * t + table[k, 2]) * t
            + table[k, 1]
        ) * t + table[k, 0]
    return _ndtri_scalar(p)


@parallel_jit
def ndtri_inplace(x: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Replace each probability in the flat array ``x`` by its standard normal quantile.

    ``table`` is `ndtri_table()`.
    """
    for i in numba.prange(x.shape[0]):
        x[i] = _ndtri_fast(x[i], table)
    return x


#: Column maps of `correlated_normal_map`: x = c0 + c1 * g(c2 * z).
MAP_IDENTITY = 0
MAP_EXP = 1
MAP_NDTR = 2


@parallel_jit
def correlated_normal_columns(
    w: np.ndarray,
    chol: np.ndarray,
    kind: np.ndarray,
    c0: np.ndarray,
    c1: np.ndarray,
    c2: np.ndarray,
    table: np.ndarray,
) -> np.ndarray:
    """Uniform columns to a Gaussian-copula law, in place; ``w`` is (d, n), one column per row.

    ``z = Phi^-1(w)`` (`ndtri_table`), ``y = L z`` (``L`` lower triangular,
    the Cholesky factor of the correlation), then coordinate ``j`` becomes
    ``c0[j] + c1[j] * g(c2[j] * y_j)`` with ``g`` the identity
    (`MAP_IDENTITY`), ``exp`` (`MAP_EXP`) or ``Phi`` (`MAP_NDTR`). Normal,
    lognormal and uniform marginals are exact in one pass; other marginals
    take ``Phi`` and are inverted afterwards. A coordinate that no other
    depends on (its row and column of ``L`` are the unit vector) and whose
    map is ``Phi`` keeps its uniform (no round trip).

    Each step is one contiguous parallel loop over a coordinate, which numba
    compiles to vectorized code; coordinates are finished from the last to
    the first, so the scores ``z_k`` (``k <= j``) that coordinate ``j`` reads
    are still in place when it overwrites its own.
    """
    d, n = w.shape
    passthrough = np.zeros(d, dtype=np.bool_)
    # nonzero[j, :count[j]]: the coordinates k <= j with chol[j, k] != 0.
    nonzero = np.zeros((d, d), dtype=np.int64)
    count = np.zeros(d, dtype=np.int64)
    for j in range(d):
        for k in range(j + 1):
            if chol[j, k] != 0.0:
                nonzero[j, count[j]] = k
                count[j] += 1
        alone = count[j] == 1 and nonzero[j, 0] == j and chol[j, j] == 1.0
        for i in range(j + 1, d):
            if chol[i, j] != 0.0:
                alone = False
        passthrough[j] = alone and kind[j] == MAP_NDTR and c2[j] == 1.0
    for j in range(d):
        if not passthrough[j]:
            col = w[j]
            for i in numba.prange(n):
                col[i] = _ndtri_fast(col[i], table)
    y = np.empty(n)
    for j in range(d - 1, -1, -1):
        a, b = c0[j], c1[j]
        col = w[j]
        if passthrough[j]:
            for i in numba.prange(n):
                col[i] = a + b * col[i]
            continue
        for i in numba.prange(n):
            y[i] = 0.0
        for q in range(count[j]):
            k = nonzero[j, q]
            weight = chol[j, k] * c2[j]
            zk = w[k]
            for i in numba.prange(n):
                y[i] += weight * zk[i]
        if kind[j] == MAP_EXP:
            for i in numba.prange(n):
                col[i] = a + b * math.exp(y[i])
        elif kind[j] == MAP_NDTR:
            for i in numba.prange(n):
                col[i] = a + b * (0.5 * math.erfc(-y[i] * 0.7071067811865476))
        else:
            for i in numba.prange(n):
                col[i] = a + b * y[i]
    return w
