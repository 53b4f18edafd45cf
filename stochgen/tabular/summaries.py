"""Mergeable summaries of a table read in chunks: what a latent table is fitted from.

Fitting from chunks takes two passes. The first (`TableSummary`) reduces each
chunk exactly where it can (row and missing counts, bounds, decimal places,
label counts) and sketches the numeric values (`QuantileSketch`); from it come
the numeric column models. The second (`ScoreMoments`) scores each chunk under
those models and adds up the cross-products of the latent scores, with one
indicator per label of each categorical column, so that the labels' order and
scores can be chosen after the pass. Both merge by addition, so chunks can be
summarised anywhere (threads, processes, Dask workers) and combined in a fixed
order.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen.exceptions import ValidationError
from stochgen.kinds import SHARE_KINDS, TIME_KINDS, VALUE_KINDS
from stochgen.tabular.columns import CategoricalColumn, ConstantColumn, NumericColumn
from stochgen.tabular.prepared import PreparedTable, _sort_key
from stochgen.tabular.schema import Schema
from stochgen.tabular.sketches import DEFAULT_CAPACITY, QuantileSketch

__all__ = ["MAX_INDICATORS", "ScoreMoments", "TableSummary"]

#: Label indicators kept in the cross-products at most (they are D x D matrices, per label
#: model too); categorical columns past it are ordered by frequency after the first pass.
MAX_INDICATORS = 256

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


class _RankTable:
    """Scores values by their rank among a numeric column's representative sample."""

    def __init__(self, model: NumericColumn, sample: NDArray[np.float64]) -> None:
        spread = sample if model.atom_ is None else sample[sample != model.atom_]
        distinct, counts = np.unique(spread, return_counts=True)
        upper = np.cumsum(counts) / counts.sum()
        lower = upper - counts / counts.sum()
        upper[-1] = 1.0
        self.distinct = distinct
        self.centres = (lower + upper) / 2.0
        z_low, z_high = special.ndtri(lower), special.ndtri(upper)
        with np.errstate(over="ignore"):
            density = np.exp(-0.5 * z_low**2) - np.exp(-0.5 * z_high**2)
        self.scores = density / np.sqrt(2.0 * np.pi) / (upper - lower)
        self.model = model

    def latent(self, numbers: NDArray[np.float64]) -> NDArray[np.float64]:
        model = self.model
        missing = np.isnan(numbers)
        out = np.full((numbers.size, model.n_latent), np.nan)
        at_atom = np.zeros(numbers.size, dtype=bool)
        if model.atom_ is not None:
            at_atom = ~missing & (numbers == model.atom_)
        spread = ~missing & ~at_atom
        x = numbers[spread]
        k = np.minimum(np.searchsorted(self.distinct, x), self.distinct.size - 1)
        exact = self.distinct[k] == x
        between = special.ndtri(
            np.clip(np.interp(x, self.distinct, self.centres), 1e-12, 1 - 1e-12)
        )
        out[spread, 0] = np.where(exact, self.scores[k], between)
        model.write_indicator_scores(out, missing, at_atom)
        return out


