"""Metropolis-Hastings kernels: proposals, adaptation, and the chain loop.

Each chain draws its noise inside the kernel from its own two generators
(``dim`` standard normals for the proposal, then one uniform, per step), so a
chain's path depends only on its own streams: the same under any thread
schedule and any number of chains. The values are those of numpy's
``standard_normal((steps, dim))`` and ``random(steps)`` on the same generators,
so the plain-numpy twin in ``tests/reference/metropolis.py`` pre-draws them and
agrees. The steps of a chain are `propose` and `finish_chain`; the chain loop
runs them with the user's numba log-density, and `propose_all` / `finish_all`
run them for all chains around one call of a numpy log-density (the lockstep
path of `stochgen.samplers.random_walk`), so each idea has one home.

Proposal kinds: 0 random walk, ``y = x + s L z``; 1 adaptive random walk (the
same, with ``L`` and ``s`` adapted during warm-up: Haario, Saksman and
Tamminen 2001 covariance, Robbins-Monro scaling to acceptance 0.234 as in
Andrieu and Thoms 2008); 2 independence, ``y = m + L z``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._numba import jit, parallel_jit

__all__ = [
    "ADAPTIVE",
    "INDEPENDENCE",
    "RANDOM_WALK",
    "TARGET_ACCEPTANCE",
    "adapt_covariance",
    "adapt_scale",
    "chain_kernel",
    "correlation_weight",
    "draw_noise",
    "finish_all",
    "finish_chain",
    "is_diagonal",
    "pool_variances",
    "propose",
    "propose_all",
    "refresh_cholesky",
]

RANDOM_WALK = 0
ADAPTIVE = 1
INDEPENDENCE = 2
TARGET_ACCEPTANCE = 0.234


@parallel_jit
def draw_noise(gen_z, gen_u, z, u):
    """Fill ``z[c]`` and ``u[c]`` from chain ``c``'s generators, in parallel over chains.

    The values are those of ``gen_z[c].standard_normal(z.shape[1:])`` and
    ``gen_u[c].random(u.shape[1])``, and those the chain kernel draws step by
    step. ``gen_z`` and ``gen_u`` are ``numba.typed.List`` objects.
    """
    chains, steps, d = z.shape
    for c in numba.prange(chains):
        rng_z = gen_z[np.int64(c)]
        rng_u = gen_u[np.int64(c)]
        for k in range(steps):
            for i in range(d):
                z[c, k, i] = rng_z.standard_normal()
            u[c, k] = rng_u.random()


@jit
def is_diagonal(chol_t):
    """Whether a (transposed) Cholesky factor has no off-diagonal entries."""
    d = chol_t.shape[0]
    for j in range(d):
        for i in range(j + 1, d):
            if chol_t[j, i] != 0.0:
                return False
    return True


@jit
def propose(kind, x, chol_t, diagonal, scale, center, z, y):
    """Write the proposal into ``y``; return ``-|z|^2 / 2`` (log q for kind 2).

    ``chol_t`` is the transposed (upper) Cholesky factor: ``L z`` is summed
    column by column over contiguous rows of ``chol_t``, in the same order as
    the row-wise sum ``sum_j L[i, j] z[j]``, so the loop vectorizes and the
    result is unchanged. With ``diagonal`` (no off-diagonal entries, see
    `is_diagonal`) only the diagonal is used: the same values in ``O(d)``.
    """
    d = x.shape[0]
    half_sq = 0.0
    for i in range(d):
        half_sq += z[i] * z[i]
    if diagonal:
        for i in range(d):
            y[i] = chol_t[i, i] * z[i]
    else:
        for i in range(d):
            y[i] = 0.0
        for j in range(d):
            zj = z[j]
            row = chol_t[j]
            for i in range(j, d):
                y[i] += row[i] * zj
    for i in range(d):
        if kind == 2:
            y[i] = center[i] + y[i]
        else:
            y[i] = x[i] + scale * y[i]
    return -0.5 * half_sq


@jit
def adapt_scale(log_scale, log_alpha, t):
    """Robbins-Monro step of the log proposal scale towards 0.234 acceptance."""
    alpha = 0.0
    if log_alpha >= 0.0:
        alpha = 1.0
    elif log_alpha > -np.inf:
        alpha = np.exp(log_alpha)
    return log_scale + (t + 1.0) ** -0.6 * (alpha - 0.234)


@jit
def adapt_covariance(x, mean, m2, n_seen, delta):
    """Welford update of the running mean and scatter matrix; return the new count.

    ``delta`` is ``(d,)`` scratch, so that the step allocates nothing.
    """
    d = x.shape[0]
    n = n_seen + 1
    for i in range(d):
        delta[i] = x[i] - mean[i]
        mean[i] += delta[i] / n
    for i in range(d):
        di = delta[i]
        row = m2[i]
        for j in range(d):
            row[j] += di * (x[j] - mean[j])
    return n


@jit
def correlation_weight(cov, n):
    """Positive-part James-Stein weight of the sample correlations against zero.

    A warm-up chain of ``n`` random-walk steps holds about ``n_eff = 0.33 n / d``
    independent draws (the optimal random walk's efficiency on a Gaussian,
    Roberts, Gelman and Gilks 1997), so each sample correlation carries noise of
    variance about ``1 / n_eff``. The weight ``1 - d (d - 1) / (n_eff S)``, with
    ``S`` the sum of the squared off-diagonal sample correlations, keeps strong
    correlations (``S`` well above its noise level) and drops what is noise:
    the weight is 0 unless ``S`` is at least twice its noise level.
    """
    d = cov.shape[0]
    if d < 2:
        return 1.0
    total = 0.0
    for i in range(d):
        for j in range(d):
            if i != j:
                total += cov[i, j] * cov[i, j] / (cov[i, i] * cov[j, j])
    noise = d * (d - 1.0) * d / (0.33 * n)
    # n_eff is optimistic while the scale is still adapting, so correlations
    # are kept only when they carry at least twice the noise; below that the
    # proposal stays diagonal (and the kernel's diagonal path is O(d)).
    if not total > 2.0 * noise:
        return 0.0
    return 1.0 - noise / total


@jit
def pool_variances(cov, n):
    """Sample variances shrunk towards their mean, as `correlation_weight` does.

    Relative to their mean ``m``, the variances spread by
    ``S = sum (v_i / m - 1)^2``, of which noise makes about ``2 d / n_eff``;
    they are moved towards ``m`` by the positive-part James-Stein weight
    ``1 - noise / S``, and pooled to ``m`` unless ``S`` is at least twice the
    noise. Returns the new variances.
    """
    d = cov.shape[0]
    mean = 0.0
    for i in range(d):
        mean += cov[i, i]
    mean /= d
    spread = 0.0
    for i in range(d):
        spread += (cov[i, i] / mean - 1.0) ** 2
    noise = 2.0 * d * d / (0.33 * n)
    weight = 1.0 - noise / spread if spread > 2.0 * noise else 0.0
    out = np.empty(d)
    for i in range(d):
        out[i] = mean + weight * (cov[i, i] - mean)
    return out


@jit
def refresh_cholesky(m2, n_seen, chol):
    """Set ``chol`` to the Cholesky factor of the regularised sample covariance.

    The off-diagonal correlations are shrunk towards zero by
    `correlation_weight`, the variances towards their mean by
    `pool_variances`, and ``1e-3 * 5/(n+5) * (tr C / d)`` is added to the diagonal (Stan's
    ridge, made relative to the target's scale): a full covariance estimated
    from a short, autocorrelated warm-up in many dimensions is noisy, and an
    unshrunk one can collapse the proposal onto a subspace. Nothing changes
    when the scatter is zero or not finite (a chain that has not moved).
    """
    d = m2.shape[0]
    n = float(n_seen)
    trace = 0.0
    for i in range(d):
        trace += m2[i, i]
    if not (trace > 0.0 and np.isfinite(trace)):
        return False
    cov = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            cov[i, j] = 0.5 * (m2[i, j] + m2[j, i]) / (n - 1.0)
    weight = correlation_weight(cov, n)
    pooled = pool_variances(cov, n)
    shrink = 1e-3 * 5.0 / (n + 5.0) * trace / (n - 1.0) / d
    for i in range(d):
        for j in range(d):
            if i != j:
                cov[i, j] *= weight * np.sqrt(pooled[i] * pooled[j] / (cov[i, i] * cov[j, j]))
    for i in range(d):
        cov[i, i] = pooled[i] + shrink
    chol[:, :] = np.linalg.cholesky(cov)
    return True


# Inlined into the chain loop at numba's IR level: as a call, passing its
# two dozen arguments costs as much as the step itself.
@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def finish_chain(
    c, kind, rng_u, x, lp, lq, y, lp_y, lq_y, t, warmup, adapt_start, adapt_interval, thin,
    chol, chol_t_c, log_scale, mean, m2, n_seen, n_accept, delta, draws,
):  # fmt: skip
    """End chain ``c``'s step: Metropolis test, warm-up adaptation, and the kept draw.

    ``y``, ``lp_y`` and ``lq_y`` are the proposal and its log-densities;
    ``chol_t_c`` is the chain's transposed factor, kept equal to ``chol[c].T``.
    Draws the acceptance uniform from ``rng_u``. Returns True when the
    proposal factor was refreshed (``chol[c]`` and ``chol_t_c`` changed).
    """
    d = x.shape[1]
    if np.isnan(lp_y):
        lp_y = -np.inf
    log_alpha = lp_y - lp[c]
    if kind == 2:
        log_alpha += lq[c] - lq_y
    if np.log(rng_u.random()) < log_alpha:
        for i in range(d):
            x[c, i] = y[i]
        lp[c] = lp_y
        lq[c] = lq_y
        if t >= warmup:
            n_accept[c] += 1
    refreshed = False
    if kind == 1 and t < warmup:
        log_scale[c] = adapt_scale(log_scale[c], log_alpha, t)
        if t >= adapt_start:
            n_seen[c] = adapt_covariance(x[c], mean[c], m2[c], n_seen[c], delta)
            if (t + 1 - adapt_start) % adapt_interval == 0 and n_seen[c] > d + 1:
                if refresh_cholesky(m2[c], n_seen[c], chol[c]):
                    chol_t_c[:, :] = chol[c].T
                    refreshed = True
    s = t - warmup + 1
    if s > 0 and s % thin == 0:
        draws[c, s // thin - 1] = x[c]
    return refreshed


@jit
def propose_all(gen_z, kind, x, chol_t, diagonal, log_scale, center, z, ys, lq_y):
    """Write every chain's proposal into ``ys`` (numpy path: one step of all chains).

    ``z`` is ``(d,)`` scratch; chain ``c`` draws its ``d`` normals from ``gen_z[c]``.
    """
    for c in range(x.shape[0]):
        rng = gen_z[c]
        for i in range(z.shape[0]):
            z[i] = rng.standard_normal()
        lq_y[c] = propose(kind, x[c], chol_t[c], diagonal[c], np.exp(log_scale[c]), center[c],
                          z, ys[c])  # fmt: skip


@jit
def finish_all(
    gen_u, kind, x, lp, lq, ys, lp_y, lq_y, t, warmup, adapt_start, adapt_interval, thin,
    chol, chol_t, diagonal, log_scale, mean, m2, n_seen, n_accept, delta, draws,
):  # fmt: skip
    """`finish_chain` for every chain (numpy path), keeping ``diagonal`` current."""
    for c in range(x.shape[0]):
        if finish_chain(c, kind, gen_u[c], x, lp, lq, ys[c], lp_y[c], lq_y[c], t, warmup,
                        adapt_start, adapt_interval, thin, chol, chol_t[c], log_scale, mean, m2,
                        n_seen, n_accept, delta, draws):  # fmt: skip
            diagonal[c] = is_diagonal(chol_t[c])


# The chain loop calls the user's log-density, a different numba function in
# every program, so its machine code cannot be reused from numba's on-disk
# cache (a kernel that takes the function as an argument is re-specialised and
# written to the cache anew in every process). It is therefore built by a
# factory, compiled once per log-density and process (memoised below), and
# not cached; the array helpers above are cached as usual.
@functools.lru_cache(maxsize=32)
def chain_kernel(logpdf: Callable) -> Callable:
    """Return the compiled chain loop for one numba-jitted ``logpdf``.

    Parameters
    ----------
    logpdf : numba dispatcher
        Log-density of one point, ``float64[:] -> float64``.

    Returns
    -------
    callable
        ``run(x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center,
        gen_z, gen_u, t0, steps, warmup, kind, adapt_start, adapt_interval,
        thin, draws)``; advances every chain by ``steps`` steps in place,
        ``prange`` over chains. ``gen_z`` and ``gen_u`` are
        ``numba.typed.List`` objects of one `numpy.random.Generator` per chain
        (proposal normals and acceptance uniforms).
    """

    @numba.njit(parallel=True, nogil=True, error_model="numpy")
    def run(
        x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center,
        gen_z, gen_u, t0, steps, warmup, kind, adapt_start, adapt_interval, thin, draws,
    ):  # fmt: skip
        chains, d = x.shape
        for c in numba.prange(chains):
            # prange indices are unsigned; typed-list indexing wants a signed int.
            rng_z = gen_z[np.int64(c)]
            rng_u = gen_u[np.int64(c)]
            y = np.empty(d)
            z = np.empty(d)
            delta = np.empty(d)
            chol_t = np.ascontiguousarray(chol[c].T)
            diagonal = is_diagonal(chol_t)
            xc = x[c]
            for k in range(steps):
                t = t0 + k
                for i in range(d):
                    z[i] = rng_z.standard_normal()
                scale = np.exp(log_scale[c])
                lq_y = propose(kind, xc, chol_t, diagonal, scale, center[c], z, y)
                lp_y = logpdf(y)
                if finish_chain(c, kind, rng_u, x, lp, lq, y, lp_y, lq_y, t, warmup,
                                adapt_start, adapt_interval, thin, chol, chol_t, log_scale,
                                mean, m2, n_seen, n_accept, delta, draws):  # fmt: skip
                    diagonal = is_diagonal(chol_t)
        return draws

    return run
