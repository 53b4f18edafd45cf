"""CopulaSynthesizer: per-column marginals tied together by a Gaussian copula."""

from __future__ import annotations

import itertools
import os
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel, check_is_fitted
from stochgen._kernels.tabular import matrix_apply, standard_normals
from stochgen._rng import BLOCK_ROWS, SeedLike, iter_blocks
from stochgen._validation import check_choice, check_columns, check_dataframe, check_n_samples
from stochgen.copulas import (
    Copula,
    GaussianCopula,
    StudentTCopula,
    VineCopula,
    pseudo_observations,
)
from stochgen.copulas.gaussian import nearest_correlation
from stochgen.exceptions import ModelFileError, StochgenWarning, ValidationError
from stochgen.tabular.columns import (
    CategoricalColumn,
    ConstantColumn,
    IdColumn,
    NumericColumn,
    _plain_array,
)
from stochgen.tabular.conditions import LatentConstraints, translate_conditions
from stochgen.tabular.constraints import (
    Bounds,
    Constraint,
    FixedCombinations,
    Inequality,
    Predicate,
    Unique,
)
from stochgen.tabular.schema import Schema
from stochgen.tabular.streaming import write_blocks
from stochgen.tabular.truncated import conditional_normal

__all__ = ["CopulaSynthesizer"]

_COPULAS = ("gaussian", "student_t", "vine")
_NUMERIC_KINDS = ("continuous", "integer", "datetime", "date")
_LABEL_KINDS = ("categorical", "ordinal", "boolean")
#: Labels with fewer rows get no model of their own (it would echo real rows).
MIN_CLASS_ROWS = 20
# Conditioning columns with more labels than this keep no per-label models.
_MAX_CLASSES = 50
# Rejection (checks no latent interval expresses): give up below this acceptance, after
# at least this many draws, and draw at most this many rows at once.
_MIN_CHECK_ACCEPTANCE = 1e-3
_MIN_DRAWS_BEFORE_GIVING_UP = 10_000
_MAX_DRAW_ROWS = 1_000_000
_MAX_REJECTION_ROUNDS = 50
# Threads used by default at most (sampling is bound by memory bandwidth beyond this).
_MAX_THREADS = 8
# Correlations are kept strictly inside (-1, 1) before the positive-definite repair.
_MAX_ABS_CORRELATION = 0.999


def _column_model(kind: str) -> BaseModel:
    if kind in _NUMERIC_KINDS:
        return NumericColumn(kind=kind)
    if kind in _LABEL_KINDS:
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


def _work_kinds(
    kinds: dict[str, str] | None, constraints: list[Constraint], work: pd.DataFrame
) -> dict[str, str]:
    """Kinds for the table the model learns (after constraint transforms)."""
    replaced = set()
    out = {}
    for constraint in constraints:
        if isinstance(constraint, FixedCombinations):
            replaced.update(constraint.required_columns())
            out[constraint._key()] = "categorical"
        elif isinstance(constraint, Inequality):
            replaced.add(constraint.high_column)
    out.update({k: v for k, v in (kinds or {}).items() if k in work and k not in replaced})
    return out


def _consumed_columns(constraints: list[Constraint]) -> dict[str, Constraint]:
    out: dict[str, Constraint] = {}
    for constraint in constraints:
        if isinstance(constraint, FixedCombinations):
            out.update(dict.fromkeys(constraint.required_columns(), constraint))
        elif isinstance(constraint, Inequality):
            out[constraint.high_column] = constraint
    return out


def _merge_bounds(conditions: dict[str, Any], bounds: Bounds) -> None:
    """Add ``bounds`` to the conditions on its column (intersecting a range)."""
    name = bounds.column
    if name not in conditions:
        conditions[name] = (bounds.low, bounds.high)
        return
    value = conditions[name]
    if isinstance(value, tuple) and len(value) == 2:
        lows = [v for v in (value[0], bounds.low) if v is not None]
        highs = [v for v in (value[1], bounds.high) if v is not None]
        conditions[name] = (max(lows) if lows else None, min(highs) if highs else None)
    elif not bounds.holds(pd.DataFrame({name: [value]}))[0]:
        raise ValidationError(f"condition {name}={value!r} breaks the constraint {bounds!r}")


