"""Vector autoregressions on latent scores: least squares fits and the AIC order.

The sequences of a panel are stacked, sorted by entity and step; ``steps``
numbers each row within its sequence. A model with ``k`` lags regresses each
row with ``steps >= k`` on its exogenous regressors (intercept, context
scores, trend) and the ``k`` rows before it, pooled over entities (Lütkepohl
2005, sections 3.2 and 4.3: multivariate least squares, Akaike's criterion on
a common sample).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy import special

from stochgen._kernels.sequences import var_recursion

__all__ = ["LatentVAR", "fit_var", "regressors", "simulate_var", "spectral_radius"]

# Relative ridge on the normal equations: keeps collinear regressors (a context
# score equal to the intercept in every row) solvable without moving the fit.
_RIDGE = 1e-8
# Largest amplification of a deviation over the longest real sequence that an
# order may imply (spectral radius ** steps) and still be chosen.
_MAX_GROWTH = 2.0


class LatentVAR(NamedTuple):
    """A fitted VAR(p) with its lower-order models for the first steps.

    Attributes
    ----------
    order : int
        The lag order ``p`` chosen by AIC.
    exog_coef : numpy.ndarray
        (p + 1, m, d): the exogenous coefficients of the models with 0..p lags.
    lag_coef : numpy.ndarray
        (p + 1, p, d, d): ``lag_coef[k, j]`` multiplies the scores ``j + 1``
        steps back in the model with ``k`` lags (zero for ``j >= k``).
    noise_chol : numpy.ndarray
        (p + 1, d, d): lower Cholesky factors of the models' noise covariances.
    aic : numpy.ndarray
        AIC of the orders 0..max on the common sample.
    """

    order: int
    exog_coef: NDArray[np.float64]
    lag_coef: NDArray[np.float64]
    noise_chol: NDArray[np.float64]
    aic: NDArray[np.float64]


def regressors(
    context_scores: NDArray[np.float64], steps: NDArray[np.int64], n_steps: int, trend: bool
) -> NDArray[np.float64]:
    """Return the exogenous regressors (n, T, m): intercept, context scores, trend.

    The trend is the normal score of the step's position in the longest real
    sequence, ``ndtri((t + 0.5) / n_steps)`` (held at its last value beyond
    it): the latent path of a column that only grows (a price level, a
    population) is this curve.

    Parameters
    ----------
    context_scores : numpy.ndarray
        (n, q), one row per sequence.
    steps : numpy.ndarray
        (n, T) or (1, T): the steps of each sequence.
    n_steps : int
        Longest real sequence.
    trend : bool
        Add the trend column.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> regressors(np.zeros((2, 1)), np.arange(3)[None, :], 3, True)[0].round(2)
    array([[ 1.  ,  0.  , -0.97],
           [ 1.  ,  0.  ,  0.  ],
           [ 1.  ,  0.  ,  0.97]])
    """
    n, steps_count = context_scores.shape[0], steps.shape[1]
    shape = (n, steps_count)
    parts = [np.ones((*shape, 1))]
    if context_scores.shape[1]:
        q = context_scores.shape[1]
        parts.append(np.broadcast_to(context_scores[:, None, :], (*shape, q)))
    if trend:
        tau = special.ndtri((np.minimum(steps, n_steps - 1) + 0.5) / n_steps)
        parts.append(np.broadcast_to(tau[:, :, None], (*shape, 1)))
    return np.concatenate(parts, axis=2)


def _design(
    scores: NDArray[np.float64],
    steps: NDArray[np.int64],
    exog: NDArray[np.float64],
    k: int,
    low: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rows = np.flatnonzero(steps >= low)
    lagged = [scores[rows - j] for j in range(1, k + 1)]
    return np.hstack([exog[rows], *lagged]), scores[rows]


def _least_squares(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    gram = x.T @ x
    ridge = _RIDGE * max(float(np.trace(gram)) / max(gram.shape[0], 1), 1.0)
    coef = np.linalg.solve(gram + ridge * np.eye(gram.shape[0]), x.T @ y)
    return coef, y - x @ coef


def _noise_chol(residuals: NDArray[np.float64], n_coef: int) -> NDArray[np.float64]:
    n, d = residuals.shape
    cov = residuals.T @ residuals / max(n - n_coef, 1)
    # Tiny floor: a dimension the regressors explain exactly keeps a factor.
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    floor = 1e-10 * max(float(values.max(initial=0.0)), 1e-12)
    cov = (vectors * np.maximum(values, floor)) @ vectors.T
    return np.linalg.cholesky((cov + cov.T) / 2.0) if d else np.zeros((0, 0))


def fit_var(
    scores: NDArray[np.float64],
    steps: NDArray[np.int64],
    exog: NDArray[np.float64],
    max_lags: int,
    criterion: str = "aic",
) -> LatentVAR:
    """Fit VARs with 0..``max_lags`` lags by least squares and keep the AIC order.

    Orders are compared on the common sample of rows with at least
    ``max_lags`` rows before them in their sequence; the order ``p`` with the
    lowest AIC among the fits that amplify a deviation at most twofold over
    the longest sequence (companion spectral radius ``r`` with
    ``r ** steps <= 2``) is kept, fitted with every lower order on all the rows each can use, the
    lower orders serving the first steps of a sequence. ``max_lags`` is
    lowered while the common sample has fewer than twice as many rows as
    coefficients per equation.

    Parameters
    ----------
    scores : numpy.ndarray
        (n, d) latent scores, finite, rows sorted by sequence and step.
    steps : numpy.ndarray
        (n,) step of each row within its sequence (0, 1, ...).
    exog : numpy.ndarray
        (n, m) exogenous regressors (a column of ones for the intercept).
    max_lags : int
        Largest order tried.

    Returns
    -------
    LatentVAR

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = np.zeros(2000)
    >>> for t in range(1, 2000):
    ...     z[t] = 0.6 * z[t - 1] + rng.standard_normal()
    >>> fit = fit_var(z[:, None], np.arange(2000), np.ones((2000, 1)), 4)
    >>> fit.order, round(float(fit.lag_coef[1, 0, 0, 0]), 2)
    (1, 0.6)
    """
    n, d = scores.shape
    m = exog.shape[1]
    longest = int(steps.max(initial=0))
    top = min(int(max_lags), longest)
    while top > 0 and np.count_nonzero(steps >= top) < 2 * (m + top * d) + d:
        top -= 1
    if d == 0:
        empty = np.zeros((1, 0, 0))
        return LatentVAR(0, np.zeros((1, m, 0)), np.zeros((1, 0, 0, 0)), empty, np.zeros(1))
    aic = np.full(top + 1, np.inf)
    for k in range(top + 1):
        x, y = _design(scores, steps, exog, k, top)
        _, residuals = _least_squares(x, y)
        rows = y.shape[0]
        cov = residuals.T @ residuals / rows
        # A dimension the regressors fit exactly (a constant score) must not
        # make every order's criterion -inf.
        floor = 1e-10 * max(float(np.trace(cov)) / d, 1e-300)
        _, logdet = np.linalg.slogdet(cov + floor * np.eye(d))
        aic[k] = logdet + _penalty(criterion, rows, x.shape[1], d)
    aic = np.where(np.isfinite(aic), aic, np.inf)
    fits = [_fit_order(scores, steps, exog, k) for k in range(top + 1)]
    # The best AIC among the fits that stay bounded over the real sequences'
    # length: an explosive VAR (over-fitted: many dimensions, few rows) sends
    # generated sequences to the edges of the marginals; a root a little above 1
    # (a unit root estimated with noise) is harmless over that horizon.
    horizon = longest + 1
    stable = [k for k in range(len(fits)) if spectral_radius(fits[k][1]) ** horizon <= _MAX_GROWTH]
    candidates = stable or [0]
    order = min(candidates, key=lambda k: aic[k])
    exog_coef = np.zeros((order + 1, m, d))
    lag_coef = np.zeros((order + 1, order, d, d))
    noise_chol = np.zeros((order + 1, d, d))
    for k in range(order + 1):
        exog_coef[k], lag_coef[k, :k], noise_chol[k] = fits[k]
    return LatentVAR(order, exog_coef, lag_coef, noise_chol, aic)


def _fit_order(
    scores: NDArray[np.float64], steps: NDArray[np.int64], exog: NDArray[np.float64], k: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    # The model with k lags on every row that has k rows before it.
    m, d = exog.shape[1], scores.shape[1]
    x, y = _design(scores, steps, exog, k, k)
    coef, residuals = _least_squares(x, y)
    lags = (
        np.stack([coef[m + j * d : m + (j + 1) * d].T for j in range(k)])
        if k
        else np.zeros((0, d, d))
    )
    return coef[:m], lags, _noise_chol(residuals, x.shape[1])


def _penalty(criterion: str, rows: int, per_equation: int, d: int) -> float:
    """Return the criterion's penalty per row for ``per_equation`` coefficients in ``d`` equations.

    AIC: ``2 m d / n``; BIC: ``log(n) m d / n``; AICc (Hurvich and Tsai 1993,
    multivariate regression): ``d (n + m) / (n - m - d - 1)``, infinite when
    the coefficients leave too few rows.
    """
    if criterion == "aic":
        return 2.0 * per_equation * d / rows
    if criterion == "bic":
        return float(np.log(rows)) * per_equation * d / rows
    spare = rows - per_equation - d - 1
    return d * (rows + per_equation) / spare if spare > 0 else np.inf


def spectral_radius(lag_coef: NDArray[np.float64]) -> float:
    """Return the largest modulus of the companion matrix's eigenvalues (< 1: stable).

    Parameters
    ----------
    lag_coef : numpy.ndarray
        (p, d, d) lag matrices.

    Returns
    -------
    float
        0 for a model without lags.

    Examples
    --------
    >>> spectral_radius(np.array([[[0.5]]]))
    0.5
    """
    p = lag_coef.shape[0]
    if p == 0 or lag_coef.shape[1] == 0:
        return 0.0
    d = lag_coef.shape[1]
    companion = np.zeros((p * d, p * d))
    companion[:d] = np.hstack(list(lag_coef))
    companion[d:, :-d] = np.eye((p - 1) * d)
    return float(np.abs(np.linalg.eigvals(companion)).max())


def simulate_var(
    model: LatentVAR, exog: NDArray[np.float64], noise: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Run the fitted recursion for a batch of sequences.

    Parameters
    ----------
    model : LatentVAR
    exog : numpy.ndarray
        (n, T, m) exogenous regressors of each sequence and step.
    noise : numpy.ndarray
        (n, T, d) standard normals.

    Returns
    -------
    numpy.ndarray
        (n, T, d) latent scores.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = np.zeros(500)
    >>> for t in range(1, 500):
    ...     z[t] = 0.5 * z[t - 1] + rng.standard_normal()
    >>> fit = fit_var(z[:, None], np.arange(500), np.ones((500, 1)), 2)
    >>> simulate_var(fit, np.ones((3, 10, 1)), rng.standard_normal((3, 10, 1))).shape
    (3, 10, 1)
    """
    n, steps, _ = exog.shape
    p, d = model.order, model.lag_coef.shape[-1]
    base = np.empty((n, steps, d))
    for k in range(min(p, steps)):
        base[:, k, :] = exog[:, k, :] @ model.exog_coef[k]
    if steps > p:
        base[:, p:, :] = exog[:, p:, :] @ model.exog_coef[p]
    out = np.empty((n, steps, d))
    var_recursion(
        np.ascontiguousarray(base),
        np.ascontiguousarray(model.lag_coef),
        np.ascontiguousarray(model.noise_chol),
        np.ascontiguousarray(noise, dtype=np.float64),
        out,
    )
    return out
