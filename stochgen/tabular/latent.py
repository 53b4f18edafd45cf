"""The latent layer: fitted column models, their latent layout and the scores' correlation.

A table becomes a matrix of latent normal scores (one or more dimensions per
column: its value, whether it is missing, whether it sits at a spike, its
label), and latent rows become a table again. Every table model builds on
this one object: the copula synthesizer and its per-label models, the torch
synthesizers, and whatever samples latent rows in some other way.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._kernels.tabular import pairwise_moments
from stochgen._progress import track
from stochgen._threads import single_blas_thread
from stochgen._validation import check_choice, check_columns
from stochgen.copulas.gaussian import nearest_correlation
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.kinds import VALUE_KINDS
from stochgen.tabular.columns import (
    CategoricalColumn,
    ConstantColumn,
    NumericColumn,
)
from stochgen.tabular.conditions import LatentConstraints
from stochgen.tabular.moments import ScoreMoments
from stochgen.tabular.prepared import PreparedTable
from stochgen.tabular.schema import Schema

__all__ = ["LatentTable", "PreparedTable", "leading_component", "pairwise_correlation"]

# PreparedTable lives in prepared.py and is re-exported here.

# Correlations are kept strictly inside (-1, 1) before the positive-definite repair.
_MAX_ABS_CORRELATION = 0.999


def pairwise_correlation(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the correlation of latent scores from pairwise-complete rows.

    Dimensions constant in the rows (or never observed together) get 0.

    Parameters
    ----------
    scores : numpy.ndarray
        Shape (n, d), NaN where a dimension is undefined for a row.

    Returns
    -------
    numpy.ndarray
        Shape (d, d).

    Examples
    --------
    >>> pairwise_correlation(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0]])).round(3)
    array([[1.   , 0.982],
           [0.982, 1.   ]])
    """
    present = ~np.isnan(scores)
    columns = np.ascontiguousarray(np.where(present, scores, 0.0).T)
    corr = np.empty((scores.shape[1], scores.shape[1]))
    pairwise_moments(columns, np.ascontiguousarray(present.T, dtype=np.float64), corr)
    return np.where(np.isfinite(corr), corr, 0.0)


def leading_component(value_scores: list[NDArray[np.float64]]) -> NDArray[np.float64] | None:
    """Return each row's score on the first principal component of the numeric scores.

    Parameters
    ----------
    value_scores : list of numpy.ndarray
        One (n,) array per numeric column (NaN where undefined).

    Returns
    -------
    numpy.ndarray or None
        None without numeric columns.
    """
    if not value_scores:
        return None
    matrix = np.column_stack(value_scores)
    if matrix.shape[1] == 1:
        return matrix[:, 0]
    _, vectors = np.linalg.eigh(pairwise_correlation(matrix))
    loading = vectors[:, -1] * np.sign(vectors[:, -1].sum() or 1.0)
    return np.where(np.isnan(matrix), 0.0, matrix) @ loading


