"""Metropolis-Hastings: random walk, adaptive Metropolis and independence sampler.

Many chains run at once. With a numba-jitted log-density the chains run in a
numba kernel, in parallel over chains; with a vectorized numpy log-density all
chains step in lockstep and the log-density is called once per step on the
whole ``(chains, dim)`` batch. Both paths use the same per-chain noise streams
(the kernel draws them step by step, the lockstep runner in chunks) and give
the same draws.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_triangular

from stochgen._base import BaseModel
from stochgen._kernels.metropolis import (
    ADAPTIVE,
    INDEPENDENCE,
    RANDOM_WALK,
    TARGET_ACCEPTANCE,
    chain_kernel,
    draw_noise,
    refresh_cholesky,
)
from stochgen._rng import SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_array, check_choice, check_n_samples, check_positive
from stochgen.exceptions import ConvergenceWarning, ValidationError
from stochgen.samplers.results import MCMCResult

__all__ = ["MetropolisHastings"]

_KINDS = {"rw": RANDOM_WALK, "adaptive": ADAPTIVE, "independence": INDEPENDENCE}
#: Steps per chunk of pre-drawn noise. Fixed: changing it changes seeded draws.
CHUNK_STEPS = 4096
#: Steps between refreshes of the adapted covariance's Cholesky factor.
ADAPT_INTERVAL = 50
#: Tries per chain to find a dispersed starting point with a finite log-density.
MAX_INIT_TRIES = 100


class MetropolisHastings(BaseModel):
    """Many-chain Metropolis-Hastings sampler for a log-density on R^dim.

    Parameters
    ----------
    logpdf : callable
        Log-density up to a constant. With ``vectorized=False``, a
        numba-jitted function (``numba.njit``) of one point, ``float64[:] ->
        float``; with ``vectorized=True``, a numpy function of a
        ``(chains, dim)`` array returning ``(chains,)`` values. NaN counts as
        ``-inf`` (the proposal is rejected).
    dim : int
        Dimension of the target.
    proposal : {"adaptive", "rw", "independence"}
        ``"rw"``: Gaussian random walk ``y = x + step_size * L z`` with
        ``L L^T = proposal_cov``. ``"adaptive"``: the same during warm-up, with
        ``L`` set to the Cholesky factor of each chain's own sample covariance
        (Haario et al. 2001, from a quarter into warm-up, refreshed every 50
        steps, correlations shrunk towards zero and variances towards their
        mean by James-Stein weights sized to the warm-up's noise) and
        ``step_size``
        tuned by Robbins-Monro towards acceptance 0.234 (Andrieu and Thoms
        2008); both are frozen after warm-up.
        ``"independence"``: proposals ``N(proposal_mean, proposal_cov)``
        independent of the current point.
    chains : int
        Number of independent chains. Chain ``i`` draws from stream ``i`` of
        the seed, so it is the same whatever the number of chains.
    vectorized : bool
        Whether ``logpdf`` takes a batch (see ``logpdf``).
    proposal_cov : array_like, optional
        ``(dim, dim)`` positive definite; the identity by default.
    proposal_mean : array_like, optional
        ``(dim,)`` centre of the independence proposal (required there).
    step_size : float, optional
        Random-walk scale; ``2.38 / sqrt(dim)`` by default (Roberts, Gelman and
        Gilks 1997). Not used by the independence sampler.
    initial : array_like, optional
        Starting points, ``(dim,)`` for all chains or ``(chains, dim)``. By
        default each chain starts at a uniform draw in ``[-2, 2]^dim`` from its
        own stream (redrawn until the log-density is finite).
    thin : int
        Keep one step in ``thin`` after warm-up.
    max_steps : int
        Hard cap on the steps per chain (``warmup + n_draws * thin``).
    max_time : float, optional
        Wall-clock cap in seconds, checked every 4096 steps; on reaching it the
        draws so far are returned with a `stochgen.exceptions.ConvergenceWarning`.

    Examples
    --------
    >>> import numba
    >>> import numpy as np
    >>> @numba.njit
    ... def logpdf(x):
    ...     return -0.5 * np.sum(x * x)
    >>> sampler = MetropolisHastings(logpdf, 2, chains=4)
    >>> result = sampler.sample(2000, warmup=1000, seed=0)
    >>> result.draws.shape
    (4, 2000, 2)
    >>> bool(np.all(result.rhat < 1.01))
    True
    >>> batch = MetropolisHastings(lambda x: -0.5 * np.sum(x * x, axis=1), 2,
    ...                            chains=4, vectorized=True)
    >>> bool(np.allclose(batch.sample(2000, warmup=1000, seed=0).draws, result.draws))
    True
    """

    def __init__(
        self,
        logpdf: Callable[..., Any],
        dim: int,
        *,
        proposal: str = "adaptive",
        chains: int = 8,
        vectorized: bool = False,
        proposal_cov: ArrayLike | None = None,
        proposal_mean: ArrayLike | None = None,
        step_size: float | None = None,
        initial: ArrayLike | None = None,
        thin: int = 1,
        max_steps: int = 100_000_000,
        max_time: float | None = None,
    ) -> None:
        self.logpdf = logpdf
        self.dim = dim
        self.proposal = proposal
        self.chains = chains
        self.vectorized = vectorized
        self.proposal_cov = proposal_cov
        self.proposal_mean = proposal_mean
        self.step_size = step_size
        self.initial = initial
        self.thin = thin
        self.max_steps = max_steps
        self.max_time = max_time

    def sample(self, n_draws: int, warmup: int = 1000, seed: SeedLike = None) -> MCMCResult:
        """Run the chains and return their draws after warm-up.

        Parameters
        ----------
        n_draws : int
            Draws kept per chain.
        warmup : int
            Steps per chain run and discarded first (adaptation happens here).
        seed : None, int, SeedSequence, BitGenerator or Generator
            Chain ``i`` uses stream ``i`` of ``SeedSequence(seed)``.

        Returns
        -------
        MCMCResult
            ``draws`` shaped ``(chains, n_draws, dim)``, ``acceptance_rate``,
            ``ess``, ``rhat``, ``mcse``, ``summary()``.

        Raises
        ------
        TypeError
            If ``logpdf`` is not numba-jitted while ``vectorized=False``.
        stochgen.exceptions.ValidationError
            On bad settings, a log-density that is not finite at the starting
            points, or more steps than ``max_steps``.
        """
        n_draws = check_n_samples(n_draws, "n_draws")
        warmup = check_n_samples(warmup, "warmup")
        dim = check_n_samples(self.dim, "dim")
        chains = check_n_samples(self.chains, "chains")
        thin = check_n_samples(self.thin, "thin")
        if dim < 1 or chains < 1 or thin < 1:
            raise ValidationError(
                f"dim, chains and thin must be at least 1; got {dim}, {chains}, {thin}"
            )
        kind = _KINDS[check_choice(self.proposal, "proposal", tuple(_KINDS))]
        total = warmup + n_draws * thin
        max_steps = check_n_samples(self.max_steps, "max_steps")
        if total > max_steps:
            raise ValidationError(
                f"warmup + n_draws * thin = {total} steps per chain exceeds max_steps="
                f"{max_steps}; lower n_draws or raise max_steps"
            )
        max_time = None if self.max_time is None else check_positive(self.max_time, "max_time")
        batch_logpdf = self._batch_logpdf(dim)

        cov = np.eye(dim) if self.proposal_cov is None else self._check_cov(dim)
        chol0 = np.linalg.cholesky(cov)
        if kind == INDEPENDENCE:
            if self.proposal_mean is None or self.proposal_cov is None:
                raise ValidationError(
                    "proposal='independence' needs proposal_mean and proposal_cov "
                    "(e.g. a Laplace approximation of the target); got None"
                )
            center0 = check_array(self.proposal_mean, "proposal_mean", ndim=1)
            if center0.shape != (dim,):
                raise ValidationError(
                    f"proposal_mean must have shape ({dim},); got {center0.shape}"
                )
        else:
            center0 = np.zeros(dim)
        step = 2.38 / np.sqrt(dim) if self.step_size is None else self.step_size
        step = check_positive(step, "step_size")

        root = as_seed_sequence(seed)
        streams = [
            np.random.SeedSequence(
                entropy=root.entropy, spawn_key=(*root.spawn_key, c), pool_size=root.pool_size
            )
            for c in range(chains)
        ]
        gen_z = [block_generator(s, 0) for s in streams]
        gen_u = [block_generator(s, 1) for s in streams]
        gen_init = [block_generator(s, 2) for s in streams]

        x, lp = self._initial_points(batch_logpdf, dim, chains, gen_init)
        chol = np.ascontiguousarray(np.broadcast_to(chol0, (chains, dim, dim)))
        center = np.ascontiguousarray(np.broadcast_to(center0, (chains, dim)))
        lq = np.zeros(chains)
        if kind == INDEPENDENCE:
            w = solve_triangular(chol0, (x - center0).T, lower=True)
            lq = -0.5 * np.sum(w * w, axis=0)
        state = {
            "x": x,
            "lp": lp,
            "lq": lq,
            "chol": chol,
            "log_scale": np.full(chains, np.log(step)),
            "mean": np.zeros((chains, dim)),
            "m2": np.zeros((chains, dim, dim)),
            "n_seen": np.zeros(chains, dtype=np.int64),
            "n_accept": np.zeros(chains, dtype=np.int64),
            "center": center,
        }
        draws = np.zeros((chains, n_draws, dim))
        settings = {
            "warmup": warmup,
            "kind": kind,
            "adapt_start": warmup // 4,
            "adapt_interval": ADAPT_INTERVAL,
            "thin": thin,
        }
        run = _lockstep_runner(batch_logpdf) if self.vectorized else chain_kernel(self.logpdf)
        noise = (numba.typed.List(gen_z), numba.typed.List(gen_u))

        start = time.perf_counter()
        done = 0
        for t0 in range(0, total, CHUNK_STEPS):
            steps = min(CHUNK_STEPS, total - t0)
            run(
                state["x"], state["lp"], state["lq"], state["chol"], state["log_scale"],
                state["mean"], state["m2"], state["n_seen"], state["n_accept"],
                state["center"], *noise, t0, steps, settings["warmup"], settings["kind"],
                settings["adapt_start"], settings["adapt_interval"], settings["thin"], draws,
            )  # fmt: skip
            done = t0 + steps
            if max_time is not None and time.perf_counter() - start > max_time and done < total:
                warnings.warn(
                    f"MetropolisHastings stopped at max_time={max_time} s after {done} of "
                    f"{total} steps per chain; the draws so far are returned",
                    ConvergenceWarning,
                    stacklevel=2,
                )
                break
        elapsed = time.perf_counter() - start
        kept_steps = max(done - warmup, 0)
        n_kept = kept_steps // thin
        rate = state["n_accept"] / kept_steps if kept_steps else np.full(chains, np.nan)
        return MCMCResult(draws[:, :n_kept], rate, warmup=warmup, thin=thin, elapsed=elapsed)

    def _check_cov(self, dim: int) -> NDArray[np.float64]:
        cov = check_array(self.proposal_cov, "proposal_cov", ndim=2)
        if cov.shape != (dim, dim):
            raise ValidationError(f"proposal_cov must have shape ({dim}, {dim}); got {cov.shape}")
        if not np.allclose(cov, cov.T):
            raise ValidationError("proposal_cov must be symmetric; got an asymmetric matrix")
        if np.linalg.eigvalsh(cov)[0] <= 0:
            raise ValidationError(
                f"proposal_cov must be positive definite; smallest eigenvalue "
                f"{np.linalg.eigvalsh(cov)[0]:.3g}"
            )
        return cov

    def _batch_logpdf(self, dim: int) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """Return the log-density of a (chains, dim) batch, checking the callable."""
        if not callable(self.logpdf):
            raise TypeError(f"logpdf must be callable; got {type(self.logpdf).__name__}")
        if self.vectorized:
            fn = self.logpdf

            def batch(points: NDArray[np.float64]) -> NDArray[np.float64]:
                values = np.asarray(fn(points), dtype=np.float64)
                if values.shape != (points.shape[0],):
                    raise ValidationError(
                        f"logpdf (vectorized=True) must map a {points.shape} batch to shape "
                        f"({points.shape[0]},); got shape {values.shape}"
                    )
                return np.where(np.isnan(values), -np.inf, values)

            return batch
        # Under NUMBA_DISABLE_JIT (coverage runs) numba.njit returns the plain function.
        if not (numba.extending.is_jitted(self.logpdf) or numba.config.DISABLE_JIT):
            raise TypeError(
                "logpdf must be a numba-jitted function of one point (decorate it with "
                "numba.njit), or pass vectorized=True with a numpy function of a "
                f"(chains, dim) batch; got {self.logpdf!r}"
            )
        fn = self.logpdf
        return lambda points: np.array([fn(p) for p in points], dtype=np.float64)

    def _initial_points(
        self,
        batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
        dim: int,
        chains: int,
        gen_init: list[np.random.Generator],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if self.initial is not None:
            init = check_array(self.initial, "initial", ndim=(1, 2))
            if init.shape not in ((dim,), (chains, dim)):
                raise ValidationError(
                    f"initial must have shape ({dim},) or ({chains}, {dim}); got {init.shape}"
                )
            x = np.ascontiguousarray(np.broadcast_to(init, (chains, dim)), dtype=np.float64)
            lp = batch_logpdf(x)
            bad = ~np.isfinite(lp)
            if bad.any():
                raise ValidationError(
                    f"initial: the log-density is {lp[bad][0]} at chain(s) "
                    f"{np.flatnonzero(bad).tolist()}; expected finite values at the start"
                )
            return x, lp
        x = np.zeros((chains, dim))
        lp = np.full(chains, -np.inf)
        for _ in range(MAX_INIT_TRIES):
            todo = np.flatnonzero(~np.isfinite(lp))
            if todo.size == 0:
                break
            x[todo] = np.stack([gen_init[c].uniform(-2.0, 2.0, dim) for c in todo])
            lp[todo] = batch_logpdf(np.ascontiguousarray(x[todo]))
        bad = ~np.isfinite(lp)
        if bad.any():
            raise ValidationError(
                f"no starting point with a finite log-density found in {MAX_INIT_TRIES} "
                f"uniform draws on [-2, 2]^{dim} for chain(s) {np.flatnonzero(bad).tolist()}; "
                "pass initial= points inside the support"
            )
        return x, lp


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
