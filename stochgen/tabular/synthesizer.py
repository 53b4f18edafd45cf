"""CopulaSynthesizer: per-column marginals tied together by a Gaussian copula."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import BLOCK_ROWS, SeedLike, iter_blocks
from stochgen._validation import check_choice, check_dataframe, check_n_samples
from stochgen.copulas.gaussian import GaussianCopula, nearest_correlation
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.tabular.columns import CategoricalColumn, ConstantColumn, IdColumn, NumericColumn
from stochgen.tabular.schema import Schema
from stochgen.tabular.streaming import write_blocks

__all__ = ["CopulaSynthesizer"]

_COPULAS = ("gaussian",)
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
    if not np.isnan(scores).any():
        corr = np.corrcoef(scores, rowvar=False)
    else:
        corr = pd.DataFrame(scores).corr(min_periods=3).to_numpy()
    corr = np.atleast_2d(corr)
    return np.where(np.isfinite(corr), corr, 0.0)


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

    _fitted_attributes = ("schema_", "columns_", "copula_", "n_rows_")

    def __init__(self, *, kinds: dict[str, str] | None = None, copula: str = "gaussian") -> None:
        self.kinds = kinds
        self.copula = copula

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
        attenuation = [model.attenuation for model in columns.values() if model.n_latent]
        if blocks:
            scores = np.hstack(blocks)
            factor = np.concatenate(attenuation)
            corr = _pairwise_correlation(scores) / np.outer(factor, factor)
            corr = np.clip(corr, -_MAX_ABS_CORRELATION, _MAX_ABS_CORRELATION)
            np.fill_diagonal(corr, 1.0)
            corr = nearest_correlation(corr)
        else:
            corr = np.ones((0, 0))
        self.schema_ = schema
        self.columns_ = columns
        self.copula_ = GaussianCopula(corr=corr)
        self.n_rows_ = int(len(data))
        return self

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

    def iter_sample(self, n: int, seed: SeedLike = None) -> Iterator[pd.DataFrame]:
        """Yield the rows of ``sample(n, seed)`` block by block.

        Memory stays bounded by one block (65,536 rows); concatenated, the
        blocks equal ``sample(n, seed)`` exactly.

        Parameters
        ----------
        n : int
            Total rows.
        seed : None, int, SeedSequence, BitGenerator or Generator

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks, indexed by global row number.
        """
        check_is_fitted(self)
        n = check_n_samples(n)
        corr = self.copula_.corr
        chol = np.linalg.cholesky(corr) if corr.size else np.ones((0, 0))
        for start, stop, rng in iter_blocks(n, seed):
            yield self._rows_from_uniform(self._sample_block(stop - start, rng, chol), start)

    def sample(self, n: int, seed: SeedLike = None) -> pd.DataFrame:
        """Generate ``n`` synthetic rows.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
            The same seed gives the same rows, however they are split.

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the fitted table.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        """
        blocks = list(self.iter_sample(n, seed))
        if not blocks:
            dims = sum(m.n_latent for m in self.columns_.values())
            return self._rows_from_uniform(np.empty((0, dims)), 0)
        return pd.concat(blocks) if len(blocks) > 1 else blocks[0]

    def sample_to(
        self,
        path: str | os.PathLike[str],
        n: int,
        seed: SeedLike = None,
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
            self.iter_sample(n, seed),
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
