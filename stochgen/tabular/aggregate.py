"""Aggregates instead of data points: what a ``privacy="aggregate"`` model keeps.

A fitted column model normally keeps the data's own values (an empirical
marginal holds every distinct value, its minimum and maximum; a categorical
column every label). Under ``privacy="aggregate"`` it keeps only aggregates
of at least ``min_count`` rows:

- a numeric marginal becomes quantile knots: the sorted values are cut into
  at most ``knots`` bins of at least ``min_count`` rows, and each knot is the
  mean of one bin, placed at the bin's middle probability (values between
  knots are interpolated, as for the empirical marginal). The two outer bins
  hold exactly ``min_count`` values; beyond them, knots at the extremes'
  probabilities are extrapolated from the outer bin means (linear on the
  normal-score scale, at most two of the outer bin's standard deviations,
  never across zero), so generated values reach about as far as the data's
  did while the real minimum and maximum are not stored. A knot is a data
  value only where a whole bin holds one repeated value, that is where at
  least ``min_count`` rows share it;
- labels seen fewer than ``min_count`` times are suppressed (their share goes
  to the others in proportion).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.exceptions import ValidationError

__all__ = ["PRIVACY_LEVELS", "check_aggregate_settings", "kept_labels", "quantile_knots"]

#: Values of a synthesizer's ``privacy`` setting.
PRIVACY_LEVELS = ("none", "aggregate")


def check_aggregate_settings(knots: object, min_count: object) -> tuple[int, int]:
    """Return ``(knots, min_count)`` checked as positive integers (``knots`` at least 2).

    Parameters
    ----------
    knots, min_count : object
        The settings.

    Returns
    -------
    tuple of int

    Raises
    ------
    stochgen.exceptions.ValidationError
        Naming the setting that is not an integer in range.

    Examples
    --------
    >>> check_aggregate_settings(100, 10)
    (100, 10)
    """
    for name, value, low in (("quantile_knots", knots, 2), ("min_count", min_count, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValidationError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(knots), int(min_count)  # type: ignore[call-overload]


def _sorted_data(marginal: EmpiricalDistribution) -> NDArray[np.float64]:
    """Return the sorted data an empirical marginal was fitted to (from its quantile ranges)."""
    # Value k holds [(C_{k-1} + 1/2) / n, (C_k - 1/2) / n]: n and the counts follow.
    n = int(round(0.5 / float(marginal.lower_q_[0])))
    counts = np.rint((marginal.upper_q_ - marginal.lower_q_) * n).astype(np.int64) + 1
    return np.repeat(marginal.values_, counts)


def quantile_knots(
    marginal: EmpiricalDistribution, knots: int, min_count: int
) -> EmpiricalDistribution:
    """Return an empirical marginal through bin means of at least ``min_count`` values.

    Parameters
    ----------
    marginal : EmpiricalDistribution
        Fitted to the data (without smooth tails).
    knots : int
        Most knots (bins) to keep.
    min_count : int
        Fewest values a bin averages.

    Returns
    -------
    EmpiricalDistribution
        Its ``values_`` are the distinct bin means; a run of bins with the
        same mean (a value repeated at least ``min_count`` times) keeps that
        value's probability as a flat piece of the quantile function.

    Examples
    --------
    >>> data = np.arange(1.0, 41.0)
    >>> smooth = quantile_knots(EmpiricalDistribution().fit(data), 4, 10)
    >>> smooth.values_.round(2)
    array([ 0.  ,  5.5 , 15.5 , 25.5 , 35.5 , 41.24])
    >>> smooth.lower_q_
    array([0.0125, 0.125 , 0.375 , 0.625 , 0.875 , 0.9875])
    """
    data = _sorted_data(marginal)
    n, k = data.size, int(min_count)
    bins = max(1, min(int(knots), n // k))
    if bins >= 4:
        # The outer bins hold min_count values each (the extremes as close as the rule
        # allows); the others split the rest evenly.
        inner = np.rint(np.linspace(k, n - k, bins - 1)).astype(np.int64)
        edges = np.concatenate([[0], inner, [n]])
    else:
        edges = np.rint(np.linspace(0, n, bins + 1)).astype(np.int64)
    sizes = np.diff(edges)
    means = np.add.reduceat(data, edges[:-1]) / sizes
    # A bin of one repeated value keeps it exactly (a sum divided back can miss it by an ulp).
    constant = data[edges[:-1]] == data[edges[1:] - 1]
    means = np.where(constant, data[edges[:-1]], means)
    means = np.maximum.accumulate(means)
    probabilities = (edges[:-1] + edges[1:]) / (2.0 * n)
    if bins >= 4:
        spreads = (float(np.std(data[:k])), float(np.std(data[-k:])))
        means, probabilities = _with_extremes(means, probabilities, 0.5 / n, spreads)
    values, first = np.unique(means, return_index=True)
    last = np.r_[first[1:], means.size] - 1
    return EmpiricalDistribution.from_knots(
        values=values, lower_q=probabilities[first], upper_q=probabilities[last]
    )


def _with_extremes(
    means: NDArray[np.float64],
    probabilities: NDArray[np.float64],
    edge: float,
    spreads: tuple[float, float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Add knots at probabilities ``edge`` and ``1 - edge``, extrapolated from the outer two.

    Linear on the normal-score scale (the scale values are interpolated on),
    so generated values reach about as far as the data's extremes did without
    any extreme being stored. An extrapolation goes at most two standard
    deviations of the outer bin past its mean (bounded data, a uniform's
    edge), and never crosses zero from the side the outer knots are on
    (counts and amounts stay non-negative).
    """
    z = special.ndtri(np.array([edge, probabilities[0], probabilities[1]]))
    low = means[0] - (means[1] - means[0]) * (z[1] - z[0]) / (z[2] - z[1])
    low = max(low, means[0] - 2.0 * spreads[0])
    z = special.ndtri(np.array([1.0 - edge, probabilities[-1], probabilities[-2]]))
    high = means[-1] + (means[-1] - means[-2]) * (z[0] - z[1]) / (z[1] - z[2])
    high = min(high, means[-1] + 2.0 * spreads[1])
    if means[0] >= 0.0:
        low = max(low, 0.0)
    if means[-1] <= 0.0:
        high = min(high, 0.0)
    return (
        np.concatenate([[low], means, [high]]),
        np.concatenate([[edge], probabilities, [1.0 - edge]]),
    )


def kept_labels(
    probabilities: NDArray[np.float64], labels: NDArray[np.object_], n_rows: int, min_count: int
) -> NDArray[np.bool_]:
    """Return which labels hold at least ``min_count`` of ``n_rows`` rows (missing always kept).

    Parameters
    ----------
    probabilities : numpy.ndarray
        Each label's share.
    labels : numpy.ndarray of object
        The labels (None for missing).
    n_rows : int
        Rows the shares were counted in.
    min_count : int

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> kept_labels(np.array([0.9, 0.05, 0.05]), np.array(["a", "b", None]), 100, 10)
    array([ True, False,  True])
    """
    counts = np.rint(np.asarray(probabilities) * n_rows)
    missing = np.array([label is None for label in labels], dtype=bool)
    return (counts >= min_count) | missing
