"""The order column as numbers on a time grid, and back.

Integer orders (years), dates and datetimes (with or without a time zone)
become integer positions on a grid: ``(value - origin) / unit``, with
``unit`` the greatest common divisor of the distances to the earliest value
(a year, a day, a quarter's 90-92 days giving 1 day). Float orders keep
their values (``unit`` 1). Positions go back to the exact original dtype.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["fit_timeline", "from_positions", "to_positions"]

_KINDS = ("integer", "float", "datetime")


def _kind(column: pd.Series, name: str) -> str:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise TypeError(
            f"order: column {name!r} has dtype {column.dtype}; expected integers, "
            "floats, dates or datetimes"
        )
    return "integer" if pd.api.types.is_integer_dtype(column.dtype) else "float"


def _raw(column: pd.Series, kind: str) -> NDArray[Any]:
    # Integer nanoseconds since the epoch (UTC for zoned datetimes), integers, or floats.
    if kind == "datetime":
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            column = column.dt.tz_convert("UTC").dt.tz_localize(None)
        return column.astype("datetime64[ns]").to_numpy().astype(np.int64)
    if kind == "integer":
        return column.to_numpy(dtype=np.int64)
    return column.to_numpy(dtype=np.float64)


def fit_timeline(column: pd.Series, name: str) -> dict[str, Any]:
    """Learn the grid of an order column.

    Parameters
    ----------
    column : pandas.Series
        The order column (no missing values).
    name : str
        Its name, for errors.

    Returns
    -------
    dict
        ``kind``, ``dtype``, ``origin``, ``unit``.

    Raises
    ------
    TypeError
        For a column that is not numbers, dates or datetimes.
    stochgen.exceptions.ValidationError
        For missing or infinite values.

    Examples
    --------
    >>> fit_timeline(pd.Series([1990, 1992, 1996]), "year")["unit"]
    2
    """
    kind = _kind(column, name)
    if column.isna().any():
        raise ValidationError(
            f"order: column {name!r} has {int(column.isna().sum())} missing values"
        )
    raw = _raw(column, kind)
    if kind == "float":
        if not np.isfinite(raw).all():
            raise ValidationError(f"order: column {name!r} has infinite values")
        return {"kind": kind, "dtype": str(column.dtype), "origin": float(raw.min()), "unit": 1.0}
    origin = int(raw.min())
    distances = np.unique(raw - origin)
    unit = reduce(math.gcd, (int(v) for v in distances), 0) or 1
    return {"kind": kind, "dtype": str(column.dtype), "origin": origin, "unit": int(unit)}


def to_positions(column: pd.Series, timeline: dict[str, Any]) -> NDArray[np.float64]:
    """Return the grid positions of an order column's values.

    Parameters
    ----------
    column : pandas.Series
    timeline : dict
        From `fit_timeline`.

    Returns
    -------
    numpy.ndarray
        Positions (whole numbers for integer and datetime orders).
    """
    raw = _raw(column, timeline["kind"])
    if timeline["kind"] == "float":
        return raw - timeline["origin"]
    return ((raw - timeline["origin"]) // timeline["unit"]).astype(np.float64)


def from_positions(positions: NDArray[np.float64], timeline: dict[str, Any]) -> pd.Series:
    """Return order values, in the fitted dtype, for grid positions.

    Parameters
    ----------
    positions : numpy.ndarray
    timeline : dict
        From `fit_timeline`.

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> line = fit_timeline(pd.Series(pd.to_datetime(["2020-01-01", "2020-01-03"])), "day")
    >>> from_positions(np.array([0.0, 1.0, 2.0]), line).dt.strftime("%d").tolist()
    ['01', '03', '05']
    """
    if timeline["kind"] == "float":
        return pd.Series(positions + timeline["origin"]).astype(timeline["dtype"])
    steps = np.rint(positions).astype(np.int64)
    raw = timeline["origin"] + steps * timeline["unit"]
    if timeline["kind"] == "integer":
        return pd.Series(raw).astype(timeline["dtype"])
    dtype = pd.api.types.pandas_dtype(timeline["dtype"])
    values = pd.Series(raw.astype("datetime64[ns]"))
    if isinstance(dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize("UTC").dt.tz_convert(dtype.tz)
    return values.astype(dtype)


def check_timeline(timeline: Any) -> None:
    """Raise `ModelFileError` unless ``timeline`` is a valid fitted grid.

    Parameters
    ----------
    timeline : object
    """
    if not isinstance(timeline, dict) or set(timeline) != {"kind", "dtype", "origin", "unit"}:
        raise ModelFileError("SequenceSynthesizer: timeline_ must hold kind, dtype, origin, unit")
    if timeline["kind"] not in _KINDS:
        raise ModelFileError(f"SequenceSynthesizer: unknown timeline kind {timeline['kind']!r}")
    unit = timeline["unit"]
    if isinstance(unit, bool) or not isinstance(unit, int | float) or not unit > 0:
        raise ModelFileError("SequenceSynthesizer: timeline unit must be positive")
    try:
        pd.api.types.pandas_dtype(timeline["dtype"])
    except TypeError as err:
        raise ModelFileError(f"SequenceSynthesizer: bad order dtype {timeline['dtype']!r}") from err
