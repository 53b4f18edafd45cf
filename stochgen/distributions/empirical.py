"""Empirical distribution: the interpolated ECDF of the data, with atoms kept."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._validation import check_array, check_probability
from stochgen.distributions._base import Distribution
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["EmpiricalDistribution"]


class EmpiricalDistribution(Distribution):
    """Continuous interpolation of the empirical CDF, keeping repeated values.

    Each distinct value ``x_k`` seen ``c_k`` times out of ``n`` holds the
    quantile range ``[(C_{k-1} + 1/2) / n, (C_k - 1/2) / n]`` (``C_k`` the
    cumulative count): a flat piece of the quantile function, so a value
    repeated in the data is produced with probability ``(c_k - 1) / n``.
    Between distinct values the quantile function is linear. Draws stay inside
    ``[min(x), max(x)]`` unless ``smooth_tails`` is set: then the probability
    ``1 / (2n)`` beyond each extreme, otherwise held by the extreme value,
    spreads into an exponential tail whose scale is the mean distance of the
    most extreme ``tail_fraction`` of the data from their threshold (the
    peaks-over-threshold estimate), so draws can pass the data's range.

    Parameters
    ----------
    smooth_tails : bool
        Add exponential tails beyond the data's minimum and maximum.
    tail_fraction : float
        Share of the data at each end that estimates a tail's scale.

    Attributes
    ----------
    values_ : numpy.ndarray
        Distinct data values, increasing.
    lower_q_, upper_q_ : numpy.ndarray
        Quantile range held by each value.
    tail_scales_ : numpy.ndarray
        Scales of the lower and upper exponential tails (0 without tails).

    Examples
    --------
    >>> dist = EmpiricalDistribution().fit([0.0, 0.0, 0.0, 1.0, 2.0])
    >>> dist.ppf([0.0, 0.3, 1.0])
    array([0., 0., 2.])
    >>> dist.sample(3, seed=0).shape
    (3,)
    >>> tailed = EmpiricalDistribution(smooth_tails=True).fit(np.arange(100.0))
    >>> bool(tailed.ppf(0.001) < 0.0), bool(tailed.ppf(0.999) > 99.0)
    (True, True)
    """

    _fitted_attributes = ("values_", "lower_q_", "upper_q_", "tail_scales_")

    def __init__(self, *, smooth_tails: bool = False, tail_fraction: float = 0.05) -> None:
        self.smooth_tails = smooth_tails
        self.tail_fraction = tail_fraction

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
        self._set_counts(values, counts)
        if self.smooth_tails and values.size > 1:
            fraction = check_probability(self.tail_fraction, "tail_fraction")
            ordered = np.sort(data)
            k = max(2, int(np.ceil(fraction * data.size)))
            low = float(np.mean(ordered[k - 1] - ordered[:k]))
            high = float(np.mean(ordered[-k:] - ordered[-k]))
            spread = float(np.ptp(data)) / data.size
            self.tail_scales_ = np.array([max(low, spread), max(high, spread)])
        return self

    def fit_counts(self, values: ArrayLike, counts: ArrayLike) -> Self:
        """Fit to data given as its distinct values and how often each occurs.

        The same model as ``fit(numpy.repeat(values, counts))``, without the
        sort: for callers that have counted the values already (a table
        column's fit does, for its ties).

        Parameters
        ----------
        values : array_like
            Distinct finite values, increasing.
        counts : array_like
            Positive counts, one per value.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On empty, non-finite or unsorted values, counts that are not
            positive, or ``smooth_tails=True`` (tails need the data).

        Examples
        --------
        >>> counted = EmpiricalDistribution().fit_counts([1.0, 3.0], [3, 1])
        >>> data = EmpiricalDistribution().fit([1.0, 1.0, 1.0, 3.0])
        >>> bool(np.array_equal(counted.upper_q_, data.upper_q_))
        True
        """
        values = check_array(values, "values", ndim=1)
        counts = np.asarray(counts)
        if counts.shape != values.shape or counts.dtype.kind not in "iu" or np.any(counts <= 0):
            raise ValidationError("counts must be positive integers, one per value")
        if np.any(np.diff(values) <= 0):
            raise ValidationError("values must be distinct and increasing")
        if self.smooth_tails:
            raise ValidationError("smooth_tails=True needs the data: use fit")
        self._set_counts(values, counts)
        return self

    def _set_counts(self, values: NDArray[np.float64], counts: NDArray[np.int64]) -> None:
        cumulative = np.cumsum(counts)
        n = float(cumulative[-1])
        self.values_ = values
        self.lower_q_ = (cumulative - counts + 0.5) / n
        self.upper_q_ = (cumulative - 0.5) / n
        self.tail_scales_ = np.zeros(2)

    @classmethod
    def from_knots(cls, *, values: ArrayLike, lower_q: ArrayLike, upper_q: ArrayLike) -> Self:
        """Return the distribution with the given knots, checked as a model file's are.

        Parameters
        ----------
        values : array_like
            Distinct values, increasing.
        lower_q, upper_q : array_like
            Quantile range each value holds, interleaving as non-decreasing
            probabilities strictly inside (0, 1).

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ModelFileError
            If the knots are malformed.

        Examples
        --------
        >>> dist = EmpiricalDistribution.from_knots(
        ...     values=[0.0, 1.0], lower_q=[0.25, 0.75], upper_q=[0.25, 0.75]
        ... )
        >>> float(dist.ppf(0.5))
        0.5
        """
        model = cls()
        model._set_state(
            {
                "values_": np.asarray(values, dtype=np.float64),
                "lower_q_": np.asarray(lower_q, dtype=np.float64),
                "upper_q_": np.asarray(upper_q, dtype=np.float64),
                "tail_scales_": np.zeros(2),
            }
        )
        model._check_state()
        return model

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
        lo_scale, hi_scale = self.tail_scales_
        if lo_scale > 0 or hi_scale > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                below = xk[0] + lo_scale * np.log(q / qk[0])
                above = xk[-1] - hi_scale * np.log((1 - q) / (1 - qk[-1]))
            out = np.where(q < qk[0], below, np.where(q > qk[-1], above, out))
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
        lo_scale, hi_scale = self.tail_scales_
        if lo_scale > 0 or hi_scale > 0:
            with np.errstate(over="ignore"):
                below = self.lower_q_[0] * np.exp(np.minimum(x - values[0], 0.0) / lo_scale)
                above = 1 - (1 - self.upper_q_[-1]) * np.exp(
                    -np.maximum(x - values[-1], 0.0) / hi_scale
                )
            out = np.where(inside, between, np.where(k < 0, below, above))
            return np.where(np.isnan(x), np.nan, out)
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
            out = np.where(inside, np.log(slope), -np.inf)
        lo_scale, hi_scale = self.tail_scales_
        if lo_scale > 0 or hi_scale > 0:
            tail_lo = np.log(self.lower_q_[0] / lo_scale) + (x - values[0]) / lo_scale
            tail_hi = np.log((1 - self.upper_q_[-1]) / hi_scale) - (x - values[-1]) / hi_scale
            out = np.where(x < values[0], tail_lo, np.where(x > values[-1], tail_hi, out))
        return out

    def _set_state(self, state: dict) -> None:
        # Files written before tails existed have no tail_scales_: they had none.
        state = {"tail_scales_": np.zeros(2), **state}
        super()._set_state(state)
        scales = np.asarray(state["tail_scales_"], dtype=np.float64)
        if scales.shape != (2,) or np.any(scales < 0) or not np.all(np.isfinite(scales)):
            raise ModelFileError("EmpiricalDistribution: tail_scales_ must be 2 finite values >= 0")
        self.tail_scales_ = scales
        arrays = [np.asarray(state[name]) for name in ("values_", "lower_q_", "upper_q_")]
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
        knots_q = np.column_stack(arrays[1:]).ravel()
        if not (
            np.all(np.isfinite(knots_q))
            and knots_q[0] > 0.0
            and knots_q[-1] < 1.0
            and np.all(np.diff(knots_q) >= 0)
        ):
            raise ModelFileError(
                "EmpiricalDistribution: lower_q_ and upper_q_ must interleave as "
                "non-decreasing probabilities strictly inside (0, 1)"
            )
