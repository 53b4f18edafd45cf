"""Date and datetime columns as numbers (model units since 1970) and back.

A datetime column is stored as integers of its coarsest exact step (days,
hours, minutes, seconds, ...), in local wall time for tz-aware columns, so
dates stay dates across daylight-saving changes; generated wall times are
localized again without ever producing a missing value.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.exceptions import ValidationError

__all__ = [
    "datetime_numbers",
    "number_to_timestamp",
    "numbers_to_dates",
    "numbers_to_datetimes",
    "parse_timestamp",
]

# Datetime steps tried, largest first, in nanoseconds.
_DATETIME_STEPS_NS = (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1)
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_NS_PER_DAY = 86_400 * 10**9


def _column_tz(dtype: str) -> Any:
    return getattr(pd.api.types.pandas_dtype(dtype), "tz", None)


def datetime_numbers(
    column: pd.Series, kind: str, step: int | None = None
) -> tuple[NDArray[np.float64], int]:
    """Return a date/datetime column in ``step`` units since 1970 (NaN missing), and the step.

    Parameters
    ----------
    column : pandas.Series
        Datetimes (tz-aware allowed) or dates.
    kind : {"datetime", "date"}
    step : int, optional
        Nanoseconds per unit; default: the coarsest step all values are multiples of.

    Returns
    -------
    values : numpy.ndarray
    step : int

    Examples
    --------
    >>> values, step = datetime_numbers(pd.Series(pd.to_datetime(["2020-01-02"])), "datetime")
    >>> values, step == 86_400 * 10**9
    (array([18263.]), True)
    """
    series = column
    if kind == "date":
        series = pd.to_datetime(column).astype("datetime64[s]")
    if getattr(series.dt, "tz", None) is not None:
        # Local wall time: dates stay dates across daylight-saving changes.
        series = series.dt.tz_localize(None)
    raw = series.to_numpy()
    unit = np.datetime_data(raw.dtype)[0]
    if unit not in _NS_PER_UNIT:
        raise ValidationError(f"column {column.name!r}: unsupported datetime unit {unit!r}")
    ints = raw.view(np.int64)
    missing = np.isnat(raw)
    ns_per = _NS_PER_UNIT[unit]
    out = np.full(ints.shape, np.nan)
    if step is None:
        present = ints[~missing]
        step = next(
            s
            for s in _DATETIME_STEPS_NS
            if s >= ns_per and (s % ns_per == 0) and np.all(present % (s // ns_per) == 0)
        )
    out[~missing] = ints[~missing] // (step // ns_per)
    return out, int(step)


def numbers_to_dates(values: NDArray[np.float64], step: int) -> NDArray[np.object_]:
    """Return ``datetime.date`` objects (None where NaN) from day numbers."""
    missing = np.isnan(values)
    days = np.where(missing, 0, values).astype(np.int64) * (step // _NS_PER_DAY)
    dates = days.astype("datetime64[D]").astype(object)
    dates[missing] = None
    return dates


def numbers_to_datetimes(values: NDArray[np.float64], dtype: str, step: int) -> Any:
    """Return datetimes of the column's ``dtype`` (time zone included) from model units.

    Wall times in a repeated daylight-saving hour take its first instant, and
    those in a skipped hour move forward: never NaT where the number is finite.
    """
    pandas_dtype = pd.api.types.pandas_dtype(dtype)
    unit = getattr(pandas_dtype, "unit", None) or np.datetime_data(pandas_dtype)[0]
    missing = np.isnan(values)
    # Back in the column's own unit, so dates outside the nanosecond range survive.
    ticks = np.where(missing, 0, values).astype(np.int64) * (step // _NS_PER_UNIT[unit])
    stamps = ticks.view(f"datetime64[{unit}]").copy()
    stamps[missing] = np.datetime64("NaT")
    index = pd.DatetimeIndex(stamps)
    tz = getattr(pandas_dtype, "tz", None)
    if tz is not None:
        first = np.ones(index.size, dtype=bool)
        index = index.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
    return index.array


def parse_timestamp(value: Any, kind: str, dtype: str, name: str) -> pd.Timestamp:
    """Return a condition value as a naive wall-clock Timestamp in the column's time zone.

    Parameters
    ----------
    value : Timestamp, datetime, date, numpy.datetime64 or ISO 8601 text
    kind : {"datetime", "date"}
    dtype : str
        The column's dtype (its time zone, if any).
    name : str
        The column, named in errors.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the value is no date/time, or has a time zone the column lacks.

    Examples
    --------
    >>> parse_timestamp("2021-03-04", "date", "object", "day")
    Timestamp('2021-03-04 00:00:00')
    """
    if isinstance(value, bool) or not isinstance(
        value, str | _dt.date | np.datetime64 | pd.Timestamp
    ):
        raise ValidationError(
            f"condition on {name!r}: expected a date/time (Timestamp, datetime, date or "
            f"ISO 8601 text); got {value!r}"
        )
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"condition on {name!r}: {value!r} is not a date/time") from exc
    if stamp is pd.NaT:
        raise ValidationError(f"condition on {name!r}: {value!r} is not a date/time")
    tz = _column_tz(dtype) if kind == "datetime" else None
    if stamp.tzinfo is not None:
        if tz is None:
            raise ValidationError(
                f"condition on {name!r}: {value!r} has a time zone but the column holds "
                "naive date/times; give a naive value"
            )
        stamp = stamp.tz_convert(tz).tz_localize(None)
    return stamp


def number_to_timestamp(x: float, kind: str, dtype: str, step: int) -> Any:
    """Return a value in model units as the column shows it: a date or a Timestamp."""
    if kind == "date":
        return pd.Timestamp(int(x) * step).date()
    stamp = pd.Timestamp(int(round(x * step)))
    tz = _column_tz(dtype)
    if tz is None:
        return stamp
    return stamp.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