class LatentTable(BaseModel):
    """Fitted column models, the latent layout and the correlation of the latent scores.

    The latent layer of every table model: `fit` learns one model per column
    (see `stochgen.tabular.columns`) and the correlation of their normal
    scores; `rows` maps latent rows back to a table with the original dtypes;
    `add_conditions` turns conditions on columns into constraints on latent
    coordinates. What draws the latent rows (a Gaussian or other copula, a
    neural network) is the owner's business.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Column kinds instead of the inferred ones (see `Schema`).
    marginals : "empirical", "auto", str, Distribution or dict
        Numeric columns' marginal (see `NumericColumn`): one setting for all,
        or a dict from column to setting (others: "empirical").

    Attributes
    ----------
    columns_ : dict of str to column model
        Fitted model of each column, in table order.
    layout_ : list of (str, str)
        Per latent dimension: its column and role ("value", "missing",
        "spike" or "label").
    corr_ : numpy.ndarray
        Correlation of the latent scores, corrected for the attenuation of
        discrete dimensions and repaired to be positive definite.
    n_rows_ : int
        Rows seen in ``fit``.

    Examples
    --------
    >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5, 2.0], "g": list("abaab")})
    >>> table = LatentTable().fit(real)
    >>> table.layout_
    [('x', 'value'), ('g', 'label')]
    >>> rows = table.rows(np.zeros((2, 2)))
    >>> list(rows.columns), rows.dtypes.equals(real.dtypes)
    (['x', 'g'], True)
    """

    _fitted_attributes = ("columns_", "layout_", "corr_", "n_rows_")

    def __init__(
        self, *, kinds: dict[str, str] | None = None, marginals: Any = "empirical"
    ) -> None:
        self.kinds = kinds
        self.marginals = marginals

    def fit(self, data: pd.DataFrame | PreparedTable, *, prior: LatentTable | None = None) -> Self:
        """Learn column models and the correlation of their latent scores.

        Parameters
        ----------
        data : pandas.DataFrame or PreparedTable
            The real table, or one already prepared (then ``kinds`` and
            ``marginals`` were applied when it was prepared).
        prior : LatentTable, optional
            A table fitted to more rows of the same columns (the whole table,
            when ``data`` is the rows of one label). The correlation is shrunk
            toward the prior's with weight ``d / (n + d)`` (``d`` latent
            dimensions, ``n`` rows): a subset with fewer rows than dimensions
            has a singular sample correlation, and the shrunk one stays
            positive definite without an eigenvalue repair.

        Returns
        -------
        Self
        """
        self.fit_transform(data, prior=prior)
        return self

    def fit_transform(
        self, data: pd.DataFrame | PreparedTable, *, prior: LatentTable | None = None
    ) -> NDArray[np.float64]:
        """Fit, and return the latent scores of the real rows.

        Parameters
        ----------
        data : pandas.DataFrame or PreparedTable
        prior : LatentTable, optional
            See `fit`.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_latent), NaN where a dimension is undefined for a
            row (the value of a missing entry, for example).
        """
        prepared = data if isinstance(data, PreparedTable) else self.prepare(data)
        columns: dict[str, BaseModel] = {}
        scores: dict[str, NDArray[np.float64]] = {}
        columns_done = track(
            prepared.parts.items(), len(prepared.parts), "fitting columns", "column"
        )
        for name, part in columns_done:
            if "numbers" in part:
                values = part["numbers"]
                if values.size == 0 or np.isnan(values).all():
                    columns[name] = ConstantColumn().fit_value(None, part["dtype"])
                    continue
                model = NumericColumn(kind=part["kind"], marginal=part["marginal"])
                # Decimal places are the whole table's (a subset can look coarser by chance).
                known = None if prior is None else prior.columns_.get(name)
                decimals = known.decimals_ if isinstance(known, NumericColumn) else None
                scores[name] = model.fit_transform_numbers(
                    values, part["dtype"], part["step"], decimals=decimals
                )
                columns[name] = model
            elif "codes" not in part:
                columns[name] = part["model"]
        summary = prepared.order_scores
        if summary is None:
            summary = leading_component([block[:, 0] for block in scores.values()])
        for name, part in prepared.parts.items():
            if "codes" in part:
                model = CategoricalColumn().fit_codes(
                    part["codes"],
                    part["labels"],
                    dtype=part["dtype"],
                    categories=part["categories"],
                    ordered=part["ordered"],
                    order_by=summary,
                    rank_by=part["order"],
                )
                columns[name] = model
                scores[name] = model.scores_from_codes(part["codes"], part["labels"])
        self.columns_ = {name: columns[name] for name in prepared.parts}
        self.layout_ = [
            (name, role) for name, model in self.columns_.items() for role in model.latent_roles
        ]
        blocks = [scores[name] for name, model in self.columns_.items() if model.n_latent]
        latent = np.hstack(blocks) if blocks else np.empty((prepared.n_rows, 0))
        with single_blas_thread():
            self.corr_ = self._correlation(latent, prior)
        self.n_rows_ = prepared.n_rows
        return latent

    def fit_summary(
        self,
        models: dict[str, BaseModel],
        label_tables: dict[str, dict[str, Any]],
        moments: ScoreMoments,
        order_loading: dict[str, float] | None = None,
    ) -> Self:
        """Fit from statistics gathered in passes over chunks, not from a table in memory.

        The numeric, constant and key column models come fitted (from a
        `TableSummary`); the categorical ones are fitted here from their label
        counts, their labels ordered by the mean of the order score as `fit`
        orders them, and the correlation of the latent scores comes from the
        cross-products in ``moments``, corrected and repaired as in `fit`.

        Parameters
        ----------
        models : dict
            Fitted non-categorical column models (`TableSummary.column_models`).
        label_tables : dict
            Categorical column to its labels and counts
            (`TableSummary.label_tables`).
        moments : ScoreMoments
            Cross-products of the scores under ``models`` (second pass).
        order_loading : dict of str to float, optional
            Numeric column to its weight in the score that orders labels; by
            default the leading principal component of the value scores here
            (per-label tables take the whole table's, as `fit` does).

        Returns
        -------
        Self
        """
        loading = self.order_loading(models, moments) if order_loading is None else order_loading
        weights = np.zeros(moments.N.shape[0])
        for name, coefficient in loading.items():
            if name in moments.blocks and moments.blocks[name][1] > moments.blocks[name][0]:
                weights[moments.blocks[name][0]] = coefficient
        single = [n for n, m in models.items() if getattr(m, "n_latent", 0) and n in loading]
        columns: dict[str, BaseModel] = {}
        label_scores: dict[str, NDArray[np.float64]] = {}
        for name in moments.columns:
            if name not in label_tables:
                columns[name] = models[name]
                continue
            table = label_tables[name]
            a, b = moments.blocks[name]
            means = None
            if loading:
                if len(loading) == 1 and single:
                    # One numeric column: its own score, over the rows where it is defined.
                    value_dim = moments.blocks[single[0]][0]
                    seen = moments.N[a:b, value_dim]
                else:
                    seen = np.diag(moments.N)[a:b]
                sums = moments.label_sums(name, weights)
                means = np.where(seen > 0, sums / np.maximum(seen, 1.0), 0.0)
            model = CategoricalColumn().fit_counts(
                table["labels"],
                table["counts"],
                dtype=table["dtype"],
                categories=table["categories"],
                ordered=table["ordered"],
                order_means=means,
                rank_by=table["rank_by"],
            )
            columns[name] = model
            positions = model.scores_from_codes(np.arange(len(table["labels"])), table["labels"])[
                :, 0
            ]
            label_scores[name] = np.where(table["counts"] > 0, positions, 0.0)
        self.columns_ = columns
        self.layout_ = [
            (name, role) for name, model in self.columns_.items() for role in model.latent_roles
        ]
        corr = moments.correlation(label_scores)
        self.corr_ = self._repaired_correlation(np.where(np.isfinite(corr), corr, 0.0))
        self.n_rows_ = int(moments.n_rows)
        return self

    @staticmethod
    def order_loading(models: dict[str, BaseModel], moments: ScoreMoments) -> dict[str, float]:
        """Return each numeric column's weight in the label-ordering score, from moments.

        The leading principal component of the value scores' correlation (as
        `leading_component` finds it from rows); one column: weight 1.

        Parameters
        ----------
        models : dict
            Column models.
        moments : ScoreMoments

        Returns
        -------
        dict of str to float
            Empty without numeric columns.
        """
        names = [n for n, m in models.items() if "value" in getattr(m, "latent_roles", ())]
        if len(names) <= 1:
            return dict.fromkeys(names, 1.0)
        corr = moments.value_correlation(names)
        _, vectors = np.linalg.eigh(np.where(np.isfinite(corr), corr, 0.0))
        loading = vectors[:, -1] * np.sign(vectors[:, -1].sum() or 1.0)
        return dict(zip(names, loading.tolist(), strict=True))

    def _repaired_correlation(
        self,
        pairwise: NDArray[np.float64],
        n_rows: int = 0,
        prior: LatentTable | None = None,
    ) -> NDArray[np.float64]:
        """Undo the attenuation of discrete dimensions, shrink toward a prior, repair.

        ``pairwise`` is the pairwise-complete correlation of the latent
        scores of ``n_rows`` rows; with a ``prior`` it is shrunk toward the
        prior's with weight ``d / (n_rows + d)`` (see `fit`).
        """
        if pairwise.shape[0] == 0:
            return np.ones((0, 0))
        attenuation = np.concatenate([m.attenuation for m in self.columns_.values() if m.n_latent])
        # A dimension constant in these rows has no correlation to undo.
        factor = np.where(attenuation > 0, attenuation, 1.0)
        corr = pairwise / np.outer(factor, factor)
        corr = (corr + corr.T) / 2.0
        corr = np.clip(corr, -_MAX_ABS_CORRELATION, _MAX_ABS_CORRELATION)
        np.fill_diagonal(corr, 1.0)
        if prior is not None:
            d = pairwise.shape[0]
            weight = d / (n_rows + d)
            corr = (1.0 - weight) * corr + weight * self._prior_correlation(prior)
        try:
            np.linalg.cholesky(corr)  # positive definite already: nothing to repair
        except np.linalg.LinAlgError:
            return nearest_correlation(corr)
        return corr

    def order_scores(self, latent: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """Return the label-ordering score of each row, from its latent scores.

        The first principal component of the value dimensions, as `fit` uses
        it; give it to `PreparedTable.with_order_scores` so tables fitted to
        subsets of the rows order labels the same way.

        Parameters
        ----------
        latent : numpy.ndarray
            Latent scores of the rows (`fit_transform`'s output).

        Returns
        -------
        numpy.ndarray or None
        """
        check_is_fitted(self)
        values = [latent[:, i] for i, (_, role) in enumerate(self.layout_) if role == "value"]
        return leading_component(values)

    def prepare(self, data: pd.DataFrame) -> PreparedTable:
        """Infer the schema of ``data`` (with ``kinds``) and convert its columns once.

        Parameters
        ----------
        data : pandas.DataFrame

        Returns
        -------
        PreparedTable
        """
        schema = Schema(kinds=self.kinds).fit(data)
        return PreparedTable.from_frame(data, schema, self.marginal_settings(schema))

    def marginal_settings(self, schema: Schema) -> dict[str, Any]:
        """Return each numeric column's marginal setting, checked.

        Parameters
        ----------
        schema : Schema
            Fitted.

        Returns
        -------
        dict of str to object
        """
        numeric = [n for n, spec in schema.columns_.items() if spec["kind"] in VALUE_KINDS]
        setting = self.marginals
        if isinstance(setting, dict):
            check_columns(setting, numeric, "marginals (numeric columns)")
            chosen = dict(setting)
        else:
            chosen = dict.fromkeys(numeric, setting)
        for name, value in chosen.items():
            if isinstance(value, str) and value not in ("empirical", "auto"):
                from stochgen.distributions.selection import CONTINUOUS_FAMILIES

                check_choice(
                    value, f"marginals[{name!r}]", ("empirical", "auto", *CONTINUOUS_FAMILIES)
                )
        return chosen

    def _correlation(
        self, latent: NDArray[np.float64], prior: LatentTable | None = None
    ) -> NDArray[np.float64]:
        if latent.shape[1] == 0:
            return np.ones((0, 0))
        return self._repaired_correlation(pairwise_correlation(latent), latent.shape[0], prior)

    def _prior_correlation(self, prior: LatentTable) -> NDArray[np.float64]:
        """Return the prior's correlation over this table's dimensions (0 where none).

        A principal submatrix of a positive definite matrix is positive
        definite; a dimension the prior lacks is taken as uncorrelated.
        """
        check_is_fitted(prior)
        where = {key: i for i, key in enumerate(prior.layout_)}
        index = np.array([where.get(tuple(key), -1) for key in self.layout_])
        known = index >= 0
        target = np.eye(index.size)
        target[np.ix_(known, known)] = prior.corr_[np.ix_(index[known], index[known])]
        return target

    def aggregate(self, *, knots: int, min_count: int, fallback: LatentTable | None = None) -> Self:
        """Keep aggregates of at least ``min_count`` rows instead of data points.

        Each column model replaces what it holds by aggregates (see
        `stochgen.tabular.aggregate`); the layout and correlation stay.

        Parameters
        ----------
        knots : int
            Most quantile knots per numeric column.
        min_count : int
            Fewest rows an aggregate describes.
        fallback : LatentTable, optional
            The whole table, aggregated: a per-label table's column with too
            few rows for an aggregate of its own takes the whole table's.

        Returns
        -------
        Self
            This table, changed in place.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the table has fewer than ``min_count`` rows, or a numeric
            column's marginal is a fitted family.
        """
        check_is_fitted(self)
        if self.n_rows_ < min_count:
            raise ValidationError(
                f"privacy='aggregate' needs at least min_count={min_count} rows; got {self.n_rows_}"
            )
        for name, model in self.columns_.items():
            model.aggregate(
                name,
                n_rows=self.n_rows_,
                knots=knots,
                min_count=min_count,
                fallback=None if fallback is None else fallback.columns_.get(name),
            )
        return self

    @property
    def n_latent(self) -> int:
        """Number of latent dimensions."""
        check_is_fitted(self)
        return len(self.layout_)

    def scores(self, data: pd.DataFrame) -> NDArray[np.float64]:
        """Return the latent scores of the rows of ``data`` under the fitted column models.

        Parameters
        ----------
        data : pandas.DataFrame
            A table with the fitted columns.

        Returns
        -------
        numpy.ndarray
            Shape (n, n_latent), NaN where a dimension is undefined.
        """
        check_is_fitted(self)
        check_columns(list(self.columns_), data.columns, "data")
        blocks = [
            model.latent_scores(data[name])
            for name, model in self.columns_.items()
            if model.n_latent
        ]
        return np.hstack(blocks) if blocks else np.empty((len(data), 0))

    def rows(self, z: NDArray[np.float64], row_offset: int = 0) -> pd.DataFrame:
        """Return the rows the column models give for latent scores ``z``.

        Parameters
        ----------
        z : numpy.ndarray
            Shape (m, n_latent), one column per entry of ``layout_``.
        row_offset : int
            Index of the first row (key columns number rows from it).

        Returns
        -------
        pandas.DataFrame
            Indexed from ``row_offset``, columns and dtypes as fitted.
        """
        data, start = {}, 0
        for name, model in self.columns_.items():
            data[name] = model.from_normal(z[:, start : start + model.n_latent], row_offset)
            start += model.n_latent
        # Fresh arrays per column: no copy into consolidated blocks.
        index = pd.RangeIndex(row_offset, row_offset + z.shape[0])
        return pd.DataFrame(data, index=index, copy=False)

    def renumber(self, rows: pd.DataFrame, row_offset: int) -> pd.DataFrame:
        """Regenerate columns whose values follow the row position (keys), from ``row_offset``.

        Parameters
        ----------
        rows : pandas.DataFrame
        row_offset : int

        Returns
        -------
        pandas.DataFrame
            ``rows``, changed in place.
        """
        for name, model in self.columns_.items():
            if model.positional and name in rows:
                rows[name] = model.from_normal(np.empty((len(rows), 0)), row_offset)
        return rows

    def add_conditions(self, conditions: dict[str, Any]) -> LatentConstraints:
        """Translate ``{column: value or (low, high)}`` into latent constraints.

        Each column model translates the condition on itself.

        Parameters
        ----------
        conditions : dict
            Column to an equal value (``None`` for missing) or a ``(low, high)``
            range.

        Returns
        -------
        LatentConstraints

        Raises
        ------
        stochgen.exceptions.ValidationError
            For unknown columns or labels, values outside the fitted range,
            empty ranges, or conditions the column kind does not support.
        """
        check_is_fitted(self)
        check_columns(conditions, list(self.columns_), "conditions")
        out = LatentConstraints()
        start = 0
        for name, model in self.columns_.items():
            if name in conditions:
                model.add_condition(name, start, conditions[name], out)
            start += model.n_latent
        return out

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.columns_, dict) or not all(
            isinstance(m, BaseModel) and hasattr(m, "latent_roles") for m in self.columns_.values()
        ):
            raise ModelFileError("LatentTable: columns_ must map names to column models")
        layout = [
            (name, role) for name, model in self.columns_.items() for role in model.latent_roles
        ]
        if [tuple(entry) for entry in self.layout_] != layout:
            raise ModelFileError("LatentTable: layout_ does not match the column models")
        self.layout_ = layout
        corr = np.asarray(self.corr_, dtype=float)
        d = len(layout)
        if corr.shape != (d, d):
            raise ModelFileError(f"LatentTable: corr_ must be {d} x {d}; got shape {corr.shape}")
        if d and (
            not np.isfinite(corr).all()
            or not np.allclose(corr, corr.T)
            or not np.allclose(np.diag(corr), 1.0)
            or np.linalg.eigvalsh(corr)[0] <= 0
        ):
            raise ModelFileError(
                "LatentTable: corr_ must be a finite, symmetric, positive-definite correlation"
            )
        self.corr_ = corr
        if isinstance(self.n_rows_, bool) or not isinstance(self.n_rows_, int) or self.n_rows_ < 0:
            raise ModelFileError("LatentTable: n_rows_ must be a non-negative integer")
