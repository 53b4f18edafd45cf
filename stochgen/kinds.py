"""Column kinds: the one vocabulary that tables (`stochgen.tabular`) and metrics share.

A column is one of nine kinds. Which group a kind belongs to decides how it is
modelled and scored:

- numbers, `NUMERIC_KINDS`: ``"continuous"``, ``"integer"``;
- times, `TIME_KINDS`: ``"datetime"`` (``datetime64``, naive or tz-aware),
  ``"date"`` (`datetime.date` values);
- labels, `LABEL_KINDS`: ``"categorical"``, ``"ordinal"`` (ordered labels),
  ``"boolean"``, ``"constant"`` (one value);
- ``"id"``: identifiers, which carry no distribution (metrics skip them).

`infer_kind` infers a kind from a pandas column; it never raises, so it can be
asked about any column (callers that cannot handle inf or mixed types, like a
model that must be saved, check those themselves).
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

__all__ = [
    "KINDS",
    "LABEL_KINDS",
    "MIN_ROWS_FOR_ID",
    "NUMERIC_KINDS",
    "SHARE_KINDS",
    "TIME_KINDS",
    "VALUE_KINDS",
    "infer_kind",
]

#: Every column kind.
KINDS = (
    "continuous",
    "integer",
    "categorical",
    "ordinal",
    "boolean",
    "datetime",
    "date",
    "constant",
    "id",
)
#: Kinds whose values are numbers.
NUMERIC_KINDS = ("continuous", "integer")
#: Kinds whose values are points in time.
TIME_KINDS = ("datetime", "date")
#: Kinds whose values are labels (compared for equality only).
LABEL_KINDS = ("categorical", "ordinal", "boolean", "constant")

#: Kinds a table model draws through a marginal of numbers (times as time since 1970).
VALUE_KINDS = NUMERIC_KINDS + TIME_KINDS
#: Kinds a table model draws as labels with shares (a constant column has no latent dimension).
SHARE_KINDS = ("categorical", "ordinal", "boolean")

#: Columns with at least this many rows, all distinct strings (or row numbers), are IDs.
MIN_ROWS_FOR_ID = 20


def _all_instances(values: pd.Series, types: type | tuple[type, ...]) -> bool:
    return all(isinstance(v, types) for v in values)


def _is_row_number(present: pd.Series, n_rows: int) -> bool:
    # 0, 1, 2, ... or 1, 2, 3, ...: a row number, whatever the column is called.
    if len(present) != n_rows or n_rows < MIN_ROWS_FOR_ID:
        return False
    values = present.to_numpy(dtype=np.int64)
    return values[0] in (0, 1) and bool(np.all(np.diff(values) == 1))


def infer_kind(column: pd.Series) -> str:
    """Infer the kind of one column.

    Rules, in order: no value or a single distinct value is ``"constant"``;
    ``bool`` dtypes and objects holding only booleans are ``"boolean"``;
    ``datetime64`` is ``"datetime"`` and `datetime.date` objects ``"date"``;
    an ordered categorical dtype is ``"ordinal"``; numbers are ``"integer"``
    when every finite value is a whole number, else ``"continuous"``, except
    integers that count rows (``0, 1, 2, ...`` or ``1, 2, 3, ...``, at least
    20 rows), which are ``"id"``; at least 20 distinct strings with nothing
    missing are ``"id"``; anything else (strings, categories, objects that mix
    types) is ``"categorical"``.

    Parameters
    ----------
    column : pandas.Series
        The column.

    Returns
    -------
    str
        One of `KINDS`.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_kind(pd.Series([1.5, 2.0, 3.0]))
    'continuous'
    >>> infer_kind(pd.Series([1.0, 2.0, None]))
    'integer'
    >>> infer_kind(pd.Series(["a", "b", "a"]))
    'categorical'
    >>> infer_kind(pd.Series(range(25)))
    'id'
    """
    present = column.dropna()
    if present.empty or present.nunique() == 1:
        return "constant"
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "ordinal" if dtype.ordered else "categorical"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        if pd.api.types.is_integer_dtype(dtype):
            return "id" if _is_row_number(present, len(column)) else "integer"
        values = present.to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        return "integer" if np.all(finite == np.round(finite)) else "continuous"
    if pd.api.types.is_object_dtype(dtype):
        if _all_instances(present, bool | np.bool_):
            return "boolean"
        # datetime.datetime is a subclass of datetime.date: those are timestamps, not dates.
        if _all_instances(present, datetime.date) and not any(
            isinstance(v, datetime.datetime) for v in present
        ):
            return "date"
    if (
        len(present) == len(column) >= MIN_ROWS_FOR_ID
        and present.is_unique
        and _all_instances(present, str)
    ):
        return "id"
    return "categorical"