class ScoreMoments:
    """Pairwise-complete cross-products of latent scores, labels as indicators; mergeable.

    Each numeric column adds its latent dimensions (value, missing, spike),
    each categorical column one indicator per label. For those ``D`` augmented
    dimensions, with ``X`` the scores (0 where undefined) and ``P`` whether
    they are defined, the moments are ``N = P'P``, ``S = X'P``, ``Q = (X*X)'P``
    and ``C = X'X``: enough for the correlation over pairwise-complete rows of
    any labels' scores chosen later (`correlation`).

    Parameters
    ----------
    models : dict
        Numeric, constant and key column models (`TableSummary.column_models`),
        and categorical ones whose labels are ordered already (scored as
        they are, without indicators).
    samples : dict
        Numeric column to the representative sample its model was fitted to.
    labels : dict
        The other categorical columns to their labels (object arrays): one
        indicator per label.
    columns : list of str
        All columns, in table order.
    """

    def __init__(
        self,
        models: dict[str, BaseModel],
        samples: dict[str, NDArray[np.float64]],
        labels: dict[str, NDArray[np.object_]],
        columns: list[str],
    ) -> None:
        self.columns = columns
        self.models = models
        self.labels = labels
        self._tables = {
            name: _RankTable(model, samples[name])
            for name, model in models.items()
            if isinstance(model, NumericColumn)
        }
        self.blocks: dict[str, tuple[int, int]] = {}
        start = 0
        for name in columns:
            width = len(labels[name]) if name in labels else getattr(models[name], "n_latent", 0)
            self.blocks[name] = (start, start + width)
            start += width
        d = start
        self.n_rows = 0
        self.N, self.S, self.Q, self.C = (np.zeros((d, d)) for _ in range(4))

    def update(self, prepared: PreparedTable, scale: dict[str, float] | None = None) -> Self:
        """Add the rows of a prepared chunk.

        Parameters
        ----------
        prepared : PreparedTable
        scale : dict, optional
            Datetime column to the factor from the chunk's step to the model's.

        Returns
        -------
        Self
        """
        scale = scale or {}
        n = prepared.n_rows
        x = np.zeros((n, self.N.shape[0]))
        present = np.zeros_like(x)
        for name in self.columns:
            a, b = self.blocks[name]
            if a == b:
                continue
            part = prepared.parts[name]
            if isinstance(self.models.get(name), CategoricalColumn):
                # Labels ordered already (by rank or by frequency): one score per row.
                x[:, a] = self.models[name].scores_from_codes(part["codes"], part["labels"])[:, 0]
                present[:, a] = 1.0
            elif name in self.labels:
                position = pd.Index(self.labels[name]).get_indexer(part["labels"])
                hot = position[part["codes"]]
                if np.any(hot < 0):
                    raise ValidationError(f"column {name!r}: a label the first pass did not see")
                x[np.arange(n), a + hot] = 1.0
                present[:, a:b] = x[:, a:b]
            else:
                numbers = part["numbers"] * scale.get(name, 1.0)
                scores = self._tables[name].latent(numbers)
                defined = ~np.isnan(scores)
                x[:, a:b] = np.where(defined, scores, 0.0)
                present[:, a:b] = defined
        self.n_rows += n
        self.N += present.T @ present
        self.S += x.T @ present
        self.Q += (x * x).T @ present
        self.C += x.T @ x
        return self

    def empty(self) -> ScoreMoments:
        """Return moments of no rows with the same models and layout."""
        out = copy.copy(self)
        out.n_rows = 0
        out.N, out.S, out.Q, out.C = (np.zeros_like(self.N) for _ in range(4))
        return out

    def merge(self, other: ScoreMoments) -> Self:
        """Add ``other``'s moments (same layout).

        Parameters
        ----------
        other : ScoreMoments

        Returns
        -------
        Self
        """
        self.n_rows += other.n_rows
        self.N += other.N
        self.S += other.S
        self.Q += other.Q
        self.C += other.C
        return self

    def label_sums(self, name: str, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return, per label of ``name``, the sum over its rows of ``weights`` applied to scores.

        ``weights`` maps each augmented dimension to a coefficient (undefined
        scores count 0): with the leading component's loading on the value
        dimensions, this is the sum of the order score over the label's rows.
        """
        a, b = self.blocks[name]
        return self.C[a:b] @ weights

    def correlation(self, label_scores: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Return the pairwise-complete correlation of the latent scores.

        Parameters
        ----------
        label_scores : dict
            Categorical column to the score of each of its labels (in the
            order of ``labels``); every other dimension is taken as it is.

        Returns
        -------
        numpy.ndarray
            Shape (d, d) for the latent dimensions; NaN where undefined.
        """
        d_aug = self.N.shape[0]
        weights, squares, ones = [], [], []
        for name in self.columns:
            a, b = self.blocks[name]
            if a == b:
                continue
            if name in label_scores:
                w = np.zeros((d_aug, 1))
                w[a:b, 0] = label_scores[name]
                o = np.zeros((d_aug, 1))
                o[a:b, 0] = 1.0
                weights.append(w)
                squares.append(w * w)
                ones.append(o)
            else:
                block = np.zeros((d_aug, b - a))
                block[a:b] = np.eye(b - a)
                weights.append(block)
                squares.append(block)
                ones.append(block)
        if not weights:
            return np.ones((0, 0))
        return self._pairwise(np.hstack(weights), np.hstack(squares), np.hstack(ones))

    def value_correlation(self, names: list[str]) -> NDArray[np.float64]:
        """Return the pairwise-complete correlation of the value dimensions of ``names``."""
        pick = np.zeros((self.N.shape[0], len(names)))
        for i, name in enumerate(names):
            pick[self.blocks[name][0], i] = 1.0
        return self._pairwise(pick, pick, pick)

    def _pairwise(
        self, w: NDArray[np.float64], w2: NDArray[np.float64], o: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        count = o.T @ self.N @ o
        sums = w.T @ self.S @ o  # [a, b]: sum of a's scores where b is defined
        squares_sum = w2.T @ self.Q @ o
        cross = w.T @ self.C @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_a, mean_b = sums / count, sums.T / count
            var_a = squares_sum / count - mean_a**2
            var_b = squares_sum.T / count - mean_b**2
            corr = (cross / count - mean_a * mean_b) / np.sqrt(var_a * var_b)
        ok = (count >= 3.0) & (var_a > 0) & (var_b > 0)
        return np.where(ok, np.clip(corr, -1.0, 1.0), np.nan)
