"""Independence Metropolis-Hastings with a Gaussian-mixture proposal: the kernels.

The proposal mixes ``K`` fitted Gaussians, each at ``J`` covariance scales:
``q(y) = sum_k sum_j w_k v_j N(y; mean_k, s_j Sigma_k)``. It is held as
arrays: ``means`` ``(K, d)``, lower Cholesky factors of the fitted
covariances ``chols`` ``(K, d, d)``, their cumulative weights ``cum_w``
``(K,)``, ``log_c`` ``(K,)`` (``log w_k`` less the log determinant of the
factor), the scales ``scales`` ``(J,)``, their cumulative weights ``cum_v``
``(J,)`` and ``log_v`` ``(J,)``, ``log v_j - d/2 log s_j``. The ``d/2 log 2
pi`` every component shares is left out: it cancels in the acceptance ratio.
One triangular solve per fitted component serves all its scales.

Per step a chain draws, in this order, one uniform from its ``rng_u`` (the
scale, then the component, from the same uniform), ``d`` standard normals
from its ``rng_z`` (the point ``y = mean_k + sqrt(s_j) L_k z``), and one more
uniform from ``rng_u`` (the Metropolis test, ``log u < lp(y) - lq(y) - lp(x)
+ lq(x)``). The plain-numpy twin in ``tests/reference/mixture.py`` pre-draws
the same values and agrees. `chain_kernel` runs the steps with the user's
numba log-density, in parallel over chains; `propose_all` and `finish_all`
run them around one call of a numpy log-density on all chains (lockstep), so
both paths give the same draws.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._numba import jit

__all__ = [
    "chain_kernel",
    "e_step",
    "finish",
    "finish_all",
    "log_density",
    "log_density_all",
    "m_step",
    "pick",
    "propose",
    "propose_all",
    "whitened_sq",
]


#: Terms of the mixture's sum this far (in log) below the largest are left out.
SKIP = 37.0


@jit
def pick(u, cum):
    """Index ``i`` with ``cum[i - 1] <= u < cum[i]``, and ``u`` rescaled to [0, 1) within it."""
    n = cum.shape[0]
    i = 0
    while i < n - 1 and u >= cum[i]:
        i += 1
    lo = cum[i - 1] if i > 0 else 0.0
    width = cum[i] - lo
    r = (u - lo) / width if width > 0.0 else 0.0
    return i, min(max(r, 0.0), 1.0 - 2.0**-53)


@jit
def whitened_sq(y, mean, chol, w):
    """``|L^-1 (y - mean)|^2`` by forward substitution, ``L`` lower; ``w`` ``(d,)`` scratch."""
    sq = 0.0
    for i in range(y.shape[0]):
        s = y[i] - mean[i]
        row = chol[i]
        for j in range(i):
            s -= row[j] * w[j]
        w[i] = s / row[i]
        sq += w[i] * w[i]
    return sq


@jit
def log_density(y, means, chols, log_c, scales, log_v, known, known_sq, w, sq_k):
    """Log-density of ``y`` under the mixture, up to ``-d/2 log 2 pi``.

    ``log_v[j]`` is ``log v_j - d/2 log s_j``. ``known`` is the fitted
    component that generated ``y`` and ``known_sq`` its squared whitened
    residual ``|L_k^-1 (y - mean_k)|^2`` (its solve is skipped), or ``known =
    -1``. ``w`` ``(d,)`` and ``sq_k`` ``(K,)`` are scratch. Terms more than
    `SKIP` below the largest are left out of the sum (each is below 1e-16 of
    it), which spares most exponentials when the components lie apart.
    """
    k_all, d = means.shape
    j_all = scales.shape[0]
    top = -np.inf
    for k in range(k_all):
        sq = known_sq if k == known else whitened_sq(y, means[k], chols[k], w)
        sq_k[k] = sq
        for j in range(j_all):
            term = log_c[k] + log_v[j] - 0.5 * sq / scales[j]
            if term > top:
                top = term
    if top == -np.inf:
        return top
    total = 0.0
    for k in range(k_all):
        for j in range(j_all):
            term = log_c[k] + log_v[j] - 0.5 * sq_k[k] / scales[j]
            if term > top - SKIP:
                total += np.exp(term - top)
    return top + np.log(total)


@jit
def log_density_all(x, means, chols, log_c, scales, log_v):
    """`log_density` of every row of ``x`` ``(n, d)``: an ``(n,)`` array."""
    n, d = x.shape
    out = np.empty(n)
    w = np.empty(d)
    sq_k = np.empty(means.shape[0])
    for r in range(n):
        out[r] = log_density(x[r], means, chols, log_c, scales, log_v, -1, 0.0, w, sq_k)
    return out


@jit
def propose(rng_z, rng_u, means, chols, cum_w, log_c, scales, cum_v, log_v, z, y, w, sq_k):
    """Draw a component, a scale and a point into ``y``; return its mixture log-density."""
    d = means.shape[1]
    j, rest = pick(rng_u.random(), cum_v)
    k, _ = pick(rest, cum_w)
    sq = 0.0
    for i in range(d):
        z[i] = rng_z.standard_normal()
        sq += z[i] * z[i]
    root = np.sqrt(scales[j])
    chol = chols[k]
    mean = means[k]
    for i in range(d):
        s = 0.0
        row = chol[i]
        for m in range(i + 1):
            s += row[m] * z[m]
        y[i] = mean[i] + root * s
    return log_density(y, means, chols, log_c, scales, log_v, k, scales[j] * sq, w, sq_k)


# Inlined into the chain loop, as the random-walk kernel's finish_chain is.
@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def finish(
    c, rng_u, x, lp, lq, y, lp_y, lq_y, t, warmup, record_from, thin, n_accept, out, props,
    prop_lw,
):  # fmt: skip
    """Metropolis test of chain ``c``'s proposal ``y``, and the kept draw.

    From step ``record_from`` on, one step every ``thin``, the chain's point
    goes to ``out[c]`` and the proposal with its log importance weight
    ``lp(y) - lq(y)`` to ``props[c]`` and ``prop_lw[c]``, while they have room
    (pass arrays with no rows to keep nothing there). Acceptances from step
    ``warmup`` on are counted.
    """
    d = x.shape[1]
    if np.isnan(lp_y):
        lp_y = -np.inf
    log_alpha = lp_y - lq_y - lp[c] + lq[c]
    if np.log(rng_u.random()) < log_alpha:
        for i in range(d):
            x[c, i] = y[i]
        lp[c] = lp_y
        lq[c] = lq_y
        if t >= warmup:
            n_accept[c] += 1
    s = t - record_from + 1
    if s > 0 and s % thin == 0:
        j = s // thin - 1
        if j < out.shape[1]:
            for i in range(d):
                out[c, j, i] = x[c, i]
        if j < props.shape[1]:
            for i in range(d):
                props[c, j, i] = y[i]
            prop_lw[c, j] = lp_y - lq_y


@jit
def propose_all(gen_z, gen_u, means, chols, cum_w, log_c, scales, cum_v, log_v, ys, lq_y):
    """Write every chain's proposal into ``ys`` and its mixture log-density into ``lq_y``."""
    d = ys.shape[1]
    z = np.empty(d)
    w = np.empty(d)
    sq_k = np.empty(means.shape[0])
    for c in range(ys.shape[0]):
        lq_y[c] = propose(gen_z[c], gen_u[c], means, chols, cum_w, log_c, scales, cum_v, log_v,
                          z, ys[c], w, sq_k)  # fmt: skip


