"""Column kinds of a real / synthetic pair, the checks that the pair can be compared, conversions.

Metrics use the kinds of `stochgen.kinds` (the vocabulary the table models
use): numbers and times are scored as distributions on the line (KS,
correlation, binned for contingency), labels by their frequencies (TV,
contingency), and ``"id"`` columns are skipped. Kinds are inferred from the
real table and can be set by hand with the ``kinds`` argument.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._validation import check_dataframe
from stochgen.exceptions import ValidationError
from stochgen.kinds import KINDS, LABEL_KINDS, NUMERIC_KINDS, TIME_KINDS, infer_kind

__all__ = [
    "CONTINUOUS_KINDS",
    "check_tables",
    "discrete_codes",
    "infer_kinds",
    "is_continuous",
    "is_label",
    "time_integers",
    "to_float",
]

#: Kinds scored as values on a line: KS, correlation, binned for contingency.
CONTINUOUS_KINDS = NUMERIC_KINDS + TIME_KINDS


def infer_kinds(data: pd.DataFrame) -> dict[str, str]:
    """Infer the kind of each column of a table (see `stochgen.kinds.infer_kind`).

    Parameters
    ----------
    data : pandas.DataFrame
        The real table.

    Returns
    -------
    dict of str to str
        Column name to kind, in column order.

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        If ``data`` is not a non-empty DataFrame with unique string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.5, 2.0, 1.5], "n": [1, 2, 2],
    ...                    "g": ["u", "v", "u"], "b": [True, False, True]})
    >>> infer_kinds(df)
    {'x': 'continuous', 'n': 'integer', 'g': 'categorical', 'b': 'boolean'}
    """
    check_dataframe(data, "data")
    return {name: infer_kind(data[name]) for name in data.columns}


def _is_number_column(column: pd.Series) -> bool:
    dtype = column.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _is_time_column(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return True
    if not pd.api.types.is_object_dtype(column.dtype):
        return False
    present = column.dropna()
    return all(isinstance(v, datetime.date) for v in present)


def _check_column(name: str, kind: str, column: pd.Series, table: str) -> None:
    if kind in NUMERIC_KINDS:
        if not _is_number_column(column):
            raise TypeError(
                f"column {name!r}: {table} has dtype {column.dtype}; expected a numeric dtype "
                f"for kind {kind!r}"
            )
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            raise ValidationError(
                f"column {name!r}: {table} has {n_inf} inf values; expected finite numbers "
                "(NaN for missing)"
            )
    elif kind in TIME_KINDS and not _is_time_column(column):
        raise TypeError(
            f"column {name!r}: {table} has dtype {column.dtype}; expected datetime64 "
            f"(or datetime.date values) for kind {kind!r}"
        )


def check_tables(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    synthetic_name: str = "synthetic",
) -> dict[str, str]:
    """Check that two tables can be compared, and return the column kinds.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same column names (order may differ).
    kinds : mapping of str to str, optional
        Kinds (`stochgen.kinds.KINDS`) set by hand for some columns; the others
        are inferred from ``real``.
    synthetic_name : str
        Argument name of the second table, for messages.

    Returns
    -------
    dict of str to str
        Column name to kind, in the real table's column order.

    Raises
    ------
    TypeError
        If a table is not a DataFrame, a column name is not a string, or a
        column's dtype does not fit its kind in either table (text where numbers
        are expected, numbers where datetimes are).
    stochgen.exceptions.ValidationError
        If a table is empty, the column names differ or repeat, ``kinds`` names
        an unknown column or kind, or a numeric column holds inf.

    Examples
    --------
    >>> import pandas as pd
    >>> wrong = pd.DataFrame({"x": ["a"]})
    >>> check_tables(pd.DataFrame({"x": [1.0, 2.5]}), wrong)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: column 'x': synthetic has dtype ...; expected a numeric dtype for kind 'continuous'
    """
    check_dataframe(real, "real")
    check_dataframe(synthetic, synthetic_name)
    missing = [c for c in real.columns if c not in synthetic.columns]
    extra = [c for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise ValidationError(
            f"{synthetic_name}: columns differ from real: missing {missing!r}, unexpected {extra!r}"
        )
    if kinds is not None and not isinstance(kinds, Mapping):
        raise TypeError(
            f"kinds must be a mapping of column name to kind; got {type(kinds).__name__}"
        )
    resolved = infer_kinds(real)
    for name, kind in (kinds or {}).items():
        if name not in resolved:
            raise ValidationError(
                f"kinds: unknown column {name!r}; the table has {list(real.columns)!r}"
            )
        if kind not in KINDS:
            raise ValidationError(
                f"kinds: column {name!r} has kind {kind!r}; expected one of {KINDS}"
            )
        resolved[name] = kind
    for name, kind in resolved.items():
        _check_column(name, kind, real[name], "real")
        if not synthetic[name].isna().all():
            _check_column(name, kind, synthetic[name], synthetic_name)
    return resolved


def is_continuous(kind: str) -> bool:
    """Whether a kind is scored as values on a line (numbers and times).

    Parameters
    ----------
    kind : str
        One of `stochgen.kinds.KINDS`.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_continuous("integer"), is_continuous("boolean")
    (True, False)
    """
    return kind in CONTINUOUS_KINDS


def is_label(kind: str) -> bool:
    """Whether a kind is scored by its value frequencies (labels).

    Parameters
    ----------
    kind : str
        One of `stochgen.kinds.KINDS`.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_label("ordinal"), is_label("id")
    (True, False)
    """
    return kind in LABEL_KINDS


def _naive_times(column: pd.Series) -> NDArray[np.datetime64]:
    """Return the column as numpy datetime64 in its own unit (UTC if tz-aware), NaT missing."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        column = pd.to_datetime(column)
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    if isinstance(column.dtype, pd.ArrowDtype):
        column = column.astype(column.dtype.numpy_dtype)
    return column.to_numpy()


