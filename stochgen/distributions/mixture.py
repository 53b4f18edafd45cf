"""Gaussian mixture fitted by expectation-maximisation, for multimodal data."""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from stochgen._base import check_is_fitted
from stochgen._validation import check_array
from stochgen.distributions._base import Distribution
from stochgen.exceptions import ConvergenceWarning, ModelFileError, ValidationError

__all__ = ["GaussianMixture"]


class GaussianMixture(Distribution):
    """Mixture of normal distributions fitted by EM (Dempster, Laird and Rubin, 1977).

    Components start at equally spaced quantiles of the data (deterministic:
    the same data give the same fit). With ``n_components="auto"`` the number
    of components from 1 to ``max_components`` with the lowest BIC is kept.

    Parameters
    ----------
    n_components : int or "auto"
        Number of components.
    max_components : int
        Largest number tried by "auto".
    max_iter : int
        EM iterations at most.
    tol : float
        Stop when the mean log-likelihood improves by less than this.

    Attributes
    ----------
    weights_, means_, sds_ : numpy.ndarray
        Component weights (summing to 1), means and standard deviations.
    loglik_ : float
        Log-likelihood of the data at the fit.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(-3, 1, 3000), rng.normal(3, 0.5, 1000)])
    >>> gm = GaussianMixture().fit(x)
    >>> gm.weights_.size, np.round(np.sort(gm.means_), 1).tolist()
    (2, [-3.0, 3.0])
    """

    _fitted_attributes = ("weights_", "means_", "sds_", "loglik_")
    _sample_by_table = True
    _ppf_by_table = True

    def __init__(
        self,
        *,
        n_components: int | str = "auto",
        max_components: int = 5,
        max_iter: int = 500,
        tol: float = 1e-9,
    ) -> None:
        self.n_components = n_components
        self.max_components = max_components
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, x: ArrayLike) -> Self:
        """Fit by EM.

        Parameters
        ----------
        x : array_like
            One-dimensional finite data with some spread.

        Returns
        -------
        Self

        Warns
        -----
        stochgen.exceptions.ConvergenceWarning
            If EM stopped at ``max_iter`` before converging.
        """
        data = check_array(x, "x", ndim=1, min_size=2)
        if np.ptp(data) == 0:
            raise ValidationError(f"x: all values equal {data[0]!r}; a mixture needs spread")
        if self.n_components == "auto":
            candidates = range(1, _positive_int(self.max_components, "max_components") + 1)
        else:
            candidates = [_positive_int(self.n_components, "n_components")]
        best: tuple[float, Any] | None = None
        for k in candidates:
            if k > data.size // 2 and k > 1:
                break
            fitted = _em(data, k, _positive_int(self.max_iter, "max_iter"), float(self.tol))
            bic = -2 * fitted[3] + (3 * k - 1) * np.log(data.size)
            if best is None or bic < best[0]:
                best = (bic, fitted)
        assert best is not None  # candidates is never empty
        weights, means, sds, loglik, converged = best[1]
        if not converged:
            warnings.warn(
                f"GaussianMixture: EM did not converge in {self.max_iter} iterations",
                ConvergenceWarning,
                stacklevel=2,
            )
        order = np.argsort(means)
        self.weights_ = weights[order]
        self.means_ = means[order]
        self.sds_ = sds[order]
        self.loglik_ = float(loglik)
        return self

    @property
    def n_params(self) -> int:
        """Free parameters: 3 per component, minus 1 (weights sum to 1)."""
        check_is_fitted(self)
        return 3 * int(self.weights_.size) - 1

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log density.

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        x = np.asarray(x, dtype=np.float64)
        return _component_logpdf(x.ravel(), self.weights_, self.means_, self.sds_)[1].reshape(
            x.shape
        )

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Cumulative distribution function.

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        x = np.asarray(x, dtype=np.float64)
        z = (x[..., None] - self.means_) / self.sds_
        return np.clip(special.ndtr(z) @ self.weights_, 0.0, 1.0)

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Quantile function, from the precomputed inverse-CDF table (u-error < 1e-10).

        Parameters
        ----------
        q : array_like
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray
        """
        return self.inverse_transform().ppf(q)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        w, m, s = (np.asarray(v, dtype=np.float64) for v in (self.weights_, self.means_, self.sds_))
        if w.ndim != 1 or not (w.shape == m.shape == s.shape) or w.size == 0:
            raise ModelFileError("GaussianMixture: weights_, means_, sds_ must be 1-d, equal size")
        if np.any(s <= 0) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ModelFileError("GaussianMixture: need sds_ > 0 and weights_ summing to 1")
        self.loglik_ = float(self.loglik_)


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValidationError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def _component_logpdf(
    x: NDArray[np.float64], w: NDArray[np.float64], m: NDArray[np.float64], s: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    z = (x[:, None] - m) / s
    with np.errstate(divide="ignore"):
        log_parts = np.log(w) - 0.5 * z * z - np.log(s) - 0.5 * np.log(2 * np.pi)
    return log_parts, special.logsumexp(log_parts, axis=1)


def _em(
    x: NDArray[np.float64], k: int, max_iter: int, tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float, bool]:
    sd = float(np.std(x))
    means = np.quantile(x, (np.arange(k) + 0.5) / k)
    sds = np.full(k, sd / k)
    weights = np.full(k, 1.0 / k)
    floor = 1e-6 * sd
    previous = -np.inf
    for _ in range(max_iter):
        log_parts, total = _component_logpdf(x, weights, means, sds)
        loglik = float(total.sum())
        if loglik - previous < tol * x.size:
            return weights, means, sds, loglik, True
        previous = loglik
        resp = np.exp(log_parts - total[:, None])
        mass = resp.sum(axis=0) + 1e-300
        weights = mass / x.size
        means = (resp * x[:, None]).sum(axis=0) / mass
        sds = np.sqrt((resp * (x[:, None] - means) ** 2).sum(axis=0) / mass)
        sds = np.maximum(sds, floor)
    loglik = float(_component_logpdf(x, weights, means, sds)[1].sum())
    return weights, means, sds, loglik, False
