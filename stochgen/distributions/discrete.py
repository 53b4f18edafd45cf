"""Discrete distributions: Poisson, negative binomial, binomial, geometric, categorical, empirical.

The counting families use scipy's pmf, cdf and ppf and sample through a
guide-table inversion of their CDF (`~stochgen.InverseTransform`, exact
beyond the table). Categorical and empirical discrete distributions sample
by the alias method (Walker, 1977; Vose, 1991).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from stochgen._base import check_is_fitted
from stochgen._validation import check_array
from stochgen.distributions._base import Distribution, FitError
from stochgen.distributions._parametric import ParametricDistribution
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.samplers.alias import AliasTable

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


class _FiniteDiscrete(Distribution):
    """Shared parts of distributions on finitely many values sampled by an alias table."""

    discrete = True

    def _alias(self) -> AliasTable:
        cached = self.__dict__.get("_alias_cache")
        key = self._state_key()
        if cached is None or cached[0] != key:
            cached = (key, AliasTable(self.probs_))
            self.__dict__["_alias_cache"] = cached
        return cached[1]

    def _index_block(self, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
        return self._alias().lookup(rng.random(n))

    @property
    def n_params(self) -> int:
        """Free probabilities: one fewer than the number of values."""
        check_is_fitted(self)
        return int(self.probs_.size) - 1


class EmpiricalDiscrete(_FiniteDiscrete):
    """The observed frequencies of numeric values, resampled by the alias method.

    Attributes
    ----------
    values_ : numpy.ndarray
        Distinct values, increasing.
    probs_ : numpy.ndarray
        Their relative frequencies.

    Examples
    --------
    >>> dist = EmpiricalDiscrete().fit([1, 1, 2, 5])
    >>> dist.probs_
    array([0.5 , 0.25, 0.25])
    >>> dist.ppf([0.1, 0.6, 1.0])
    array([1., 2., 5.])
    >>> sorted(set(dist.sample(100, seed=0).tolist()))
    [1.0, 2.0, 5.0]
    """

    _fitted_attributes = ("values_", "probs_")

    def __init__(self) -> None:
        pass

    def fit(self, x: ArrayLike) -> Self:
        """Record the distinct values and their frequencies.

        Parameters
        ----------
        x : array_like
            Finite numbers.

        Returns
        -------
        Self
        """
        data = check_array(x, "x", ndim=1)
        values, counts = np.unique(data, return_counts=True)
        self.values_ = values
        self.probs_ = counts / counts.sum()
        return self

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log probability mass (-inf at values never seen).

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
        k = np.clip(np.searchsorted(self.values_, x), 0, self.values_.size - 1)
        with np.errstate(divide="ignore"):
            return np.where(self.values_[k] == x, np.log(self.probs_[k]), -np.inf)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Step CDF, right-continuous.

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
        cum = np.concatenate([[0.0], np.cumsum(self.probs_)])
        out = cum[np.searchsorted(self.values_, x, side="right")]
        return np.where(np.isnan(x), np.nan, np.minimum(out, 1.0))

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Smallest value whose CDF reaches ``q``; NaN outside [0, 1].

        Parameters
        ----------
        q : array_like
            Probabilities.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        q = np.asarray(q, dtype=np.float64)
        cum = np.cumsum(self.probs_)
        k = np.minimum(np.searchsorted(cum, q * (1 - 1e-12), side="left"), cum.size - 1)
        out = self.values_[k]
        return np.where((q < 0) | (q > 1) | np.isnan(q), np.nan, out)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value seen.

        Returns
        -------
        tuple of float
        """
        check_is_fitted(self)
        return float(self.values_[0]), float(self.values_[-1])

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        return self.values_[self._index_block(n, rng)]

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        values, probs = np.asarray(self.values_), np.asarray(self.probs_)
        if (
            values.ndim != 1
            or values.shape != probs.shape
            or values.size == 0
            or np.any(np.diff(values) <= 0)
            or np.any(probs < 0)
            or not np.isclose(probs.sum(), 1.0)
        ):
            raise ModelFileError(
                "EmpiricalDiscrete: values_ must increase and probs_ be probabilities of equal size"
            )


