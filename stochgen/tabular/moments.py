"""Cross-products of latent scores, mergeable: the second pass of a fit from chunks.

`ScoreMoments` scores each chunk under the column models of the first pass
(`stochgen.tabular.summaries.TableSummary`) and adds up the cross-products of
the latent scores, with one indicator per label of the categorical columns
whose order waits for them, so that the labels' order and scores can be chosen
after the pass (`LatentTable.fit_summary`).
"""

from __future__ import annotations

import copy
from typing import Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen.exceptions import ValidationError
from stochgen.tabular.columns import CategoricalColumn, NumericColumn
from stochgen.tabular.prepared import PreparedTable

__all__ = ["MAX_INDICATORS", "ScoreMoments"]

#: Label indicators kept in the cross-products at most (they are D x D matrices, per label
#: model too); categorical columns past it are ordered by frequency after the first pass.
MAX_INDICATORS = 256


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
