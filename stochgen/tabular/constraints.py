"""Constraints every generated row must meet.

Enforced by construction where a transform can (``Inequality``: the model
learns the non-negative gap; ``FixedCombinations``: the model learns the
observed combinations as one category), as exact latent ranges where they are
bounds (``Bounds``, ``Positive``, ``Negative``), and otherwise by rejection
with a cap (``Unique``, ``Predicate``): a synthesizer returns exactly ``n``
rows or raises, naming the constraint and how often it held.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import numpy as np
import pandas as pd

from stochgen._base import BaseModel
from stochgen._validation import check_columns
from stochgen.exceptions import ValidationError

__all__ = [
    "Bounds",
    "Constraint",
    "FixedCombinations",
    "Inequality",
    "Negative",
    "Positive",
    "Predicate",
    "Unique",
]

_SEPARATOR = "\x1f"


class Constraint(BaseModel):
    """Base class: a rule on rows. Transforms override ``forward``/``reverse``."""

    #: True when the rule is met by a transform of the table.
    transform = False

    def required_columns(self) -> list[str]:
        """Return the columns the rule reads."""
        raise NotImplementedError  # pragma: no cover

    def fit(self, data: pd.DataFrame) -> Self:
        """Check the columns exist; a transform also checks the rule holds on the real rows.

        Filters (bounds, uniqueness, predicates) may be stricter than the real
        table: they shape the output. A transform rebuilds columns from the
        rule, so a real table that breaks it is refused.
        """
        check_columns(self.required_columns(), data.columns, type(self).__name__)
        if self.transform:
            held = self.holds(data)
            if not held.all():
                raise ValidationError(
                    f"{self!r} does not hold on {int((~held).sum())} of {len(data)} real rows; "
                    "fix the data or drop the constraint"
                )
        self.fitted_ = True
        return self

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return a boolean mask: which rows meet the rule."""
        raise NotImplementedError  # pragma: no cover

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Return the table the model learns (transforms only)."""
        return data

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Return generated rows in the original layout (transforms only)."""
        return rows


class Bounds(Constraint):
    """``low <= column <= high`` (either may be None); met as an exact latent range.

    Parameters
    ----------
    column : str
    low, high : float or None

    Examples
    --------
    >>> Bounds("age", low=18)
    Bounds(column='age', low=18)
    """

    _fitted_attributes = ("fitted_",)

    def __init__(self, column: str = "", low: Any = None, high: Any = None) -> None:
        self.column = column
        self.low = low
        self.high = high

    def required_columns(self) -> list[str]:
        """Return ``[column]``."""
        return [self.column]

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows lie inside the bounds (missing values pass)."""
        values = rows[self.column]
        ok = values.isna().to_numpy()
        inside = np.ones(len(rows), dtype=bool)
        if self.low is not None:
            inside &= (values >= self.low).fillna(False).to_numpy(dtype=bool)
        if self.high is not None:
            inside &= (values <= self.high).fillna(False).to_numpy(dtype=bool)
        return ok | inside


def Positive(column: str) -> Bounds:  # noqa: N802 - reads as a constraint name
    """Return ``Bounds(column, low=0)``: values at least 0.

    Examples
    --------
    >>> Positive("price")
    Bounds(column='price', low=0)
    """
    return Bounds(column, low=0)


def Negative(column: str) -> Bounds:  # noqa: N802 - reads as a constraint name
    """Return ``Bounds(column, high=0)``: values at most 0.

    Examples
    --------
    >>> Negative("loss")
    Bounds(column='loss', high=0)
    """
    return Bounds(column, high=0)


class Inequality(Constraint):
    """``low_column <= high_column`` in every row, met by construction.

    The model learns ``high - low`` (non-negative) in place of ``high`` and adds
    it back: no generated row can break the rule. Works for numeric and
    datetime columns.

    Parameters
    ----------
    low_column, high_column : str

    Attributes
    ----------
    dtype_ : str
        Original dtype of ``high_column``.

    Examples
    --------
    >>> Inequality("start", "end")
    Inequality(low_column='start', high_column='end')
    """

    transform = True
    _fitted_attributes = ("fitted_", "dtype_", "datetime_")

    def __init__(self, low_column: str = "", high_column: str = "") -> None:
        self.low_column = low_column
        self.high_column = high_column

    def required_columns(self) -> list[str]:
        """Return both columns."""
        return [self.low_column, self.high_column]

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows have low <= high (rows with a missing side pass)."""
        low, high = rows[self.low_column], rows[self.high_column]
        return (low.isna() | high.isna() | (low <= high)).to_numpy(dtype=bool)

    def fit(self, data: pd.DataFrame) -> Self:
        """Check the rule and learn the high column's dtype."""
        super().fit(data)
        self.dtype_ = str(data[self.high_column].dtype)
        self.datetime_ = bool(pd.api.types.is_datetime64_any_dtype(data[self.high_column]))
        return self

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace the high column by the gap ``high - low``."""
        out = data.copy()
        gap = data[self.high_column] - data[self.low_column]
        if self.datetime_:
            gap = gap.dt.total_seconds()
        out[self.high_column] = gap.astype(float)
        return out

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Rebuild the high column as ``low + gap``."""
        gap = rows[self.high_column].clip(lower=0)
        if self.datetime_:
            high = rows[self.low_column] + pd.to_timedelta(gap, unit="s")
        else:
            high = rows[self.low_column] + gap
        rows[self.high_column] = high.astype(self.dtype_)
        return rows


