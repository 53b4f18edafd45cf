"""The mixture engine behind ``MetropolisHastings(proposal="mixture")``.

An independence Metropolis-Hastings sampler whose proposal is a mixture of
Gaussians fitted to the target during warm-up (adaptive independence
samplers with mixture-of-normals proposals: Giordani and Kohn 2010). Warm-up
``W`` runs in three stages:

1. ``[0, W/2)``: the walkers move as an ensemble (`stochgen.samplers.ensemble`),
   which finds the target's mass whatever its scale and shape; its draws from
   ``[W/4, W/2)`` are kept.
2. At ``W/2`` EM fits a Gaussian mixture to those draws, its number of
   components (1, 2, 4, ... up to `MAX_COMPONENTS`) chosen by BIC. The
   proposal runs each component at two widths: its covariance times
   `INFLATE`, and a defensive copy ``DEFENSIVE_SCALE`` times wider with weight
   `DEFENSIVE`, so that the proposal's tails are heavier than the fit's. From
   here on every chain is an independence sampler.
3. `ROUNDS` rounds over ``[W/2, W)`` refit the mixture by EM, warm-started
   from the last fit, to every proposal made so far weighted by ``p/q``
   (population Monte Carlo, Cappe et al. 2008; each round's weights count
   as its effective sample size): proposals reach wherever ``q`` does, so
   mass the first fit under-covered pulls the next fit towards it. A round
   whose weights are too uneven (effective size below ``MIN_EFFECTIVE (d +
   1)``) refits to the chains' own points instead.

After warm-up the proposal is frozen, so the draws come from one fixed,
valid Markov chain per walker, and ``result.last_state`` carries the mixture
for a resumed run. Each step costs one log-density and one triangular solve
per fitted component; accepted proposals are independent of the past, so on
targets the mixture fits well the draws are close to independent. It fails
where the warm-up never found some of the mass (a mode no walker visited),
fits poorly in many dimensions when the target is far from Gaussian, and
sticks for a while wherever ``p/q`` is large (tails the mixture
under-covers): the acceptance rate, R-hat and split-chain ESS say so (see
`LOW_ACCEPTANCE`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from stochgen._kernels import mixture as kernels
from stochgen.exceptions import ConvergenceWarning, ValidationError
from stochgen.samplers.ensemble import ensemble_advance, move_probabilities
from stochgen.samplers.schedule import run_chunks

__all__ = [
    "DEFENSIVE",
    "INFLATE",
    "LOW_ACCEPTANCE",
    "MAX_COMPONENTS",
    "MIN_WARMUP",
    "PROPOSAL_KEYS",
    "fit_mixture",
    "proposal_arrays",
    "run_mixture",
]

#: Most mixture components tried by BIC.
MAX_COMPONENTS = 32
#: Factor on each fitted covariance: a proposal a little wider than the fit.
INFLATE = 1.2
#: Weight of the defensive copy of the mixture, each component twice as wide.
DEFENSIVE = 0.1
DEFENSIVE_SCALE = 2.0
#: Fewest warm-up steps that leave the ensemble time to find the mass.
MIN_WARMUP = 100
#: Acceptance rate below which the run warns that the proposal missed the target.
LOW_ACCEPTANCE = 0.02
#: EM stops when the log-likelihood per point gains less than this.
EM_TOL = 1e-3
EM_MAX_ITER = 100
#: Importance-weighted refits in the second half of warm-up (population Monte
#: Carlo, Cappe et al. 2008): each round's proposals, weighted by p/q, refit the mixture.
ROUNDS = 8
#: Effective importance sample, per dimension plus one, below which a refit uses
#: the chains' points (unweighted) rather than the weighted proposals.
MIN_EFFECTIVE = 20
#: Steps per compiled call once the chains are independence samplers.
CHUNK_STEPS = 4096

#: The proposal's arrays, in the kernels' order (see stochgen._kernels.mixture).
PROPOSAL_KEYS = ("means", "chols", "cum_w", "log_c", "scales", "cum_v", "log_v")
#: A fitted mixture: ``(weights (K,), means (K, d), covs (K, d, d))``.
Mixture = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def fit_mixture(
    points: NDArray[np.float64],
    rng: np.random.Generator,
    *,
    weights: NDArray[np.float64] | None = None,
    start: Mixture | None = None,
    max_components: int = MAX_COMPONENTS,
) -> Mixture:
    """Fit a Gaussian mixture to (weighted) points by EM, choosing the components by BIC.

    ``K = 1, 2, 4, ...`` components are tried while each parameter has at
    least ten points, and the search stops at the first ``K`` whose BIC is not
    better than the best so far. Each fit starts from k-means++ centres, or
    from ``start`` (then ``K`` is that of ``start`` and there is no search).
    Components left with less than ``d + 1`` points' weight are dropped.

    Parameters
    ----------
    points : numpy.ndarray
        ``(n, d)`` finite values.
    rng : numpy.random.Generator
        Drives the k-means++ seeding.
    weights : numpy.ndarray, optional
        ``(n,)`` non-negative importance weights, scaled here to sum to their
        effective sample size ``(sum w)^2 / sum w^2``, which is the ``n`` of
        BIC and of the ten-points rule.
    start : tuple, optional
        ``(weights, means, covs)`` of an earlier fit to start EM from.
    max_components : int
        Largest ``K`` tried.

    Returns
    -------
    tuple of numpy.ndarray
        ``(weights (K,), means (K, d), covs (K, d, d))``.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the points (or their effective number) are too few, or they do not vary.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pts = np.concatenate([rng.normal(-5, 1, (500, 1)), rng.normal(5, 1, (500, 1))])
    >>> w, m, c = fit_mixture(pts, rng)
    >>> len(w), np.round(np.sort(m[:, 0]))
    (2, array([-5.,  5.]))
    """
    n, d = points.shape
    if weights is None:
        point_w = np.ones(n)
    else:
        keep = weights > 0
        points, point_w = points[keep], weights[keep]
        if point_w.size:
            point_w = point_w * (point_w.sum() / np.sum(point_w**2))
    n_eff = float(point_w.sum())
    if not n_eff > d + 1:  # also when no weight is positive
        raise ValidationError(
            f"fitting a mixture in {d} dimensions needs more than {d + 1} points (effective "
            f"number); got {n_eff:.1f}"
        )
    mean = point_w @ points / n_eff
    scale = float(np.mean(point_w @ (points - mean) ** 2) / n_eff)
    if not (scale > 0 and np.isfinite(scale)):
        raise ValidationError(
            "the warm-up draws do not vary (every walker stayed put); the mixture proposal "
            "cannot be fitted: check the log-density, or use a longer warmup"
        )
    ridge = 1e-6 * scale
    if start is not None:
        return _em(points, point_w, _responsibilities(points, point_w, start), ridge)[0]
    per_component = d + d * (d + 1) // 2 + 1
    best: tuple[float, Mixture] | None = None
    k = 1
    while k <= max_components and (k == 1 or 10 * k * per_component <= n_eff):
        fitted, loglik = _em(points, point_w, _kmeans_pp(points, k, rng), ridge)
        bic = -2.0 * loglik + len(fitted[0]) * per_component * np.log(n_eff)
        if best is not None and not bic < best[0]:
            break
        best = (bic, fitted)
        k *= 2
    assert best is not None
    return best[1]


def _kmeans_pp(points: NDArray[np.float64], k: int, rng: np.random.Generator) -> NDArray:
    """Hard responsibilities ``(n, k)``: each point to the nearest of k-means++ centres."""
    n, d = points.shape
    centres = np.empty((k, d))
    centres[0] = points[rng.integers(n)]
    nearest = np.sum((points - centres[0]) ** 2, axis=1)
    for j in range(1, k):
        total = nearest.sum()
        pick = rng.integers(n) if not total > 0 else rng.choice(n, p=nearest / total)
        centres[j] = points[pick]
        nearest = np.minimum(nearest, np.sum((points - centres[j]) ** 2, axis=1))
    labels = np.argmin(
        np.sum(points**2, axis=1)[:, None] - 2.0 * points @ centres.T + np.sum(centres**2, axis=1),
        axis=1,
    )
    resp = np.zeros((n, k))
    resp[np.arange(n), labels] = 1.0
    return resp


def _log_c(weights: NDArray[np.float64], chols: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.log(weights) - np.log(np.diagonal(chols, axis1=1, axis2=2)).sum(axis=1)


def _responsibilities(
    points: NDArray[np.float64], point_w: NDArray[np.float64], mixture: Mixture
) -> NDArray[np.float64]:
    weights, means, covs = mixture
    chols = np.linalg.cholesky(covs)
    resp = np.empty((len(points), len(weights)))
    kernels.e_step(points, point_w, means, chols, _log_c(weights, chols), resp)
    return resp


def _em(
    points: NDArray[np.float64],
    point_w: NDArray[np.float64],
    resp: NDArray[np.float64],
    ridge: float,
) -> tuple[Mixture, float]:
    """EM from responsibilities ``resp``: ``((weights, means, covs), log-likelihood)``."""
    n, d = points.shape
    loglik = -np.inf
    total = point_w.sum()
    for _ in range(EM_MAX_ITER):
        resp = resp[:, point_w @ resp > d + 1]
        if resp.shape[1] == 0:  # every component too small: one component of all points
            resp = np.ones((n, 1))
        kk = resp.shape[1]
        means = np.empty((kk, d))
        covs = np.empty((kk, d, d))
        weights = kernels.m_step(points, point_w, resp, ridge, means, covs)
        chols = np.linalg.cholesky(covs)
        new = kernels.e_step(points, point_w, means, chols, _log_c(weights, chols), resp)
        done = new - loglik < EM_TOL * total
        loglik = new
        if done:
            break
    return (weights, means, covs), float(loglik)


def proposal_arrays(mixture: Mixture) -> dict[str, NDArray[np.float64]]:
    """Return the kernel's arrays for a fitted mixture, widened and with its defensive copy.

    Returns ``{"means", "chols", "cum_w", "log_c", "scales", "cum_v", "log_v"}`` (see
    `stochgen._kernels.mixture`): each fitted component at two covariance
    scales, `INFLATE` with weight ``1 - DEFENSIVE`` and ``DEFENSIVE_SCALE**2``
    with weight `DEFENSIVE`.
    """
    weights, means, covs = mixture
    scales = np.array([INFLATE, DEFENSIVE_SCALE**2])
    chols = np.linalg.cholesky(covs)
    cum_w = np.cumsum(weights)
    cum_w[-1] = 1.0
    return {
        "means": np.ascontiguousarray(means),
        "chols": np.ascontiguousarray(chols),
        "cum_w": cum_w,
        "log_c": _log_c(weights, chols),
        "scales": scales,
        "cum_v": np.array([1.0 - DEFENSIVE, 1.0]),
        "log_v": np.log([1.0 - DEFENSIVE, DEFENSIVE]) - 0.5 * means.shape[1] * np.log(scales),
    }


def run_mixture(
    logpdf: Callable[..., float] | None,
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    state: dict[str, NDArray[Any]],
    *,
    gen_z: list[np.random.Generator],
    gen_u: list[np.random.Generator],
    fit_rng: np.random.Generator,
    warmup: int,
    total: int,
    thin: int,
    draws: NDArray[np.float64],
    n_accept: NDArray[np.int64],
    max_time: float | None,
    progress: bool | None,
) -> tuple[int, float]:
    """Advance the chains ``total`` steps; return ``(steps done, seconds)``.

    ``state`` holds ``x`` and ``lp`` and, on a resumed run, the proposal
    (`PROPOSAL_KEYS`): then the mixture is kept as it is and
    every step, warm-up included, is an independence step. Otherwise warm-up
    fits it as the module says, and the fitted arrays are written to
    ``state``. ``logpdf`` is the numba point function, or None for the numpy
    lockstep path.
    """
    x, lp = state["x"], state["lp"]
    chains, dim = x.shape
    typed_z, typed_u = numba.typed.List(gen_z), numba.typed.List(gen_u)
    adapt = "means" not in state
    if adapt and warmup < MIN_WARMUP:
        raise ValidationError(
            f"proposal='mixture' fits its proposal during warm-up and needs warmup >= "
            f"{MIN_WARMUP}; got {warmup}"
        )
    half = warmup // 2
    # Refits at the ends of ROUNDS equal rounds over [W/2, W).
    ends = [half + ((warmup - half) * j) // ROUNDS for j in range(1, ROUNDS + 1)]
    # Rows kept for the fits: the steps are thinned so that at most ``cap`` are stored.
    cap = max(4096, min(10 * dim * dim, 65_536))
    nothing = np.zeros((chains, 0, dim))
    no_weights = np.zeros((chains, 0))
    scratch_accept = np.zeros(chains, dtype=np.int64)
    every_a = max(1, -(-(chains * (half - warmup // 4)) // cap))
    ens_draws = np.zeros((chains, (half - warmup // 4) // every_a, dim)) if adapt else nothing
    longest = max(b - a for a, b in zip([half, *ends], ends, strict=False))
    every_b = max(1, -(-(chains * longest) // cap))
    props = np.zeros((chains, longest // every_b, dim)) if adapt else nothing
    states = np.zeros_like(props)
    prop_lw = np.zeros(props.shape[:2])
    if adapt:
        ensemble, _ = ensemble_advance(
            logpdf, batch_logpdf, ens=x, lp=lp, gens=typed_z, move_cum=move_probabilities(None),
            warmup=warmup // 4, thin=every_a, draws=ens_draws, n_accept=scratch_accept,
        )  # fmt: skip
    kernel = kernels.chain_kernel(logpdf) if logpdf is not None else None
    ys = np.empty((chains, dim))
    lq_y = np.empty(chains)
    lq = np.empty(chains)
    fitted: list[Mixture] = []
    pool: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []

    def refit(points: NDArray[np.float64], log_w: NDArray[np.float64] | None,
              chain_points: NDArray[np.float64] | None = None) -> None:  # fmt: skip
        point_w = None
        if log_w is not None:
            point_w = np.zeros(len(log_w))
            finite = np.isfinite(log_w)
            if finite.any():
                point_w[finite] = np.exp(log_w[finite] - log_w[finite].max())
            n_eff = point_w.sum() ** 2 / max(np.sum(point_w**2), 1e-300)
            if n_eff < MIN_EFFECTIVE * (dim + 1):
                # Weights too uneven to fit from: the chains' own points instead.
                points, point_w = chain_points, None
            else:
                # Every round's weighted sample, each weighing as its effective size.
                kept = point_w > 0
                pool.append((points[kept], point_w[kept] * (n_eff / point_w.sum())))
                points = np.concatenate([p for p, _ in pool])
                point_w = np.concatenate([w for _, w in pool])
        mixture = fit_mixture(points, fit_rng, weights=point_w,
                              start=fitted[-1] if fitted else None)  # fmt: skip
        fitted.append(mixture)
        state.update(proposal_arrays(mixture))
        lq[:] = _log_q(x)

    def _log_q(points: NDArray[np.float64]) -> NDArray[np.float64]:
        keys = ("means", "chols", "log_c", "scales", "log_v")
        return kernels.log_density_all(points, *(state[k] for k in keys))

    if not adapt:
        lq[:] = _log_q(x)

    def independence(t0: int, steps: int, record_from: int, every: int, out: NDArray,
                     keep: NDArray, keep_lw: NDArray) -> None:  # fmt: skip
        arrays = [state[k] for k in PROPOSAL_KEYS]
        if kernel is not None:
            kernel(x, lp, lq, *arrays, typed_z, typed_u, t0, steps, warmup, record_from, every,
                   n_accept, out, keep, keep_lw)  # fmt: skip
            return
        for t in range(t0, t0 + steps):
            kernels.propose_all(typed_z, typed_u, *arrays, ys, lq_y)
            kernels.finish_all(typed_u, x, lp, lq, ys, batch_logpdf(ys), lq_y, t, warmup,
                               record_from, every, n_accept, out, keep, keep_lw)  # fmt: skip

    def advance(t0: int, steps: int) -> None:
        t, end = t0, t0 + steps
        while t < end:
            if adapt and t < half:
                stop = min(end, half)
                ensemble(t, stop - t)
            elif adapt and t < warmup:
                j = next(i for i, e in enumerate(ends) if t < e)
                stop = min(end, ends[j])
                begin = ends[j - 1] if j else half
                independence(t, stop - t, begin, every_b, states, props, prop_lw)
            else:
                stop = end
                independence(t, stop - t, warmup, thin, draws, nothing, no_weights)
            t = stop
            if adapt and t == half:
                refit(ens_draws.reshape(-1, dim), None)
            elif adapt and t in ends:
                # The round's proposals with their importance weights p/q: a
                # weighted sample of the target that reaches wherever q does.
                j = ends.index(t)
                rows = (t - (ends[j - 1] if j else half)) // every_b
                refit(props[:, :rows].reshape(-1, dim), prop_lw[:, :rows].ravel(),
                      states[:, :rows].reshape(-1, dim))  # fmt: skip

    done, elapsed = run_chunks(
        advance, total, chunk=CHUNK_STEPS, max_time=max_time, progress=progress,
        label="MetropolisHastings",
    )  # fmt: skip
    kept = done - warmup
    if kept > 0 and n_accept.sum() < LOW_ACCEPTANCE * kept * chains:
        warnings.warn(
            f"proposal='mixture' accepted {n_accept.sum() / (kept * chains):.1%} of its "
            "proposals: the fitted mixture misses much of the target. Use a longer warmup, "
            "or proposal='ensemble' or 'adaptive'",
            ConvergenceWarning,
            stacklevel=3,
        )
    return done, elapsed
