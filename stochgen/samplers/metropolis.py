"""Metropolis-Hastings: random walks, ensemble moves and gradient moves, many chains at once.

`MetropolisHastings` validates its settings, finds starting points and
streams, and hands the run to one engine: `stochgen.samplers.random_walk`
("rw", "adaptive", "independence"), `stochgen.samplers.ensemble` ("ensemble"),
`stochgen.samplers.mixture` ("mixture") or `stochgen.samplers.gradient`
("hmc", "mala"). Each engine has a compiled
path for a numba log-density and a batched path for a vectorized numpy one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_triangular

from stochgen._base import BaseModel
from stochgen._kernels.metropolis import ADAPTIVE, INDEPENDENCE, RANDOM_WALK
from stochgen._rng import SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_array, check_choice, check_n_samples, check_positive
from stochgen.exceptions import ValidationError
from stochgen.samplers.diagnostics import effective_sample_size
from stochgen.samplers.ensemble import check_walkers, move_probabilities, run_ensemble
from stochgen.samplers.gradient import check_gradient, run_gradient
from stochgen.samplers.mixture import MIN_WARMUP, PROPOSAL_KEYS, run_mixture
from stochgen.samplers.random_walk import run_random_walk
from stochgen.samplers.results import MCMCResult, MCMCState

__all__ = ["PROPOSALS", "MetropolisHastings"]

_KINDS = {"rw": RANDOM_WALK, "adaptive": ADAPTIVE, "independence": INDEPENDENCE}
PROPOSALS = ("adaptive", "rw", "independence", "ensemble", "mixture", "hmc", "mala", "auto")
#: Tries per chain to find a dispersed starting point with a finite log-density.
MAX_INIT_TRIES = 100
#: Pilot of proposal="auto": (warm-up, draws) per candidate.
PILOT_STEPS = {"adaptive": (1000, 2000), "ensemble": (500, 1000), "mixture": (1000, 1000)}
#: Default HMC path length (in the units of the adapted mass matrix).
PATH_LENGTH = 1.5


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
    proposal : {"adaptive", "rw", "independence", "ensemble", "mixture", "hmc", "mala", "auto"}
        ``"rw"``: Gaussian random walk ``y = x + step_size * L z`` with
        ``L L^T = proposal_cov``. ``"adaptive"``: the same during warm-up, with
        ``L`` set to the Cholesky factor of each chain's own sample covariance
        (Haario et al. 2001, from a quarter into warm-up, refreshed every 50
        steps, correlations shrunk towards zero and variances towards their
        mean by James-Stein weights sized to the warm-up's noise) and
        ``step_size`` tuned by Robbins-Monro towards acceptance 0.234 (Andrieu
        and Thoms 2008); both are frozen after warm-up.
        ``"independence"``: proposals ``N(proposal_mean, proposal_cov)``
        independent of the current point.
        ``"ensemble"``: an ensemble of ``chains`` walkers moved in red and blue
        halves by affine-invariant stretch and walk moves (Goodman and Weare
        2010), differential evolution (ter Braak 2006) and snooker moves (ter
        Braak and Vrugt 2008), mixed as ``moves`` says.
        ``"mixture"``: independence proposals from a Gaussian mixture fitted
        to the target during warm-up (Giordani and Kohn 2010): the first half
        of warm-up moves the chains as an ensemble, then EM fits the mixture
        (components chosen by BIC) and refits it in eight rounds to the
        proposals weighted by ``p/q``; frozen after warm-up. Needs ``warmup >=
        100`` and chains as ``"ensemble"`` does; see
        `stochgen.samplers.mixture`.
        ``"hmc"`` and ``"mala"``: Hamiltonian Monte Carlo with random path
        lengths, and the Metropolis-adjusted Langevin algorithm, with step sizes
        tuned by dual averaging (Hoffman and Gelman 2014) and a diagonal mass
        matrix learned in warm-up; they need ``grad_logpdf``.
        ``"auto"``: ``"hmc"`` when ``grad_logpdf`` is given; otherwise a short
        pilot run of ``"adaptive"`` (1,000 warm-up steps, 2,000 draws), of
        ``"ensemble"`` (500 and 1,000) and of ``"mixture"`` (1,000 and 1,000),
        each from its own stream of the seed, and the one with the largest
        minimum ESS per second of the pilot runs (``"ensemble"`` and
        ``"mixture"`` are skipped when ``chains`` is set to a number they cannot
        use). ``result.proposal`` says which ran.
    chains : int, optional
        Number of chains (walkers for ``"ensemble"``). Chain ``i`` draws from
        stream ``i`` of the seed. By default 8, and ``max(32, 2 dim + 2)`` for
        ``"ensemble"`` and ``"mixture"``, which need an even number of at least
        ``2 dim``.
    vectorized : bool
        Whether ``logpdf`` (and ``grad_logpdf``) take a batch.
    grad_logpdf : callable, optional
        Gradient of ``logpdf``: numba-jitted ``float64[:] -> float64[:]``, or
        with ``vectorized=True`` a numpy function ``(chains, dim) -> (chains,
        dim)``. Checked against finite differences at the starting points.
    moves : str or mapping, optional
        Ensemble moves: a name (``"stretch"``, ``"walk"``, ``"de"``,
        ``"snooker"``) or a mapping of names to probabilities; by default
        ``{"de": 0.8, "snooker": 0.1, "stretch": 0.1}``.
    proposal_cov : array_like, optional
        ``(dim, dim)`` positive definite; the identity by default.
    proposal_mean : array_like, optional
        ``(dim,)`` centre of the independence proposal (required there).
    step_size : float, optional
        Random-walk scale, ``2.38 / sqrt(dim)`` by default (Roberts, Gelman and
        Gilks 1997); for ``"hmc"`` and ``"mala"`` the initial leapfrog step,
        ``dim ** -0.25`` by default.
    path_length : float
        HMC trajectory length; the number of leapfrog steps is uniform on
        ``1 .. 2 L - 1`` with ``L = path_length / step``.
    initial : array_like, optional
        Starting points, ``(dim,)`` for all chains or ``(chains, dim)``. By
        default each chain starts at a uniform draw in ``[-2, 2]^dim`` from its
        own stream (redrawn until the log-density is finite).
    thin : int
        Keep one step in ``thin`` after warm-up.
    check_gradient : bool
        Compare ``grad_logpdf`` with finite differences before running.
    progress : bool or None
        Show a progress bar over the steps (tqdm when installed), once the run
        has taken a second; None follows `stochgen.set_progress` and
        ``STOCHGEN_PROGRESS``.
    max_steps : int
        Hard cap on the steps per chain (``warmup + n_draws * thin``).
    max_time : float, optional
        Wall-clock cap in seconds, checked between chunks of steps; on reaching
        it the draws so far are returned with a
        `stochgen.exceptions.ConvergenceWarning`.

    Examples
    --------
    >>> import numba
    >>> import numpy as np
    >>> @numba.njit
    ... def logpdf(x):
    ...     return -0.5 * np.sum(x * x)
    >>> sampler = MetropolisHastings(logpdf, 2, chains=4, progress=False)
    >>> result = sampler.sample(2000, warmup=1000, seed=0)
    >>> result.draws.shape
    (4, 2000, 2)
    >>> bool(np.all(result.rhat < 1.01))
    True
    >>> batch = MetropolisHastings(lambda x: -0.5 * np.sum(x * x, axis=1), 2,
    ...                            chains=4, vectorized=True, progress=False)
    >>> bool(np.allclose(batch.sample(2000, warmup=1000, seed=0).draws, result.draws))
    True
    >>> ensemble = MetropolisHastings(logpdf, 2, proposal="ensemble", progress=False)
    >>> ensemble.sample(1000, warmup=500, seed=0).draws.shape
    (32, 1000, 2)
    """

    def __init__(
        self,
        logpdf: Callable[..., Any],
        dim: int,
        *,
        proposal: str = "adaptive",
        chains: int | None = None,
        vectorized: bool = False,
        grad_logpdf: Callable[..., Any] | None = None,
        moves: str | Mapping[str, float] | None = None,
        proposal_cov: ArrayLike | None = None,
        proposal_mean: ArrayLike | None = None,
        step_size: float | None = None,
        path_length: float = PATH_LENGTH,
        initial: ArrayLike | None = None,
        thin: int = 1,
        check_gradient: bool = True,
        progress: bool | None = None,
        max_steps: int = 100_000_000,
        max_time: float | None = None,
    ) -> None:
        self.logpdf = logpdf
        self.dim = dim
        self.proposal = proposal
        self.chains = chains
        self.vectorized = vectorized
        self.grad_logpdf = grad_logpdf
        self.moves = moves
        self.proposal_cov = proposal_cov
        self.proposal_mean = proposal_mean
        self.step_size = step_size
        self.path_length = path_length
        self.initial = initial
        self.thin = thin
        self.check_gradient = check_gradient
        self.progress = progress
        self.max_steps = max_steps
        self.max_time = max_time

    def sample(
        self,
        n_draws: int,
        warmup: int = 1000,
        seed: SeedLike = None,
        *,
        initial_state: MCMCState | None = None,
    ) -> MCMCResult:
        """Run the chains and return their draws after warm-up.

        Parameters
        ----------
        n_draws : int
            Draws kept per chain.
        warmup : int
            Steps per chain run and discarded first (adaptation happens here).
        seed : None, int, SeedSequence, BitGenerator or Generator
            Chain ``i`` uses stream ``i`` of ``SeedSequence(seed)``. With
            ``initial_state`` and ``seed=None`` the chains continue the streams
            where they stopped.
        initial_state : MCMCState, optional
            ``result.last_state`` of an earlier run of the same proposal: the
            chains continue from there, with its tuning. With ``warmup=0`` and
            ``seed=None`` the draws are those one longer run would have given.

        Returns
        -------
        MCMCResult
            ``draws`` shaped ``(chains, n_draws, dim)``, ``acceptance_rate``,
            ``ess``, ``rhat``, ``mcse``, ``summary()``, ``last_state``,
            ``proposal``.

        Raises
        ------
        TypeError
            If ``logpdf`` is not numba-jitted while ``vectorized=False``.
        stochgen.samplers.gradient.GradientError
            If ``grad_logpdf`` disagrees with finite differences of ``logpdf``.
        stochgen.exceptions.ValidationError
            On bad settings, a log-density that is not finite at the starting
            points, or more steps than ``max_steps``.
        """
        n_draws = check_n_samples(n_draws, "n_draws")
        warmup = check_n_samples(warmup, "warmup")
        dim = check_n_samples(self.dim, "dim")
        thin = check_n_samples(self.thin, "thin")
        if dim < 1 or thin < 1:
            raise ValidationError(f"dim and thin must be at least 1; got {dim}, {thin}")
        proposal = check_choice(self.proposal, "proposal", PROPOSALS)
        total = warmup + n_draws * thin
        max_steps = check_n_samples(self.max_steps, "max_steps")
        if total > max_steps:
            raise ValidationError(
                f"warmup + n_draws * thin = {total} steps per chain exceeds max_steps="
                f"{max_steps}; lower n_draws or raise max_steps"
            )
        max_time = None if self.max_time is None else check_positive(self.max_time, "max_time")
        batch_logpdf = self._batch_logpdf()
        root = as_seed_sequence(seed)
        if initial_state is not None:
            if not isinstance(initial_state, MCMCState):
                raise TypeError(
                    "initial_state must be an MCMCState (result.last_state); got "
                    f"{type(initial_state).__name__}"
                )
            if proposal == "auto":
                proposal = initial_state.proposal
            if initial_state.proposal != proposal:
                raise ValidationError(
                    f"initial_state comes from proposal={initial_state.proposal!r}; this "
                    f"sampler runs proposal={proposal!r}"
                )
        if proposal == "auto":
            proposal = self._choose_proposal(batch_logpdf, dim, root)
        chains = self._n_chains(proposal, dim, initial_state)
        streams = [
            np.random.SeedSequence(
                entropy=root.entropy, spawn_key=(*root.spawn_key, c), pool_size=root.pool_size
            )
            for c in range(chains)
        ]
        gen_z = [block_generator(s, 0) for s in streams]
        gen_u = [block_generator(s, 1) for s in streams]
        if initial_state is not None:
            x, lp = initial_state.x.copy(), initial_state.log_density.copy()
            if x.shape != (chains, dim):
                raise ValidationError(
                    f"initial_state holds {x.shape} positions; expected ({chains}, {dim})"
                )
            if seed is None:
                for gens, k in ((gen_z, 0), (gen_u, 1)):
                    for c, g in enumerate(gens):
                        g.bit_generator.state = initial_state.rng_states[c][k]
        else:
            gen_init = [block_generator(s, 2) for s in streams]
            x, lp = self._initial_points(batch_logpdf, dim, chains, gen_init)
        draws = np.zeros((chains, n_draws, dim))
        n_accept = np.zeros(chains, dtype=np.int64)
        common = {
            "warmup": warmup, "total": total, "thin": thin, "draws": draws,
            "max_time": max_time, "progress": self.progress,
        }  # fmt: skip
        numba_logpdf = None if self.vectorized else self.logpdf
        tuning: dict[str, NDArray[Any]]
        if proposal == "ensemble":
            check_walkers(chains, dim)
            done, elapsed = run_ensemble(
                numba_logpdf, batch_logpdf, ens=x, lp=lp, gens=gen_z,
                move_cum=move_probabilities(self.moves), n_accept=n_accept, **common,
            )  # fmt: skip
            tuning = {}
        elif proposal == "mixture":
            if initial_state is None:
                check_walkers(chains, dim)
            state = {"x": x, "lp": lp}
            if initial_state is not None:
                state.update({k: np.array(v, copy=True) for k, v in initial_state.tuning.items()})
            fit_seed = np.random.SeedSequence(
                entropy=root.entropy, spawn_key=(*root.spawn_key, 1 << 21)
            )
            done, elapsed = run_mixture(
                numba_logpdf, batch_logpdf, state, gen_z=gen_z, gen_u=gen_u,
                fit_rng=np.random.default_rng(fit_seed), n_accept=n_accept, **common,
            )  # fmt: skip
            # Absent when max_time stopped the run before the first fit.
            tuning = {k: state[k] for k in PROPOSAL_KEYS if k in state}
        elif proposal in ("hmc", "mala"):
            state = self._gradient_state(proposal, x, lp, batch_logpdf, initial_state)
            state["n_accept"] = n_accept
            path = check_positive(self.path_length, "path_length")
            done, elapsed = run_gradient(
                numba_logpdf, None if self.vectorized else self.grad_logpdf, batch_logpdf,
                self._batch_grad(), state, mala=proposal == "mala", path_length=path,
                gen_z=gen_z, gen_u=gen_u, **common,
            )  # fmt: skip
            tuning = {"da": state["da"], "inv_mass": state["inv_mass"]}
        else:
            state = self._random_walk_state(proposal, x, lp, initial_state)
            state["n_accept"] = n_accept
            done, elapsed = run_random_walk(
                numba_logpdf, batch_logpdf, state, kind=_KINDS[proposal],
                gen_z=gen_z, gen_u=gen_u, **common,
            )  # fmt: skip
            tuning = {k: state[k] for k in ("chol", "log_scale", "center", "lq")}
        kept_steps = max(done - warmup, 0)
        n_kept = kept_steps // thin
        rate = n_accept / kept_steps if kept_steps else np.full(chains, np.nan)
        last = MCMCState(
            proposal=proposal,
            x=x.copy(),
            log_density=lp.copy(),
            rng_states=tuple(
                (gz.bit_generator.state, gu.bit_generator.state)
                for gz, gu in zip(gen_z, gen_u, strict=True)
            ),
            tuning={k: np.array(v, copy=True) for k, v in tuning.items()},
        )
        return MCMCResult(
            draws[:, :n_kept], rate, warmup=warmup, thin=thin, elapsed=elapsed,
            last_state=last, proposal=proposal,
        )  # fmt: skip

    def _n_chains(self, proposal: str, dim: int, initial_state: MCMCState | None) -> int:
        if self.chains is None:
            if initial_state is not None:
                return int(initial_state.x.shape[0])
            if proposal in ("ensemble", "mixture"):
                return max(32, 2 * dim + 2)
            return 8
        chains = check_n_samples(self.chains, "chains")
        if chains < 1:
            raise ValidationError(f"chains must be at least 1; got {chains}")
        return chains

    def _choose_proposal(
        self,
        batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
        dim: int,
        root: np.random.SeedSequence,
    ) -> str:
        """Pick "hmc" given a gradient, else the fastest of the gradient-free moves in a pilot."""
        if self.grad_logpdf is not None:
            return "hmc"
        best, best_rate = "adaptive", -np.inf
        for k, candidate in enumerate(PILOT_STEPS):
            if candidate in ("ensemble", "mixture") and self.chains is not None:
                walkers = check_n_samples(self.chains, "chains")
                if walkers % 2 or walkers < max(2 * dim, 6):
                    continue  # the main run could not use an ensemble of this size
            pilot = self.clone().set_params(proposal=candidate, progress=False, max_time=None)
            warm, n = PILOT_STEPS[candidate]
            seed = np.random.SeedSequence(
                entropy=root.entropy, spawn_key=(*root.spawn_key, 1 << 20, k)
            )
            # A first short call compiles the kernels, so the timed one measures sampling.
            pilot.sample(4, warmup=MIN_WARMUP if candidate == "mixture" else 4, seed=seed)
            result = pilot.sample(n, warmup=warm, seed=seed)
            with np.errstate(all="ignore"):
                ess = effective_sample_size(result.draws)
            rate = float(np.nanmin(ess, initial=np.inf)) / max(result.elapsed, 1e-9)
            if np.isfinite(rate) and rate > best_rate:
                best, best_rate = candidate, rate
        return best

    def _random_walk_state(
        self,
        proposal: str,
        x: NDArray[np.float64],
        lp: NDArray[np.float64],
        initial_state: MCMCState | None,
    ) -> dict[str, NDArray]:
        chains, dim = x.shape
        cov = np.eye(dim) if self.proposal_cov is None else self._check_cov(dim)
        chol0 = np.linalg.cholesky(cov)
        if proposal == "independence":
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
        lq = np.zeros(chains)
        if proposal == "independence":
            w = solve_triangular(chol0, (x - center0).T, lower=True)
            lq = -0.5 * np.sum(w * w, axis=0)
        # np.array copies: a broadcast view is read-only, and the kernels write into these.
        state = {
            "x": x,
            "lp": lp,
            "lq": lq,
            "chol": np.array(np.broadcast_to(chol0, (chains, dim, dim)), order="C"),
            "log_scale": np.full(chains, np.log(step)),
            "mean": np.zeros((chains, dim)),
            "m2": np.zeros((chains, dim, dim)),
            "n_seen": np.zeros(chains, dtype=np.int64),
            "center": np.array(np.broadcast_to(center0, (chains, dim)), order="C"),
        }
        if initial_state is not None:
            for k, v in initial_state.tuning.items():
                state[k] = np.array(v, copy=True)
        return state

    def _gradient_state(
        self,
        proposal: str,
        x: NDArray[np.float64],
        lp: NDArray[np.float64],
        batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
        initial_state: MCMCState | None,
    ) -> dict[str, NDArray]:
        if self.grad_logpdf is None:
            raise ValidationError(
                f"proposal={proposal!r} needs grad_logpdf, the gradient of logpdf; got None"
            )
        chains, dim = x.shape
        batch_grad = self._batch_grad()
        if self.check_gradient:
            check_gradient(batch_logpdf, batch_grad, x[: min(chains, 4)])
        step = dim**-0.25 if self.step_size is None else self.step_size
        step = check_positive(step, "step_size")
        da = np.zeros((chains, 5))
        da[:, 0] = da[:, 1] = np.log(step)
        da[:, 4] = np.log(10.0 * step)
        state = {
            "x": x,
            "lp": lp,
            "g": np.ascontiguousarray(batch_grad(x), dtype=np.float64),
            "da": da,
            "inv_mass": np.ones((chains, dim)),
            "mean": np.zeros((chains, dim)),
            "m2": np.zeros((chains, dim)),
            "n_seen": np.zeros(chains, dtype=np.int64),
        }
        if initial_state is not None:
            for k, v in initial_state.tuning.items():
                state[k] = np.array(v, copy=True)
        return state

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

    def _batch_logpdf(self) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """Return the log-density of a (chains, dim) batch, checking the callable."""
        return _batched(self.logpdf, "logpdf", self.vectorized, 1)

    def _batch_grad(self) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        return _batched(self.grad_logpdf, "grad_logpdf", self.vectorized, 2)

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
            x = np.array(np.broadcast_to(init, (chains, dim)), dtype=np.float64, order="C")
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


def _batched(
    fn: Callable[..., Any], name: str, vectorized: bool, ndim: int
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """Wrap a log-density (``ndim=1``) or gradient (``ndim=2``) to take a (chains, dim) batch."""
    if not callable(fn):
        raise TypeError(f"{name} must be callable; got {type(fn).__name__}")
    if vectorized:

        def batch(points: NDArray[np.float64]) -> NDArray[np.float64]:
            values = np.asarray(fn(points), dtype=np.float64)
            expected = points.shape[:ndim]
            if values.shape != expected:
                raise ValidationError(
                    f"{name} (vectorized=True) must map a {points.shape} batch to shape "
                    f"{expected}; got shape {values.shape}"
                )
            return values

        return batch
    # Under NUMBA_DISABLE_JIT (coverage runs) numba.njit returns the plain function.
    if not (numba.extending.is_jitted(fn) or numba.config.DISABLE_JIT):
        raise TypeError(
            f"{name} must be a numba-jitted function of one point (decorate it with "
            "numba.njit), or pass vectorized=True with a numpy function of a "
            f"(chains, dim) batch; got {fn!r}"
        )
    return lambda points: np.array([fn(p) for p in points], dtype=np.float64)
