"""Column kinds of a table: inferred from the data, overridable, saved with the model."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from stochgen._base import BaseModel, check_is_fitted
from stochgen._validation import check_dataframe, check_kinds
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.kinds import KINDS, NUMERIC_KINDS, TIME_KINDS

__all__ = ["KINDS", "Schema", "infer_kind"]

# Object columns with at least this many rows, all distinct strings, are IDs.
_MIN_ROWS_FOR_ID = 20
# Python types of values a model file can hold as a label or a constant.
_SAVEABLE = (str, bool, int, float, np.bool_, np.integer, np.floating)
# What to do with a column of values a model file cannot hold, by type name.
_CONVERT = {
    "Timestamp": "convert it with pd.to_datetime(data[col])",
    "datetime": "convert it with pd.to_datetime(data[col])",
    "Timedelta": "convert it to numbers, e.g. data[col].dt.total_seconds()",
    "timedelta": "convert it to numbers, e.g. pd.to_timedelta(data[col]).dt.total_seconds()",
    "Period": "convert it with data[col].dt.to_timestamp() (or .astype(str))",
    "Decimal": "convert it with data[col].astype(float)",
    "bytes": "decode it with data[col].str.decode('utf-8')",
    "complex": "split it into two real columns (.real and .imag)",
}


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
    _check_value_types(name, types)
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


def _check_value_types(name: Any, types: set[str]) -> None:
    """Refuse object columns whose values a model file could not hold."""
    unsaveable = sorted(types - {"bool", "number", "str", "date"})
    if unsaveable:
        advice = _CONVERT.get(unsaveable[0], "convert it to numbers or text")
        raise ValidationError(
            f"column {name!r} holds {', '.join(unsaveable)} values, which a model file "
            f"cannot store; {advice.replace('col', repr(name))}"
        )


def _check_column(name: Any, series: pd.Series, kind: str) -> None:
    """Refuse a column whose values do not fit its (given or inferred) kind."""
    dtype = series.dtype
    present = series.dropna()
    if pd.api.types.is_timedelta64_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        advice = _CONVERT["Timedelta" if pd.api.types.is_timedelta64_dtype(dtype) else "Period"]
        raise ValidationError(
            f"column {name!r} has dtype {dtype}, which stochgen does not model; "
            f"{advice.replace('col', repr(name))}"
        )
    if pd.api.types.is_object_dtype(dtype) and not present.empty:
        _check_value_types(name, _value_types(present))
    if kind == "constant" and not present.empty:
        value = present.iloc[0]
        # A constant date/time column keeps its value as ISO text (see ConstantColumn).
        stored = pd.api.types.is_datetime64_any_dtype(dtype)
        if not stored and not isinstance(value, _SAVEABLE):
            raise ValidationError(
                f"column {name!r} holds one value, {value!r}, of type {type(value).__name__}, "
                f"which a model file cannot store as a constant; drop the column and add it "
                f"back after sampling, or convert it to text with data[{name!r}].astype(str)"
            )
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if kind in NUMERIC_KINDS and not numeric:
        if pd.api.types.is_bool_dtype(dtype):
            return
        if pd.api.types.is_datetime64_any_dtype(dtype):
            raise ValidationError(
                f"kinds[{name!r}] is {kind!r} but the column holds datetimes; use 'datetime'"
            )
        sample = present.iloc[:3].tolist()
        raise ValidationError(
            f"kinds[{name!r}] is {kind!r} but the column holds {dtype} values "
            f"(e.g. {sample!r}); use 'categorical', or convert it with pd.to_numeric"
        )
    if kind in TIME_KINDS and not pd.api.types.is_datetime64_any_dtype(dtype):
        types = _value_types(present) if pd.api.types.is_object_dtype(dtype) else set()
        if types and types <= {"date", "Timestamp", "datetime"}:
            return
        raise ValidationError(
            f"kinds[{name!r}] is {kind!r} but the column has dtype {dtype}; convert it "
            f"with pd.to_datetime(data[{name!r}])"
        )


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
        TypeError
            If ``kinds`` is not a dict, or a column holds complex numbers.
        stochgen.exceptions.ValidationError
            On an empty table, an unknown column or kind in ``kinds``, inf values,
            a column mixing value types, a kind its values do not fit (text
            declared ``continuous``), or values a model file cannot store
            (Timestamp, Timedelta, Period, Decimal or bytes objects; a constant
            datetime).
        """
        check_dataframe(data)
        overrides = check_kinds(self.kinds, data.columns, KINDS)
        columns = {}
        for name in data.columns:
            series = data[name]
            kind = overrides.get(name) or infer_kind(series)
            _check_column(name, series, kind)
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

    def _check_state(self) -> None:
        for name, spec in self.columns_.items():
            if not isinstance(name, str):
                raise ModelFileError(f"Schema: column name {name!r} is not a string")
            rate = spec["missing_rate"]
            if (
                isinstance(rate, bool)
                or not isinstance(rate, int | float)
                or not 0.0 <= rate <= 1.0
            ):
                raise ModelFileError(
                    f"Schema: column {name!r} has missing_rate {rate!r}; expected a number "
                    "in [0, 1]"
                )
            if not isinstance(spec["nullable"], bool) or spec["nullable"] != (rate > 0):
                raise ModelFileError(
                    f"Schema: column {name!r}: nullable {spec['nullable']!r} does not match "
                    f"missing_rate {rate!r}"
                )
            if not isinstance(spec["dtype"], str):
                raise ModelFileError(f"Schema: column {name!r} has a malformed dtype")
