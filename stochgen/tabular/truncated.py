"""Multivariate normal draws conditioned on exact values and on boxes.

Conditions on a table become, in the copula's normal-score space, exact
values for some coordinates (a continuous value) and intervals for others (a
category, a range, "not missing"). `conditional_normal` samples the Gaussian
copula's latent vector under both, without blind rejection of whole rows:

1. exact values are conditioned on in closed form (Gaussian conditioning);
2. one interval: its coordinate is drawn from the truncated normal by
   inversion, the others from their Gaussian conditional given it (exact);
3. several intervals: the probability of the box is estimated from a pilot;
   when it is not small the intervals are met by rejection (exact), else by a
   Gibbs sampler over the truncated coordinates (Geweke 1991; Robert 1995);
4. the unconstrained coordinates are drawn from their conditional given the
   constrained ones.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from stochgen._kernels.tabular import matrix_apply, standard_normals
from stochgen.copulas.gaussian import gaussian_conditional
from stochgen.exceptions import ValidationError

__all__ = ["box_probability", "conditional_normal"]

_PILOT_DRAWS = 4_096
_MIN_REJECTION_ACCEPTANCE = 0.02
_MAX_REJECTION_ROUNDS = 200
_GIBBS_SWEEPS = 100


def _gaussian_rows(
    mean: NDArray[np.float64], cov: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.float64]:
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    n, k = mean.shape
    # Dimension-major normals and a serial product: no BLAS pool inside sampling threads.
    g = np.empty((k, n))
    standard_normals(rng, g.reshape(-1))
    z = np.empty_like(g)
    matrix_apply(np.ascontiguousarray(root), g, z, False)
    return mean + z.T


def _truncnorm(
    mean: NDArray[np.float64],
    sd: float | NDArray[np.float64],
    lower: float,
    upper: float,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    a = (lower - mean) / sd
    b = (upper - mean) / sd
    return mean + sd * stats.truncnorm.ppf(rng.random(np.shape(mean)), a, b)


def box_probability(
    mean: NDArray[np.float64],
    cov: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    rng: np.random.Generator,
) -> float:
    """Monte Carlo estimate of P(lower < Z < upper) for Z ~ N(mean, cov).

    Parameters
    ----------
    mean : numpy.ndarray
        Shape (k,).
    cov : numpy.ndarray
        Shape (k, k).
    lower, upper : numpy.ndarray
        Box bounds, shape (k,).
    rng : numpy.random.Generator

    Returns
    -------
    float

    Examples
    --------
    >>> p = box_probability(np.zeros(2), np.eye(2), np.zeros(2), np.full(2, np.inf),
    ...                     np.random.default_rng(0))
    >>> abs(p - 0.25) < 0.03
    True
    """
    draws = _gaussian_rows(np.broadcast_to(mean, (_PILOT_DRAWS, mean.size)), cov, rng)
    return float(np.mean(np.all((draws > lower) & (draws < upper), axis=1)))


def conditional_normal(
    corr: NDArray[np.float64],
    points: dict[int, float],
    boxes: dict[int, tuple[float, float]],
    n: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Draw ``n`` rows of N(0, corr) given exact coordinates and intervals.

    Parameters
    ----------
    corr : numpy.ndarray
        Correlation matrix, shape (d, d).
    points : dict of int to float
        Coordinate index to its exact value.
    boxes : dict of int to (float, float)
        Coordinate index to its open interval (bounds may be infinite).
    n : int
        Rows.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        Shape (n, d).

    Raises
    ------
    stochgen.exceptions.ValidationError
        If an interval is empty or the conditions have (numerically) zero
        probability under the model.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.9], [0.9, 1.0]])
    >>> z = conditional_normal(corr, {}, {0: (1.0, np.inf)}, 2_000, np.random.default_rng(0))
    >>> bool(z[:, 0].min() > 1.0) and bool(z[:, 1].mean() > 1.0)
    True
    """
    d = corr.shape[0]
    out = np.empty((n, d))
    for index, (lo, hi) in boxes.items():
        if not lo < hi:
            raise ValidationError(f"latent interval ({lo}, {hi}) for coordinate {index} is empty")
    given = np.array(sorted(points), dtype=np.intp)
    given_values = np.tile([points[i] for i in given], (n, 1)).reshape(n, given.size)
    out[:, given] = given_values
    free, mean, cov = gaussian_conditional(corr, given, given_values)
    if not boxes:
        out[:, free] = _gaussian_rows(np.array(mean), cov, rng)
        return out
    boxed = np.array(sorted(boxes), dtype=np.intp)
    pos = np.searchsorted(free, boxed)
    lower = np.array([boxes[i][0] for i in boxed])
    upper = np.array([boxes[i][1] for i in boxed])
    box_mean = np.array(mean[:, pos])
    box_cov = cov[np.ix_(pos, pos)]
    if boxed.size == 1:
        sd = float(np.sqrt(max(box_cov[0, 0], 1e-300)))
        z_box = _truncnorm(box_mean[:, 0], sd, lower[0], upper[0], rng)[:, None]
    else:
        z_box = _sample_box(box_mean, box_cov, lower, upper, rng)
    if not np.all(np.isfinite(z_box)):
        raise ValidationError("the conditions have zero probability under the fitted model")
    out[:, boxed] = z_box
    # The remaining free coordinates given the boxed ones (mean varies by row).
    rest_free, rest_mean, rest_cov = gaussian_conditional(cov, pos, z_box - box_mean)
    rest_mean = np.array(rest_mean) + np.array(mean[:, rest_free])
    out[:, free[rest_free]] = _gaussian_rows(rest_mean, rest_cov, rng)
    return out


def _sample_box(
    mean: NDArray[np.float64],
    cov: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    n, k = mean.shape
    acceptance = box_probability(mean[0], cov, lower, upper, rng) if n else 1.0
    same_mean = np.allclose(mean, mean[0])
    if same_mean and acceptance >= _MIN_REJECTION_ACCEPTANCE:
        kept: list[NDArray[np.float64]] = []
        have = 0
        for _ in range(_MAX_REJECTION_ROUNDS):
            batch = int(np.ceil(1.2 * (n - have) / acceptance)) + 16
            draws = _gaussian_rows(np.broadcast_to(mean[0], (batch, k)), cov, rng)
            ok = draws[np.all((draws > lower) & (draws < upper), axis=1)]
            kept.append(ok)
            have += len(ok)
            if have >= n:
                return np.concatenate(kept)[:n]
    return _gibbs_box(mean, cov, lower, upper, rng)


def _gibbs_box(
    mean: NDArray[np.float64],
    cov: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    precision = np.linalg.inv(cov)
    sd = 1.0 / np.sqrt(np.diag(precision))
    marginal_sd = np.sqrt(np.diag(cov))
    # Start every chain inside the box, at each coordinate's truncated mean.
    z = np.column_stack(
        [
            stats.truncnorm.mean(
                (lower[j] - mean[:, j]) / marginal_sd[j], (upper[j] - mean[:, j]) / marginal_sd[j]
            )
            * marginal_sd[j]
            + mean[:, j]
            for j in range(mean.shape[1])
        ]
    )
    for _ in range(_GIBBS_SWEEPS):
        for j in range(mean.shape[1]):
            others = np.arange(mean.shape[1]) != j
            shift = (z[:, others] - mean[:, others]) @ precision[j, others] / precision[j, j]
            z[:, j] = _truncnorm(mean[:, j] - shift, sd[j], lower[j], upper[j], rng)
    return z
