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
    "correlated_normal_map",
    "ndtri_inplace",
    "sobol_points",
]


@parallel_jit
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
    on the number of threads).
    """
    dim = directions.shape[0]
    out = np.empty((n, dim))
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


@parallel_jit
def ndtri_inplace(x: np.ndarray) -> np.ndarray:
    """Replace each probability in the flat array ``x`` by its standard normal quantile."""
    for i in numba.prange(x.shape[0]):
        x[i] = _ndtri_scalar(x[i])
    return x


#: Column maps of `correlated_normal_map`: x = c0 + c1 * g(c2 * z).
MAP_IDENTITY = 0
MAP_EXP = 1
MAP_NDTR = 2


@parallel_jit
def correlated_normal_map(
    u: np.ndarray,
    chol: np.ndarray,
    kind: np.ndarray,
    c0: np.ndarray,
    c1: np.ndarray,
    c2: np.ndarray,
) -> np.ndarray:
    """Uniform rows to a Gaussian-copula law, in place, one row at a time.

    Row by row: ``z = Phi^-1(u)``, ``y = L z`` (``L`` lower triangular, the
    Cholesky factor of the correlation), then column ``j`` becomes
    ``c0[j] + c1[j] * g(c2[j] * y_j)`` with ``g`` the identity
    (`MAP_IDENTITY`), ``exp`` (`MAP_EXP`) or ``Phi`` (`MAP_NDTR`). Normal,
    lognormal and uniform marginals are exact in one pass; other marginals
    take ``Phi`` and are inverted afterwards. A column whose row of ``L`` is
    the unit vector and whose map is ``Phi`` keeps its uniform (no round trip).
    """
    n, d = u.shape
    passthrough = np.zeros(d, dtype=np.bool_)
    for j in range(d):
        alone = chol[j, j] == 1.0
        for k in range(j):
            if chol[j, k] != 0.0:
                alone = False
        passthrough[j] = alone and kind[j] == MAP_NDTR and c2[j] == 1.0
    n_chunks = (n + CHUNK_ROWS - 1) // CHUNK_ROWS
    for chunk in numba.prange(n_chunks):
        z = np.empty(d)
        for i in range(chunk * CHUNK_ROWS, min((chunk + 1) * CHUNK_ROWS, n)):
            for j in range(d):
                if not passthrough[j]:
                    z[j] = _ndtri_scalar(u[i, j])
            for j in range(d):
                if passthrough[j]:
                    u[i, j] = c0[j] + c1[j] * u[i, j]
                    continue
                y = 0.0
                for k in range(j + 1):
                    y += chol[j, k] * z[k]
                y *= c2[j]
                if kind[j] == MAP_EXP:
                    y = math.exp(y)
                elif kind[j] == MAP_NDTR:
                    y = 0.5 * math.erfc(-y * 0.7071067811865476)
                u[i, j] = c0[j] + c1[j] * y
    return u
