"""Conditions on columns, translated into constraints on the copula's normal scores.

A condition is ``column: value`` (equality; ``None`` asks for missing values)
or, for numeric and datetime columns, ``column: (low, high)`` (an inclusive
range; ``None`` leaves an end open). Each becomes exact values or intervals of
the column's latent coordinates; what cannot be written as one interval (a
range containing a column's spike) becomes a row check met by rejection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from stochgen._base import BaseModel
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.exceptions import ValidationError
from stochgen.tabular.columns import CategoricalColumn, ConstantColumn, IdColumn, NumericColumn

__all__ = ["LatentConstraints", "translate_conditions"]

# Probabilities are kept this far from 0 and 1 so normal scores stay finite.
_EDGE = 1e-12


@dataclass
class LatentConstraints:
    """Constraints on latent coordinates, values to write, and checks on rows."""

    points: dict[int, float] = field(default_factory=dict)
    boxes: dict[int, tuple[float, float]] = field(default_factory=dict)
    forced: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Callable[[pd.Series], np.ndarray]] = field(default_factory=dict)

    def add_box(self, index: int, low_u: float, high_u: float) -> None:
        """Restrict coordinate ``index`` to the normal scores of (low_u, high_u)."""
        low = -np.inf if low_u <= 0 else float(special.ndtri(min(low_u, 1 - _EDGE)))
        high = np.inf if high_u >= 1 else float(special.ndtri(max(high_u, _EDGE)))
        if index in self.boxes:
            old_low, old_high = self.boxes[index]
            low, high = max(low, old_low), min(high, old_high)
        self.boxes[index] = (low, high)


def _is_missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and np.isnan(value))
    )


def _to_model_scale(model: NumericColumn, name: str, value: Any) -> float:
    if model.kind == "datetime":
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"condition on {name!r}: {value!r} is not a date/time") from exc
        if stamp.tzinfo is not None:
            tz = getattr(pd.api.types.pandas_dtype(model.dtype_), "tz", None)
            stamp = stamp.tz_convert(tz) if tz is not None else stamp.tz_convert("UTC")
            stamp = stamp.tz_localize(None)
        return stamp.value / model.step_
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValidationError(f"condition on {name!r}: expected a number; got {value!r}")
    return float(value)


def _left_cdf(marginal: BaseModel, x: float) -> float:
    """P(X < x): a repeated value at x stays inside a range that starts at x."""
    if isinstance(marginal, EmpiricalDistribution):
        k = np.searchsorted(marginal.values_, x)
        if k < marginal.values_.size and marginal.values_[k] == x:
            return float(marginal.lower_q_[k])
    return float(marginal.cdf(np.array([x]))[0])


def _numeric(
    model: NumericColumn, name: str, start: int, value: Any, out: LatentConstraints
) -> None:
    dim = start + 1
    missing_dim = atom_dim = None
    if model._has_missing_dimension:
        missing_dim, dim = dim, dim + 1
    if model._has_atom_dimension:
        atom_dim = dim
    if _is_missing(value):
        if missing_dim is None:
            raise ValidationError(f"condition on {name!r}: the column has no missing values")
        out.add_box(missing_dim, 0.0, model.missing_rate_)
        return
    if missing_dim is not None:
        out.add_box(missing_dim, model.missing_rate_, 1.0)
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValidationError(f"condition on {name!r}: a range is (low, high); got {value!r}")
        low = -np.inf if value[0] is None else _to_model_scale(model, name, value[0])
        high = np.inf if value[1] is None else _to_model_scale(model, name, value[1])
        if low > high or high < model.minimum_ or low > model.maximum_:
            raise ValidationError(
                f"condition on {name!r}: range {value!r} does not meet the fitted values "
                f"(from {model.minimum_:g} to {model.maximum_:g} in model units)"
            )
        if atom_dim is not None and low <= model.atom_ <= high:
            column_range = value

            def check(series: pd.Series) -> np.ndarray:
                return _in_range(series, column_range)

            out.checks[name] = check
            return
        if atom_dim is not None:
            out.add_box(atom_dim, model.atom_rate_, 1.0)
        low_u = _left_cdf(model.marginal_, low) if np.isfinite(low) else 0.0
        high_u = float(model.marginal_.cdf(np.array([high]))[0]) if np.isfinite(high) else 1.0
        if not high_u > low_u:
            raise ValidationError(f"condition on {name!r}: no fitted values in range {value!r}")
        out.add_box(start, low_u, high_u)
        column_range = value
        out.checks[name] = lambda series: _in_range(series, column_range)
        return
    x = _to_model_scale(model, name, value)
    if not model.minimum_ <= x <= model.maximum_:
        raise ValidationError(
            f"condition on {name!r}: {value!r} lies outside the fitted values "
            f"(from {model.minimum_:g} to {model.maximum_:g} in model units)"
        )
    if model.kind == "integer" and x != round(x):
        raise ValidationError(f"condition on {name!r}: {value!r} is not an integer")
    out.forced[name] = value
    if atom_dim is not None:
        if x == model.atom_:
            out.add_box(atom_dim, 0.0, model.atom_rate_)
            return
        out.add_box(atom_dim, model.atom_rate_, 1.0)
    marginal = model.marginal_
    if isinstance(marginal, EmpiricalDistribution):
        k = np.searchsorted(marginal.values_, x)
        if k < marginal.values_.size and marginal.values_[k] == x:
            if marginal.upper_q_[k] > marginal.lower_q_[k]:
                out.add_box(start, marginal.lower_q_[k], marginal.upper_q_[k])
                return
    u = float(np.clip(marginal.cdf(np.array([x]))[0], _EDGE, 1 - _EDGE))
    out.points[start] = float(special.ndtri(u))


def _in_range(series: pd.Series, bounds: tuple[Any, Any]) -> np.ndarray:
    ok = series.notna().to_numpy()
    if bounds[0] is not None:
        ok &= (series >= bounds[0]).fillna(False).to_numpy(dtype=bool)
    if bounds[1] is not None:
        ok &= (series <= bounds[1]).fillna(False).to_numpy(dtype=bool)
    return ok


def _categorical(
    model: CategoricalColumn, name: str, start: int, value: Any, out: LatentConstraints
) -> None:
    if isinstance(value, list | tuple | set | np.ndarray):
        raise ValidationError(
            f"condition on {name!r}: give one label (got {value!r}); for several labels "
            "sample each one, or use stochgen.balance"
        )
    code = int(model.codes(pd.Series([value], dtype=object))[0])
    if code < 0:
        known = [str(v) for v in model.labels_[:10]]
        raise ValidationError(
            f"condition on {name!r}: {value!r} never appears in the column; known labels "
            f"include {known}"
        )
    edges = np.concatenate([[0.0], np.cumsum(model.probabilities_)])
    out.add_box(start, edges[code], edges[code + 1] if code + 1 < model.labels_.size else 1.0)


def translate_conditions(
    columns: dict[str, BaseModel], conditions: dict[str, Any]
) -> LatentConstraints:
    """Turn ``{column: value or (low, high)}`` into latent constraints.

    Parameters
    ----------
    columns : dict of str to column model
        A fitted synthesizer's ``columns_``.
    conditions : dict
        Column to an equal value (``None`` for missing) or a ``(low, high)`` range.

    Returns
    -------
    LatentConstraints

    Raises
    ------
    stochgen.exceptions.ValidationError
        For unknown labels, values outside the fitted range, empty ranges, or
        conditions the column kind does not support.
    """
    out = LatentConstraints()
    start = 0
    for name, model in columns.items():
        if name in conditions:
            value = conditions[name]
            if isinstance(model, NumericColumn):
                _numeric(model, name, start, value, out)
            elif isinstance(model, CategoricalColumn):
                _categorical(model, name, start, value, out)
            elif isinstance(model, ConstantColumn):
                same = _is_missing(value) if model.value_ is None else value == model.value_
                if not same:
                    raise ValidationError(
                        f"condition on {name!r}: the column always holds {model.value_!r}"
                    )
            elif isinstance(model, IdColumn):
                raise ValidationError(f"condition on {name!r}: key columns cannot be conditioned")
        start += model.n_latent
    return out
