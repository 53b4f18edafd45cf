"""Discrete distributions: Poisson, negative binomial, binomial, geometric, categorical, empirical.

The counting families use scipy's pmf, cdf and ppf and sample through a
guide-table inversion of their CDF (`~stochgen.InverseTransform`, exact
beyond the table). Categorical and empirical discrete distributions (in
`stochgen.distributions.categorical`, importable from here) sample by the
alias method (Walker, 1977; Vose, 1991).
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from stochgen._validation import check_array
from stochgen.distributions._base import FitError
from stochgen.distributions._parametric import ParametricDistribution
from stochgen.distributions.categorical import Categorical, EmpiricalDiscrete
from stochgen.exceptions import ValidationError

__all__ = [
    "Binomial",
    "Categorical",
    "EmpiricalDiscrete",
    "Geometric",
    "NegativeBinomial",
    "Poisson",
]


def _counts(x: ArrayLike) -> NDArray[np.float64]:
    data = check_array(x, "x", ndim=1, min_size=1)
    if np.any(data < 0) or np.any(data != np.round(data)):
        bad = data[(data < 0) | (data != np.round(data))][0]
        raise ValidationError(f"x: expected non-negative integers (counts); got {bad!r}")
    return data


class _CountDistribution(ParametricDistribution):
    """A scipy discrete distribution on the non-negative integers."""

    discrete = True

    @classmethod
    def _all_names(cls) -> tuple[str, ...]:
        return cls._shapes

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """Build a fitted distribution from parameter values, every one fixed.

        Parameters
        ----------
        **params : float
            Values by scipy name.

        Returns
        -------
        Self
        """
        names = cls._param_names()
        if set(params) != set(names):
            raise ValidationError(
                f"{cls.__name__}.from_params needs exactly {names}; got {sorted(params)}"
            )
        model = cls(**{n: float(v) for n, v in params.items()})
        model.params_ = model._check_params({n: float(v) for n, v in params.items()})
        return model

    def _fixed(self) -> dict[str, float]:
        fixed = {}
        for name in self._param_names():
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(
                    value, int | float | np.integer | np.floating
                ):
                    raise TypeError(f"{name} must be None or a number; got {value!r}")
                fixed[name] = float(value)
        return fixed

    def fit(self, x: ArrayLike) -> Self:
        """Fit by maximum likelihood to counts.

        Parameters
        ----------
        x : array_like
            Non-negative integers.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On NaN, negative or non-integer values.
        FitError
            If the family cannot fit these data.
        """
        data = _counts(x)
        fixed = self._fixed()
        params = {**self._mle(data, fixed), **fixed}
        try:
            self.params_ = self._check_params(params)
        except ValidationError as exc:
            raise FitError(f"{type(self).__name__}: fit gave invalid parameters: {exc}") from exc
        if not np.isfinite(np.sum(self.frozen_.logpmf(data))):
            raise FitError(f"{type(self).__name__}: the data lie outside the fitted support")
        self._refuse_unsampleable()
        return self

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log probability mass (-inf off the support).

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        with np.errstate(divide="ignore"):
            return np.asarray(self.frozen_.logpmf(self._points(x)), dtype=np.float64)


class Poisson(_CountDistribution):
    """Poisson distribution: `scipy.stats.poisson` with mean ``mu``.

    Parameters
    ----------
    mu : float or None
        Mean; None: estimated (the sample mean, its MLE).

    Attributes
    ----------
    params_ : dict of str to float
        ``{"mu": ...}``.

    Examples
    --------
    >>> dist = Poisson.from_params(mu=3.0)
    >>> round(float(dist.cdf(3)), 4)
    0.6472
    >>> round(Poisson().fit(dist.sample(10_000, seed=0)).params_["mu"], 1)
    3.0
    """

    _scipy_name = "poisson"
    _shapes = ("mu",)

    def __init__(self, *, mu: float | None = None) -> None:
        self.mu = mu

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        return {"mu": float(data.mean())}


class NegativeBinomial(_CountDistribution):
    """Negative binomial (`scipy.stats.nbinom`): failures before ``n`` successes.

    Each trial succeeds with probability ``p``.

    Parameters
    ----------
    n : float or None
        Number of successes (any positive real: the gamma-Poisson mixture).
    p : float or None
        Success probability.

    Attributes
    ----------
    params_ : dict of str to float
        ``{"n": ..., "p": ...}``.

    Examples
    --------
    >>> dist = NegativeBinomial.from_params(n=2.0, p=0.4)
    >>> fitted = NegativeBinomial().fit(dist.sample(20_000, seed=0))
    >>> round(fitted.params_["n"], 0)
    2.0
    """

    _scipy_name = "nbinom"
    _shapes = ("n", "p")

    def __init__(self, *, n: float | None = None, p: float | None = None) -> None:
        self.n = n
        self.p = p

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        mean, var = float(data.mean()), float(data.var())
        if "n" in fixed and "p" in fixed:
            return dict(fixed)
        if "n" in fixed:
            return {"n": fixed["n"], "p": fixed["n"] / (fixed["n"] + mean)}
        if "p" not in fixed and var <= mean:
            raise FitError(
                f"NegativeBinomial: the data are not over-dispersed (variance {var:.4g} <= mean "
                f"{mean:.4g}); use Poisson"
            )
        values, counts = np.unique(data, return_counts=True)

        def negloglik(log_n: float) -> float:
            n = np.exp(log_n)
            p = fixed.get("p", n / (n + mean))
            return -float(np.sum(counts * stats.nbinom.logpmf(values, n, p)))

        start = np.log(mean**2 / (var - mean)) if var > mean else 0.0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = optimize.minimize_scalar(negloglik, bracket=(start - 1, start + 1))
        n = float(np.exp(result.x))
        return {"n": n, "p": fixed.get("p", n / (n + mean))}


class Binomial(_CountDistribution):
    """Binomial distribution: `scipy.stats.binom`, ``n`` trials of probability ``p``.

    Parameters
    ----------
    n : int or None
        Number of trials; None: the largest count seen (a lower bound; give
        the true number where it is known).
    p : float or None
        Success probability.

    Attributes
    ----------
    params_ : dict of str to float
        ``{"n": ..., "p": ...}``.

    Examples
    --------
    >>> dist = Binomial.from_params(n=10, p=0.3)
    >>> round(Binomial(n=10).fit(dist.sample(10_000, seed=0)).params_["p"], 2)
    0.3
    """

    _scipy_name = "binom"
    _shapes = ("n", "p")

    def __init__(self, *, n: int | None = None, p: float | None = None) -> None:
        self.n = n
        self.p = p

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        n = fixed.get("n", float(data.max()))
        if data.max() > n:
            raise ValidationError(f"x: counts up to {data.max()} exceed n={n} trials")
        if n <= 0:
            raise FitError("Binomial: all counts are 0; the number of trials is unknown (set n)")
        return {"n": n, "p": fixed.get("p", float(data.mean()) / n)}


class Geometric(_CountDistribution):
    """Geometric distribution on 0, 1, 2, ...: failures before the first success.

    `scipy.stats.geom` shifted by one (``loc=-1``), so that 0 is possible.

    Parameters
    ----------
    p : float or None
        Success probability; None: estimated (``1 / (1 + mean)``, its MLE).

    Attributes
    ----------
    params_ : dict of str to float
        ``{"p": ...}``.

    Examples
    --------
    >>> dist = Geometric.from_params(p=0.25)
    >>> round(float(dist.cdf(0)), 2)
    0.25
    >>> round(Geometric().fit(dist.sample(10_000, seed=0)).params_["p"], 2)
    0.25
    """

    _scipy_name = "geom"
    _shapes = ("p",)

    def __init__(self, *, p: float | None = None) -> None:
        self.p = p

    def _freeze(self, params: dict[str, float]) -> Any:
        return stats.geom(params["p"], loc=-1)

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        return {"p": 1.0 / (1.0 + float(data.mean()))}
