"""Mergeable summaries of a table read in chunks: the first pass of a fit from chunks.

`TableSummary` reduces each chunk exactly where it can (row and missing counts,
bounds, decimal places, label counts) and sketches the numeric values
(`QuantileSketch`); from it come the numeric column models. The second pass
(`stochgen.tabular.moments.ScoreMoments`) scores the chunks under those models.
Summaries merge by addition, so chunks can be summarised anywhere (threads,
processes, Dask workers) and combined in a fixed order.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel
from stochgen.exceptions import ValidationError
from stochgen.kinds import SHARE_KINDS, TIME_KINDS, VALUE_KINDS
from stochgen.tabular.columns import ConstantColumn, NumericColumn
from stochgen.tabular.prepared import PreparedTable, _sort_key
from stochgen.tabular.schema import Schema
from stochgen.tabular.sketches import DEFAULT_CAPACITY, QuantileSketch

__all__ = ["TableSummary"]

_NS_PER_SECOND = 1e9
_MAX_DECIMALS = 6


def _decimals(values: NDArray[np.float64]) -> int:
    """Decimal places that hold ``values`` exactly (-1: more than six)."""
    for k in range(_MAX_DECIMALS + 1):
        scaled = values * 10.0**k
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return k
    return -1


def _check_constant(name: str, first: BaseModel, other: BaseModel) -> None:
    a, b = first.value_, other.value_
    same = a is b or (pd.isna(a) and pd.isna(b)) if a is None or b is None else a == b
    if not same:
        raise ValidationError(
            f"column {name!r} is constant in the first chunk ({a!r}) but holds {b!r} later; "
            "give its kind in kinds="
        )


class _NumericTally:
    """Exact counts, bounds and decimals of one numeric column, and a sketch of its values."""

    def __init__(self, capacity: int) -> None:
        self.count = 0
        self.missing = 0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.decimals = 0
        self.step = 0  # datetimes: gcd of the chunks' steps (0: none seen)
        self.dtypes: list[str] = []
        self.sketch = QuantileSketch(capacity)

    def update(
        self, name: str, numbers: NDArray[np.float64], step: int, dtype: str, kind: str
    ) -> None:
        present = numbers[~np.isnan(numbers)]
        infinite = int(np.isinf(present).sum())
        if infinite:
            raise ValidationError(
                f"column {name!r}: {infinite} values are inf; expected finite numbers"
            )
        self.missing += numbers.size - present.size
        self.count += numbers.size
        if dtype not in self.dtypes:
            self.dtypes.append(dtype)
        if present.size == 0:
            return
        if kind in TIME_KINDS:
            # Kept in seconds: each chunk has its own coarsest step.
            present = present * (step / _NS_PER_SECOND)
            self.step = math.gcd(self.step, int(step))
        elif kind == "continuous" and self.decimals >= 0:
            found = _decimals(np.unique(present))
            self.decimals = -1 if found < 0 else max(self.decimals, found)
        self.minimum = min(self.minimum, float(present.min()))
        self.maximum = max(self.maximum, float(present.max()))
        self.sketch.update(present)

    def merge(self, other: _NumericTally) -> None:
        self.count += other.count
        self.missing += other.missing
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        self.decimals = (
            -1 if -1 in (self.decimals, other.decimals) else max(self.decimals, other.decimals)
        )
        self.step = math.gcd(self.step, other.step)
        self.dtypes += [d for d in other.dtypes if d not in self.dtypes]
        self.sketch.merge(other.sketch)

    def dtype(self) -> str:
        if len(self.dtypes) > 1 and all(d.startswith(("int", "float")) for d in self.dtypes):
            return "float64"  # integer chunks beside chunks with missing values (CSV)
        return self.dtypes[0]

    def scale(self, kind: str) -> float:
        """Factor from the sketch's units to model units."""
        return _NS_PER_SECOND / self.step if kind in TIME_KINDS and self.step else 1.0


