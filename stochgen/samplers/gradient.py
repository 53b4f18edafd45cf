"""The gradient engine behind ``MetropolisHastings(proposal="hmc" | "mala")``.

With a numba log-density and gradient the chains run in the compiled loop of
`stochgen._kernels.hmc`, in parallel over chains. With numpy ones all chains
move in lockstep: each leapfrog step calls the gradient once on the chains
still moving, and the per-chain pieces (momenta, step counts, the Metropolis
test and the adaptation) are the compiled functions the kernel uses, so the
two paths give the same draws up to rounding.

Before a run the gradient is compared with central finite differences of the
log-density at the starting points; a disagreement raises `GradientError`
naming the dimension.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.hmc import draw_momentum, finish_chain, gradient_kernel, n_leapfrog
from stochgen._numba import jit
from stochgen.exceptions import ValidationError
from stochgen.samplers.schedule import run_chunks

__all__ = ["TARGET_ACCEPTANCE", "GradientError", "check_gradient", "run_gradient"]

#: Dual-averaging targets: HMC (Hoffman and Gelman 2014 use 0.65; Stan 0.8) and
#: MALA (0.574, Roberts and Rosenthal 1998).
TARGET_ACCEPTANCE = {"hmc": 0.8, "mala": 0.574}
#: Iterations per compiled call of the numba path (progress and time-cap unit).
CHUNK_STEPS = 1024
#: Relative and absolute tolerance of the gradient check.
GRADIENT_RTOL = 1e-3
GRADIENT_ATOL = 1e-6


class GradientError(ValidationError):
    """``grad_logpdf`` disagrees with finite differences of ``logpdf``.

    Examples
    --------
    >>> issubclass(GradientError, ValueError)
    True
    """


def check_gradient(
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    batch_grad: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    points: NDArray[np.float64],
) -> None:
    """Compare the gradient with central finite differences at each of ``points``.

    Parameters
    ----------
    batch_logpdf, batch_grad : callable
        Log-density ``(n, d) -> (n,)`` and gradient ``(n, d) -> (n, d)``.
    points : numpy.ndarray
        ``(n, d)`` points with a finite log-density.

    Raises
    ------
    GradientError
        At the first dimension where the two differ by more than
        ``1e-3 * max(|gradient|, |difference|) + 1e-6 * max(1, |logpdf|)``.

    Examples
    --------
    >>> lp = lambda x: -0.5 * np.sum(x * x, axis=1)
    >>> check_gradient(lp, lambda x: -x, np.ones((1, 3)))
    >>> check_gradient(lp, lambda x: -2 * x, np.ones((1, 3)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.samplers.gradient.GradientError: grad_logpdf disagrees with finite ... dimension 0 ...
    """
    n, d = points.shape
    grad = batch_grad(points)
    if grad.shape != (n, d):
        raise ValidationError(
            f"grad_logpdf must map a {points.shape} batch to shape {points.shape}; got "
            f"shape {grad.shape}"
        )
    h = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(points))
    lp = batch_logpdf(points)
    for c in range(n):
        shifted = np.repeat(points[c][None], 2 * d, axis=0)
        shifted[np.arange(d), np.arange(d)] += h[c]
        shifted[d + np.arange(d), np.arange(d)] -= h[c]
        values = batch_logpdf(shifted)
        fd = (values[:d] - values[d:]) / (2.0 * h[c])
        tol = GRADIENT_RTOL * np.maximum(np.abs(fd), np.abs(grad[c])) + GRADIENT_ATOL * max(
            1.0, abs(lp[c])
        )
        bad = ~(np.abs(grad[c] - fd) <= tol)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GradientError(
                f"grad_logpdf disagrees with finite differences of logpdf in dimension {i} "
                f"at the starting point {np.round(points[c], 6).tolist()}: gradient "
                f"{grad[c, i]:.6g}, finite difference {fd[i]:.6g}; check grad_logpdf "
                "(or set check_gradient=False)"
            )


@jit
def _begin_all(gen_z, gen_u, inv_mass, p, path_length, eps, mala, kinetic, n):
    for c in range(p.shape[0]):
        kinetic[c] = draw_momentum(gen_z[c], inv_mass[c], p[c])
        n[c] = n_leapfrog(gen_u[c], path_length, eps[c], mala)


@jit
def _finish_all(
    gen_u, x, lp, g, xn, gn, lp_n, p, kinetic0, inv_mass, da,
    mean, m2, n_seen, n_accept, t, warmup, target,
):  # fmt: skip
    for c in range(x.shape[0]):
        finish_chain(gen_u[c], x, lp, g, c, xn[c], gn[c], lp_n[c], p[c], kinetic0[c],
                     inv_mass, da, mean, m2, n_seen, n_accept, t, warmup, target)  # fmt: skip


def run_gradient(
    logpdf: Callable[..., float] | None,
    grad_logpdf: Callable[..., NDArray[np.float64]] | None,
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    batch_grad: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    state: dict[str, NDArray],
    *,
    mala: bool,
    path_length: float,
    gen_z: list[np.random.Generator],
    gen_u: list[np.random.Generator],
    warmup: int,
    total: int,
    thin: int,
    draws: NDArray[np.float64],
    max_time: float | None,
    progress: bool | None,
) -> tuple[int, float]:
    """Advance the chains ``total`` iterations, updating ``state``'s arrays in place.

    ``state`` holds ``x, lp, g, da, inv_mass, mean, m2, n_seen, n_accept``
    (see `stochgen._kernels.hmc.gradient_kernel`). ``logpdf`` and
    ``grad_logpdf`` are the numba point functions, or None for the numpy
    lockstep path through ``batch_logpdf`` and ``batch_grad``.

    Returns
    -------
    tuple
        ``(iterations done, seconds)``.
    """
    target = TARGET_ACCEPTANCE["mala" if mala else "hmc"]
    typed_z, typed_u = numba.typed.List(gen_z), numba.typed.List(gen_u)
    x, lp, g, da, inv_mass = (state[k] for k in ("x", "lp", "g", "da", "inv_mass"))
    adapt = [state[k] for k in ("mean", "m2", "n_seen", "n_accept")]
    if logpdf is not None and grad_logpdf is not None:
        run = gradient_kernel(logpdf, grad_logpdf)

        def advance(t0: int, steps: int) -> None:
            run(x, lp, g, da, inv_mass, *adapt, typed_z, typed_u, t0, steps, warmup, target,
                path_length, mala, thin, draws)  # fmt: skip

        chunk = CHUNK_STEPS
    else:
        chains, dim = x.shape
        p = np.empty((chains, dim))
        kinetic = np.empty(chains)
        n = np.empty(chains, dtype=np.int64)

        def advance(t0: int, steps: int) -> None:
            for t in range(t0, t0 + steps):
                eps = np.exp(da[:, 0] if t < warmup else da[:, 1])
                _begin_all(typed_z, typed_u, inv_mass, p, path_length, eps, mala, kinetic, n)
                xn, gn = x.copy(), g.copy()
                p[:] += 0.5 * eps[:, None] * gn
                step_size = (eps[:, None] * inv_mass)[:, :]
                for step in range(int(n.max())):
                    moving = np.flatnonzero(step < n)
                    xn[moving] += step_size[moving] * p[moving]
                    gn[moving] = batch_grad(np.ascontiguousarray(xn[moving]))
                    scale = np.where(step < n[moving] - 1, eps[moving], 0.5 * eps[moving])
                    p[moving] += scale[:, None] * gn[moving]
                _finish_all(typed_u, x, lp, g, xn, gn, batch_logpdf(xn), p, kinetic, inv_mass,
                            da, *adapt, t, warmup, target)  # fmt: skip
                s = t - warmup + 1
                if s > 0 and s % thin == 0:
                    draws[:, s // thin - 1] = x

        chunk = max(1, CHUNK_STEPS // 16)
    return run_chunks(
        advance, total, chunk=chunk, max_time=max_time, progress=progress,
        label="MetropolisHastings (mala)" if mala else "MetropolisHastings (hmc)",
    )  # fmt: skip
