"""Columns modelled by their changes: integrated series and the order column's gaps.

A column that trends within its sequences (a price level, a population, GDP)
has latent scores that hardly move off a curve: its dynamics are in its
changes ``x[t] - x[t-1]`` (Box and Jenkins' differencing, the ``d`` of
ARIMA). Such a column's changes get a marginal of their own, take part in
the latent dynamics, and are added up from a first value per sequence; the
order column's gaps are modelled the same way, kept non-negative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.exceptions import ValidationError

__all__ = ["MIN_DRIFT_RATIO", "cumulate", "drift_ratio", "integrated_columns", "within_changes"]

#: Drift ratio (|mean| / std of the changes) from which "auto" models a column's changes.
MIN_DRIFT_RATIO = 0.5


def drift_ratio(values: NDArray[np.float64], steps: NDArray[np.int64]) -> float:
    """Return ``|mean| / std`` of the within-sequence changes of ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        (n,) values, rows sorted by sequence and step.
    steps : numpy.ndarray
        (n,) step of each row within its sequence.

    Returns
    -------
    float
        0 without changes or when every change is the same (no drift to
        speak of then is the safe reading: the column keeps its levels).

    Examples
    --------
    >>> round(drift_ratio(np.array([1.0, 2.0, 4.0, 5.0]), np.arange(4)), 3)
    2.828
    """
    change = within_changes(values, steps)
    if change.size < 2 or not change.std() > 0:
        return 0.0
    return float(abs(change.mean()) / change.std())


def integrated_columns(
    table: pd.DataFrame, steps: NDArray[np.int64], candidates: list[str], setting: Any
) -> list[str]:
    """Return the columns whose changes are modelled.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows sorted by sequence and step.
    steps : numpy.ndarray
        Step of each row within its sequence.
    candidates : list of str
        The time-varying columns.
    setting : "auto", list of str or None
        "auto": number columns without missing values whose paths mostly go
        one way: the mean of their within-sequence changes is at least
        `MIN_DRIFT_RATIO` times their standard deviation (GDP, prices,
        population; not an interest rate or an unemployment rate, whose
        cumulated changes would wander).

    Returns
    -------
    list of str

    Raises
    ------
    stochgen.exceptions.ValidationError
        For a listed column that is not time-varying, not numbers, or has
        missing values.
    """
    if setting is None:
        return []
    numbers = [
        c
        for c in candidates
        if pd.api.types.is_numeric_dtype(table[c].dtype)
        and not pd.api.types.is_bool_dtype(table[c].dtype)
    ]
    if isinstance(setting, str) and setting == "auto":
        out = []
        for name in numbers:
            if table[name].isna().any():
                continue
            ratio = drift_ratio(table[name].to_numpy(dtype=np.float64), steps)
            if ratio >= MIN_DRIFT_RATIO:
                out.append(name)
        return out
    if isinstance(setting, str) or not isinstance(setting, list | tuple):
        raise ValidationError(
            f"differences must be 'auto', None or a list of columns; got {setting!r}"
        )
    bad = [c for c in setting if c not in numbers]
    if bad:
        raise ValidationError(
            f"differences: {bad!r} are not time-varying number columns; choose from {numbers!r}"
        )
    missing = [c for c in setting if table[c].isna().any()]
    if missing:
        raise ValidationError(f"differences: columns {missing!r} have missing values")
    return [c for c in candidates if c in setting]


def within_changes(values: NDArray[Any], steps: NDArray[np.int64]) -> NDArray[Any]:
    """Return ``x[t] - x[t-1]`` for the rows with ``steps > 0``.

    Parameters
    ----------
    values : numpy.ndarray
        (n,) rows sorted by sequence and step.
    steps : numpy.ndarray
        (n,) step of each row within its sequence.

    Returns
    -------
    numpy.ndarray
        One change per row after the first of its sequence.

    Examples
    --------
    >>> within_changes(np.array([1, 3, 6, 10, 11]), np.array([0, 1, 2, 0, 1]))
    array([2, 3, 1])
    """
    later = np.flatnonzero(steps > 0)
    return values[later] - values[later - 1]


def cumulate(
    first: NDArray[np.float64], changes: NDArray[np.float64], present: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Add up changes from each sequence's first value (the first step's change is ignored).

    Parameters
    ----------
    first : numpy.ndarray
        (n,) first value of each sequence.
    changes : numpy.ndarray
        One change per present step, in row order.
    present : numpy.ndarray
        (n, T) which steps each sequence has.

    Returns
    -------
    numpy.ndarray
        One level per present step, in row order.

    Examples
    --------
    >>> present = np.array([[True, True, True], [True, True, False]])
    >>> cumulate(np.array([10.0, 0.0]), np.array([9.0, 1.0, 2.0, 9.0, 5.0]), present)
    array([10., 11., 13.,  0.,  5.])
    """
    grid = np.zeros(present.shape)
    grid[present] = changes
    grid[:, :1] = 0.0
    return (first[:, None] + np.cumsum(grid, axis=1))[present]