@jit
def finish_all(
    gen_u, x, lp, lq, ys, lp_y, lq_y, t, warmup, record_from, thin, n_accept, out, props,
    prop_lw,
):  # fmt: skip
    """`finish` for every chain (the numpy path)."""
    for c in range(x.shape[0]):
        finish(c, gen_u[c], x, lp, lq, ys[c], lp_y[c], lq_y[c], t, warmup, record_from, thin,
               n_accept, out, props, prop_lw)  # fmt: skip


# Built per log-density and not cached on disk, as the random-walk chain loop
# is (see stochgen._kernels.metropolis.chain_kernel).
@functools.lru_cache(maxsize=32)
def chain_kernel(logpdf: Callable) -> Callable:
    """Return the compiled chain loop of the mixture proposal for one numba ``logpdf``.

    Parameters
    ----------
    logpdf : numba dispatcher
        Log-density of one point, ``float64[:] -> float64``.

    Returns
    -------
    callable
        ``run(x, lp, lq, means, chols, cum_w, log_c, scales, cum_v, log_v, gen_z, gen_u, t0, steps,
        warmup, record_from, thin, n_accept, out, props, prop_lw)``: advances every chain by
        ``steps`` steps in place, ``prange`` over chains.
    """

    @numba.njit(parallel=True, nogil=True, error_model="numpy")
    def run(
        x, lp, lq, means, chols, cum_w, log_c, scales, cum_v, log_v, gen_z, gen_u, t0, steps,
        warmup, record_from, thin, n_accept, out, props, prop_lw,
    ):  # fmt: skip
        chains, d = x.shape
        for c in numba.prange(chains):
            rng_z = gen_z[np.int64(c)]
            rng_u = gen_u[np.int64(c)]
            y = np.empty(d)
            z = np.empty(d)
            w = np.empty(d)
            sq_k = np.empty(means.shape[0])
            for k in range(steps):
                lq_y = propose(rng_z, rng_u, means, chols, cum_w, log_c, scales, cum_v, log_v, z,
                               y, w, sq_k)  # fmt: skip
                finish(c, rng_u, x, lp, lq, y, logpdf(y), lq_y, t0 + k, warmup, record_from,
                       thin, n_accept, out, props, prop_lw)  # fmt: skip
        return out

    return run