def _time_nanoseconds(column: pd.Series) -> pd.Series:
    try:
        return pd.Series(_naive_times(column)).dt.as_unit("ns")
    except pd.errors.OutOfBoundsDatetime as exc:
        raise ValidationError(
            f"column {column.name!r}: {exc}; times must lie between 1677 and 2262 here"
        ) from exc


def to_float(column: pd.Series, kind: str) -> NDArray[np.float64]:
    """Return a number or time column as a new float64 array, missing values as NaN.

    Times become nanoseconds since the epoch (tz-aware ones in UTC), the scale
    SDMetrics uses through ``pandas.to_numeric``.

    Parameters
    ----------
    column : pandas.Series
        A numeric (numpy, nullable or Arrow) or datetime column.
    kind : str
        The column's kind, one of `CONTINUOUS_KINDS`.

    Returns
    -------
    numpy.ndarray of float64
        Writable, never a view of the column.

    Examples
    --------
    >>> import pandas as pd
    >>> to_float(pd.Series([1, None], dtype="Int64"), "integer")
    array([ 1., nan])
    >>> to_float(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None])), "datetime")
    array([1.e+09,    nan])
    """
    if kind in TIME_KINDS:
        # From the column's own unit: dates beyond 2262 do not fit int64 nanoseconds.
        times = _naive_times(column)
        unit = np.datetime_data(times.dtype)[0]
        scale = float(np.timedelta64(1, unit) / np.timedelta64(1, "ns"))
        out = times.view(np.int64).astype(np.float64) * scale
        out[np.isnat(times)] = np.nan
        return out
    return np.array(column.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def time_integers(column: pd.Series) -> NDArray[np.int64]:
    """Return the present values of a time column as int64 nanoseconds since the epoch.

    Unlike `to_float`, every distinct timestamp stays distinct.

    Parameters
    ----------
    column : pandas.Series
        A datetime64 column, or one of `datetime.date` values.

    Returns
    -------
    numpy.ndarray of int64
        Missing values dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> time_integers(pd.Series(pd.to_datetime(["1970-01-01 00:00:00.000000001", None])))
    array([1])
    """
    values = _time_nanoseconds(column.dropna())
    return values.to_numpy(dtype="int64")


def discrete_codes(real: pd.Series, synthetic: pd.Series) -> tuple[NDArray, NDArray, int]:
    """Shared integer codes for a column of two tables; missing values get the last code.

    Parameters
    ----------
    real, synthetic : pandas.Series
        The column in each table.

    Returns
    -------
    codes_real, codes_synthetic : numpy.ndarray of int
    n_codes : int
        Number of codes, the missing-value code included.

    Examples
    --------
    >>> import pandas as pd
    >>> a, b, k = discrete_codes(pd.Series(["u", None]), pd.Series(["v", "u"]))
    >>> a.tolist(), b.tolist(), k
    ([0, 2], [1, 0], 3)
    """
    both = pd.concat([real.astype(object), synthetic.astype(object)], ignore_index=True)
    codes, uniques = pd.factorize(both)
    k = len(uniques)
    codes = np.where(codes < 0, k, codes)
    return codes[: len(real)], codes[len(real) :], k + 1