class FixedCombinations(Constraint):
    """Only combinations of these columns seen in the real table, met by construction.

    The model learns the combination as one categorical column.

    Parameters
    ----------
    columns : list of str
        Two or more categorical columns.

    Attributes
    ----------
    dtypes_ : dict of str to str
        Original dtypes.

    Examples
    --------
    >>> FixedCombinations(["country", "city"])
    FixedCombinations(columns=['country', 'city'])
    """

    transform = True
    _fitted_attributes = ("fitted_", "dtypes_", "combinations_")

    def __init__(self, columns: list[str] | None = None) -> None:
        self.columns = columns

    def required_columns(self) -> list[str]:
        """Return the columns (the setting)."""
        return list(self.columns or [])

    def _key(self) -> str:
        return "+".join(self.required_columns())

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows show a combination seen in the real table."""
        if not hasattr(self, "combinations_"):
            return np.ones(len(rows), dtype=bool)
        seen = {tuple(c) for c in self.combinations_}
        return np.array(
            [tuple(r) in seen for r in _as_labels(rows[self.required_columns()])], dtype=bool
        )

    def fit(self, data: pd.DataFrame) -> Self:
        """Learn the observed combinations."""
        names = self.required_columns()
        if len(names) < 2:
            raise ValidationError(f"FixedCombinations needs two or more columns; got {names!r}")
        super().fit(data)
        self.dtypes_ = {c: str(data[c].dtype) for c in names}
        combos = pd.DataFrame(_as_labels(data[names])).drop_duplicates()
        self.combinations_ = [list(row) for row in combos.itertuples(index=False)]
        return self

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace the columns by one column of joined labels."""
        names = self.required_columns()
        out = data.drop(columns=names)
        labels = _as_labels(data[names])
        out[self._key()] = [_SEPARATOR.join(map(repr, r)) for r in labels]
        return out

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Split the joined labels back into the columns, with their dtypes."""
        names = self.required_columns()
        lookup = {_SEPARATOR.join(map(repr, c)): c for c in self.combinations_}
        parts = [lookup[key] for key in rows[self._key()]]
        rows = rows.drop(columns=[self._key()])
        for i, name in enumerate(names):
            values = pd.Series([p[i] for p in parts], index=rows.index, dtype=object)
            dtype = self.dtypes_[name]
            rows[name] = values if dtype == "object" else values.astype(dtype)
        return rows


def _as_labels(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    def plain(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        return v.item() if isinstance(v, np.generic) else v

    return [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]


class Unique(Constraint):
    """No two generated rows share a value of ``column``; met by rejection.

    Parameters
    ----------
    column : str

    Examples
    --------
    >>> Unique("email")
    Unique(column='email')
    """

    _fitted_attributes = ("fitted_",)

    def __init__(self, column: str = "") -> None:
        self.column = column

    def required_columns(self) -> list[str]:
        """Return ``[column]``."""
        return [self.column]

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows hold the first occurrence of their value."""
        return ~rows[self.column].duplicated().to_numpy()


class Predicate(Constraint):
    """A user's rule: ``function(rows) -> boolean mask``; met by rejection.

    Holds Python code, so a model with a predicate cannot be saved.

    Parameters
    ----------
    function : callable
        Takes a DataFrame, returns one boolean per row.
    name : str
        Named in error messages.

    Examples
    --------
    >>> rule = Predicate(lambda rows: rows["a"] + rows["b"] <= 10, name="a + b <= 10")
    >>> rule.name
    'a + b <= 10'
    """

    _fitted_attributes = ("fitted_",)

    def __init__(
        self, function: Callable[[pd.DataFrame], Any] | None = None, name: str = ""
    ) -> None:
        self.function = function
        self.name = name

    def required_columns(self) -> list[str]:
        """Return no columns: the function reads what it needs."""
        return []

    def __repr__(self) -> str:
        return f"Predicate({self.name or getattr(self.function, '__name__', 'function')!r})"

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return the function's mask, checked for shape and type."""
        if not callable(self.function):
            raise TypeError(f"{self!r}: function must be callable")
        mask = np.asarray(self.function(rows))
        if mask.shape != (len(rows),) or mask.dtype != bool:
            raise TypeError(
                f"{self!r} must return one boolean per row; got shape {mask.shape}, "
                f"dtype {mask.dtype}"
            )
        return mask

    def to_dict(self) -> dict[str, Any]:
        """Refuse: a predicate is code, and model files hold data only."""
        raise TypeError(
            f"{self!r} holds Python code and cannot be saved; save the model without it "
            "and pass the predicate again after loading"
        )
