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
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from stochgen._base import BaseModel
from stochgen._validation import check_columns
from stochgen.exceptions import ValidationError
from stochgen.tabular.conditions import RowRule
from stochgen.tabular.rule_parser import quote_column

__all__ = [
    "Bounds",
    "learned_table_kinds",
    "merge_range",
    "Constraint",
    "FixedCombinations",
    "Inequality",
    "Negative",
    "Positive",
    "Predicate",
    "Unique",
]

_SEPARATOR = "\x1f"


class Constraint(BaseModel, RowRule):
    """Base class: a rule on rows.

    Each constraint answers for itself: `met_by` says how the rule is kept
    ("transform": the model learns a transformed table and rebuilds the
    columns; "latent": an exact range of the latent scores; "rejection": rows
    that break it are drawn again), `replaced_columns` which columns the model
    does not learn directly, `learned_kinds` the kinds of the columns it adds.
    """

    met_by: ClassVar[str] = "rejection"
    #: False for transforms rejection could almost never meet (equalities, sets of
    #: combinations): where two transforms would generate one column, these are kept.
    rejection_feasible: ClassVar[bool] = True
    #: Whether the fitted rule holds values of the data (refused by privacy="aggregate").
    stores_values: ClassVar[bool] = False

    def required_columns(self) -> list[str]:
        """Return the columns the rule reads."""
        raise NotImplementedError  # pragma: no cover

    def replaced_columns(self) -> list[str]:
        """Return the columns generated through this rule (none by default).

        Conditions cannot name them, and the model does not learn them as
        they are.
        """
        return []

    def learned_kinds(self) -> dict[str, str]:
        """Return kinds of the columns `forward` adds to the learned table (none by default)."""
        return {}

    def learned_columns(self, names: list[str]) -> list[str]:
        """Return the columns of the learned table, from those of the table `forward` gets."""
        return list(names)

    def latent_condition(self) -> dict[str, Any]:
        """Return the condition that keeps the rule exactly (rules met in latent space)."""
        return {}

    def describe(self) -> str:
        """Return the rule as text (in the rule language where it has one)."""
        return repr(self)

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check the rule can apply to ``data`` (its columns exist, of fitting kinds)."""
        check_columns(self.required_columns(), data.columns, type(self).__name__)

    def fit(self, data: pd.DataFrame) -> Self:
        """Check the columns exist; a transform also checks the rule holds on the real rows.

        Filters (bounds, uniqueness, predicates) may be stricter than the real
        table: they shape the output. A transform rebuilds columns from the
        rule, so a real table that breaks it is refused (`CopulaSynthesizer`
        leaves such rows out of its fit, with a warning, before fitting its
        constraints).
        """
        self.validate_table(data)
        if self.met_by == "transform":
            held = self.holds(data)
            if not held.all():
                raise ValidationError(
                    f"{self!r} does not hold on {int((~held).sum())} of {len(data)} real rows; "
                    "fix the data or drop the constraint"
                )
        self._learn(data)
        return self

    def _learn(self, data: pd.DataFrame) -> None:
        """Set the fitted attributes from the real table."""
        raise NotImplementedError  # pragma: no cover

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return a boolean mask: which rows meet the rule."""
        raise NotImplementedError  # pragma: no cover

    def check(self, rows: pd.DataFrame, history: dict[Any, Any]) -> np.ndarray:
        """Return `holds` (rules met by rejection)."""
        return self.holds(rows)

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

    met_by = "latent"
    _fitted_attributes = ("dtype_",)

    def __init__(self, column: str = "", low: Any = None, high: Any = None) -> None:
        self.column = column
        self.low = low
        self.high = high

    def required_columns(self) -> list[str]:
        """Return ``[column]``."""
        return [self.column]

    def _learn(self, data: pd.DataFrame) -> None:
        self.dtype_ = str(data[self.column].dtype)

    def describe(self) -> str:
        """Return the rule as text, e.g. ``0 <= age <= 120``."""
        column = quote_column(self.column)
        if not all(_is_number(v) for v in (self.low, self.high) if v is not None):
            return repr(self)  # the language has no date literals
        if self.low is not None and self.high is not None:
            return f"{_number(self.low)} <= {column} <= {_number(self.high)}"
        if self.low is not None:
            return f"{column} >= {_number(self.low)}"
        if self.high is not None:
            return f"{column} <= {_number(self.high)}"
        return f"{column} == {column}"

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check the column exists and its values compare with the bounds."""
        super().validate_table(data)
        try:
            self.holds(data.iloc[:1])
        except TypeError as exc:
            raise ValidationError(
                f"{self!r}: column {self.column!r} holds {data[self.column].dtype} values, "
                f"which the bounds cannot be compared with ({exc})"
            ) from exc

    def latent_condition(self) -> dict[str, Any]:
        """Return ``{column: (low, high)}``: an exact range of the column's latent score."""
        return {self.column: (self.low, self.high)}

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

    met_by = "transform"
    _fitted_attributes = ("dtype_", "datetime_")

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

    def replaced_columns(self) -> list[str]:
        """Return ``[high_column]``: the model learns the gap in its place."""
        return [self.high_column]

    def describe(self) -> str:
        """Return the rule as text: ``low_column <= high_column``."""
        return f"{quote_column(self.low_column)} <= {quote_column(self.high_column)}"

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check both columns exist, differ, and are numbers, or both date/times."""
        super().validate_table(data)
        if self.low_column == self.high_column:
            raise ValidationError(
                f"{self!r} compares column {self.low_column!r} with itself; "
                "give two different columns"
            )
        kinds = {name: _order_kind(data[name]) for name in self.required_columns()}
        if None in kinds.values() or len(set(kinds.values())) != 1:
            described = ", ".join(
                f"{name!r} is {kind or 'neither'}" for name, kind in kinds.items()
            )
            raise ValidationError(
                f"{self!r} compares two numeric or two datetime columns; {described}"
            )

    def _learn(self, data: pd.DataFrame) -> None:
        self.dtype_ = str(data[self.high_column].dtype)
        self.datetime_ = bool(pd.api.types.is_datetime64_any_dtype(data[self.high_column]))

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace the high column by the gap ``high - low``.

        Where the low value is missing there is no gap: the column keeps the
        high value itself (in seconds since the epoch for date/times), so a
        missing low value never makes the high one missing.
        """
        out = data.copy()
        low, high = data[self.low_column], data[self.high_column]
        gap = high - low
        if self.datetime_:
            gap = gap.dt.total_seconds()
            alone = _epoch_seconds(high)
        else:
            alone = high.astype(float)
        gap = gap.astype(float)
        out[self.high_column] = gap.where(low.notna(), alone)
        return out

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Rebuild the high column as ``low + gap`` (the value itself where low is missing).

        An integer high column is rounded, and never below the low value.
        """
        low, learned = rows[self.low_column], rows[self.high_column]
        gap = learned.clip(lower=0)
        if self.datetime_:
            high = low + pd.to_timedelta(gap, unit="s")
            alone = pd.to_datetime(learned, unit="s", utc=high.dt.tz is not None)
            if high.dt.tz is not None:
                alone = alone.dt.tz_convert(high.dt.tz)
            high = high.where(low.notna(), alone.astype(high.dtype))
        else:
            high = (low + gap).where(low.notna(), learned)
            if pd.api.types.is_integer_dtype(self.dtype_):
                high = high.round()
                high = high.where(~(high < low), np.ceil(low))
        rows[self.high_column] = high.astype(self.dtype_)
        return rows


def _epoch_seconds(values: pd.Series) -> pd.Series:
    # Seconds since 1970-01-01 (UTC for zone-aware values); NaN where missing.
    stamps = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz else values
    seconds = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds()
    return seconds.astype(float)


class GroupAsLabel(Constraint):
    """Base of the rules whose group of ``columns`` the model learns as one categorical column.

    The learned column ``key_`` replaces the group; subclasses say how rows
    map to its labels (`forward`, `reverse`) and what its name starts with
    (`_key_name`).

    Parameters
    ----------
    columns : list of str
        The group.
    """

    met_by = "transform"
    rejection_feasible = False

    def __init__(self, columns: list[str] | None = None) -> None:
        self.columns = columns

    def required_columns(self) -> list[str]:
        """Return the columns (the setting)."""
        return list(self.columns or [])

    def replaced_columns(self) -> list[str]:
        """Return the columns: the model learns the group as one label."""
        return self.required_columns()

    def learned_kinds(self) -> dict[str, str]:
        """Return ``{key_: "categorical"}``, the column the model learns."""
        return {self.key_: "categorical"}

    def learned_columns(self, names: list[str]) -> list[str]:
        """Return ``names`` without the columns, with the learned column last."""
        return [n for n in names if n not in self.required_columns()] + [self.key_]

    def _key_name(self) -> str:
        raise NotImplementedError  # pragma: no cover

    def _learn_key(self, data: pd.DataFrame) -> None:
        # The learned column's name: one no column of the table has.
        key = self._key_name()
        while key in data.columns:
            key += "_"
        self.key_ = key


class FixedCombinations(GroupAsLabel):
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

    stores_values = True
    _fitted_attributes = ("dtypes_", "combinations_", "key_")

    def describe(self) -> str:
        """Return the rule as text: ``fixed_combinations(a, b)``."""
        return f"fixed_combinations({', '.join(map(quote_column, self.required_columns()))})"

    def _key_name(self) -> str:
        return "+".join(self.required_columns())

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows show a combination seen in the real table."""
        if not hasattr(self, "combinations_"):
            return np.ones(len(rows), dtype=bool)
        seen = {tuple(c) for c in self.combinations_}
        return np.array(
            [tuple(r) in seen for r in _as_labels(rows[self.required_columns()])], dtype=bool
        )

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check there are two or more columns and that they exist."""
        names = self.required_columns()
        if len(names) < 2:
            raise ValidationError(f"FixedCombinations needs two or more columns; got {names!r}")
        super().validate_table(data)

    def _learn(self, data: pd.DataFrame) -> None:
        names = self.required_columns()
        self.dtypes_ = {c: str(data[c].dtype) for c in names}
        # Distinct label tuples in order of appearance; no DataFrame round trip, which
        # would turn a None of a numeric column back into NaN and lose the match.
        self.combinations_ = [list(row) for row in dict.fromkeys(_as_labels(data[names]))]
        self._learn_key(data)

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace the columns by one column of joined labels."""
        names = self.required_columns()
        out = data.drop(columns=names)
        labels = _as_labels(data[names])
        out[self.key_] = [_SEPARATOR.join(map(repr, r)) for r in labels]
        return out

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Split the joined labels back into the columns, with their dtypes."""
        names = self.required_columns()
        lookup = {_SEPARATOR.join(map(repr, c)): c for c in self.combinations_}
        parts = [lookup[key] for key in rows[self.key_]]
        rows = rows.drop(columns=[self.key_])
        for i, name in enumerate(names):
            values = pd.Series([p[i] for p in parts], index=rows.index, dtype=object)
            dtype = self.dtypes_[name]
            rows[name] = values if dtype == "object" else values.astype(dtype)
        return rows


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _number(value: Any) -> str:
    """Return a number as a rule writes it."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _order_kind(column: pd.Series) -> str | None:
    """Return "numeric" or "datetime" for a column values can be ordered by, else None."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return "numeric"
    return None


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

    _fitted_attributes = ("dtype_",)
    #: Rows are checked against earlier blocks, so blocks run in order.
    stateful: ClassVar[bool] = True

    def __init__(self, column: str = "") -> None:
        self.column = column

    def required_columns(self) -> list[str]:
        """Return ``[column]``."""
        return [self.column]

    def _learn(self, data: pd.DataFrame) -> None:
        self.dtype_ = str(data[self.column].dtype)

    def describe(self) -> str:
        """Return the rule as text: ``unique(column)``."""
        return f"unique({quote_column(self.column)})"

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows hold the first occurrence of their value."""
        return ~rows[self.column].duplicated().to_numpy()

    def check(self, rows: pd.DataFrame, history: dict[Any, Any]) -> np.ndarray:
        """Return which rows hold a value seen neither earlier in ``rows`` nor in kept rows."""
        seen = history.get(self, set())
        return self.holds(rows) & ~rows[self.column].isin(seen).to_numpy()

    def keep(self, rows: pd.DataFrame, history: dict[Any, Any]) -> None:
        """Remember the values of the rows kept."""
        history.setdefault(self, set()).update(rows[self.column].dropna())


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

    _fitted_attributes = ("real_share_",)

    def __init__(
        self, function: Callable[[pd.DataFrame], Any] | None = None, name: str = ""
    ) -> None:
        self.function = function
        self.name = name

    def required_columns(self) -> list[str]:
        """Return no columns: the function reads what it needs."""
        return []

    def _learn(self, data: pd.DataFrame) -> None:
        self.real_share_ = float(self.holds(data).mean()) if len(data) else 1.0

    def check(self, rows: pd.DataFrame, history: dict[Any, Any]) -> np.ndarray:
        """Return the function's mask."""
        return self.holds(rows)

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