class Categorical(_FiniteDiscrete):
    """A distribution over any hashable labels (strings, numbers, tuples, None).

    Categories keep the order of their first appearance in the data, which
    also orders ``cdf`` and ``ppf``.

    Attributes
    ----------
    categories_ : numpy.ndarray of object
        The labels.
    probs_ : numpy.ndarray
        Their relative frequencies.

    Examples
    --------
    >>> dist = Categorical().fit(["b", "a", "b", "c"])
    >>> dist.categories_.tolist(), dist.probs_.tolist()
    (['b', 'a', 'c'], [0.5, 0.25, 0.25])
    >>> dist.sample(5, seed=0).tolist()
    ['b', 'b', 'c', 'b', 'a']
    """

    _fitted_attributes = ("categories_", "probs_")

    def __init__(self) -> None:
        pass

    def fit(self, x: Any) -> Self:
        """Record labels and their frequencies.

        Parameters
        ----------
        x : sequence of hashable
            The labels (a list, array or pandas Series). Missing values
            (None, NaN) count as a label of their own: drop them first if
            they are not one.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``x`` is empty.
        TypeError
            If a label is not hashable.
        """
        labels = pd.Series(np.asarray(x, dtype=object) if not isinstance(x, pd.Series) else x)
        if labels.size == 0:
            raise ValidationError("x must hold at least 1 label; got 0")
        try:
            counts = labels.value_counts(sort=False, dropna=False)
        except TypeError as exc:
            raise TypeError(f"x: labels must be hashable: {exc}") from exc
        categories = np.empty(len(counts), dtype=object)
        categories[:] = list(counts.index)
        self.categories_ = categories
        self.probs_ = counts.to_numpy(dtype=np.float64) / labels.size
        return self

    def _codes(self, x: Any) -> NDArray[np.int64]:
        lookup = {_key(c): i for i, c in enumerate(self.categories_)}
        items = x.tolist() if isinstance(x, np.ndarray | pd.Series) else list(x)
        return np.array([lookup.get(_key(v), -1) for v in items], dtype=np.int64)

    def logpdf(self, x: Any) -> NDArray[np.float64]:
        """Log probability of each label (-inf for labels never seen).

        Parameters
        ----------
        x : sequence of hashable
            Labels.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        codes = self._codes(x)
        with np.errstate(divide="ignore"):
            return np.where(codes >= 0, np.log(self.probs_[np.maximum(codes, 0)]), -np.inf)

    def cdf(self, x: Any) -> NDArray[np.float64]:
        """Cumulative probability up to each label, in category order.

        Parameters
        ----------
        x : sequence of hashable
            Known labels.

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        stochgen.exceptions.ValidationError
            On a label never seen.
        """
        check_is_fitted(self)
        codes = self._codes(x)
        if np.any(codes < 0):
            raise ValidationError(f"x: unknown label(s); known: {self.categories_.tolist()[:20]}")
        return np.minimum(np.cumsum(self.probs_)[codes], 1.0)

    def ppf(self, q: ArrayLike) -> NDArray[Any]:
        """Label at cumulative probability ``q`` (in category order).

        Parameters
        ----------
        q : array_like
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray of object
        """
        check_is_fitted(self)
        q = check_array(q, "q", ndim=(0, 1))
        if np.any((q < 0) | (q > 1)):
            raise ValidationError("q: values must lie in [0, 1]")
        cum = np.cumsum(self.probs_)
        k = np.minimum(np.searchsorted(cum, q * (1 - 1e-12), side="left"), cum.size - 1)
        return self.categories_[k]

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[Any]:
        return self.categories_[self._index_block(n, rng)]

    def _state_key(self) -> tuple[Any, ...]:
        return (self.probs_.tobytes(), len(self.categories_))

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        categories, probs = self.categories_, np.asarray(self.probs_)
        if (
            not isinstance(categories, np.ndarray)
            or categories.ndim != 1
            or probs.shape != categories.shape
            or categories.size == 0
            or np.any(probs < 0)
            or not np.isclose(probs.sum(), 1.0)
        ):
            raise ModelFileError("Categorical: categories_ and probs_ must be 1-d, equal size")
        categories = categories.astype(object)
        self.categories_ = categories


def _key(label: Any) -> Hashable:
    # NaN != NaN: give all missing values one key.
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return ("__missing__",)
    if isinstance(label, list):
        return tuple(label)
    return label
