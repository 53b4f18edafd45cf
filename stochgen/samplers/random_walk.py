"""The random-walk engine behind ``MetropolisHastings``: "rw", "adaptive", "independence".

With a numba log-density the chains run in the compiled chain loop of
`stochgen._kernels.metropolis`, in parallel over chains; with a vectorized
numpy log-density all chains step in lockstep and the log-density is called
once per step on the whole ``(chains, dim)`` batch. Both paths use the same
per-chain noise streams (the kernel draws them step by step, the lockstep
runner in chunks) and give the same draws.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.metropolis import (
    ADAPTIVE,
    INDEPENDENCE,
    TARGET_ACCEPTANCE,
    chain_kernel,
    draw_noise,
    refresh_cholesky,
)
from stochgen.samplers.schedule import run_chunks

__all__ = ["ADAPT_INTERVAL", "CHUNK_STEPS", "run_lockstep", "run_random_walk"]

#: Steps per chunk of pre-drawn noise. Fixed: changing it changes seeded draws.
CHUNK_STEPS = 4096
#: Steps between refreshes of the adapted covariance's Cholesky factor.
ADAPT_INTERVAL = 50


def run_random_walk(
    logpdf: Callable[..., float] | None,
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    state: dict[str, NDArray],
    *,
    kind: int,
    gen_z: list[np.random.Generator],
    gen_u: list[np.random.Generator],
    warmup: int,
    total: int,
    thin: int,
    draws: NDArray[np.float64],
    max_time: float | None,
    progress: bool,
) -> tuple[int, float]:
    """Advance the chains ``total`` steps, updating ``state``'s arrays in place.

    ``state`` holds ``x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept,
    center`` (see `stochgen._kernels.metropolis.chain_kernel`). ``logpdf`` is
    the numba point function, or None for the numpy lockstep path.

    Returns
    -------
    tuple
        ``(steps done, seconds)``.
    """
    run = _lockstep_runner(batch_logpdf) if logpdf is None else chain_kernel(logpdf)
    noise = (numba.typed.List(gen_z), numba.typed.List(gen_u))
    names = ("x", "lp", "lq", "chol", "log_scale", "mean", "m2", "n_seen", "n_accept", "center")
    arrays = [state[k] for k in names]

    def advance(t0: int, steps: int) -> None:
        run(*arrays, *noise, t0, steps, warmup, kind, warmup // 4, ADAPT_INTERVAL, thin, draws)

    return run_chunks(
        advance, total, chunk=CHUNK_STEPS, max_time=max_time, progress=progress,
        label="MetropolisHastings",
    )  # fmt: skip


def _lockstep_runner(
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
) -> Callable[..., NDArray[np.float64]]:
    """Return the numpy lockstep runner with the kernel's signature."""

    def run(
        x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center,
        gen_z, gen_u, t0, steps, warmup, kind, adapt_start, adapt_interval, thin, draws,
    ):  # fmt: skip
        # The kernel's per-step draws, pre-drawn: the same values in the same order.
        z = np.empty((x.shape[0], steps, x.shape[1]))
        u = np.empty((x.shape[0], steps))
        draw_noise(gen_z, gen_u, z, u)
        return run_lockstep(
            batch_logpdf, x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center,
            z, u, t0, warmup, kind, adapt_start, adapt_interval, thin, draws,
        )  # fmt: skip

    return run


def run_lockstep(
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    x: NDArray[np.float64],
    lp: NDArray[np.float64],
    lq: NDArray[np.float64],
    chol: NDArray[np.float64],
    log_scale: NDArray[np.float64],
    mean: NDArray[np.float64],
    m2: NDArray[np.float64],
    n_seen: NDArray[np.int64],
    n_accept: NDArray[np.int64],
    center: NDArray[np.float64],
    z: NDArray[np.float64],
    u: NDArray[np.float64],
    t0: int,
    warmup: int,
    kind: int,
    adapt_start: int,
    adapt_interval: int,
    thin: int,
    draws: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Advance all chains in lockstep, one batched log-density call per step.

    The numpy counterpart of `stochgen._kernels.metropolis.chain_kernel`, with
    the same arguments (state arrays updated in place). The proposal factor
    changes only at covariance refreshes, so ``L z`` is computed by one batched
    matrix product per stretch between refreshes, and the adaptive mean and
    scatter are updated once per stretch (Chan, Golub and LeVeque 1979)
    instead of once per step.

    Returns
    -------
    numpy.ndarray
        ``draws``, filled where this chunk reaches.
    """
    chains, steps, dim = z.shape
    log_u = np.log(u)
    lq_all = -0.5 * np.einsum("csi,csi->cs", z, z)
    adaptive = kind == ADAPTIVE
    k0 = 0
    while k0 < steps:
        t = t0 + k0
        tuning = adaptive and t < warmup
        welford = tuning and t >= adapt_start
        k1 = steps
        if tuning:
            k1 = min(k1, warmup - t0)
            if welford:
                k1 = min(k1, k0 + adapt_interval - (t - adapt_start) % adapt_interval)
            else:
                k1 = min(k1, adapt_start - t0)
        lz = np.matmul(z[:, k0:k1], np.swapaxes(chol, 1, 2))
        if kind == INDEPENDENCE:
            lz += center[:, None, :]
        elif not tuning:
            lz *= np.exp(log_scale)[:, None, None]
        seen = np.empty((chains, k1 - k0, dim)) if welford else None
        for k in range(k0, k1):
            t = t0 + k
            if kind == INDEPENDENCE or not tuning:
                y = lz[:, k - k0] if kind == INDEPENDENCE else x + lz[:, k - k0]
            else:
                y = x + np.exp(log_scale)[:, None] * lz[:, k - k0]
            lp_y = batch_logpdf(y)
            log_alpha = lp_y - lp
            if kind == INDEPENDENCE:
                log_alpha += lq - lq_all[:, k]
            accept = log_u[:, k] < log_alpha
            np.copyto(x, y, where=accept[:, None])
            np.copyto(lp, lp_y, where=accept)
            np.copyto(lq, lq_all[:, k], where=accept)
            if t >= warmup:
                n_accept += accept
            if tuning:
                alpha = np.exp(np.minimum(log_alpha, 0.0))
                log_scale += (t + 1.0) ** -0.6 * (alpha - TARGET_ACCEPTANCE)
                if seen is not None:
                    seen[:, k - k0] = x
            s = t - warmup + 1
            if s > 0 and s % thin == 0:
                draws[:, s // thin - 1] = x
        if seen is not None:
            _merge_scatter(seen, mean, m2, n_seen)
            if (t + 1 - adapt_start) % adapt_interval == 0:
                for c in range(chains):
                    if n_seen[c] > dim + 1:
                        refresh_cholesky(m2[c], n_seen[c], chol[c])
        k0 = k1
    return draws


def _merge_scatter(
    seen: NDArray[np.float64],
    mean: NDArray[np.float64],
    m2: NDArray[np.float64],
    n_seen: NDArray[np.int64],
) -> None:
    """Add a stretch of states to each chain's running mean and scatter, in place."""
    k = seen.shape[1]
    n_new = n_seen + k
    part_mean = seen.mean(axis=1)
    centered = seen - part_mean[:, None, :]
    delta = part_mean - mean
    mean += delta * (k / n_new)[:, None]
    m2 += np.matmul(np.swapaxes(centered, 1, 2), centered)
    m2 += delta[:, :, None] * delta[:, None, :] * (n_seen * k / n_new)[:, None, None]
    n_seen += k
