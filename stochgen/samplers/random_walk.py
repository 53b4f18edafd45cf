"""The random-walk engine behind ``MetropolisHastings``: "rw", "adaptive", "independence".

With a numba log-density the chains run in the compiled chain loop of
`stochgen._kernels.metropolis`, in parallel over chains. With a vectorized
numpy log-density all chains step in lockstep: each step is one compiled call
that proposes for every chain (`propose_all`), one call of the log-density on
the ``(chains, dim)`` batch, and one compiled call that finishes every chain
(`finish_all`). Both paths run the same per-chain functions (`propose`,
`finish_chain`) on the same per-chain streams, so they give the same draws.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.metropolis import (
    chain_kernel,
    finish_all,
    is_diagonal,
    propose_all,
)
from stochgen.samplers.schedule import run_chunks

__all__ = ["ADAPT_INTERVAL", "CHUNK_STEPS", "run_random_walk"]

#: Steps per chunk (the progress and time-cap unit; it does not change the draws).
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
    progress: bool | None,
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
    typed_z, typed_u = numba.typed.List(gen_z), numba.typed.List(gen_u)
    names = ("x", "lp", "lq", "chol", "log_scale", "mean", "m2", "n_seen", "n_accept", "center")
    x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center = (state[k] for k in names)
    adapt_start = warmup // 4
    if logpdf is not None:
        run = chain_kernel(logpdf)

        def advance(t0: int, steps: int) -> None:
            run(x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center, typed_z,
                typed_u, t0, steps, warmup, kind, adapt_start, ADAPT_INTERVAL, thin,
                draws)  # fmt: skip

    else:
        chains, dim = x.shape
        chol_t = np.ascontiguousarray(np.swapaxes(chol, 1, 2))
        diagonal = np.array([is_diagonal(chol_t[c]) for c in range(chains)])
        ys = np.empty((chains, dim))
        lq_y = np.empty(chains)
        z = np.empty(dim)
        delta = np.empty(dim)

        def advance(t0: int, steps: int) -> None:
            for t in range(t0, t0 + steps):
                propose_all(typed_z, kind, x, chol_t, diagonal, log_scale, center, z, ys, lq_y)
                finish_all(typed_u, kind, x, lp, lq, ys, batch_logpdf(ys), lq_y, t, warmup,
                           adapt_start, ADAPT_INTERVAL, thin, chol, chol_t, diagonal, log_scale,
                           mean, m2, n_seen, n_accept, delta, draws)  # fmt: skip

    return run_chunks(
        advance, total, chunk=CHUNK_STEPS, max_time=max_time, progress=progress,
        label="MetropolisHastings",
    )  # fmt: skip