@jit
def e_step(points, point_w, means, chols, log_c, resp):
    """Responsibilities of each component for each point; return the log-likelihood.

    ``resp`` ``(n, K)`` is overwritten with ``P(component k | point)``. The
    log-likelihood, weighted by ``point_w``, includes the ``-d/2 log 2 pi``
    that `log_density` leaves out.
    """
    n, d = points.shape
    k_all = means.shape[0]
    w = np.empty(d)
    total = 0.0
    for r in range(n):
        x = points[r]
        top = -np.inf
        for k in range(k_all):
            resp[r, k] = log_c[k] - 0.5 * whitened_sq(x, means[k], chols[k], w)
            if resp[r, k] > top:
                top = resp[r, k]
        acc = 0.0
        for k in range(k_all):
            resp[r, k] = np.exp(resp[r, k] - top)
            acc += resp[r, k]
        for k in range(k_all):
            resp[r, k] /= acc
        total += point_w[r] * (top + np.log(acc))
    return total - 0.5 * np.sum(point_w) * d * np.log(2.0 * np.pi)


@jit
def m_step(points, point_w, resp, ridge, means, covs):
    """Weights, means and covariances from responsibilities; return the weights.

    ``point_w`` ``(n,)`` weighs the points (importance weights; ones for
    plain EM). ``covs[k]`` gets ``ridge`` added to its diagonal. ``means``
    ``(K, d)`` and ``covs`` ``(K, d, d)`` are overwritten.
    """
    n, d = points.shape
    k_all = resp.shape[1]
    nk = np.zeros(k_all)
    means[:, :] = 0.0
    covs[:, :, :] = 0.0
    for r in range(n):
        for k in range(k_all):
            g = point_w[r] * resp[r, k]
            nk[k] += g
            for i in range(d):
                means[k, i] += g * points[r, i]
    for k in range(k_all):
        for i in range(d):
            means[k, i] /= nk[k]
    diff = np.empty(d)
    for r in range(n):
        for k in range(k_all):
            g = point_w[r] * resp[r, k]
            if g == 0.0:
                continue
            for i in range(d):
                diff[i] = points[r, i] - means[k, i]
            for i in range(d):
                gi = g * diff[i]
                for j in range(i + 1):
                    covs[k, i, j] += gi * diff[j]
    for k in range(k_all):
        for i in range(d):
            for j in range(i + 1):
                covs[k, i, j] /= nk[k]
                covs[k, j, i] = covs[k, i, j]
            covs[k, i, i] += ridge
    return nk / nk.sum()
