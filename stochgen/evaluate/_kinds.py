"""Column kinds for scoring, and the checks that a real / synthetic pair can be compared.

Every metric in `stochgen.evaluate` sees a column as one of five kinds:
``"numeric"``, ``"datetime"``, ``"categorical"``, ``"boolean"`` or ``"id"``
(ID-like columns are skipped by every metric). The kinds are inferred from the
real table's dtypes, and can be set by hand with the ``kinds`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._validation import check_dataframe
from stochgen.exceptions import ValidationError

__all__ = ["KINDS", "check_tables", "discrete_codes", "infer_kinds", "to_float"]

#: The column kinds the metrics understand.
KINDS = ("numeric", "datetime", "categorical", "boolean", "id")

# Kinds scored as continuous (KS, correlation, binned for contingency) or discrete.
CONTINUOUS = ("numeric", "datetime")
DISCRETE = ("categorical", "boolean")


def _is_boolean(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column.dtype):
        return True
    if column.dtype == object:
        values = column.dropna()
        return len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values.unique())
    return False


def _infer_kind(column: pd.Series) -> str:
    dtype = column.dtype
    if _is_boolean(column):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    n = len(column)
    values = column.dropna()
    all_unique = n > 1 and len(values) == n and values.nunique() == n
    if pd.api.types.is_numeric_dtype(dtype):
        # Integer row numbers (unique and increasing in row order) identify rows, not values.
        if all_unique and pd.api.types.is_integer_dtype(dtype) and values.is_monotonic_increasing:
            return "id"
        return "numeric"
    if all_unique:
        return "id"
    return "categorical"


def infer_kinds(data: pd.DataFrame) -> dict[str, str]:
    """Infer the kind of each column of a table.

    Booleans (``bool``, ``boolean``, objects holding only True/False) are
    ``"boolean"``; ``datetime64`` columns, naive or tz-aware, ``"datetime"``;
    other numeric dtypes ``"numeric"``; strings, objects and categories
    ``"categorical"``. A column whose values are all distinct is ``"id"`` when
    it holds strings, or integers increasing in row order (row numbers).

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
    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.5, 2.0, 1.5],
    ...                    "g": ["u", "v", "u"], "b": [True, False, True]})
    >>> infer_kinds(df)
    {'id': 'id', 'x': 'numeric', 'g': 'categorical', 'b': 'boolean'}
    """
    check_dataframe(data, "data")
    return {name: _infer_kind(data[name]) for name in data.columns}


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
        Kinds set by hand for some columns; the others are inferred from ``real``.
    synthetic_name : str
        Argument name of the second table, for messages.

    Returns
    -------
    dict of str to str
        Column name to kind, in the real table's column order.

    Raises
    ------
    TypeError
        If a table is not a DataFrame, or a column's dtypes cannot be compared
        (numbers against strings, datetimes against numbers).
    stochgen.exceptions.ValidationError
        If a table is empty, the column names differ, or ``kinds`` names an
        unknown column or kind.

    Examples
    --------
    >>> import pandas as pd
    >>> wrong = pd.DataFrame({"x": ["a"]})
    >>> check_tables(pd.DataFrame({"x": [1.0, 2.0]}), wrong)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: column 'x': real has dtype float64 but synthetic has dtype object; expected ...
    """
    check_dataframe(real, "real")
    check_dataframe(synthetic, synthetic_name)
    missing = [c for c in real.columns if c not in synthetic.columns]
    extra = [c for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise ValidationError(
            f"{synthetic_name}: columns differ from real: missing {missing!r}, unexpected {extra!r}"
        )
    inferred = infer_kinds(real)
    for name, kind in (kinds or {}).items():
        if name not in inferred:
            raise ValidationError(
                f"kinds: unknown column {name!r}; the table has {list(real.columns)!r}"
            )
        if kind not in KINDS:
            raise ValidationError(
                f"kinds: column {name!r} has kind {kind!r}; expected one of {KINDS}"
            )
        inferred[name] = kind
    for name, kind in inferred.items():
        _check_dtype_pair(name, kind, real[name], synthetic[name], synthetic_name)
    return inferred


def _check_dtype_pair(
    name: str, kind: str, real: pd.Series, synthetic: pd.Series, synthetic_name: str
) -> None:
    if kind not in CONTINUOUS or synthetic.isna().all():
        return
    if kind == "datetime":
        ok = pd.api.types.is_datetime64_any_dtype(synthetic.dtype)
        expected = "datetime64"
    else:
        ok = pd.api.types.is_numeric_dtype(synthetic.dtype) and not _is_boolean(synthetic)
        expected = "a numeric dtype"
    if not ok:
        raise TypeError(
            f"column {name!r}: real has dtype {real.dtype} but {synthetic_name} has dtype "
            f"{synthetic.dtype}; expected {expected} in both"
        )


def to_float(column: pd.Series, kind: str) -> NDArray[np.float64]:
    """Return a numeric or datetime column as float64, missing values as NaN.

    Datetimes become nanoseconds since the epoch (tz-aware ones in UTC), the
    scale SDMetrics uses through ``pandas.to_numeric``.

    Parameters
    ----------
    column : pandas.Series
        A numeric (numpy or nullable) or datetime64 column.
    kind : str
        ``"numeric"`` or ``"datetime"``.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> import pandas as pd
    >>> to_float(pd.Series([1, None], dtype="Int64"), "numeric")
    array([ 1., nan])
    >>> to_float(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None])), "datetime")
    array([1.e+09,    nan])
    """
    if kind == "datetime":
        values = column
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        values = values.dt.as_unit("ns")
        out = values.to_numpy(dtype="int64", na_value=0).astype(np.float64)
        out[values.isna().to_numpy()] = np.nan
        return out
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


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
