"""Column kinds of a table: inferred from the data, overridable, saved with the model."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from stochgen._base import BaseModel, _is_fitted, check_is_fitted
from stochgen._validation import check_dataframe, check_kinds
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.kinds import KINDS, NUMERIC_KINDS, TIME_KINDS
from stochgen.tabular import sdv

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


def _read_sdv_column(name: str, column: pd.Series, entry: dict[str, Any]) -> pd.Series:
    """Parse one column as its SDV entry says; return it unchanged when nothing applies."""
    is_text = column.dtype == object or pd.api.types.is_string_dtype(column.dtype)
    if entry["sdtype"] == "datetime" and is_text:
        fmt = entry.get("datetime_format")
        try:
            return pd.to_datetime(column, format=fmt)
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                f"column {name!r} does not match its datetime_format {fmt!r}: {exc}"
            ) from exc
    order = entry.get("range_values", entry.get("order"))
    ordinal = entry["sdtype"] == "ordinal" or "order" in entry
    if ordinal and isinstance(order, list) and not isinstance(column.dtype, pd.CategoricalDtype):
        unknown = sorted(set(column.dropna().tolist()) - set(order), key=str)
        if unknown:
            raise ValidationError(
                f"column {name!r} holds labels {unknown[:5]!r} that its order {order!r:.80} lacks"
            )
        return column.astype(pd.CategoricalDtype(order, ordered=True))
    return column


class Schema(BaseModel):
    """The kind, dtype and nullability of each column of a table.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Kinds to use instead of the inferred ones, by column name (one of
        ``continuous, integer, categorical, ordinal, boolean, datetime, date,
        constant, id``). ``ordinal`` keeps the labels' order (an ordered
        categorical's, else sorted); ``date`` holds `datetime.date` values.
    metadata : dict, optional
        SDV metadata of the table, as `from_sdv` reads it: kept so that
        `to_sdv` writes back SDV's own sdtypes and options (PII sdtypes,
        ``regex_format``, ``datetime_format``, keys) and `prepare` reads
        text with them.

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

    def __init__(
        self, *, kinds: dict[str, str] | None = None, metadata: dict[str, Any] | None = None
    ) -> None:
        self.kinds = kinds
        self.metadata = metadata

    @classmethod
    def from_sdv(cls, metadata: Any, *, table: str | None = None) -> Self:
        """Read SDV metadata: ``SINGLE_TABLE_V1``/``V2``, or one table of ``V1``/``V2``.

        Each sdtype becomes a kind (see `stochgen.tabular.sdv`): ``numerical``
        is ``integer`` or ``continuous`` by its ``computer_representation``
        (or ``decimal_places``), ``categorical``, ``ordinal``, ``boolean`` and
        ``datetime`` keep their names, ``id`` columns and keys are ``id``, and
        PII sdtypes (``email``, ``name``, ``phone_number``, ``address``, ...)
        are ``id`` too: new values, never a real one (``"pii": false`` makes
        such a column ``categorical``).

        Parameters
        ----------
        metadata : str, path-like or dict
            SDV's metadata JSON file (``Metadata.save_to_json``), or its dict.
        table : str, optional
            The table of a multi-table file; needed when it holds several.

        Returns
        -------
        Schema
            Unfitted, with ``kinds`` from the sdtypes and ``metadata`` kept.

        Raises
        ------
        FileNotFoundError
            If ``metadata`` names no file.
        stochgen.exceptions.ValidationError
            On a malformed file, an unknown ``METADATA_SPEC_VERSION``, a
            missing table, or an unknown ``computer_representation``.

        Examples
        --------
        >>> meta = {
        ...     "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        ...     "primary_key": "user",
        ...     "columns": {
        ...         "user": {"sdtype": "id", "regex_format": "U[0-9]{4}"},
        ...         "age": {"sdtype": "numerical", "computer_representation": "Int64"},
        ...         "mail": {"sdtype": "email", "pii": True},
        ...     },
        ... }
        >>> Schema.from_sdv(meta).kinds
        {'user': 'id', 'age': 'integer', 'mail': 'id'}
        >>> Schema.from_sdv(meta).to_sdv() == meta
        True
        """
        read = sdv.read_sdv(metadata, table)
        return cls(kinds=sdv.kinds_from_sdv(read), metadata=read)

    def to_sdv(self, version: str | None = None, *, table: str | None = None) -> dict[str, Any]:
        """Write the schema as SDV metadata.

        A column read by `from_sdv` whose kind is unchanged keeps its SDV
        entry as read (sdtype and options); every other column gets the
        sdtype of its kind (``ordinal`` and ``constant`` columns are
        ``categorical`` in the ``*V1`` formats, ``date`` columns ``datetime``
        with format ``%Y-%m-%d``). Without metadata the first ``id`` column is
        the primary key.

        Parameters
        ----------
        version : {"SINGLE_TABLE_V1", "SINGLE_TABLE_V2", "V1", "V2"}, optional
            Default: the version read, else ``"SINGLE_TABLE_V1"``.
        table : str, optional
            Name of the table in a ``V1``/``V2`` file; default: the name read,
            else ``"table"``.

        Returns
        -------
        dict
            The metadata; ``json.dump`` it to give SDV a file.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If the schema was neither fitted nor read from SDV metadata.
        stochgen.exceptions.ValidationError
            On an unknown ``version``.

        Examples
        --------
        >>> df = pd.DataFrame({"age": [31, 45, 27], "city": ["Oslo", "Rome", "Oslo"]})
        >>> Schema().fit(df).to_sdv()["columns"]
        {'age': {'sdtype': 'numerical', 'computer_representation': 'Int64'}, \
'city': {'sdtype': 'categorical'}}
        """
        meta = self.metadata or {}
        if _is_fitted(self):
            found = {name: (spec["kind"], spec["dtype"]) for name, spec in self.columns_.items()}
        elif meta:
            read = sdv.kinds_from_sdv(meta)
            kinds = {**read, **(self.kinds or {})}
            found = {name: (kinds.get(name), "") for name in meta["columns"]}
        else:
            check_is_fitted(self)
        version = version or meta.get("version") or "SINGLE_TABLE_V1"
        table = table or meta.get("table") or "table"
        read_kinds = sdv.kinds_from_sdv(meta) if meta else {}
        columns = {}
        for name, (kind, dtype) in found.items():
            entry = meta.get("columns", {}).get(name)
            if entry is not None and (kind is None or read_kinds.get(name, kind) == kind):
                columns[name] = entry
            else:
                columns[name] = sdv.sdv_column(kind, dtype, version)
        if meta:
            extra = {key: value for key, value in meta.items() if key not in ("version", "table")}
            extra.pop("columns", None)
        else:
            keys = [name for name, (kind, _) in found.items() if kind == "id"]
            extra = {"primary_key": keys[0]} if keys else {}
        return sdv.write_sdv(columns, version, table, extra)

    def prepare(self, data: pd.DataFrame) -> pd.DataFrame:
        """Return the table with text read as the SDV metadata says.

        Text in a ``datetime`` column is parsed with its ``datetime_format``;
        an ordinal column with an order (``range_values``, or ``order`` in SDV
        1) becomes an ordered categorical in that order, so the model keeps
        it. Without metadata the table is returned unchanged.

        Parameters
        ----------
        data : pandas.DataFrame
            The table, as read from a file.

        Returns
        -------
        pandas.DataFrame
            A copy where a column changed.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If a datetime column does not match its format, or an ordinal
            column holds labels its order lacks.

        Examples
        --------
        >>> meta = {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        ...         "columns": {"day": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}}}
        >>> table = pd.DataFrame({"day": ["31/01/2024", "01/02/2024"]})
        >>> Schema.from_sdv(meta).prepare(table)["day"].dt.month.tolist()
        [1, 2]
        """
        check_dataframe(data)
        if not self.metadata:
            return data
        out = data
        for name, entry in self.metadata["columns"].items():
            if name not in data.columns:
                continue
            column = data[name]
            converted = _read_sdv_column(name, column, entry)
            if converted is not column:
                out = out.copy() if out is data else out
                out[name] = converted
        return out

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