def _prepare(
    data: pd.DataFrame, schema: Schema, marginals: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Convert each column once into the arrays its model fits from."""
    prepared: dict[str, dict[str, Any]] = {}
    for name, spec in schema.columns_.items():
        kind, column = spec["kind"], data[name]
        dtype = str(column.dtype)
        if kind in _NUMERIC_KINDS:
            model = NumericColumn(kind=kind)
            numbers = model.to_numbers(column)
            step = getattr(model, "step_", 1)
            prepared[name] = {
                "kind": kind,
                "dtype": dtype,
                "numbers": numbers,
                "step": step,
                "marginal": marginals.get(name, "empirical"),
            }
        elif kind in _LABEL_KINDS:
            codes, labels = CategoricalColumn.prepare(column)
            categorical = isinstance(column.dtype, pd.CategoricalDtype)
            categories = _plain_array(column.dtype.categories) if categorical else None
            ordered = bool(categorical and column.dtype.ordered)
            if kind == "ordinal" and not ordered:
                # An ordinal column that is not an ordered categorical: its labels sorted.
                ranked = sorted((label for label in labels if label is not None), key=_sort_key)
                order = _plain_array(ranked)
                categories, ordered = (categories if categorical else None), True
                prepared[name] = {"order": order}
            else:
                prepared[name] = {}
            prepared[name].update(
                kind=kind,
                dtype=dtype,
                codes=codes,
                labels=labels,
                categories=categories,
                ordered=ordered,
            )
        else:
            prepared[name] = {"kind": kind, "model": _column_model(kind).fit(column)}
    return prepared


def _fit_prepared(
    prepared: dict[str, dict[str, Any]], rows: NDArray[np.intp] | None = None
) -> tuple[dict[str, BaseModel], NDArray[np.float64], NDArray[np.float64]]:
    """Fit column models (on ``rows`` only, if given) and the correlation of their scores."""

    def take(array: NDArray[Any]) -> NDArray[Any]:
        return array if rows is None else array[rows]

    columns: dict[str, BaseModel] = {}
    scores: dict[str, NDArray[np.float64]] = {}
    for name, part in prepared.items():
        if "numbers" in part:
            values = take(part["numbers"])
            if np.isnan(values).all():
                columns[name] = ConstantColumn().fit_value(None, part["dtype"])
                continue
            model = NumericColumn(kind=part["kind"], marginal=part["marginal"])
            columns[name] = model.fit_numbers(values, part["dtype"], part["step"])
            scores[name] = model.scores_from_numbers(values)
        elif "codes" not in part:
            columns[name] = part["model"]
    summary = _leading_component(scores)
    for name, part in prepared.items():
        if "codes" in part:
            codes = take(part["codes"])
            model = CategoricalColumn().fit_codes(
                codes,
                part["labels"],
                dtype=part["dtype"],
                categories=part["categories"],
                ordered=part["ordered"],
                order_by=summary,
                rank_by=part.get("order"),
            )
            columns[name] = model
            scores[name] = model.scores_from_codes(codes, part["labels"])
    columns = {name: columns[name] for name in prepared}
    n_rows = len(next(iter(scores.values()))) if scores else 0
    blocks = [scores[name] for name, model in columns.items() if model.n_latent]
    if not blocks:
        return columns, np.empty((n_rows, 0)), np.ones((0, 0))
    attenuation = np.concatenate([m.attenuation for m in columns.values() if m.n_latent])
    # A dimension constant in these rows has no correlation to undo.
    factor = np.where(attenuation > 0, attenuation, 1.0)
    latent = np.hstack(blocks)
    corr = _pairwise_correlation(latent) / np.outer(factor, factor)
    corr = np.clip(corr, -_MAX_ABS_CORRELATION, _MAX_ABS_CORRELATION)
    np.fill_diagonal(corr, 1.0)
    return columns, latent, nearest_correlation(corr)


def _subset_schema(
    schema: Schema,
    columns: dict[str, BaseModel],
    prepared: dict[str, dict[str, Any]],
    rows: NDArray[np.intp],
) -> Schema:
    """Return the schema of a subset of rows: kinds kept (constant where the model is)."""
    specs = {}
    for name, spec in schema.columns_.items():
        part = prepared[name]
        if "numbers" in part:
            rate = float(np.isnan(part["numbers"][rows]).mean())
        elif "codes" in part:
            missing = [i for i, label in enumerate(part["labels"]) if label is None]
            rate = float(np.isin(part["codes"][rows], missing).mean())
        else:
            rate = spec["missing_rate"]
        kind = "constant" if isinstance(columns[name], ConstantColumn) else spec["kind"]
        specs[name] = {**spec, "kind": kind, "nullable": rate > 0, "missing_rate": rate}
    subset = Schema(kinds={name: spec["kind"] for name, spec in specs.items()})
    subset.columns_ = specs
    return subset


def _fill_latent(latent: NDArray[np.float64], corr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fill undefined latent scores with their Gaussian conditional mean given the row's others."""
    filled = latent.copy()
    missing = np.isnan(filled)
    for pattern in np.unique(missing, axis=0):
        if not pattern.any():
            continue
        rows = np.all(missing == pattern, axis=1)
        known = ~pattern
        if not known.any():
            filled[np.ix_(rows, pattern)] = 0.0
            continue
        weights = np.linalg.solve(corr[np.ix_(known, known)], corr[np.ix_(known, pattern)])
        filled[np.ix_(rows, pattern)] = filled[np.ix_(rows, known)] @ weights
    return filled


def _fit_copula(kind: str, latent: NDArray[np.float64], corr: NDArray[np.float64]) -> Copula:
    if kind == "gaussian" or corr.shape[0] < 2:
        return GaussianCopula(corr=corr)
    u = pseudo_observations(_fill_latent(latent, corr))
    if kind == "student_t":
        return StudentTCopula().fit(u)
    return VineCopula().fit(u)


def _sort_key(label: Any) -> tuple[int, Any]:
    # Numbers by value, then everything else by text.
    if isinstance(label, int | float) and not isinstance(label, bool):
        return (0, label)
    return (1, str(label))


def rows_from_normal(
    columns: dict[str, BaseModel], z: NDArray[np.float64], row_offset: int
) -> pd.DataFrame:
    """Return the rows the column models give for latent scores ``z``, shape (m, d).

    Each column reads its ``n_latent`` consecutive dimensions of ``z``, in the
    order of ``columns``; the frame is indexed from ``row_offset``.
    """
    data, start = {}, 0
    for name, model in columns.items():
        data[name] = model.from_normal(z[:, start : start + model.n_latent], row_offset)
        start += model.n_latent
    # Fresh arrays per column: no copy into consolidated blocks.
    index = pd.RangeIndex(row_offset, row_offset + z.shape[0])
    return pd.DataFrame(data, index=index, copy=False)


def _assemble_blocks(blocks: Iterator[pd.DataFrame], n: int) -> pd.DataFrame | None:
    """Concatenate consecutive blocks of ``n`` rows in all, as they arrive.

    Numeric columns are copied into arrays allocated once, block by block,
    while the sampling threads work on later blocks (numpy releases the GIL
    for those copies); other columns are concatenated at the end. Cheaper than
    pandas.concat, and a block is freed once copied. None if ``n`` is 0.
    """
    first = next(blocks, None) if n else None
    if first is None:
        return None
    if len(first) == n:
        return first
    filled: dict[str, NDArray[Any]] = {}
    parts: dict[str, list[Any]] = {}
    for name in first.columns:
        dtype = first[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind != "O":
            filled[name] = np.empty(n, dtype=dtype)
        else:
            parts[name] = []
    start = int(first.index[0])
    for block in itertools.chain([first], blocks):
        begin = int(block.index[0]) - start
        stop = begin + len(block)
        for name, values in filled.items():
            values[begin:stop] = block[name].to_numpy()
        for name, pieces in parts.items():
            pieces.append(block[name])
    columns: dict[str, Any] = {}
    for name in first.columns:
        if name in filled:
            columns[name] = filled[name]
        elif isinstance(first[name].dtype, np.dtype):
            columns[name] = np.concatenate([piece.to_numpy() for piece in parts[name]])
        else:
            columns[name] = pd.concat(parts[name]).array
    return pd.DataFrame(columns, index=pd.RangeIndex(start, start + n), copy=False)


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
    columns_ : dict of str to column model
        Fitted model of each column, in table order.
    copula_ : Copula
        Dependence of the latent scores.
    n_rows_ : int
        Rows seen in ``fit``.
    class_models_ : dict
        Per conditioning column, label to its own `CopulaSynthesizer`.
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
    >>> synthetic.dtypes.astype(str).tolist()
    ['float64', 'object']
    >>> synthetic.equals(model.sample(4, seed=0))
    True
    """

    _fitted_attributes = (
        "schema_",
        "columns_",
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
        check_columns(self.kinds or {}, data.columns, "kinds")
        constraints = self._fit_constraints(data)
        work = data
        for constraint in constraints:
            work = constraint.forward(work)
        schema = Schema(kinds=_work_kinds(self.kinds, constraints, work)).fit(work)
        conditioning = self._conditioning_columns(schema)
        prepared = _prepare(work, schema, self._marginal_settings(schema))
        self.columns_, latent, corr = _fit_prepared(prepared)
        self.schema_ = schema
        self.copula_ = _fit_copula(self.copula, latent, corr)
        self.n_rows_ = int(len(data))
        self.class_models_ = self._fit_class_models(schema, prepared, conditioning)
        self.constraints_ = constraints
        self.output_columns_ = list(data.columns)
        return self

    def _marginal_settings(self, schema: Schema) -> dict[str, Any]:
        numeric = [n for n, spec in schema.columns_.items() if spec["kind"] in _NUMERIC_KINDS]
        setting = self.marginals
        if isinstance(setting, dict):
            check_columns(setting, numeric, "marginals (numeric columns)")
            chosen = setting
        else:
            chosen = dict.fromkeys(numeric, setting)
        for name, value in chosen.items():
            if isinstance(value, str) and value not in ("empirical", "auto"):
                from stochgen.distributions.selection import CONTINUOUS_FAMILIES

                check_choice(
                    value, f"marginals[{name!r}]", ("empirical", "auto", *CONTINUOUS_FAMILIES)
                )
        return chosen

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
            return [name for name, spec in schema.columns_.items() if spec["kind"] in _LABEL_KINDS]
        if isinstance(setting, str) or not isinstance(setting, list | tuple):
            raise ValidationError(
                f"condition_columns must be 'auto', None or a list of columns; got {setting!r}"
            )
        check_columns(setting, list(schema.columns_), "condition_columns")
        for name in setting:
            if schema.columns_[name]["kind"] not in _LABEL_KINDS:
                raise ValidationError(
                    f"condition_columns: {name!r} is {schema.columns_[name]['kind']}; "
                    "per-class models are kept for categorical and boolean columns"
                )
        return list(setting)

    def _fit_class_models(
        self, schema: Schema, prepared: dict[str, dict[str, Any]], conditioning: list[str]
    ) -> dict[str, dict[Any, CopulaSynthesizer]]:
        """Fit one model per label of each conditioning column (labels with enough rows)."""
        out: dict[str, dict[Any, CopulaSynthesizer]] = {}
        for name in conditioning:
            codes, labels = prepared[name]["codes"], prepared[name]["labels"]
            if not 2 <= labels.size <= _MAX_CLASSES:
                continue
            per_label = {}
            for code, label in enumerate(labels):
                rows = np.flatnonzero(codes == code)
                if rows.size >= MIN_CLASS_ROWS:
                    per_label[label] = self._label_model(schema, prepared, rows)
            out[name] = per_label
        return out

    @staticmethod
    def _label_model(
        schema: Schema, prepared: dict[str, dict[str, Any]], rows: NDArray[np.intp]
    ) -> CopulaSynthesizer:
        columns, _, corr = _fit_prepared(prepared, rows)
        sub_schema = _subset_schema(schema, columns, prepared, rows)
        # Gaussian: value conditions combine exactly with the label condition.
        model = CopulaSynthesizer(
            kinds=dict(sub_schema.kinds), copula="gaussian", condition_columns=None
        )
        model.schema_ = sub_schema
        model.columns_ = columns
        model.copula_ = GaussianCopula(corr=corr)
        model.n_rows_ = int(rows.size)
        model.class_models_ = {}
        model.constraints_ = []
        model.output_columns_ = list(columns)
        return model

    def _threads(self) -> int:
        if self.n_jobs is None:
            return max(1, min(os.cpu_count() or 1, _MAX_THREADS))
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs < 1:
            raise ValidationError(f"n_jobs must be a positive integer or None; got {self.n_jobs!r}")
        return self.n_jobs

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

    def _plan(
        self, conditions: dict[str, Any] | None
    ) -> tuple[CopulaSynthesizer, LatentConstraints]:
        """Merge conditions with bound constraints; pick the model; translate to latent space."""
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(f"conditions must be a dict; got {type(conditions).__name__}")
        conditions = dict(conditions or {})
        check_columns(conditions, self.output_columns_, "conditions")
        consumed = _consumed_columns(self.constraints_)
        for name in conditions:
            if name in consumed:
                raise ValidationError(
                    f"conditions: {name!r} is generated through {consumed[name]!r}; "
                    "condition on the other columns"
                )
        for constraint in self.constraints_:
            if isinstance(constraint, Bounds):
                _merge_bounds(conditions, constraint)
        if not conditions:
            return self, LatentConstraints()
        model, rest = self._route(conditions)
        if rest and not isinstance(model.copula_, GaussianCopula):
            raise ValidationError(
                f"conditions on values ({sorted(rest)}) need copula='gaussian'; this model "
                f"uses {self.copula!r} (label conditions on condition_columns work with any copula)"
            )
        return model, translate_conditions(model.columns_, rest)

    def _draw(
        self,
        model: CopulaSynthesizer,
        latent: LatentConstraints,
        n_rows: int,
        rng: np.random.Generator,
        row_offset: int,
    ) -> pd.DataFrame:
        """Draw rows from ``model`` under latent constraints, in the original layout."""
        corr = getattr(model.copula_, "corr", None)
        if not isinstance(model.copula_, GaussianCopula):
            z = special.ndtri(model.copula_.sample(n_rows, seed=rng))
        elif latent.points or latent.boxes:
            z = conditional_normal(corr, latent.points, latent.boxes, n_rows, rng)
        else:
            chol = np.linalg.cholesky(corr) if corr.size else np.ones((0, 0))
            # Dimension-major draws: each column's scores are contiguous (z is F-ordered).
            # Not BLAS: its thread pool inside each block's thread oversubscribes the cores.
            g = np.empty((chol.shape[0], n_rows))
            standard_normals(rng, g.reshape(-1))  # rng.standard_normal's values, faster
            z = np.empty_like(g)
            matrix_apply(chol, g, z, True)
            z = z.T
        rows = rows_from_normal(model.columns_, z, row_offset)
        for name, value in latent.forced.items():
            rows[name] = pd.Series([value] * n_rows, index=rows.index).astype(rows[name].dtype)
        for constraint in reversed(self.constraints_):
            rows = constraint.reverse(rows)
        if list(rows.columns) == self.output_columns_:
            return rows
        return rows[self.output_columns_]

    def _rejection_rules(self, latent: LatentConstraints) -> list[tuple[str, Any]]:
        rules: list[tuple[str, Any]] = [
            (f"condition on {name!r}", check) for name, check in latent.checks.items()
        ]
        for constraint in self.constraints_:
            if isinstance(constraint, Predicate | Unique):
                rules.append((repr(constraint), constraint))
        return rules

    def _fill(
        self,
        n_rows: int,
        rng: np.random.Generator,
        row_offset: int,
        model: CopulaSynthesizer,
        latent: LatentConstraints,
        seen: dict[str, set[Any]],
    ) -> pd.DataFrame:
        """Return exactly ``n_rows`` rows meeting every rule, or raise naming the rule."""
        rows = self._draw(model, latent, n_rows, rng, row_offset)
        rules = self._rejection_rules(latent)
        if not rules:
            return rows
        parts: list[pd.DataFrame] = []
        have, drawn = 0, 0
        held = dict.fromkeys((name for name, _ in rules), 0)
        for _ in range(_MAX_REJECTION_ROUNDS):
            ok = np.ones(len(rows), dtype=bool)
            for name, rule in rules:
                if isinstance(rule, Unique):
                    values = rows[rule.column]
                    mask = rule.holds(rows) & ~values.isin(seen.get(rule.column, set())).to_numpy()
                elif isinstance(rule, Predicate):
                    mask = rule.holds(rows)
                else:
                    mask = rule(rows[name.split("'")[1]])
                held[name] += int(mask.sum())
                ok &= mask
            kept = rows[ok].iloc[: n_rows - have]
            for _, rule in rules:
                if isinstance(rule, Unique):
                    seen.setdefault(rule.column, set()).update(kept[rule.column].dropna())
            parts.append(kept)
            have += len(kept)
            drawn += len(rows)
            if have >= n_rows:
                break
            rate = have / drawn
            if drawn >= _MIN_DRAWS_BEFORE_GIVING_UP and rate < _MIN_CHECK_ACCEPTANCE:
                break
            extra = int(np.ceil(1.2 * (n_rows - have) / max(rate, _MIN_CHECK_ACCEPTANCE))) + 16
            rows = self._draw(model, latent, min(extra, _MAX_DRAW_ROWS), rng, row_offset)
        if have < n_rows:
            report = ", ".join(f"{name} held for {held[name] / drawn:.3%}" for name, _ in rules)
            raise ValidationError(
                f"could not generate {n_rows} rows meeting every rule from {drawn:,} draws "
                f"({have} met all): {report}"
            )
        out = pd.concat(parts) if len(parts) > 1 else parts[0]
        out.index = pd.RangeIndex(row_offset, row_offset + n_rows)
        # Keys are numbered by final row position, so re-drawn rows never repeat a key.
        for name, column in model.columns_.items():
            if isinstance(column, IdColumn) and name in out:
                out[name] = column.from_normal(np.empty((n_rows, 0)), row_offset)
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
        model, latent = self._plan(conditions)
        seen: dict[str, set[Any]] = {}
        blocks = iter_blocks(n, seed)
        jobs = self._threads()
        # Uniqueness is checked against earlier blocks: those blocks run in order.
        if jobs == 1 or any(isinstance(c, Unique) for c in self.constraints_):
            for start, stop, rng in blocks:
                yield self._fill(stop - start, rng, start, model, latent, seen)
            return
        with ThreadPoolExecutor(jobs) as pool:
            pending: deque[Future[pd.DataFrame]] = deque()
            for start, stop, rng in blocks:
                pending.append(
                    pool.submit(self._fill, stop - start, rng, start, model, latent, seen)
                )
                # At most two blocks per thread wait in memory.
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

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
        rows = _assemble_blocks(self.iter_sample(n, seed, conditions), n)
        if rows is None:
            return self._draw(self, LatentConstraints(), 0, np.random.default_rng(0), 0)
        return rows

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

    def to_dask(
        self,
        n: int,
        seed: SeedLike = None,
        conditions: dict[str, Any] | None = None,
        *,
        partition_rows: int = 16 * BLOCK_ROWS,
    ) -> Any:
        """Return ``sample(n, seed, conditions)`` as a lazy Dask DataFrame.

        Each partition is sampled where Dask computes it (threads, processes
        or a cluster), from the same per-block streams as `sample`, so the
        computed frame equals ``sample(n, seed, conditions)`` row for row
        whatever the scheduler. Needs the ``dask`` extra.

        Parameters
        ----------
        n : int
            Total rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Fixed when this is called (``None`` draws fresh entropy once).
        conditions : dict, optional
            As in `sample`; checked now.
        partition_rows : int
            Rows per partition, a multiple of 65,536 (the sampling block).

        Returns
        -------
        dask.dataframe.DataFrame

        Raises
        ------
        stochgen.exceptions.ValidationError
            On a bad ``partition_rows`` or condition, or a `Unique` constraint
            (uniqueness across partitions computed apart cannot be kept).

        Examples
        --------
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5], "y": [1, 3, 2, 4]})
        >>> model = CopulaSynthesizer().fit(real)
        >>> frame = model.to_dask(200_000, seed=0)
        >>> frame.npartitions
        1
        >>> frame.compute().equals(model.sample(200_000, seed=0))
        True
        """
        from stochgen.dask import to_dask

        check_is_fitted(self)
        return to_dask(self, n, seed, conditions, partition_rows=partition_rows)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.schema_, Schema) or not isinstance(self.copula_, Copula):
            raise ModelFileError("CopulaSynthesizer: schema_ or copula_ has the wrong type")
        if not isinstance(self.columns_, dict) or list(self.columns_) != list(
            self.schema_.columns_
        ):
            raise ModelFileError("CopulaSynthesizer: columns_ do not match the schema")
        dims = sum(m.n_latent for m in self.columns_.values())
        if isinstance(self.copula_, GaussianCopula):
            copula_dims = np.shape(self.copula_.corr)[0]
        else:
            copula_dims = getattr(self.copula_, "dim_", None) or self.copula_.dim
        if copula_dims != dims:
            raise ModelFileError("CopulaSynthesizer: copula dimension does not match the columns")
