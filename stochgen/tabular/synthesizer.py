"""CopulaSynthesizer: per-column marginals tied together by a Gaussian copula."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import BLOCK_ROWS, SeedLike, iter_blocks
from stochgen._validation import check_choice, check_columns, check_dataframe, check_n_samples
from stochgen.copulas.gaussian import GaussianCopula, nearest_correlation
from stochgen.exceptions import ModelFileError, StochgenWarning, ValidationError
from stochgen.tabular.columns import CategoricalColumn, ConstantColumn, IdColumn, NumericColumn
from stochgen.tabular.conditions import LatentConstraints, translate_conditions
from stochgen.tabular.schema import Schema
from stochgen.tabular.streaming import write_blocks
from stochgen.tabular.truncated import conditional_normal

__all__ = ["CopulaSynthesizer"]

_COPULAS = ("gaussian",)
#: Labels with fewer rows get no model of their own (it would echo real rows).
MIN_CLASS_ROWS = 20
# Conditioning columns with more labels than this keep no per-label models.
_MAX_CLASSES = 50
# Rows re-drawn for checks that no latent interval expresses: give up below this acceptance.
_MIN_CHECK_ACCEPTANCE = 1e-3
# Correlations are kept strictly inside (-1, 1) before the positive-definite repair.
_MAX_ABS_CORRELATION = 0.999


def _column_model(kind: str) -> BaseModel:
    if kind in ("continuous", "integer", "datetime"):
        return NumericColumn(kind=kind)
    if kind in ("categorical", "boolean"):
        return CategoricalColumn()
    if kind == "id":
        return IdColumn()
    return ConstantColumn()


def _pairwise_correlation(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    # Dimensions constant in these rows give NaN here, and no correlation below.
    with np.errstate(divide="ignore", invalid="ignore"):
        if not np.isnan(scores).any():
            corr = np.corrcoef(scores, rowvar=False)
        else:
            corr = pd.DataFrame(scores).corr(min_periods=3).to_numpy()
    corr = np.atleast_2d(corr)
    return np.where(np.isfinite(corr), corr, 0.0)


def _passes(rows: pd.DataFrame, constraints: LatentConstraints) -> NDArray[np.bool_]:
    ok = np.ones(len(rows), dtype=bool)
    for name, check in constraints.checks.items():
        ok &= check(rows[name])
    return ok


def _subset_kind(kind: str, column: pd.Series) -> str:
    """Return the kind a column keeps in a subset of rows (constant if numeric and constant)."""
    if kind in ("id", "categorical", "boolean"):
        return kind
    present = column.dropna()
    constant = present.empty or (present.nunique() == 1 and len(present) == len(column))
    return "constant" if constant else kind


def _fit_columns(
    data: pd.DataFrame, schema: Schema
) -> tuple[dict[str, BaseModel], NDArray[np.float64]]:
    """Fit every column model and the correlation of their latent scores."""
    columns = {name: _column_model(spec["kind"]) for name, spec in schema.columns_.items()}
    scores: dict[str, NDArray[np.float64]] = {}
    for name, model in columns.items():
        if not isinstance(model, CategoricalColumn):
            model.fit(data[name])
            scores[name] = model.latent_scores(data[name])
    summary = _leading_component(scores)
    for name, model in columns.items():
        if isinstance(model, CategoricalColumn):
            model.fit(data[name], order_by=summary)
            scores[name] = model.latent_scores(data[name])
    blocks = [scores[name] for name, model in columns.items() if model.n_latent]
    if not blocks:
        return columns, np.ones((0, 0))
    attenuation = np.concatenate([m.attenuation for m in columns.values() if m.n_latent])
    # A dimension constant in these rows has no correlation to undo.
    factor = np.where(attenuation > 0, attenuation, 1.0)
    corr = _pairwise_correlation(np.hstack(blocks)) / np.outer(factor, factor)
    corr = np.clip(corr, -_MAX_ABS_CORRELATION, _MAX_ABS_CORRELATION)
    np.fill_diagonal(corr, 1.0)
    return columns, nearest_correlation(corr)


def _leading_component(scores: dict[str, NDArray[np.float64]]) -> NDArray[np.float64] | None:
    """Return each row's score on the first principal component of the numeric scores."""
    value_scores = [block[:, 0] for block in scores.values() if block.shape[1]]
    if not value_scores:
        return None
    matrix = np.column_stack(value_scores)
    if matrix.shape[1] == 1:
        return matrix[:, 0]
    corr = _pairwise_correlation(matrix)
    _, vectors = np.linalg.eigh(corr)
    loading = vectors[:, -1] * np.sign(vectors[:, -1].sum() or 1.0)
    filled = np.where(np.isnan(matrix), 0.0, matrix)
    return filled @ loading


