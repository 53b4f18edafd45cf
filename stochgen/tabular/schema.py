"""Column kinds of a table: inferred from the data, overridable, saved with the model."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from stochgen._base import BaseModel, check_is_fitted
from stochgen._validation import check_columns, check_dataframe
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.kinds import KINDS

__all__ = ["KINDS", "Schema", "infer_kind"]

# Object columns with at least this many rows, all distinct strings, are IDs.
_MIN_ROWS_FOR_ID = 20


def _value_types(values: pd.Series) -> set[str]:
    kinds = set()
    for value in values:
        if isinstance(value, bool | np.bool_):
            kinds.add("bool")
        elif isinstance(value, int | float | np.integer | np.floating):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("str")
        else:
            kinds.add(type(value).__name__)
    return kinds


def infer_kind(column: pd.Series) -> str:
    """Infer the kind of one column.

    Parameters
    ----------
    column : pandas.Series
        The column.

    Returns
    -------
    str
        One of `KINDS`.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If a numeric column holds inf, or an object column mixes types.

    Examples
    --------
    >>> infer_kind(pd.Series([1.0, 2.0, 3.0]))
    'integer'
    >>> infer_kind(pd.Series(["a", "b", "a"]))
    'categorical'
    """
    name = column.name
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
    if pd.api.types.is_numeric_dtype(dtype):
        values = present.to_numpy(dtype=np.float64)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            raise ValidationError(
                f"column {name!r}: {n_inf} values are inf; expected finite numbers"
            )
        if pd.api.types.is_integer_dtype(dtype) or np.all(values == np.round(values)):
            return "integer"
        return "continuous"
    types = _value_types(present)
    if types == {"bool"}:
        return "boolean"
    if types == {"date"}:
        return "date"
    if len(types) > 1:
        raise ValidationError(
            f"column {name!r} mixes value types {sorted(types)}; convert it to one type "
            "(e.g. data[col].astype(str)) or give its kind in the schema"
        )
    if types == {"str"} and len(present) >= _MIN_ROWS_FOR_ID and present.is_unique:
        return "id"
    return "categorical"


class Schema(BaseModel):
    """The kind, dtype and nullability of each column of a table.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Kinds to use instead of the inferred ones, by column name (one of
        ``continuous, integer, categorical, ordinal, boolean, datetime, date,
        constant, id``). ``ordinal`` keeps the labels' order (an ordered
        categorical's, else sorted); ``date`` holds `datetime.date` values.

    Attributes
    ----------
    columns_ : dict of str to dict
        Per column, in table order: ``kind``, ``dtype`` (the pandas dtype as
        text), ``nullable`` and ``missing_rate``.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [31, 45, 27], "city": ["Oslo", "Rome", "Oslo"]})
    >>> Schema().fit(df).describe()["kind"].to_dict()
    {'age': 'integer', 'city': 'categorical'}
    """

    _fitted_attributes = ("columns_",)

    def __init__(self, *, kinds: dict[str, str] | None = None) -> None:
        self.kinds = kinds

    def fit(self, data: pd.DataFrame) -> Self:
        """Infer each column's kind (overrides win).

        Parameters
        ----------
        data : pandas.DataFrame
            The table.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On an empty table, an unknown column or kind in ``kinds``, inf values,
            or a column mixing value types.
        """
        check_dataframe(data)
        overrides = dict(self.kinds or {})
        check_columns(overrides, data.columns, "kinds")
        for column, kind in overrides.items():
            if kind not in KINDS:
                raise ValidationError(
                    f"kinds[{column!r}] must be one of {list(KINDS)}; got {kind!r}"
                )
        columns = {}
        for name in data.columns:
            series = data[name]
            kind = overrides.get(name) or infer_kind(series)
            columns[name] = {
                "kind": kind,
                "dtype": str(series.dtype),
                "nullable": bool(series.isna().any()),
                "missing_rate": float(series.isna().mean()),
            }
        self.columns_ = columns
        return self

    def describe(self) -> pd.DataFrame:
        """Return the inferred schema as a table, one row per column.

        Returns
        -------
        pandas.DataFrame
        """
        check_is_fitted(self)
        return pd.DataFrame.from_dict(self.columns_, orient="index")

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        columns = state["columns_"]
        if not isinstance(columns, dict):
            raise ModelFileError("Schema: columns_ must be a mapping")
        for name, spec in columns.items():
            if not isinstance(spec, dict) or set(spec) != {
                "kind",
                "dtype",
                "nullable",
                "missing_rate",
            }:
                raise ModelFileError(f"Schema: malformed entry for column {name!r}")
            if spec["kind"] not in KINDS:
                raise ModelFileError(f"Schema: column {name!r} has unknown kind {spec['kind']!r}")
