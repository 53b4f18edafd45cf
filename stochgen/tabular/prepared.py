"""A table converted once into the arrays its column models fit from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.kinds import SHARE_KINDS, VALUE_KINDS
from stochgen.tabular.columns import CategoricalColumn, NumericColumn, column_model
from stochgen.tabular.formats import FormatColumn
from stochgen.tabular.schema import Schema
from stochgen.tabular.scores import plain_array

__all__ = ["PreparedTable"]


def _sort_key(label: Any) -> tuple[int, Any]:
    # Numbers by value, then everything else by text.
    if isinstance(label, int | float) and not isinstance(label, bool):
        return (0, label)
    return (1, str(label))


@dataclass(frozen=True)
class PreparedTable:
    """A table converted once into the arrays its column models fit from.

    Numeric columns become floats in model units, label columns codes into
    their distinct labels; constant and key columns are fitted at once.
    `take` selects rows without converting again, so per-label models fit
    from the same arrays.

    Attributes
    ----------
    parts : dict of str to dict
        Per column: ``kind`` and ``dtype``, then ``numbers``, ``step`` and
        ``marginal`` (numeric), ``codes``, ``labels``, ``categories``,
        ``ordered`` and ``order`` (labels) or ``model`` (constant, key).
    n_rows : int
    order_scores : numpy.ndarray or None
        A score per row that orders categorical labels on the latent axis
        (see `CategoricalColumn.fit`); None: the fit computes it from the
        numeric columns. Per-label tables take the whole table's, so their
        fits skip that step and order labels the same way.
    """

    parts: dict[str, dict[str, Any]]
    n_rows: int
    order_scores: NDArray[np.float64] | None = None

    @classmethod
    def from_frame(
        cls,
        data: pd.DataFrame,
        schema: Schema,
        marginals: dict[str, Any] | None = None,
        formats: dict[str, Any] | None = None,
    ) -> PreparedTable:
        """Convert each column of ``data`` as its kind in ``schema`` asks.

        Parameters
        ----------
        data : pandas.DataFrame
        schema : Schema
            Fitted on ``data``.
        marginals : dict, optional
            Numeric column to its marginal setting (default "empirical").
        formats : dict, optional
            ``id`` column to its format: "learn" or ``{"regex": pattern}``.
            Text keys learn their format without one.

        Returns
        -------
        PreparedTable
        """
        marginals = marginals or {}
        parts: dict[str, dict[str, Any]] = {}
        for name, spec in schema.columns_.items():
            kind, column = spec["kind"], data[name]
            dtype = str(column.dtype)
            if kind in VALUE_KINDS:
                model = NumericColumn(kind=kind)
                numbers = model.to_numbers(column)
                parts[name] = {
                    "kind": kind,
                    "dtype": dtype,
                    "numbers": numbers,
                    "step": getattr(model, "step_", 1),
                    "marginal": marginals.get(name, "empirical"),
                }
            elif kind in SHARE_KINDS:
                parts[name] = _prepare_labels(column, kind, dtype)
            else:
                parts[name] = {
                    "kind": kind,
                    "dtype": dtype,
                    "model": _fit_other(name, column, kind, (formats or {}).get(name)),
                }
        return cls(parts, int(len(data)))

    def take(self, rows: NDArray[np.intp]) -> PreparedTable:
        """Return the prepared table of a subset of rows.

        Parameters
        ----------
        rows : numpy.ndarray of int
            Row positions.

        Returns
        -------
        PreparedTable
        """
        parts = {}
        for name, part in self.parts.items():
            part = dict(part)
            for key in ("numbers", "codes"):
                if key in part:
                    part[key] = part[key][rows]
            parts[name] = part
        order = None if self.order_scores is None else self.order_scores[rows]
        return PreparedTable(parts, int(len(rows)), order)

    def with_order_scores(self, scores: NDArray[np.float64] | None) -> PreparedTable:
        """Return this table with ``order_scores`` set (see the attribute)."""
        return PreparedTable(self.parts, self.n_rows, scores)

    def missing_rate(self, name: str) -> float:
        """Share of rows where column ``name`` is missing."""
        part = self.parts[name]
        if "numbers" in part:
            return float(np.isnan(part["numbers"]).mean()) if self.n_rows else 0.0
        if "codes" in part:
            missing = [i for i, label in enumerate(part["labels"]) if label is None]
            return float(np.isin(part["codes"], missing).mean()) if self.n_rows else 0.0
        return 0.0


def _fit_other(name: str, column: pd.Series, kind: str, spec: Any) -> Any:
    """Fit a constant or key column; text keys and columns given a format learn it."""
    text = not pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
        column.dtype
    )
    if kind == "id" and (spec is not None or text):
        regex = spec.get("regex") if isinstance(spec, dict) else None
        unique = bool(column.dropna().is_unique)
        return FormatColumn(regex=regex, unique=unique).fit(column, name)
    return column_model(kind).fit(column)


def _prepare_labels(column: pd.Series, kind: str, dtype: str) -> dict[str, Any]:
    codes, labels = CategoricalColumn.prepare(column)
    categorical = isinstance(column.dtype, pd.CategoricalDtype)
    categories = plain_array(column.dtype.categories) if categorical else None
    ordered = bool(categorical and column.dtype.ordered)
    order = None
    if kind == "ordinal" and not ordered:
        # An ordinal column that is not an ordered categorical: its labels sorted.
        ranked = sorted((label for label in labels if label is not None), key=_sort_key)
        order, ordered = plain_array(ranked), True
    return {
        "kind": kind,
        "dtype": dtype,
        "codes": codes,
        "labels": labels,
        "categories": categories,
        "ordered": ordered,
        "order": order,
    }
