"""Empirical distribution: the interpolated ECDF of the data, with atoms kept."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._validation import check_array
from stochgen.distributions._base import Distribution
from stochgen.exceptions import ModelFileError

__all__ = ["EmpiricalDistribution"]


class EmpiricalDistribution(Distribution):
    """Continuous interpolation of the empirical CDF, keeping repeated values.

    Each distinct value ``x_k`` seen ``c_k`` times out of ``n`` holds the
    quantile range ``[(C_{k-1} + 1/2) / n, (C_k - 1/2) / n]`` (``C_k`` the
    cumulative count): a flat piece of the quantile function, so a value
    repeated in the data is produced with probability ``(c_k - 1) / n``.
    Between distinct values the quantile function is linear. Draws stay inside
    ``[min(x), max(x)]``.

    Attributes
    ----------
    values_ : numpy.ndarray
        Distinct data values, increasing.
    lower_q_, upper_q_ : numpy.ndarray
        Quantile range held by each value.

    Examples
    --------
    >>> dist = EmpiricalDistribution().fit([0.0, 0.0, 0.0, 1.0, 2.0])
    >>> dist.ppf([0.0, 0.3, 1.0])
    array([0., 0., 2.])
    >>> dist.sample(3, seed=0).shape
    (3,)
    """

    _fitted_attributes = ("values_", "lower_q_", "upper_q_")

    def __init__(self) -> None:
        pass

    def fit(self, x: ArrayLike) -> Self:
        """Fit to finite data.

        Parameters
        ----------
        x : array_like
            One-dimensional finite numbers (NaN is refused: model missing
            values outside the distribution).

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On NaN, inf or empty input.
        """
        data = check_array(x, "x", ndim=1)
        values, counts = np.unique(data, return_counts=True)
        cumulative = np.cumsum(counts)
        n = float(data.size)
        self.values_ = values
        self.lower_q_ = (cumulative - counts + 0.5) / n
        self.upper_q_ = (cumulative - 0.5) / n
        return self

    @property
    def n_params(self) -> int:
        """Number of free parameters: one per distinct value."""
        check_is_fitted(self)
        return int(self.values_.size)

    def _knots(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        q = np.column_stack([self.lower_q_, self.upper_q_]).ravel()
        x = np.repeat(self.values_, 2)
        return q, x

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Interpolated quantile function; NaN outside [0, 1].

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
        qk, xk = self._knots()
        out = np.interp(q, qk, xk)
        return np.where((q < 0) | (q > 1), np.nan, out)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Interpolated CDF (right-continuous at repeated values).

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
        values = self.values_
        k = np.searchsorted(values, x, side="right") - 1
        inside = (k >= 0) & (k < values.size - 1)
        kc = np.clip(k, 0, max(values.size - 2, 0))
        if values.size == 1:
            return np.where(x >= values[0], 1.0, 0.0)
        x0, x1 = values[kc], values[kc + 1]
        q0, q1 = self.upper_q_[kc], self.lower_q_[kc + 1]
        between = q0 + (q1 - q0) * (x - x0) / (x1 - x0)
        out = np.where(inside, between, np.where(k < 0, 0.0, 1.0))
        return np.where(np.isnan(x), np.nan, out)

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log of the density of the continuous part (-inf outside the data range).

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
        values = self.values_
        if values.size == 1:
            return np.full(x.shape, -np.inf)
        k = np.clip(np.searchsorted(values, x, side="right") - 1, 0, values.size - 2)
        slope = (self.lower_q_[k + 1] - self.upper_q_[k]) / (values[k + 1] - values[k])
        inside = (x >= values[0]) & (x <= values[-1])
        with np.errstate(divide="ignore"):
            return np.where(inside, np.log(slope), -np.inf)

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        arrays = [np.asarray(state[name]) for name in self._fitted_attributes]
        if not all(
            a.ndim == 1 and a.dtype.kind == "f" and a.size == arrays[0].size for a in arrays
        ):
            raise ModelFileError(
                "EmpiricalDistribution: fields must be 1-d float arrays of equal size"
            )
        if (
            arrays[0].size == 0
            or np.any(np.diff(arrays[0]) <= 0)
            or not np.all(np.isfinite(arrays[0]))
        ):
            raise ModelFileError("EmpiricalDistribution: values_ must be finite and increasing")
