"""Normal scores of discrete and tied values, and values restored to their pandas dtype.

Shared by the column models: `interval_scores` gives the latent score of a
share of the unit interval, `restore_dtype` turns generated values back into a
column's original dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen.exceptions import ModelFileError

__all__ = [
    "check_dtype_text",
    "guide_table",
    "interval_scores",
    "piece_slopes",
    "plain_array",
    "plain_value",
    "restore_dtype",
    "score_attenuation",
]


def interval_scores(probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return E[Z | Z in the k-th interval] for consecutive probability intervals.

    Interval k covers ``(c_{k-1}, c_k]`` of the uniform scale, ``c`` the
    cumulative sum of ``probabilities``; the value is the mean of a standard
    normal truncated to ``(Phi^-1(c_{k-1}), Phi^-1(c_k)]``.

    Parameters
    ----------
    probabilities : numpy.ndarray
        Positive, summing to 1.

    Returns
    -------
    numpy.ndarray
        One score per interval; their probability-weighted mean is 0.

    Examples
    --------
    >>> interval_scores(np.array([0.5, 0.5])).round(4)
    array([-0.7979,  0.7979])
    """
    edges = np.concatenate([[0.0], np.cumsum(probabilities)])
    edges[-1] = 1.0
    z = special.ndtri(edges)
    with np.errstate(over="ignore"):
        density = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return (density[:-1] - density[1:]) / probabilities


def piece_slopes(knots: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the slope of each piece of a piecewise-linear function, 0 where knots tie.

    Parameters
    ----------
    knots : numpy.ndarray
        Non-decreasing abscissae.
    values : numpy.ndarray
        Ordinates, one per knot.

    Returns
    -------
    numpy.ndarray
        ``len(knots)`` slopes (the last, past the final knot, is 0).

    Examples
    --------
    >>> piece_slopes(np.array([0.0, 1.0, 1.0, 3.0]), np.array([0.0, 2.0, 5.0, 6.0]))
    array([2. , 0. , 0.5, 0. ])
    """
    width = np.diff(knots)
    rise = np.diff(values)
    slopes = np.zeros(knots.size)
    np.divide(rise, width, out=slopes[:-1], where=width > 0)
    return slopes


def guide_table(knots: NDArray[np.float64], buckets: int) -> NDArray[np.int64]:
    """Return, for ``j = 0..buckets``, the last index with ``knots <= edge_j``.

    The edges split ``[knots[0], knots[-1]]`` into ``buckets`` equal widths, so
    a search for a value starts between two guide entries (a guide table).

    Parameters
    ----------
    knots : numpy.ndarray
        Non-decreasing finite values, the last above the first.
    buckets : int
        Number of equal-width buckets.

    Returns
    -------
    numpy.ndarray of int64
        ``buckets + 1`` indices.

    Examples
    --------
    >>> guide_table(np.array([-1.0, 0.0, 1.0]), 2)
    array([0, 1, 2])
    """
    grid = knots[0] + (knots[-1] - knots[0]) * (np.arange(buckets + 1) / buckets)
    return np.searchsorted(knots, grid, side="right").astype(np.int64) - 1


def score_attenuation(probabilities: NDArray[np.float64]) -> float:
    """Return the standard deviation of the interval scores of ``probabilities``.

    Below 1 for discrete dimensions: dividing a correlation of such scores by
    it undoes the attenuation that discreteness causes.

    Examples
    --------
    >>> round(score_attenuation(np.array([0.5, 0.5])), 4)
    0.7979
    """
    scores = interval_scores(probabilities)
    return float(np.sqrt(np.sum(probabilities * scores**2)))


def check_dtype_text(dtype: Any, owner: str) -> str:
    """Return ``dtype`` if it is the text of a pandas dtype, else raise `ModelFileError`.

    Examples
    --------
    >>> check_dtype_text("float64", "NumericColumn")
    'float64'
    """
    try:
        pd.api.types.pandas_dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{owner}: dtype_ {dtype!r} is not a pandas dtype") from exc
    if not isinstance(dtype, str):
        raise ModelFileError(f"{owner}: dtype_ must be text; got {dtype!r}")
    return dtype


def restore_dtype(values: Any, dtype: str, categories: Any = None, ordered: bool = False) -> Any:
    """Convert generated values back to a column's original pandas dtype.

    Parameters
    ----------
    values : array_like
        Generated values (missing as NaN / None).
    dtype : str
        The original dtype, as ``str(series.dtype)``.
    categories : array_like, optional
        For ``category`` columns, the original categories.
    ordered : bool
        For ``category`` columns, whether they were ordered.

    Returns
    -------
    pandas.Series or array

    Examples
    --------
    >>> restore_dtype(np.array([1.0, 2.0]), "int64").dtype
    dtype('int64')
    """
    if dtype == "category":
        return pd.Categorical(values, categories=categories, ordered=ordered)
    series = pd.Series(values)
    if dtype == "object":
        return series.astype(object).to_numpy()
    if dtype == "bool":
        return series.astype(bool).to_numpy()
    restored = series.astype(dtype)
    if isinstance(restored.dtype, pd.api.extensions.ExtensionDtype):
        return restored.array
    return restored.to_numpy()


def plain_array(values: Any) -> NDArray[np.object_]:
    """Return labels as an object array of JSON-friendly scalars (NaN-likes become None)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [plain_value(v) for v in np.asarray(values, dtype=object)]
    return out


def plain_value(value: Any) -> Any:
    """Return a JSON-friendly Python scalar for a label (NaN-likes become None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
