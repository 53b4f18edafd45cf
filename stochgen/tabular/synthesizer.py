"""CopulaSynthesizer: a latent layer of column models tied together by a copula."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import BLOCK_ROWS, SeedLike
from stochgen._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_kinds,
    check_n_samples,
)
from stochgen.copulas import (
    Copula,
    GaussianCopula,
    StudentTCopula,
    VineCopula,
    pseudo_observations,
)
from stochgen.copulas.gaussian import gaussian_fill
from stochgen.exceptions import ModelFileError, StochgenWarning, ValidationError
from stochgen.kinds import KINDS, SHARE_KINDS
from stochgen.tabular.constraints import Constraint, learned_table_kinds, merge_range
from stochgen.tabular.latent import LatentTable, PreparedTable
from stochgen.tabular.outofcore import chunk_source, fit_from_chunks
from stochgen.tabular.plan import (
    ConditionalGaussianDraw,
    CopulaDraw,
    GaussianDraw,
    SamplingPlan,
)
from stochgen.tabular.schema import Schema
from stochgen.tabular.streaming import write_blocks

__all__ = ["MIN_CLASS_ROWS", "CopulaSynthesizer"]

_COPULAS = ("gaussian", "student_t", "vine")
#: Labels with fewer rows get no model of their own (it would echo real rows).
MIN_CLASS_ROWS = 20
# Conditioning columns with more labels than this keep no per-label models.
_MAX_CLASSES = 50


def _gaussian_copula(corr: NDArray[np.float64]) -> GaussianCopula | None:
    """Return the Gaussian copula of ``corr``, None without dimensions (constant, key columns)."""
    return GaussianCopula.from_params(corr=corr) if corr.shape[0] else None


def _fit_copula(kind: str, latent: NDArray[np.float64], corr: NDArray[np.float64]) -> Copula | None:
    if kind == "gaussian" or corr.shape[0] < 2:
        return _gaussian_copula(corr)
    # Undefined scores (a missing value's value dimension) at their conditional mean.
    u = pseudo_observations(gaussian_fill(latent, corr))
    if kind == "student_t":
        return StudentTCopula().fit(u)
    return VineCopula().fit(u)


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
    copula : {"gaussian", "student_t", "vine"}
        Dependence of the latent scores: a Gaussian copula (default; exact
        conditioning on values), a Student-t copula (tail dependence) or an
        R-vine (pair copulas chosen per edge), the last two fitted to rank
        pseudo-observations of the latent scores.
    condition_columns : "auto", list of str or None
        Categorical columns whose labels each get a model of their own (from
        their rows, when a label has at least `MIN_CLASS_ROWS`), used when
        sampling under ``{column: label}``: rows of a rare class then follow
        that class's distribution. "auto": every categorical and boolean column.
        Per-label models use a Gaussian copula whatever ``copula`` is, so that
        value conditions combine exactly with the label condition.
    marginals : "empirical", "auto", str, Distribution or dict
        Marginal of numeric columns (see `NumericColumn`): one setting for
        all, or a dict from column name to setting (others: "empirical").
        "empirical" (default) reproduces each column's shape closest and fits
        fastest; "auto" uses a parametric family where the data cannot reject
        it (smooth tails, fewer parameters).
    constraints : list of Constraint, optional
        Rules every generated row meets (see `stochgen.tabular.constraints`).
    n_jobs : int or None
        Threads sampling blocks at once (None: one per core). Rows do not
        depend on it: block *i* always draws from stream *i* of the seed.

    Attributes
    ----------
    schema_ : Schema
        Inferred column kinds.
    latent_ : LatentTable
        The latent layer: fitted column models, layout, score correlation.
    copula_ : Copula or None
        Dependence of the latent scores (None when no column has a latent
        dimension: constant and key columns only).
    n_rows_ : int
        Rows seen in ``fit``.
    class_models_ : dict
        Per conditioning column, label to the `LatentTable` fitted on that
        label's rows (sampled through a Gaussian copula of its ``corr_``).
    constraints_ : list of Constraint
        The constraints, fitted.
    output_columns_ : list of str
        Columns of the real table, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({
    ...     "height": [160.5, 172.0, 181.2, 158.3, 175.9, 169.4],
    ...     "sex": ["f", "m", "m", "f", "m", "f"],
    ... })
    >>> model = CopulaSynthesizer().fit(real)
    >>> synthetic = model.sample(4, seed=0)
    >>> synthetic.dtypes.equals(real.dtypes)
    True
    >>> synthetic.equals(model.sample(4, seed=0))
    True
    """

    _fitted_attributes = (
        "schema_",
        "latent_",
        "copula_",
        "n_rows_",
        "class_models_",
        "constraints_",
        "output_columns_",
    )

    def __init__(
        self,
        *,
        kinds: dict[str, str] | None = None,
        copula: str = "gaussian",
        condition_columns: str | list[str] | None = "auto",
        marginals: Any = "empirical",
        constraints: list[Constraint] | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.kinds = kinds
        self.copula = copula
        self.condition_columns = condition_columns
        self.marginals = marginals
        self.constraints = constraints
        self.n_jobs = n_jobs

    def fit(self, data: pd.DataFrame) -> Self:
        """Learn column models and their dependence from a table.

        Parameters
        ----------
        data : pandas.DataFrame, path, glob, iterable of DataFrames or Dask DataFrame
            The real table (not changed). Anything but a DataFrame is read in
            chunks with bounded memory, in two passes, from mergeable
            summaries (exact counts and bounds, quantile sketches, score
            cross-products; see `stochgen.tabular.outofcore`): Parquet or CSV
            files (``"data/part-*.parquet"``), a list or generator of frames,
            or a Dask DataFrame (summarised on its workers). Kinds are then
            inferred from the first chunk; ``copula`` must be "gaussian" and
            ``constraints`` None.

        Returns
        -------
        Self

        Raises
        ------
        TypeError
            If ``data`` is none of the above or has non-string column names.
        stochgen.exceptions.ValidationError
            On an empty table, inf values, a column mixing value types, or an
            unknown column or kind in ``kinds``.
        """
        if not isinstance(data, pd.DataFrame):
            return self._fit_chunks(data)
        check_dataframe(data)
        check_choice(self.copula, "copula", _COPULAS)
        check_kinds(self.kinds, data.columns, KINDS)
        constraints = self._fit_constraints(data)
        work = data
        for constraint in constraints:
            work = constraint.forward(work)
        kinds = learned_table_kinds(self.kinds, constraints, work)
        latent = LatentTable(kinds=kinds, marginals=self.marginals)
        schema = Schema(kinds=kinds).fit(work)
        conditioning = self._conditioning_columns(schema)
        prepared = PreparedTable.from_frame(work, schema, latent.marginal_settings(schema))
        scores = latent.fit_transform(prepared)
        self.schema_ = schema
        self.latent_ = latent
        self.copula_ = _fit_copula(self.copula, scores, latent.corr_)
        self.n_rows_ = int(len(data))
        if conditioning:
            prepared = prepared.with_order_scores(latent.order_scores(scores))
        self.class_models_ = self._fit_class_models(latent, prepared, conditioning)
        self.constraints_ = constraints
        self.output_columns_ = list(data.columns)
        return self

    def _fit_chunks(self, data: Any) -> Self:
        """Fit from chunks (files, an iterable of frames, a Dask DataFrame) in two passes."""
        source = chunk_source(data)
        check_choice(self.copula, "copula", _COPULAS)
        if self.copula != "gaussian":
            raise ValidationError(
                f"copula={self.copula!r} is fitted to the latent rows in memory; fitting from "
                "chunks supports copula='gaussian'"
            )
        if self.constraints:
            raise ValidationError(
                "constraints are fitted to the table in memory; fitting from chunks supports "
                "constraints=None"
            )
        latent = LatentTable(kinds=self.kinds, marginals=self.marginals)
        schema, latent, class_models, n_rows = fit_from_chunks(
            source,
            kinds=self.kinds,
            latent=latent,
            conditioning=self._conditioning_columns,
            min_class_rows=MIN_CLASS_ROWS,
            max_classes=_MAX_CLASSES,
        )
        self.schema_ = schema
        self.latent_ = latent
        self.copula_ = _gaussian_copula(latent.corr_)
        self.n_rows_ = int(n_rows)
        self.class_models_ = class_models
        self.constraints_ = []
        self.output_columns_ = list(schema.columns_)
        return self

    @property
    def columns_(self) -> dict[str, BaseModel]:
        """Fitted model of each learned column, in order (the latent layer's)."""
        check_is_fitted(self)
        return self.latent_.columns_

    def _fit_constraints(self, data: pd.DataFrame) -> list[Constraint]:
        if self.constraints is None:
            return []
        if not isinstance(self.constraints, list | tuple):
            raise TypeError(f"constraints must be a list; got {type(self.constraints).__name__}")
        fitted = []
        for constraint in self.constraints:
            if not isinstance(constraint, Constraint):
                raise TypeError(f"constraints: {constraint!r} is not a stochgen constraint")
            fitted.append(constraint.clone().fit(data))
        return fitted

    def _conditioning_columns(self, schema: Schema) -> list[str]:
        setting = self.condition_columns
        if setting is None:
            return []
        if isinstance(setting, str) and setting == "auto":
            return [name for name, spec in schema.columns_.items() if spec["kind"] in SHARE_KINDS]
        if isinstance(setting, str) or not isinstance(setting, list | tuple):
            raise ValidationError(
                f"condition_columns must be 'auto', None or a list of columns; got {setting!r}"
            )
        check_columns(setting, list(schema.columns_), "condition_columns")
        for name in setting:
            if schema.columns_[name]["kind"] not in SHARE_KINDS:
                raise ValidationError(
                    f"condition_columns: {name!r} is {schema.columns_[name]['kind']}; "
                    "per-class models are kept for categorical and boolean columns"
                )
        return list(setting)

    def _fit_class_models(
        self, latent: LatentTable, prepared: PreparedTable, conditioning: list[str]
    ) -> dict[str, dict[Any, LatentTable]]:
        """Fit a latent table to the rows of each label of each conditioning column."""
        out: dict[str, dict[Any, LatentTable]] = {}
        for name in conditioning:
            codes, labels = prepared.parts[name]["codes"], prepared.parts[name]["labels"]
            if not 2 <= labels.size <= _MAX_CLASSES:
                continue
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(labels.size + 1))
            per_label = {}
            for code, label in enumerate(labels):
                rows = order[bounds[code] : bounds[code + 1]]
                if rows.size >= MIN_CLASS_ROWS:
                    per_label[label] = latent.clone().fit(prepared.take(rows))
            out[name] = per_label
        return out

    def _route(self, conditions: dict[str, Any]) -> tuple[LatentTable, Copula, dict[str, Any]]:
        """Pick the per-label latent table an equality condition selects, if there is one."""
        for name, value in conditions.items():
            per_label = self.class_models_.get(name)
            if per_label is None or isinstance(value, list | tuple | set):
                continue
            column = self.latent_.columns_[name]
            code = column.code_of(value)
            if code < 0:
                continue  # the column model names the unknown label
            label = column.labels_[code]
            if label in per_label:
                table = per_label[label]
                rest = {k: v for k, v in conditions.items() if k != name}
                # Gaussian: value conditions combine exactly with the label condition.
                return table, _gaussian_copula(table.corr_), rest
            warnings.warn(
                f"condition {name}={value!r}: the label has fewer than {MIN_CLASS_ROWS} rows, "
                "too few for a model of its own; rows follow the joint model's conditional "
                "distribution",
                StochgenWarning,
                stacklevel=4,
            )
        return self.latent_, self.copula_, conditions

    def plan(self, conditions: dict[str, Any] | None = None) -> SamplingPlan:
        """Return the sampling plan for ``conditions``, checked now.

        Merges the conditions with the range constraints, picks the per-label
        model an equality condition selects, translates the rest into the
        latent space and chooses how latent rows are drawn.

        Parameters
        ----------
        conditions : dict, optional
            As in `sample`.

        Returns
        -------
        SamplingPlan

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        stochgen.exceptions.ValidationError
            On an unknown column or label, a value outside the fitted values,
            or a condition on a column a constraint generates.

        Examples
        --------
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5, 2.0]})
        >>> plan = CopulaSynthesizer().fit(real).plan({"x": (1.0, 3.0)})
        >>> rows = plan.sample(5, seed=0)
        >>> bool(rows["x"].between(1.0, 3.0).all())
        True
        """
        check_is_fitted(self)
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(f"conditions must be a dict; got {type(conditions).__name__}")
        conditions = dict(conditions or {})
        check_columns(conditions, self.output_columns_, "conditions")
        for constraint in self.constraints_:
            for name in constraint.replaced_columns():
                if name in conditions:
                    raise ValidationError(
                        f"conditions: {name!r} is generated through {constraint!r}; "
                        "condition on the other columns"
                    )
        for constraint in self.constraints_:
            for name, bounds in constraint.latent_condition().items():
                merge_range(conditions, name, bounds, constraint)
        table, copula, rest = self._route(conditions)
        gaussian = copula is None or isinstance(copula, GaussianCopula)
        if rest and not gaussian:
            raise ValidationError(
                f"conditions on values ({sorted(rest)}) need copula='gaussian'; this model "
                f"uses {self.copula!r} (label conditions on condition_columns work with any copula)"
            )
        latent = table.add_conditions(rest)
        if not gaussian:
            draw: Any = CopulaDraw(copula)
        elif latent.points or latent.boxes:
            draw = ConditionalGaussianDraw(table.corr_, latent)
        else:
            draw = GaussianDraw(table.corr_)
        rules = [*latent.rules, *(c for c in self.constraints_ if c.met_by == "rejection")]
        return SamplingPlan(
            table,
            draw,
            forced=latent.forced,
            rules=rules,
            constraints=self.constraints_,
            output_columns=self.output_columns_,
            n_jobs=self.n_jobs,
        )

    def iter_sample(
        self, n: int, seed: SeedLike = None, conditions: dict[str, Any] | None = None
    ) -> Iterator[pd.DataFrame]:
        """Yield the rows of ``sample(n, seed, conditions)`` block by block.

        Memory stays bounded by a few blocks (65,536 rows each); concatenated,
        the blocks equal ``sample(n, seed, conditions)`` exactly.

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
        plan = self.plan(conditions)
        n = check_n_samples(n)
        return plan.iter_blocks(n, seed)

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
        return self.plan(conditions).sample(n, seed)

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
        plan = self.plan(conditions)
        block_rows = check_n_samples(block_rows, "block_rows")
        if block_rows == 0:
            raise ValidationError("block_rows must be positive; got 0")
        return write_blocks(
            plan.iter_blocks(n, seed),
            path,
            block_rows=block_rows,
            fmt=format,
            empty=plan.empty(seed),
        )

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.schema_, Schema) or not isinstance(self.copula_, Copula | None):
            raise ModelFileError("CopulaSynthesizer: schema_ or copula_ has the wrong type")
        if not isinstance(self.latent_, LatentTable):
            raise ModelFileError("CopulaSynthesizer: latent_ must be a LatentTable")
        if list(self.latent_.columns_) != list(self.schema_.columns_):
            raise ModelFileError("CopulaSynthesizer: latent_ columns do not match the schema")
        dims = self.latent_.n_latent
        if self.copula_ is None:
            copula_dims = 0
        elif isinstance(self.copula_, GaussianCopula):
            copula_dims = np.shape(self.copula_.corr_)[0]
        else:
            copula_dims = getattr(self.copula_, "dim_", None) or self.copula_.dim
        if copula_dims != dims:
            raise ModelFileError("CopulaSynthesizer: copula dimension does not match the columns")
        if not isinstance(self.class_models_, dict) or not all(
            isinstance(per_label, dict)
            and name in self.latent_.columns_
            and all(isinstance(t, LatentTable) for t in per_label.values())
            for name, per_label in self.class_models_.items()
        ):
            raise ModelFileError("CopulaSynthesizer: class_models_ must map columns to tables")
        if not isinstance(self.output_columns_, list) or not all(
            isinstance(c, str) for c in self.output_columns_
        ):
            raise ModelFileError("CopulaSynthesizer: output_columns_ must be a list of names")
        if not isinstance(self.constraints_, list) or not all(
            isinstance(c, Constraint) for c in self.constraints_
        ):
            raise ModelFileError("CopulaSynthesizer: constraints_ must be a list of constraints")
        learned = list(self.output_columns_)
        for constraint in self.constraints_:
            learned = constraint.learned_columns(learned)
        if learned != list(self.latent_.columns_):
            raise ModelFileError(
                "CopulaSynthesizer: output_columns_ do not match the learned columns"
            )
