"""Gradient moves: Hamiltonian Monte Carlo and MALA, with dual-averaging step sizes.

One iteration of a chain (Neal 2011): momentum ``p ~ N(0, M)`` with a diagonal
mass ``M = diag(1 / inv_mass)``, ``n`` leapfrog steps of size ``eps``, and a
Metropolis test on the change of the Hamiltonian. MALA is the same with one
leapfrog step (its proposal and acceptance ratio are exactly those of the
Metropolis-adjusted Langevin algorithm, Roberts and Tweedie 1996). For HMC the
number of steps is drawn uniformly from ``1 .. 2 L - 1`` with
``L = round(path_length / eps)``, so that trajectory lengths vary and no
periodicity of the target locks the chain (Mackenzie 1989; Neal 2011, 5.4.2.2).

During warm-up the step size follows Nesterov dual averaging towards a target
acceptance (Hoffman and Gelman 2014, algorithm 5: ``gamma = 0.05``,
``t0 = 10``, ``kappa = 0.75``); the diagonal mass is set once, at three
quarters of warm-up, from the variances of the states seen since a quarter of
warm-up (shrunk towards 1e-3 as Stan does), after which dual averaging
restarts. Each chain adapts on its own.

Chain ``c`` draws ``d`` momentum normals from ``gen_z[c]`` and then one integer
(the number of steps, HMC only) and one uniform from ``gen_u[c]`` per
iteration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._numba import jit

__all__ = [
    "DA_GAMMA",
    "DA_KAPPA",
    "DA_T0",
    "MAX_LEAPFROG",
    "dual_averaging",
    "draw_momentum",
    "finish_chain",
    "gradient_kernel",
    "kinetic_energy",
    "n_leapfrog",
    "set_mass",
]

DA_GAMMA = 0.05
DA_T0 = 10.0
DA_KAPPA = 0.75
#: Cap on leapfrog steps per iteration (a step size that collapses cannot stall a run).
MAX_LEAPFROG = 1024


@jit
def draw_momentum(rng, inv_mass, p):
    """Fill ``p`` with ``N(0, diag(1 / inv_mass))``; return the kinetic energy."""
    kinetic = 0.0
    for i in range(p.shape[0]):
        p[i] = rng.standard_normal() / np.sqrt(inv_mass[i])
        kinetic += 0.5 * p[i] * p[i] * inv_mass[i]
    return kinetic


@jit
def kinetic_energy(p, inv_mass):
    """``p' M^-1 p / 2`` for a diagonal ``M^-1 = inv_mass``."""
    kinetic = 0.0
    for i in range(p.shape[0]):
        kinetic += 0.5 * p[i] * p[i] * inv_mass[i]
    return kinetic


