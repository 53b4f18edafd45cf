"""Distributions on finitely many values: categorical labels and empirical numeric values.

Both sample by the alias method (Walker, 1977; Vose, 1991).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._validation import check_array
from stochgen.distributions._base import Distribution
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.samplers.alias import AliasTable

__all__ = ["Categorical", "EmpiricalDiscrete"]


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