def learned_table_kinds(
    kinds: dict[str, str] | None, constraints: list[Constraint], work: pd.DataFrame
) -> dict[str, str]:
    """Return the kinds of the table a model learns, after the constraints' transforms.

    Kinds given for columns a constraint replaces are dropped; columns a
    constraint adds get the kind it names.
    """
    replaced = {name for c in constraints for name in c.replaced_columns()}
    out: dict[str, str] = {}
    for constraint in constraints:
        out.update(constraint.learned_kinds())
    out.update({k: v for k, v in (kinds or {}).items() if k in work and k not in replaced})
    return out


def merge_range(conditions: dict[str, Any], name: str, bounds: Any, source: Constraint) -> None:
    """Intersect ``conditions[name]`` with the range ``bounds`` that ``source`` keeps.

    An exact condition outside the range is refused, naming the constraint.
    """
    if name not in conditions:
        conditions[name] = tuple(bounds)
        return
    value = conditions[name]
    if isinstance(value, tuple | list) and len(value) == 2:
        lows = [v for v in (value[0], bounds[0]) if v is not None]
        highs = [v for v in (value[1], bounds[1]) if v is not None]
        conditions[name] = (max(lows) if lows else None, min(highs) if highs else None)
    elif not source.holds(pd.DataFrame({name: [value]}))[0]:
        raise ValidationError(f"condition {name}={value!r} breaks the constraint {source!r}")