class CopulaSynthesizer(BaseModel):
    """Synthetic tables from per-column marginals and a Gaussian copula.

    Each column is mapped to latent normal scores: continuous, integer and
    datetime columns through their marginal (the empirical distribution by
    default, repeated values kept), categorical and boolean columns through
    frequency intervals, and missing values through a missing/present
    dimension of their own. A Gaussian copula on those scores carries the
    dependence; generated rows are mapped back with exact dtypes, categories,
    ranges and decimal places.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Column kinds to use instead of the inferred ones (see `Schema`).
    copula : {"gaussian"}
        Dependence model.

    Attributes
    ----------
    schema_ : Schema
        Inferred column kinds.
    columns_ : dict of str to column model
        Fitted model of each column, in table order.
    copula_ : GaussianCopula
        Dependence of the latent scores.
    n_rows_ : int
        Rows seen in ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({
    ...     "height": [160.5, 172.0, 181.2, 158.3, 175.9, 169.4],
    ...     "sex": ["f", "m", "m", "f", "m", "f"],
    ... })
    >>> model = CopulaSynthesizer().fit(real)
    >>> synthetic = model.sample(4, seed=0)
    >>> synthetic.dtypes.astype(str).tolist()
    ['float64', 'object']
    >>> synthetic.equals(model.sample(4, seed=0))
    True
    """

    _fitted_attributes = ("schema_", "columns_", "copula_", "n_rows_", "class_models_")

    def __init__(
        self,
        *,
        kinds: dict[str, str] | None = None,
        copula: str = "gaussian",
        condition_columns: str | list[str] | None = "auto",
    ) -> None:
        self.kinds = kinds
        self.copula = copula
        self.condition_columns = condition_columns

    def fit(self, data: pd.DataFrame) -> Self:
        """Learn column models and their dependence from a table.

        Parameters
        ----------
        data : pandas.DataFrame
            The real table (not changed).

        Returns
        -------
        Self

        Raises
        ------
        TypeError
            If ``data`` is not a DataFrame or has non-string column names.
        stochgen.exceptions.ValidationError
            On an empty table, inf values, a column mixing value types, or an
            unknown column or kind in ``kinds``.
        """
        check_dataframe(data)
        check_choice(self.copula, "copula", _COPULAS)
        schema = Schema(kinds=self.kinds).fit(data)
        conditioning = self._conditioning_columns(schema)
        self.columns_, corr = _fit_columns(data, schema)
        self.schema_ = schema
        self.copula_ = GaussianCopula(corr=corr)
        self.n_rows_ = int(len(data))
        self.class_models_ = self._fit_class_models(data, schema, conditioning)
        return self

    def _conditioning_columns(self, schema: Schema) -> list[str]:
        setting = self.condition_columns
        if setting is None:
            return []
        if isinstance(setting, str) and setting == "auto":
            return [
                name
                for name, spec in schema.columns_.items()
                if spec["kind"] in ("categorical", "boolean")
            ]
        if isinstance(setting, str) or not isinstance(setting, list | tuple):
            raise ValidationError(
                f"condition_columns must be 'auto', None or a list of columns; got {setting!r}"
            )
        check_columns(setting, list(schema.columns_), "condition_columns")
        for name in setting:
            if schema.columns_[name]["kind"] not in ("categorical", "boolean"):
                raise ValidationError(
                    f"condition_columns: {name!r} is {schema.columns_[name]['kind']}; "
                    "per-class models are kept for categorical and boolean columns"
                )
        return list(setting)

    def _fit_class_models(
        self, data: pd.DataFrame, schema: Schema, conditioning: list[str]
    ) -> dict[str, dict[Any, CopulaSynthesizer]]:
        """Fit one model per label of each conditioning column (labels with enough rows)."""
        kinds = {name: spec["kind"] for name, spec in schema.columns_.items()}
        out: dict[str, dict[Any, CopulaSynthesizer]] = {}
        for name in conditioning:
            model = self.columns_[name]
            codes = model.codes(data[name])
            labels = model.labels_
            if labels.size > _MAX_CLASSES or labels.size < 2:
                continue
            per_label = {}
            for code, label in enumerate(labels):
                rows = data.loc[codes == code]
                if len(rows) < MIN_CLASS_ROWS:
                    continue
                sub_kinds = {c: _subset_kind(kinds[c], rows[c]) for c in rows.columns}
                per_label[label] = CopulaSynthesizer(
                    kinds=sub_kinds, copula=self.copula, condition_columns=None
                ).fit(rows)
            out[name] = per_label
        return out

    def _latent_slices(self) -> dict[str, slice]:
        slices, start = {}, 0
        for name, model in self.columns_.items():
            slices[name] = slice(start, start + model.n_latent)
            start += model.n_latent
        return slices

    def _rows_from_uniform(self, u: NDArray[np.float64], row_offset: int) -> pd.DataFrame:
        slices = self._latent_slices()
        data = {
            name: model.from_uniform(u[:, slices[name]], row_offset)
            for name, model in self.columns_.items()
        }
        return pd.DataFrame(data, index=pd.RangeIndex(row_offset, row_offset + u.shape[0]))

    def _sample_block(
        self, n_rows: int, rng: np.random.Generator, chol: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        z = rng.standard_normal((n_rows, chol.shape[0])) @ chol.T
        return special.ndtr(z)

    def _route(self, conditions: dict[str, Any]) -> tuple[CopulaSynthesizer, dict[str, Any]]:
        """Pick the per-label model an equality condition selects, if there is one."""
        for name, value in conditions.items():
            per_label = self.class_models_.get(name)
            if per_label is None or isinstance(value, list | tuple | set):
                continue
            code = int(self.columns_[name].codes(pd.Series([value], dtype=object))[0])
            if code < 0:
                continue  # translate_conditions names the unknown label
            label = self.columns_[name].labels_[code]
            if label in per_label:
                rest = {k: v for k, v in conditions.items() if k != name}
                return per_label[label], rest
            warnings.warn(
                f"condition {name}={value!r}: the label has fewer than {MIN_CLASS_ROWS} rows, "
                "too few for a model of its own; rows follow the joint model's conditional "
                "distribution",
                StochgenWarning,
                stacklevel=3,
            )
        return self, conditions

    def _conditional_block(
        self,
        n_rows: int,
        rng: np.random.Generator,
        constraints: LatentConstraints,
        row_offset: int,
        conditions: dict[str, Any],
    ) -> pd.DataFrame:
        corr = self.copula_.corr
        z = conditional_normal(corr, constraints.points, constraints.boxes, n_rows, rng)
        rows = self._rows_from_uniform(special.ndtr(z), row_offset)
        for name, value in constraints.forced.items():
            rows[name] = pd.Series([value] * n_rows, index=rows.index).astype(rows[name].dtype)
        if not constraints.checks:
            return rows
        kept = rows[_passes(rows, constraints)]
        acceptance = len(kept) / max(n_rows, 1)
        if n_rows and acceptance < _MIN_CHECK_ACCEPTANCE:
            raise ValidationError(
                f"conditions {conditions!r} hold for {acceptance:.2%} of the rows the model "
                "generates under them; too rare to sample"
            )
        parts = [kept]
        while sum(len(p) for p in parts) < n_rows:
            extra = int(np.ceil(1.2 * (n_rows - sum(len(p) for p in parts)) / acceptance)) + 16
            z = conditional_normal(corr, constraints.points, constraints.boxes, extra, rng)
            more = self._rows_from_uniform(special.ndtr(z), row_offset)
            for name, value in constraints.forced.items():
                more[name] = pd.Series([value] * extra, index=more.index).astype(more[name].dtype)
            parts.append(more[_passes(more, constraints)])
        out = pd.concat(parts).iloc[:n_rows]
        out.index = pd.RangeIndex(row_offset, row_offset + n_rows)
        return out

    def iter_sample(
        self, n: int, seed: SeedLike = None, conditions: dict[str, Any] | None = None
    ) -> Iterator[pd.DataFrame]:
        """Yield the rows of ``sample(n, seed, conditions)`` block by block.

        Memory stays bounded by one block (65,536 rows); concatenated, the
        blocks equal ``sample(n, seed, conditions)`` exactly.

        Parameters
        ----------
        n : int
            Total rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
        conditions : dict, optional
            As in `sample`.

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks, indexed by global row number.
        """
        check_is_fitted(self)
        n = check_n_samples(n)
        if conditions:
            if not isinstance(conditions, dict):
                raise TypeError(f"conditions must be a dict; got {type(conditions).__name__}")
            check_columns(conditions, list(self.columns_), "conditions")
            model, rest = self._route(conditions)
            constraints = translate_conditions(model.columns_, rest)
            for start, stop, rng in iter_blocks(n, seed):
                yield model._conditional_block(stop - start, rng, constraints, start, conditions)
            return
        corr = self.copula_.corr
        chol = np.linalg.cholesky(corr) if corr.size else np.ones((0, 0))
        for start, stop, rng in iter_blocks(n, seed):
            yield self._rows_from_uniform(self._sample_block(stop - start, rng, chol), start)

    def sample(
        self, n: int, seed: SeedLike = None, conditions: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Generate ``n`` synthetic rows, optionally under conditions.

        Conditions are met exactly, by conditioning the model, not by blind
        rejection: ``{"species": "Adelie"}`` draws from the model of that
        label's rows (kept for each label of the ``condition_columns`` with at
        least `MIN_CLASS_ROWS` rows), ``{"age": (30, 40)}`` from the copula
        truncated to that range, ``{"income": 52_000.0}`` from the copula
        given that value, ``{"score": None}`` rows where the value is missing.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
            The same seed gives the same rows, however they are split.
        conditions : dict, optional
            Column to a value, or for numeric and datetime columns to an
            inclusive ``(low, high)`` range (``None`` for an open end).

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the fitted table.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        stochgen.exceptions.ValidationError
            If a condition names an unknown column or label, lies outside the
            fitted values, or is too improbable under the model.
        """
        blocks = list(self.iter_sample(n, seed, conditions))
        if not blocks:
            dims = sum(m.n_latent for m in self.columns_.values())
            return self._rows_from_uniform(np.empty((0, dims)), 0)
        return pd.concat(blocks) if len(blocks) > 1 else blocks[0]

    def sample_to(
        self,
        path: str | os.PathLike[str],
        n: int,
        seed: SeedLike = None,
        conditions: dict[str, Any] | None = None,
        *,
        block_rows: int = BLOCK_ROWS,
        format: str | None = None,  # noqa: A002 - the word users expect
    ) -> Path:
        """Stream ``n`` rows to a CSV or Parquet file with bounded memory.

        The rows equal ``sample(n, seed)``; at most about ``block_rows`` rows
        (plus one 65,536-row sampling block) are held in memory. The file is
        written under a temporary name and renamed when complete.

        Parameters
        ----------
        path : str or path-like
            Destination (``.csv``, ``.parquet``).
        n : int
            Rows to write.
        seed : None, int, SeedSequence, BitGenerator or Generator
        conditions : dict, optional
            As in `sample`.
        block_rows : int
            Rows per write.
        format : {"csv", "parquet"}, optional
            Default: from the file suffix.

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import tempfile, pathlib
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5]})
        >>> model = CopulaSynthesizer().fit(real)
        >>> out = model.sample_to(pathlib.Path(tempfile.mkdtemp()) / "rows.csv", 10, seed=0)
        >>> pd.read_csv(out).shape
        (10, 1)
        """
        check_is_fitted(self)
        block_rows = check_n_samples(block_rows, "block_rows")
        if block_rows == 0:
            raise ValidationError("block_rows must be positive; got 0")
        return write_blocks(
            self.iter_sample(n, seed, conditions),
            path,
            block_rows=block_rows,
            fmt=format,
            empty=self.sample(0),
        )

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.schema_, Schema) or not isinstance(self.copula_, GaussianCopula):
            raise ModelFileError("CopulaSynthesizer: schema_ or copula_ has the wrong type")
        if not isinstance(self.columns_, dict) or list(self.columns_) != list(
            self.schema_.columns_
        ):
            raise ModelFileError("CopulaSynthesizer: columns_ do not match the schema")
        dims = sum(m.n_latent for m in self.columns_.values())
        if np.shape(self.copula_.corr) != (dims, dims):
            raise ModelFileError("CopulaSynthesizer: copula dimension does not match the columns")
