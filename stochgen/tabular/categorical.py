"""Categorical column model: labels through frequency intervals of the latent axis."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen._kernels.tabular import label_codes
from stochgen.exceptions import ModelFileError, StochgenWarning, ValidationError
from stochgen.tabular.aggregate import kept_labels
from stochgen.tabular.conditions import LatentConstraints
from stochgen.tabular.scores import (
    check_dtype_text,
    interval_scores,
    plain_array,
    restore_dtype,
    score_attenuation,
)

__all__ = ["CategoricalColumn"]

# Up to this many label edges a code is counted (`label_codes`), beyond it searched.
_FEW_EDGES = 32


class CategoricalColumn(BaseModel):
    """A categorical or boolean column through frequency intervals.

    Labels (missing included, as a label of its own) are ordered along the
    latent axis (see `fit`) and each holds an interval of (0, 1) as wide as its
    share. A real row's
    score is the conditional mean of a standard normal over its label's
    interval (deterministic, so fitting is reproducible); a generated row takes
    the label whose interval holds its copula uniform.

    Attributes
    ----------
    labels_ : numpy.ndarray of object
        Labels in their order on the latent axis.
    probabilities_ : numpy.ndarray
        Their shares.
    dtype_ : str
        Original pandas dtype.
    categories_ : numpy.ndarray of object or None
        For ``category`` columns, the dtype's categories.
    ordered_ : bool
        For ``category`` columns, whether they were ordered.
    """

    #: Values do not depend on the row's position.
    positional: ClassVar[bool] = False
    _fitted_attributes = ("labels_", "probabilities_", "dtype_", "categories_", "ordered_")

    def __init__(self) -> None:
        pass

    def fit(self, column: pd.Series, order_by: NDArray[np.float64] | None = None) -> Self:
        """Learn labels, their shares and their order on the latent axis.

        Parameters
        ----------
        column : pandas.Series
        order_by : numpy.ndarray, optional
            A score per row (NaN allowed) summarising the other columns. Labels
            are placed in the order of their mean score, so a label that goes
            with large values elsewhere sits high on the latent axis and a
            linear dependence can carry the association. Ordered categoricals
            keep their own order; without ``order_by`` the most frequent label
            comes first.

        Returns
        -------
        Self
        """
        codes, labels = self.prepare(column)
        categories = None
        ordered = False
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = plain_array(column.dtype.categories)
            ordered = bool(column.dtype.ordered)
        return self.fit_codes(
            codes,
            labels,
            dtype=str(column.dtype),
            categories=categories,
            ordered=ordered,
            order_by=order_by,
        )

    @staticmethod
    def prepare(column: pd.Series) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
        """Return codes of the column's values and its distinct labels (missing as None).

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        codes : numpy.ndarray of int
        labels : numpy.ndarray of object
        """
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        return codes, plain_array(uniques)

    def fit_codes(
        self,
        codes: NDArray[np.intp],
        labels: NDArray[np.object_],
        *,
        dtype: str,
        categories: NDArray[np.object_] | None = None,
        ordered: bool = False,
        order_by: NDArray[np.float64] | None = None,
        rank_by: NDArray[np.object_] | None = None,
    ) -> Self:
        """Fit from codes into ``labels`` (labels without rows are left out).

        Parameters
        ----------
        codes : numpy.ndarray of int
            Index into ``labels`` of each row.
        labels : numpy.ndarray of object
            Distinct labels.
        dtype : str
            The column's pandas dtype, as text.
        categories : numpy.ndarray of object, optional
            A ``category`` column's categories.
        ordered : bool
            Whether those categories are ordered (their order is then kept).
        order_by : numpy.ndarray, optional
            See `fit`.
        rank_by : numpy.ndarray of object, optional
            Labels in the order to keep on the latent axis (ordinal columns
            that are not ordered categoricals); missing goes last.

        Returns
        -------
        Self
        """
        k = len(labels)
        counts = np.bincount(codes, minlength=k)
        means = None
        if order_by is not None:
            usable = ~np.isnan(order_by)
            sums = np.bincount(codes[usable], weights=order_by[usable], minlength=k)
            seen = np.bincount(codes[usable], minlength=k)
            means = np.where(seen > 0, sums / np.maximum(seen, 1), 0.0)
        return self.fit_counts(
            labels,
            counts,
            dtype=dtype,
            categories=categories,
            ordered=ordered,
            order_means=means,
            rank_by=rank_by,
        )

    def fit_counts(
        self,
        labels: NDArray[np.object_],
        counts: NDArray[np.int64],
        *,
        dtype: str,
        categories: NDArray[np.object_] | None = None,
        ordered: bool = False,
        order_means: NDArray[np.float64] | None = None,
        rank_by: NDArray[np.object_] | None = None,
    ) -> Self:
        """Fit from each label's row count (labels without rows are left out).

        What `fit_codes` does once it has counted, so a column summarised in
        chunks fits the same way.

        Parameters
        ----------
        labels : numpy.ndarray of object
            Distinct labels.
        counts : numpy.ndarray of int
            Rows per label.
        dtype : str
        categories : numpy.ndarray of object, optional
        ordered : bool
        order_means : numpy.ndarray, optional
            Per label, the mean over its rows of the score that orders labels
            (see ``order_by`` in `fit`).
        rank_by : numpy.ndarray of object, optional
            See `fit_codes`.

        Returns
        -------
        Self

        Examples
        --------
        >>> labels = np.array(["a", "b"], dtype=object)
        >>> column = CategoricalColumn().fit_counts(labels, np.array([1, 3]), dtype="object")
        >>> column.labels_.tolist(), column.probabilities_.tolist()
        (['b', 'a'], [0.75, 0.25])
        """
        k = len(labels)
        counts = np.asarray(counts)
        if rank_by is not None or (ordered and categories is not None):
            position = {c: i for i, c in enumerate(rank_by if rank_by is not None else categories)}
            rank = np.array([position.get(label, len(position)) for label in labels])
            order = np.lexsort((np.arange(k), rank))
        elif order_means is not None:
            order = np.lexsort((np.arange(k), -counts, order_means))
        else:
            order = np.lexsort((np.arange(k), -counts))
        order = order[counts[order] > 0]
        # Where each input label went (-1: no rows), for scores_from_codes on the same labels.
        positions = np.full(k, -1, dtype=np.intp)
        positions[order] = np.arange(order.size)
        self._fit_positions = (labels, positions)
        self.labels_ = labels[order]
        self.probabilities_ = counts[order] / counts.sum()
        self.dtype_ = dtype
        self.categories_ = categories
        self.ordered_ = bool(ordered)
        return self

    def aggregate(
        self, name: str, *, n_rows: int, knots: int, min_count: int, fallback: Any = None
    ) -> Self:
        """Suppress the labels seen fewer than ``min_count`` times; the others share their rows.

        A ``category`` dtype keeps only the labels kept. Missing values are
        no data point and stay. If no label is left, the column is generated
        missing, with a `StochgenWarning`.

        Parameters
        ----------
        name : str
            The column, named in messages.
        n_rows : int
            Rows the model was fitted to.
        knots : int
            Unused (numeric columns' resolution).
        min_count : int
            Fewest rows a kept label holds.
        fallback : CategoricalColumn, optional
            The whole table's model of the column, aggregated: a per-label
            model without a label seen ``min_count`` times takes its labels.

        Returns
        -------
        Self
            This model, changed in place.
        """
        keep = kept_labels(self.probabilities_, self.labels_, n_rows, min_count)
        if not keep.any() and isinstance(fallback, CategoricalColumn):
            self.labels_ = fallback.labels_
            self.probabilities_ = fallback.probabilities_
            self.categories_ = fallback.categories_
        elif not keep.any():
            warnings.warn(
                f"column {name!r}: no label is seen {min_count} times, so privacy='aggregate' "
                "generates it missing; give a column of names, e-mails or codes the kind "
                "'pii' (its format is learnt instead)",
                StochgenWarning,
                stacklevel=4,
            )
            self.labels_ = np.array([None], dtype=object)
            self.probabilities_ = np.ones(1)
        else:
            self.labels_ = self.labels_[keep]
            self.probabilities_ = self.probabilities_[keep] / self.probabilities_[keep].sum()
        if self.categories_ is not None and keep.any():
            kept = {label for label in self.labels_ if label is not None}
            self.categories_ = np.array([c for c in self.categories_ if c in kept], dtype=object)
        self._fit_positions = None
        self._table_cache = None
        return self

    def scores_from_codes(
        self, codes: NDArray[np.intp], labels: NDArray[np.object_]
    ) -> NDArray[np.float64]:
        """Return `latent_scores` from codes into ``labels`` (as `prepare` gives).

        Parameters
        ----------
        codes : numpy.ndarray of int
        labels : numpy.ndarray of object

        Returns
        -------
        numpy.ndarray
            Shape (n, 1).
        """
        fitted = getattr(self, "_fit_positions", None)
        if fitted is not None and fitted[0] is labels:
            position = fitted[1]  # the labels fit_codes saw: no lookup by value
        else:
            position = self.codes(pd.Series(labels, dtype=object))
        return interval_scores(self.probabilities_)[position[codes]][:, None]

    n_latent: ClassVar[int] = 1

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """Standard deviation of the scores."""
        return np.array([score_attenuation(self.probabilities_)])

    def codes(self, column: pd.Series) -> NDArray[np.intp]:
        """Index into ``labels_`` of each value (-1 for a label not seen in fit).

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        numpy.ndarray of int
        """
        values = np.asarray(column, dtype=object)
        missing = pd.isna(values)
        codes = pd.Index(self.labels_).get_indexer(values)
        if missing.any():
            where_none = [i for i, label in enumerate(self.labels_) if label is None]
            codes[missing] = where_none[0] if where_none else -1
        return codes

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return the conditional-mean normal score of each row's label.

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        numpy.ndarray
            Shape (n, 1).
        """
        scores = interval_scores(self.probabilities_)
        return scores[self.codes(column)][:, None]

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return labels from latent normal scores of shape (m, 1).

        Parameters
        ----------
        z : numpy.ndarray
        row_offset : int
            Unused.

        Returns
        -------
        array_like
        """
        edges, typed = self._sampling_table()
        if edges.size <= _FEW_EDGES:
            index = np.empty(z.shape[0], dtype=np.int64)
            label_codes(np.ascontiguousarray(z[:, 0]), edges, index)
        else:
            index = np.searchsorted(edges, z[:, 0], side="right")
        if isinstance(typed, pd.Categorical):
            return pd.Categorical.from_codes(typed.codes[index], dtype=typed.dtype)
        return typed.take(index)

    def _sampling_table(self) -> tuple[NDArray[np.float64], Any]:
        """Return the label edges on the normal scale and the labels in the column's dtype.

        Built once per fit (not saved): a generated column is then one search
        and one take, whatever the dtype (object, pandas strings, categories).
        """
        cached = getattr(self, "_table_cache", None)
        if cached is not None and cached[0] is self.labels_:
            return cached[1]
        edges = special.ndtri(np.cumsum(self.probabilities_)[:-1])
        typed = restore_dtype(self.labels_, self.dtype_, self.categories_, self.ordered_)
        self._table_cache = (self.labels_, (edges, typed))
        return edges, typed

    latent_roles: ClassVar[tuple[str, ...]] = ("label",)

    def add_condition(self, name: str, start: int, value: Any, out: LatentConstraints) -> None:
        """Translate ``column == value`` into the label's interval of the latent axis.

        Parameters
        ----------
        name : str
            The column.
        start : int
            Index of this column's latent dimension.
        value : object
            One label (None for missing, where the column had missing values).
        out : LatentConstraints
            Added to.

        Raises
        ------
        stochgen.exceptions.ValidationError
            For several labels at once or a label never seen in the column.
        """
        if isinstance(value, list | tuple | set | np.ndarray):
            raise ValidationError(
                f"condition on {name!r}: give one label (got {value!r}); for several labels "
                "sample each one, or use stochgen.balance"
            )
        code = self.code_of(value)
        if code < 0:
            known = [str(v) for v in self.labels_[:10]]
            raise ValidationError(
                f"condition on {name!r}: {value!r} never appears in the column; known labels "
                f"include {known}"
            )
        edges = np.concatenate([[0.0], np.cumsum(self.probabilities_)])
        out.add_box(start, edges[code], edges[code + 1] if code + 1 < self.labels_.size else 1.0)

    def code_of(self, value: Any) -> int:
        """Return the index of ``value`` in ``labels_``, or -1 if it was never seen."""
        return int(self.codes(pd.Series([value], dtype=object))[0])

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        p = np.asarray(self.probabilities_, dtype=float)
        if p.ndim != 1 or p.size != len(self.labels_) or p.size == 0:
            raise ModelFileError("CategoricalColumn: labels_ and probabilities_ must match")
        if not np.isfinite(p).all() or np.any(p <= 0) or abs(p.sum() - 1.0) > 1e-9:
            raise ModelFileError("CategoricalColumn: probabilities_ must be positive and sum to 1")
        if not isinstance(self.labels_, np.ndarray) or self.labels_.dtype != object:
            raise ModelFileError("CategoricalColumn: labels_ must be an array of labels")
        self.probabilities_ = p
        check_dtype_text(self.dtype_, "CategoricalColumn")