@jit
def n_leapfrog(rng, path_length, eps, mala):
    """Leapfrog steps this iteration: 1 for MALA, else uniform on ``1 .. 2 L - 1``."""
    if mala:
        return 1
    mean = max(1, min(MAX_LEAPFROG // 2, int(round(path_length / eps))))
    return 1 + rng.integers(0, 2 * mean - 1)


@jit
def dual_averaging(state, alpha, target):
    """One dual-averaging update; ``state`` = (log_eps, log_eps_bar, h_bar, m, mu), in place."""
    m = state[3] + 1.0
    w = 1.0 / (m + DA_T0)
    state[2] = (1.0 - w) * state[2] + w * (target - alpha)
    state[0] = state[4] - np.sqrt(m) / DA_GAMMA * state[2]
    eta = m**-DA_KAPPA
    state[1] = eta * state[0] + (1.0 - eta) * state[1]
    state[3] = m


@jit
def set_mass(m2, n_seen, inv_mass, state):
    """Set ``inv_mass`` to the shrunk variances seen, and restart dual averaging."""
    n = float(n_seen)
    if n < 3.0:
        return
    for i in range(inv_mass.shape[0]):
        var = m2[i] / (n - 1.0)
        if np.isfinite(var) and var > 0.0:
            inv_mass[i] = n / (n + 5.0) * var + 1e-3 * 5.0 / (n + 5.0)
    state[4] = np.log(10.0) + state[0]
    state[1] = 0.0
    state[2] = 0.0
    state[3] = 0.0


@jit
def finish_chain(
    rng_u, x, lp, g, c, xn, gn, lp_n, p, kinetic0, inv_mass, da,
    mean, m2, n_seen, n_accept, t, warmup, target,
):  # fmt: skip
    """End chain ``c``'s iteration: Metropolis test on the energy, then warm-up adaptation.

    ``xn``, ``gn``, ``lp_n`` and ``p`` are the trajectory's end; ``kinetic0``
    the kinetic energy at its start. Draws one uniform from ``rng_u``.
    """
    d = x.shape[1]
    im = inv_mass[c]
    log_alpha = lp_n - kinetic_energy(p, im) - lp[c] + kinetic0
    if np.isnan(log_alpha):
        log_alpha = -np.inf
    if np.log(rng_u.random()) < log_alpha:
        x[c, :] = xn
        g[c, :] = gn
        lp[c] = lp_n
        if t >= warmup:
            n_accept[c] += 1
    if t < warmup:
        alpha = 1.0 if log_alpha >= 0.0 else np.exp(log_alpha)
        dual_averaging(da[c], alpha, target)
        if warmup // 4 <= t < 3 * warmup // 4:
            n_seen[c] += 1
            for i in range(d):
                delta = x[c, i] - mean[c, i]
                mean[c, i] += delta / n_seen[c]
                m2[c, i] += delta * (x[c, i] - mean[c, i])
        if t == 3 * warmup // 4 - 1:
            set_mass(m2[c], n_seen[c], im, da[c])


# The loop calls the user's log-density and gradient, so it is built per pair
# of functions (memoised) and not cached on disk, like the other chain loops.
@functools.lru_cache(maxsize=32)
def gradient_kernel(logpdf: Callable, grad_logpdf: Callable) -> Callable:
    """Return the compiled HMC / MALA chain loop for one numba log-density and gradient.

    Parameters
    ----------
    logpdf : numba dispatcher
        ``float64[:] -> float64``.
    grad_logpdf : numba dispatcher
        ``float64[:] -> float64[:]``, the gradient of ``logpdf``.

    Returns
    -------
    callable
        ``run(x, lp, g, da, inv_mass, mean, m2, n_seen, n_accept, gen_z, gen_u,
        t0, steps, warmup, target, path_length, mala, thin, draws)``; ``da``
        is ``(chains, 5)`` dual-averaging state (see `dual_averaging`), ``g``
        the gradient at ``x``. ``prange`` over chains.
    """

    @numba.njit(parallel=True, nogil=True, error_model="numpy")
    def run(
        x, lp, g, da, inv_mass, mean, m2, n_seen, n_accept, gen_z, gen_u,
        t0, steps, warmup, target, path_length, mala, thin, draws,
    ):  # fmt: skip
        chains, d = x.shape
        for c in numba.prange(chains):
            rng_z = gen_z[np.int64(c)]
            rng_u = gen_u[np.int64(c)]
            xc = x[c]
            gc = g[c]
            im = inv_mass[c]
            p = np.empty(d)
            xn = np.empty(d)
            gn = np.empty(d)
            for k in range(steps):
                t = t0 + k
                eps = np.exp(da[c, 0] if t < warmup else da[c, 1])
                kinetic0 = draw_momentum(rng_z, im, p)
                n = n_leapfrog(rng_u, path_length, eps, mala)
                xn[:] = xc
                gn[:] = gc
                for i in range(d):
                    p[i] += 0.5 * eps * gn[i]
                for step in range(n):
                    for i in range(d):
                        xn[i] += eps * im[i] * p[i]
                    gn[:] = grad_logpdf(xn)
                    scale = eps if step < n - 1 else 0.5 * eps
                    for i in range(d):
                        p[i] += scale * gn[i]
                lp_n = logpdf(xn)
                finish_chain(rng_u, x, lp, g, c, xn, gn, lp_n, p, kinetic0, inv_mass, da,
                             mean, m2, n_seen, n_accept, t, warmup, target)  # fmt: skip
                s = t - warmup + 1
                if s > 0 and s % thin == 0:
                    draws[c, s // thin - 1] = xc
        return draws

    return run
