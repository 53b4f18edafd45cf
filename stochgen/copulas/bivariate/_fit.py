"""Fitting one pair copula: maximum likelihood or Kendall's-tau inversion; Clayton by Newton."""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from stochgen._kernels import archimedean as _arch
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen.copulas.bivariate._dependence import pair_param_from_tau
from stochgen.copulas.bivariate._families import _BLOCK_ROWS, BOUNDS, _flip, _flips, pair_logpdf
from stochgen.exceptions import ConvergenceWarning

__all__ = [
    "fit_pair",
]

#: Rows of the evenly spaced subsamples on which Newton's method finds its starting points
#: for the Clayton MLE (deterministic: no random draws).
_LADDER_ROWS = (1_000, 10_000)


def _neg_loglik(family, rotation, u1, u2):
    def objective(params):
        value = -float(np.sum(pair_logpdf(family, rotation, tuple(params), u1, u2)))
        return value if math.isfinite(value) else 1e300

    return objective


def fit_pair(
    family: str,
    rotation: int,
    u1: NDArray[np.float64],
    u2: NDArray[np.float64],
    *,
    method: str = "mle",
    tau: float | None = None,
    max_rows_df: int = 10_000,
) -> tuple[tuple[float, ...], float]:
    """Fit a pair copula; return ``(params, loglik)``.

    ``"itau"`` inverts Kendall's tau (for Student-t, ``df`` is then chosen by
    profile likelihood on at most ``max_rows_df`` evenly spaced rows);
    ``"mle"`` maximizes the likelihood starting from the ``"itau"`` estimate
    (bounded Brent for one parameter, L-BFGS-B for Student-t). Clayton's MLE
    instead runs Newton's method with Halley's correction on the closed-form
    derivatives, started on evenly spaced subsamples (or from ``tau`` when
    given) and ended after usually two passes over all rows; it falls back to
    bounded Brent, with a `~stochgen.exceptions.ConvergenceWarning`, if the
    iteration fails.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.
    rotation : int
        0, 90, 180 or 270.
    u1, u2 : numpy.ndarray
        Pseudo-observations, float64, strictly inside (0, 1).
    method : {"mle", "itau"}
        Estimator.
    tau : float, optional
        Kendall's tau of the data, when already known.
    max_rows_df : int
        Rows used to choose the Student-t degrees of freedom under ``"itau"``.

    Returns
    -------
    params : tuple of float
    loglik : float
        Log-likelihood at ``params`` on all rows.

    Examples
    --------
    >>> from stochgen.copulas import ClaytonCopula
    >>> u = ClaytonCopula.from_params(theta=2.0).sample(4000, seed=0)
    >>> params, _ = fit_pair("clayton", 0, u[:, 0], u[:, 1])
    >>> round(params[0], 1)
    2.0
    """
    if family == "independence":
        return (), 0.0
    if family == "clayton" and method == "mle":
        theta, loglik = _clayton_mle(rotation, u1, u2, tau)
        return (theta,), loglik
    if tau is None:
        tau = float(kendall_tau_matrix(np.column_stack([u1, u2]))[0, 1])
    params = pair_param_from_tau(family, rotation, tau)
    if family == "student":
        step = max(1, u1.shape[0] // max_rows_df)
        a, b = u1[::step], u2[::step]
        rho = params[0]
        res = optimize.minimize_scalar(
            lambda ldf: _neg_loglik(family, rotation, a, b)((rho, math.exp(ldf))),
            bounds=(math.log(BOUNDS["student"][1][0]), math.log(BOUNDS["student"][1][1])),
            method="bounded",
            options={"xatol": 1e-3},
        )
        params = (rho, float(math.exp(res.x)))
        if method == "mle":
            res = optimize.minimize(
                _neg_loglik(family, rotation, u1, u2),
                np.array(params),
                method="L-BFGS-B",
                bounds=BOUNDS["student"],
            )
            params = (float(res.x[0]), float(res.x[1]))
    elif method == "mle":
        params = _mle_one(family, rotation, u1, u2, params[0])
    loglik = float(np.sum(pair_logpdf(family, rotation, params, u1, u2)))
    return params, loglik


def _mle_one(family, rotation, u1, u2, start: float) -> tuple[float]:
    lo, hi = BOUNDS[family][0]
    # Search a bracket around the tau-inversion start, in a scale where the
    # likelihood is close to quadratic.
    if family == "frank" or family == "gaussian":
        width = 0.3 * max(abs(start), 1.0) if family == "frank" else 0.15
        a, b = max(lo, start - width), min(hi, start + width)
        to_param = float
        a_t, b_t = a, b
    else:
        shift = 0.0 if family == "clayton" else 1.0
        base = math.log(max(start - shift, 1e-6))
        a_t, b_t = base - 1.0, min(base + 1.0, math.log(hi - shift))

        def to_param(x: float) -> float:
            return shift + math.exp(x)

    objective = _neg_loglik(family, rotation, u1, u2)
    res = optimize.minimize_scalar(
        lambda x: objective((to_param(x),)),
        bounds=(a_t, b_t),
        method="bounded",
        options={"xatol": 1e-8},
    )
    value = to_param(res.x)
    if family == "frank" and value == 0.0:
        value = 1e-8
    return (float(min(max(value, lo), hi)),)


def _clayton_loglik_derivatives(
    theta: float,
    hi: NDArray[np.float64],
    lo: NDArray[np.float64],
    sums: tuple[float, float],
    work: NDArray[np.float64],
) -> tuple[float, float, float, float]:
    # Clayton log-likelihood and its first three theta-derivatives, with a = -log u,
    # b = -log v, hi = max(a, b), lo = min(a, b): log c = log(1 + theta) + (1 + theta)(a + b)
    # - (2 + 1/theta) L with L = log(e^(theta a) + e^(theta b) - 1) = theta hi + log s.
    # sums: (sum of hi, sum of hi + lo); work: (2, _BLOCK_ROWS) scratch reused across passes
    # (fresh pages cost more than the maths here).
    sum_hi, sum_ab = sums
    n = hi.shape[0]
    l0 = theta * sum_hi
    l1 = l2 = l3 = 0.0
    for start in range(0, n, _BLOCK_ROWS):
        h, l_ = hi[start : start + _BLOCK_ROWS], lo[start : start + _BLOCK_ROWS]
        x, s = work[0, : h.shape[0]], work[1, : h.shape[0]]
        np.subtract(l_, h, out=x)
        x *= theta
        np.exp(x, out=x)
        np.multiply(h, -theta, out=s)
        np.exp(s, out=s)
        np.subtract(x, s, out=s)
        s += 1.0
        d1, d2, d3 = _arch.clayton_derivative_sums(h, l_, x, s)
        l1 += d1
        l2 += d2
        l3 += d3
        l0 += float(np.log(s, out=s).sum())
    c = 2.0 + 1.0 / theta
    loglik = n * math.log1p(theta) + (1.0 + theta) * sum_ab - c * l0
    first = n / (1.0 + theta) + sum_ab + l0 / theta**2 - c * l1
    second = -n / (1.0 + theta) ** 2 - 2.0 * l0 / theta**3 + 2.0 * l1 / theta**2 - c * l2
    third = (
        2.0 * n / (1.0 + theta) ** 3
        + 6.0 * l0 / theta**4
        - 6.0 * l1 / theta**3
        + 3.0 * l2 / theta**2
        - c * l3
    )
    return loglik, first, second, third


def _clayton_newton(
    theta: float, hi: NDArray[np.float64], lo: NDArray[np.float64], gtol: float
) -> tuple[float, float] | None:
    # Safeguarded Halley iteration for (theta, loglik): Newton steps with Halley's cubic
    # correction where it is moderate, clipped to the bounds and halved while the likelihood
    # drops; theta doubled or halved where the likelihood is not concave. Ends at an evaluated
    # iterate once the next Newton step would add less than gtol per row to the
    # log-likelihood; None where no step succeeds.
    lower, upper = BOUNDS["clayton"][0]
    sum_hi = float(hi.sum())
    sums = (sum_hi, sum_hi + float(lo.sum()))
    work = np.empty((2, min(hi.shape[0], _BLOCK_ROWS)))
    loglik, score, hessian, third = _clayton_loglik_derivatives(theta, hi, lo, sums, work)
    for _ in range(50):
        if (theta == lower and score <= 0.0) or (theta == upper and score >= 0.0):
            # The maximum is at a bound (at the lower one the Hessian is lost to cancellation).
            return theta, loglik
        if not (math.isfinite(loglik) and math.isfinite(score)):
            return None
        if hessian < 0.0:
            if score * score / (-2.0 * hessian) <= gtol * hi.shape[0]:
                return theta, loglik
            step = -score / hessian
            halley = 1.0 - score * third / (2.0 * hessian * hessian)
            if 0.5 <= halley <= 2.0:
                step /= halley
            new = min(max(theta + step, lower), upper)
        else:
            new = min(max(theta * 2.0 if score > 0.0 else theta / 2.0, lower), upper)
        for _ in range(30):
            result = _clayton_loglik_derivatives(new, hi, lo, sums, work)
            if result[0] >= loglik:
                break
            new = 0.5 * (theta + new)
        else:
            return None
        theta = new
        loglik, score, hessian, third = result
    return None


def _clayton_mle(rotation: int, u1, u2, tau: float | None) -> tuple[float, float]:
    # Fast maximum likelihood (theta, loglik): Newton's method on evenly spaced subsamples of
    # growing size gives each next stage its start, ending with a few steps on all rows.
    # Kendall's tau, when known, gives the first start (below about 1e-3 the Hessian's terms
    # cancel, so the start is kept above 0.01 and Newton walks down from there).
    theta = 1.0 if tau is None else pair_param_from_tau("clayton", rotation, tau)[0]
    theta = max(theta, 0.01)
    f1, f2 = _flips(rotation)
    hi = np.log(_flip(u1, f1))
    lo = np.log(_flip(u2, f2))
    # Sorted in place through a small buffer: fresh pages of a third array cost more.
    buffer = np.empty(8192)
    for start in range(0, hi.shape[0], buffer.shape[0]):
        h, l_ = hi[start : start + buffer.shape[0]], lo[start : start + buffer.shape[0]]
        larger = np.maximum(h, l_, out=buffer[: h.shape[0]])
        np.minimum(h, l_, out=h)
        l_[:] = larger
    np.negative(hi, out=hi)
    np.negative(lo, out=lo)
    n = hi.shape[0]
    for rows in _LADDER_ROWS:
        if n >= 4 * rows:
            step = n // rows
            stage = _clayton_newton(
                theta, np.ascontiguousarray(hi[::step]), np.ascontiguousarray(lo[::step]), 1e-6
            )
            theta = theta if stage is None else stage[0]
    result = _clayton_newton(theta, hi, lo, 1e-12)
    if result is not None:
        return result
    warnings.warn(
        f"clayton: Newton's method did not converge from theta = {theta:.6g}; "
        "fell back to a bounded scalar search",
        ConvergenceWarning,
        stacklevel=4,
    )
    if tau is None:
        tau = float(kendall_tau_matrix(np.column_stack([u1, u2]))[0, 1])
    params = _mle_one("clayton", rotation, u1, u2, pair_param_from_tau("clayton", rotation, tau)[0])
    return params[0], float(np.sum(pair_logpdf("clayton", rotation, params, u1, u2)))
