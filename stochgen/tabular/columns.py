"""Column models: one column to latent normal scores for the copula, and back.

Each model learns a column's marginal behaviour and exposes

- ``n_latent`` and ``latent_roles``: how many latent dimensions it uses and
  what each carries ("value", "missing", "spike", "label"),
- ``latent_scores(column)``: normal scores of any rows under the fitted
  model, each row on its own (not ranked among the rows passed), NaN where a
  dimension is undefined for a row,
- ``attenuation``: for each dimension, the standard deviation of its scores
  (below 1 for discrete dimensions, whose score is the conditional mean of a
  standard normal over the value's interval; dividing a correlation by it
  undoes the attenuation that discreteness causes),
- ``from_normal(z, row_offset)``: values of the column from latent normal
  scores (a copula's uniforms ``u`` give ``z = Phi^-1(u)``),
- ``add_condition(name, start, value, out)``: a condition on the column as
  constraints on its latent dimensions.

`NumericColumn` lives in `stochgen.tabular.numeric`, `CategoricalColumn` in
`stochgen.tabular.categorical`; both are re-exported here.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel
from stochgen.exceptions import ValidationError
from stochgen.kinds import SHARE_KINDS, VALUE_KINDS
from stochgen.tabular.categorical import CategoricalColumn
from stochgen.tabular.conditions import LatentConstraints, is_missing
from stochgen.tabular.numeric import NumericColumn
from stochgen.tabular.scores import (
    check_dtype_text,
    interval_scores,
    plain_value,
    restore_dtype,
)

__all__ = [
    "CategoricalColumn",
    "ConstantColumn",
    "IdColumn",
    "NumericColumn",
    "column_model",
    "interval_scores",
    "restore_dtype",
]


class ConstantColumn(BaseModel):
    """A column holding one value (or only missing values) in every row.

    Attributes
    ----------
    value_ : object
        The value (None when the column is entirely missing); date/times are
        kept as ISO 8601 text, so a model file can hold them.
    dtype_ : str
    """

    _fitted_attributes = ("value_", "dtype_")
    n_latent: ClassVar[int] = 0
    latent_roles: ClassVar[tuple[str, ...]] = ()
    #: Values do not depend on the row's position.
    positional: ClassVar[bool] = False

    def __init__(self) -> None:
        pass

    def fit(self, column: pd.Series) -> Self:
        """Learn the value.

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        Self
        """
        present = column.dropna()
        value = plain_value(present.iloc[0]) if len(present) else None
        return self.fit_value(value, str(column.dtype))

    def fit_value(self, value: Any, dtype: str) -> Self:
        """Set the value (None: always missing) and the dtype; return self."""
        if isinstance(value, pd.Timestamp | np.datetime64):
            value = pd.Timestamp(value).isoformat()
        self.value_ = value
        self.dtype_ = dtype
        return self

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """No dimensions."""
        return np.ones(0)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return an empty (n, 0) array: no dimensions."""
        return np.empty((len(column), 0))

    def aggregate(
        self, name: str, *, n_rows: int, knots: int, min_count: int, fallback: Any = None
    ) -> Self:
        """Return self: its value is shared by every row (the table has ``min_count`` or more)."""
        return self

    def _value(self) -> Any:
        if self.value_ is not None and self.dtype_.startswith("datetime64"):
            return pd.Timestamp(self.value_)
        return self.value_

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return the value, repeated."""
        n = z.shape[0]
        if self.dtype_.startswith("datetime64"):
            stamp = self._value()
            values = pd.Series([pd.NaT if stamp is None else stamp] * n, dtype=object)
            return pd.to_datetime(values).astype(self.dtype_).array
        values = np.empty(n, dtype=object)
        values[:] = [self.value_] * n
        if self.value_ is None and self.dtype_ not in ("object", "category", "str"):
            values = np.full(n, np.nan)
        return restore_dtype(
            values, self.dtype_, categories=None if self.value_ is None else [self.value_]
        )

    def add_condition(self, name: str, start: int, value: Any, out: LatentConstraints) -> None:
        """Accept a condition equal to the value; refuse any other."""
        held = self._value()
        same = is_missing(value) if held is None else _same(value, held)
        if not same:
            raise ValidationError(f"condition on {name!r}: the column always holds {held!r}")

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        check_dtype_text(self.dtype_, "ConstantColumn")


def _same(value: Any, held: Any) -> bool:
    try:
        return bool(value == held)
    except (TypeError, ValueError):
        return False


class IdColumn(BaseModel):
    """A key column: generated rows get new, unique identifiers.

    Identifiers are ``prefix`` followed by the row number, so they are unique
    within one sampled table and never copy a real key.

    Attributes
    ----------
    prefix_ : str
    dtype_ : str
    """

    _fitted_attributes = ("prefix_", "dtype_")
    n_latent: ClassVar[int] = 0
    latent_roles: ClassVar[tuple[str, ...]] = ()
    #: Values are numbered by the row's position: rows kept after rejection are renumbered.
    positional: ClassVar[bool] = True

    def __init__(self) -> None:
        pass

    def fit(self, column: pd.Series) -> Self:
        """Learn the common non-digit prefix of the keys."""
        present = column.dropna().astype(str)
        prefix = present.str.extract(r"^(\D*)", expand=False)
        self.prefix_ = str(prefix.iloc[0]) if prefix.nunique() == 1 else "id_"
        self.dtype_ = str(column.dtype)
        return self

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """No dimensions."""
        return np.ones(0)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return an empty (n, 0) array: no dimensions."""
        return np.empty((len(column), 0))

    def aggregate(
        self, name: str, *, n_rows: int, knots: int, min_count: int, fallback: Any = None
    ) -> Self:
        """Return self: the prefix is common to every key."""
        return self

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return keys ``prefix + row number``."""
        rows = np.arange(row_offset, row_offset + z.shape[0])
        if self.dtype_.startswith(("int", "uint", "Int", "UInt")):
            return restore_dtype(rows, self.dtype_)
        values = np.array([f"{self.prefix_}{i}" for i in rows], dtype=object)
        return restore_dtype(values, self.dtype_)

    def add_condition(self, name: str, start: int, value: Any, out: LatentConstraints) -> None:
        """Refuse: keys are generated, not conditioned on."""
        raise ValidationError(f"condition on {name!r}: key columns cannot be conditioned")


def column_model(kind: str, marginal: Any = "empirical") -> BaseModel:
    """Return an unfitted column model for a column kind.

    Parameters
    ----------
    kind : str
        A kind from `stochgen.kinds.KINDS`.
    marginal : object
        Numeric columns' marginal setting (see `NumericColumn`).

    Returns
    -------
    BaseModel

    Examples
    --------
    >>> column_model("categorical")
    CategoricalColumn()
    """
    if kind in VALUE_KINDS:
        return NumericColumn(kind=kind, marginal=marginal)
    if kind in SHARE_KINDS:
        return CategoricalColumn()
    if kind == "id":
        return IdColumn()
    return ConstantColumn()