class _LabelTally:
    """Exact label counts of one categorical column, in order of first appearance."""

    def __init__(self) -> None:
        self.counts: dict[Any, int] = {}
        self.dtypes: list[str] = []
        self.categories: NDArray[np.object_] | None = None
        self.ordered = False

    def update(self, part: dict[str, Any]) -> None:
        counts = np.bincount(part["codes"], minlength=len(part["labels"]))
        for label, count in zip(part["labels"], counts, strict=True):
            if count:
                self.counts[label] = self.counts.get(label, 0) + int(count)
        if part["dtype"] not in self.dtypes:
            self.dtypes.append(part["dtype"])
        if self.categories is None:
            self.categories, self.ordered = part["categories"], part["ordered"]

    def merge(self, other: _LabelTally) -> None:
        for label, count in other.counts.items():
            self.counts[label] = self.counts.get(label, 0) + count
        self.dtypes += [d for d in other.dtypes if d not in self.dtypes]
        if self.categories is None:
            self.categories, self.ordered = other.categories, other.ordered


class TableSummary:
    """Exact reductions and quantile sketches of a table's columns, mergeable.

    Parameters
    ----------
    schema : Schema
        Fitted (on the first chunk, or with every kind given).
    group_columns : list of str
        Categorical columns whose labels each get a summary of their own rows
        (for per-label models); a column with more than ``max_groups`` labels
        keeps none.
    capacity : int
        Items per level of the quantile sketches (see `QuantileSketch`).
    max_groups : int
        Labels beyond which a group column keeps no per-label summaries.

    Attributes
    ----------
    n_rows : int
    numeric : dict
        Numeric and datetime columns to their tallies.
    labels : dict
        Categorical columns to their label tallies.
    models : dict
        Constant and key columns to their models (fitted on the first chunk).
    groups : dict
        Group column to ``{label: TableSummary}``, or None past ``max_groups``.
    """

    def __init__(
        self,
        schema: Schema,
        group_columns: list[str] | tuple[str, ...] = (),
        capacity: int = DEFAULT_CAPACITY,
        max_groups: int = 50,
    ) -> None:
        self.schema = schema
        self.capacity = capacity
        self.max_groups = max_groups
        self.n_rows = 0
        kinds = {name: spec["kind"] for name, spec in schema.columns_.items()}
        self.kinds = kinds
        self.numeric = {n: _NumericTally(capacity) for n, k in kinds.items() if k in VALUE_KINDS}
        self.labels = {n: _LabelTally() for n, k in kinds.items() if k in SHARE_KINDS}
        self.models: dict[str, BaseModel] = {}
        self.groups: dict[str, dict[Any, TableSummary] | None] = {c: {} for c in group_columns}

    def _child(self) -> TableSummary:
        return TableSummary(self.schema, (), self.capacity, self.max_groups)

    def update(self, prepared: PreparedTable) -> Self:
        """Add the rows of a prepared chunk.

        Parameters
        ----------
        prepared : PreparedTable
            A chunk prepared with this summary's schema.

        Returns
        -------
        Self
        """
        self.n_rows += prepared.n_rows
        for name, part in prepared.parts.items():
            if name in self.numeric:
                self.numeric[name].update(
                    name, part["numbers"], part["step"], part["dtype"], part["kind"]
                )
            elif name in self.labels:
                self.labels[name].update(part)
            elif name not in self.models:
                self.models[name] = part["model"]
            elif self.kinds[name] == "constant":
                _check_constant(name, self.models[name], part["model"])
        for name, per_label in self.groups.items():
            if per_label is None:
                continue
            codes, labels = prepared.parts[name]["codes"], prepared.parts[name]["labels"]
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
            for code, label in enumerate(labels):
                rows = order[bounds[code] : bounds[code + 1]]
                if rows.size:
                    per_label.setdefault(label, self._child()).update(prepared.take(rows))
            if len(per_label) > self.max_groups:
                self.groups[name] = None
        return self

    def merge(self, other: TableSummary) -> Self:
        """Add the rows summarised by ``other`` (a summary with the same schema).

        Parameters
        ----------
        other : TableSummary

        Returns
        -------
        Self
        """
        self.n_rows += other.n_rows
        for name, tally in other.numeric.items():
            self.numeric[name].merge(tally)
        for name, tally in other.labels.items():
            self.labels[name].merge(tally)
        for name, model in other.models.items():
            if name in self.models and self.kinds[name] == "constant":
                _check_constant(name, self.models[name], model)
            self.models.setdefault(name, model)
        for name, theirs in other.groups.items():
            mine = self.groups[name]
            if mine is None or theirs is None:
                self.groups[name] = None
                continue
            for label, summary in theirs.items():
                if label in mine:
                    mine[label].merge(summary)
                else:
                    mine[label] = summary
            if len(mine) > self.max_groups:
                self.groups[name] = None
        return self

    def missing_rate(self, name: str) -> float:
        """Share of rows where column ``name`` is missing (exact)."""
        if name in self.numeric:
            tally = self.numeric[name]
            return tally.missing / tally.count if tally.count else 0.0
        if name in self.labels:
            counts = self.labels[name].counts
            return counts.get(None, 0) / max(sum(counts.values()), 1)
        return 0.0

    def dtype(self, name: str) -> str:
        """Return the column's dtype over all chunks."""
        if name in self.numeric:
            return self.numeric[name].dtype()
        if name in self.labels:
            return self.labels[name].dtypes[0]
        return str(self.schema.columns_[name]["dtype"])

    def numeric_sample(self, name: str, size: int) -> NDArray[np.float64]:
        """Return ``size`` present values of a numeric column standing for all (model units).

        The data themselves while the sketch is exact, else equally spaced
        quantiles with the exact minimum and maximum at the ends.
        """
        tally = self.numeric[name]
        sample = tally.sketch.representative(size)
        if tally.sketch.rank_error and sample.size:
            sample = sample.copy()
            sample[0], sample[-1] = tally.minimum, tally.maximum
        scale = tally.scale(self.kinds[name])
        return np.round(sample * scale) if scale != 1.0 else sample

    def column_models(self, marginals: dict[str, Any]) -> dict[str, BaseModel]:
        """Fit the numeric, constant and key column models (categorical ones need moments).

        Parameters
        ----------
        marginals : dict
            Numeric column to its marginal setting.

        Returns
        -------
        dict of str to column model
            In table order, without the categorical columns.
        """
        out: dict[str, BaseModel] = {}
        for name, kind in self.kinds.items():
            if name in self.numeric:
                tally = self.numeric[name]
                if tally.count == tally.missing:
                    out[name] = ConstantColumn().fit_value(None, self.dtype(name))
                    continue
                scale = tally.scale(kind)
                low, high = tally.minimum, tally.maximum
                if scale != 1.0:
                    low, high = float(np.round(low * scale)), float(np.round(high * scale))
                out[name] = NumericColumn(
                    kind=kind, marginal=marginals.get(name, "empirical")
                ).fit_summary(
                    self.numeric_sample(name, self.capacity),
                    self.dtype(name),
                    int(tally.step or 1) if kind in TIME_KINDS else 1,
                    missing_rate=self.missing_rate(name),
                    minimum=float(np.round(tally.minimum * scale))
                    if scale != 1.0
                    else tally.minimum,
                    maximum=float(np.round(tally.maximum * scale))
                    if scale != 1.0
                    else tally.maximum,
                    decimals=tally.decimals if kind == "continuous" else 0,
                )
            elif name in self.models:
                out[name] = self.models[name]
        return out

    def label_tables(self) -> dict[str, dict[str, Any]]:
        """Return, per categorical column, what `CategoricalColumn.fit_counts` needs.

        Returns
        -------
        dict
            ``labels`` (object array, first-seen order), ``counts``, ``dtype``,
            ``categories``, ``ordered`` and ``rank_by``.
        """
        out = {}
        for name, tally in self.labels.items():
            labels = np.empty(len(tally.counts), dtype=object)
            labels[:] = list(tally.counts)
            rank_by, ordered = None, tally.ordered
            if self.kinds[name] == "ordinal" and not ordered:
                ranked = sorted((lb for lb in labels if lb is not None), key=_sort_key)
                rank_by = np.empty(len(ranked), dtype=object)
                rank_by[:] = ranked
                ordered = True
            out[name] = {
                "labels": labels,
                "counts": np.array(list(tally.counts.values()), dtype=np.int64),
                "dtype": tally.dtypes[0],
                "categories": tally.categories,
                "ordered": ordered,
                "rank_by": rank_by,
            }
        return out
