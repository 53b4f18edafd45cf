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
from stochgen._progress import progress_bar, progress_setting
from stochgen._rng import BLOCK_ROWS, SeedLike
from stochgen._threads import single_blas_thread
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
from stochgen.tabular.aggregate import PRIVACY_LEVELS, check_aggregate_settings
from stochgen.tabular.constraints import Constraint, learned_table_kinds, merge_range
from stochgen.tabular.latent import LatentTable, PreparedTable
from stochgen.tabular.outofcore import chunk_source, fit_from_chunks
from stochgen.tabular.plan import (
    ConditionalGaussianDraw,
    CopulaDraw,
    GaussianDraw,
    QuasiGaussianDraw,
    SamplingPlan,
)
from stochgen.tabular.rules import as_constraint, order_constraints
from stochgen.tabular.schema import Schema
from stochgen.tabular.streaming import write_blocks

__all__ = ["MIN_CLASS_ROWS", "CopulaSynthesizer"]

_COPULAS = ("gaussian", "student_t", "vine")
#: Labels with fewer rows get no model of their own (it would echo real rows).
MIN_CLASS_ROWS = 20
# Conditioning columns with more labels than this keep no per-label models.
_MAX_CLASSES = 50


def _check_quasi(method: str, conditions: dict[str, Any], rules: list[Any], gaussian: bool) -> None:
    """Refuse what a point set cannot drive: conditions, rejection, other copulas."""
    from stochgen.samplers.qmc import check_method

    check_method(method, blockable=True)
    why = None
    if conditions:
        why = f"conditions (here on {sorted(conditions)}, range constraints included)"
    elif rules:
        why = f"rules met by rejection ({', '.join(rule.describe() for rule in rules)})"
    elif not gaussian:
        why = "a copula other than the Gaussian"
    if why is not None:
        raise ValidationError(
            f"method={method!r} draws the latent normal scores from one point set, which "
            f"{why} would skip or reorder; use method='random'"
        )


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
    constraints : list of str or Constraint, optional
        Rules every generated row meets, as text (``"start <= end"``,
        ``"a + b == total"``, ``"if plan == 'pro' then seats >= 5"``; see
        `stochgen.tabular.rule_parser`) or constraint objects. Real rows
        that break one are left out of the fit, with a `StochgenWarning`
        giving their count.
    n_jobs : int or None
        Threads sampling blocks at once (None: one per core). Rows do not
        depend on it: block *i* always draws from stream *i* of the seed.
    formats : dict, optional
        Text columns to generate in a format, never copying a real value
        (names, e-mails, phone numbers, codes): column to "learn" (the shapes
        of its values, see `stochgen.tabular.formats`) or ``{"regex":
        pattern}`` (as SDV's ``regex_format``). Such columns are kind "id":
        generated apart from the others, and not conditioned on. Text key
        columns (kind "id") learn their format without being listed. For
        columns that must keep joining across tables, replace them by
        `stochgen.pseudonymize` before ``fit``.
    privacy : {"none", "aggregate"}
        What the fitted model (and so its file) holds. "none" (default): the
        data's distinct values, as the marginals need them. "aggregate": only
        aggregates of at least ``min_count`` rows: numeric marginals as
        ``quantile_knots`` smoothed quantile knots (each the mean of a bin of
        rows), ranges as the outer knots, labels seen fewer than ``min_count``
        times suppressed, per-label models only for labels with that many rows
        (see `stochgen.tabular.aggregate`). Needs empirical marginals, and no
        constraint that stores combinations of values.
    quantile_knots : int
        Most knots per numeric column under ``privacy="aggregate"``.
    min_count : int
        Fewest rows behind anything an aggregate model keeps.
    progress : bool or None
        Progress bars for fitting (columns, per-label models) and sampling,
        shown once a step has run a second; None follows
        `stochgen.set_progress` and ``STOCHGEN_PROGRESS``.

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
        Rows learned from in ``fit`` (real rows breaking a constraint are left out).
    class_models_ : dict
        Per conditioning column, label to the `LatentTable` fitted on that
        label's rows (sampled through a Gaussian copula of its ``corr_``).
    constraints_ : list of Constraint
        The constraints, fitted (transforms first; a rule no transform or
        latent range can meet alongside the others becomes a `Rule` met by
        rejection). ``describe()`` lists them as rules.
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
        constraints: list[str | Constraint] | None = None,
        n_jobs: int | None = None,
        formats: dict[str, Any] | None = None,
        privacy: str = "none",
        quantile_knots: int = 100,
        min_count: int = 10,
        progress: bool | None = None,
    ) -> None:
        self.kinds = kinds
        self.copula = copula
        self.condition_columns = condition_columns
        self.marginals = marginals
        self.constraints = constraints
        self.n_jobs = n_jobs
        self.formats = formats
        self.privacy = privacy
        self.quantile_knots = quantile_knots
        self.min_count = min_count
        self.progress = progress

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
        aggregate = self._aggregate_settings()
        # Dozens of small matrices: one BLAS thread (see stochgen._threads).
        with progress_setting(self.progress), single_blas_thread():
            return self._fit(data, aggregate)

    def _fit(self, data: pd.DataFrame, aggregate: tuple[int, int] | None) -> Self:
        constraints, data = self._fit_constraints(data)
        if aggregate is not None:
            for constraint in constraints:
                if getattr(constraint, "stores_values", False):
                    raise ValidationError(
                        f"privacy='aggregate': {constraint.describe()} stores combinations of "
                        "real values; leave it out, or use privacy='none'"
                    )
        work = data
        for constraint in constraints:
            work = constraint.forward(work)
        kinds = learned_table_kinds(self.kinds, constraints, work)
        formats = self._formats(work, kinds)
        kinds.update(dict.fromkeys(formats, "id"))
        latent = LatentTable(kinds=kinds, marginals=self.marginals)
        schema = Schema(kinds=kinds).fit(work)
        conditioning = self._conditioning_columns(schema)
        prepared = PreparedTable.from_frame(work, schema, latent.marginal_settings(schema), formats)
        scores = latent.fit_transform(prepared)
        self.schema_ = schema
        self.latent_ = latent
        self.copula_ = _fit_copula(self.copula, scores, latent.corr_)
        self.n_rows_ = int(len(data))
        if conditioning:
            prepared = prepared.with_order_scores(latent.order_scores(scores))
        min_rows = MIN_CLASS_ROWS if aggregate is None else max(MIN_CLASS_ROWS, aggregate[1])
        self.class_models_ = self._fit_class_models(latent, prepared, conditioning, min_rows)
        if aggregate is not None:
            knots, min_count = aggregate
            latent.aggregate(knots=knots, min_count=min_count)
            for per_label in self.class_models_.values():
                for table in per_label.values():
                    table.aggregate(knots=knots, min_count=min_count, fallback=latent)
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
        if self.formats:
            raise ValidationError(
                "formats are learned from the table in memory; fitting from chunks supports "
                "formats=None"
            )
        if check_choice(self.privacy, "privacy", PRIVACY_LEVELS) != "none":
            raise ValidationError(
                "privacy='aggregate' is applied to a table fitted in memory; fitting from "
                "chunks supports privacy='none' (its quantile sketches keep some real values)"
            )
        latent = LatentTable(kinds=self.kinds, marginals=self.marginals)
        with progress_setting(self.progress), single_blas_thread():
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

    def describe(self) -> str:
        """Return the fitted model in words: rows, columns, copula and the rules it keeps.

        Returns
        -------
        str

        Examples
        --------
        >>> real = pd.DataFrame({"a": [1.0, 2.0, 4.0, 3.0], "b": [2.0, 2.5, 5.0, 3.5]})
        >>> print(CopulaSynthesizer(constraints=["a <= b"]).fit(real).describe())
        CopulaSynthesizer fitted on 4 rows of 2 columns, gaussian copula
        rules:
          a <= b  (by construction)
        """
        check_is_fitted(self)
        how = {"transform": "by construction", "latent": "exact range", "rejection": "rejection"}
        lines = [
            f"CopulaSynthesizer fitted on {self.n_rows_} rows of {len(self.output_columns_)} "
            f"columns, {self.copula} copula"
        ]
        if self.constraints_:
            lines.append("rules:")
            lines += [
                f"  {c.describe()}  ({how.get(c.met_by, c.met_by)})" for c in self.constraints_
            ]
        return "\n".join(lines)

    def _formats(self, work: pd.DataFrame, kinds: dict[str, str]) -> dict[str, Any]:
        """Return the checked ``formats`` setting: column to "learn" or {"regex": pattern}."""
        if self.formats is None:
            return {}
        if not isinstance(self.formats, dict):
            raise TypeError(f"formats must be a dict; got {type(self.formats).__name__}")
        check_columns(self.formats, list(work.columns), "formats")
        out = {}
        for name, spec in self.formats.items():
            regex = spec.get("regex") if isinstance(spec, dict) else None
            if not (spec == "learn" or (isinstance(spec, dict) and set(spec) == {"regex"})):
                raise ValidationError(
                    f"formats[{name!r}] must be 'learn' or {{'regex': pattern}}; got {spec!r}"
                )
            if regex is not None and not isinstance(regex, str):
                raise ValidationError(f"formats[{name!r}]: regex must be text; got {regex!r}")
            if kinds.get(name, "id") != "id":
                raise ValidationError(
                    f"formats[{name!r}]: the column is given kind {kinds[name]!r}; a column "
                    "with a format is generated in it (kind 'id')"
                )
            out[name] = spec
        return out

    def _aggregate_settings(self) -> tuple[int, int] | None:
        """Return ``(quantile_knots, min_count)`` under privacy="aggregate", checked; else None."""
        if check_choice(self.privacy, "privacy", PRIVACY_LEVELS) == "none":
            return None
        settings = check_aggregate_settings(self.quantile_knots, self.min_count)
        marginals = self.marginals if isinstance(self.marginals, dict) else {"": self.marginals}
        for name, setting in marginals.items():
            if not (isinstance(setting, str) and setting == "empirical"):
                where = f"[{name!r}]" if name else ""
                raise ValidationError(
                    f"privacy='aggregate' keeps numeric marginals as quantile knots; "
                    f"marginals{where} is {setting!r} (use 'empirical')"
                )
        return settings

    def _fit_constraints(self, data: pd.DataFrame) -> tuple[list[Constraint], pd.DataFrame]:
        """Compile the rules, leave out the real rows that break one (warning), fit them.

        Returns the fitted constraints, transforms first in an order in which
        each reads real values, and the rows the model learns from.
        """
        if self.constraints is None:
            return [], data
        if not isinstance(self.constraints, list | tuple):
            raise TypeError(f"constraints must be a list; got {type(self.constraints).__name__}")
        constraints = [
            as_constraint(c, f"constraints[{i}]") for i, c in enumerate(self.constraints)
        ]
        for constraint in constraints:
            constraint.validate_table(data)
        constraints = order_constraints(constraints)
        keep = np.ones(len(data), dtype=bool)
        broken = []
        for constraint in constraints:
            if constraint.stateful:
                continue  # uniqueness is a property of the generated set, not of a real row
            held = constraint.holds(data)
            if not held.all():
                broken.append(f"{constraint.describe()} ({int((~held).sum())} rows)")
                keep &= held
        if broken:
            dropped = int((~keep).sum())
            if dropped == len(data):
                raise ValidationError(
                    f"constraints: every one of the {len(data)} real rows breaks a rule: "
                    f"{'; '.join(broken)}"
                )
            warnings.warn(
                f"{dropped} of {len(data)} real rows break a constraint and are left out of the "
                f"fit: {'; '.join(broken)}",
                StochgenWarning,
                stacklevel=3,
            )
            data = data[keep]
        return [constraint.fit(data) for constraint in constraints], data

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
        self,
        latent: LatentTable,
        prepared: PreparedTable,
        conditioning: list[str],
        min_rows: int = MIN_CLASS_ROWS,
    ) -> dict[str, dict[Any, LatentTable]]:
        """Fit a latent table to the rows of each label (with ``min_rows`` rows or more)."""
        out: dict[str, dict[Any, LatentTable]] = {}
        fitted = [
            name
            for name in conditioning
            if 2 <= prepared.parts[name]["labels"].size <= _MAX_CLASSES
        ]
        n_labels = sum(prepared.parts[name]["labels"].size for name in fitted)
        with progress_bar(n_labels, "fitting per-label models", unit="label") as bar:
            for name in fitted:
                codes, labels = prepared.parts[name]["codes"], prepared.parts[name]["labels"]
                order = np.argsort(codes, kind="stable")
                bounds = np.searchsorted(codes[order], np.arange(labels.size + 1))
                per_label = {}
                for code, label in enumerate(labels):
                    rows = order[bounds[code] : bounds[code + 1]]
                    if rows.size >= min_rows:
                        with progress_setting(False):
                            per_label[label] = latent.clone().fit(prepared.take(rows), prior=latent)
                    bar.update()
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

    def plan(
        self,
        conditions: dict[str, Any] | None = None,
        *,
        method: str = "random",
        seed: SeedLike = None,
    ) -> SamplingPlan:
        """Return the sampling plan for ``conditions``, checked now.

        Merges the conditions with the range constraints, picks the per-label
        model an equality condition selects, translates the rest into the
        latent space and chooses how latent rows are drawn.

        Parameters
        ----------
        conditions : dict, optional
            As in `sample`.
        method : str
            As in `sample`.
        seed : None, int, SeedSequence, BitGenerator or Generator
            The randomization of the point set when ``method`` is not
            ``"random"`` (the plan's blocks then all read that one sequence);
            unused otherwise.

        Returns
        -------
        SamplingPlan

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        stochgen.exceptions.ValidationError
            On an unknown column or label, a value outside the fitted values,
            or a condition on a column a constraint generates; for a ``method``
            other than ``"random"`` with conditions, rules met by rejection or
            a copula other than the Gaussian.

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
        rules = [*latent.rules, *(c for c in self.constraints_ if c.met_by == "rejection")]
        if method != "random":
            _check_quasi(method, conditions, rules, gaussian)
            draw: Any = QuasiGaussianDraw(table.corr_, method, seed)
        elif not gaussian:
            draw = CopulaDraw(copula)
        elif latent.points or latent.boxes:
            draw = ConditionalGaussianDraw(table.corr_, latent)
        else:
            draw = GaussianDraw(table.corr_)
        return SamplingPlan(
            table,
            draw,
            forced=latent.forced,
            rules=rules,
            constraints=self.constraints_,
            output_columns=self.output_columns_,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )

    def iter_sample(
        self,
        n: int,
        seed: SeedLike = None,
        conditions: dict[str, Any] | None = None,
        *,
        method: str = "random",
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
        method : str
            As in `sample`.

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks, indexed by global row number.
        """
        plan = self.plan(conditions, method=method, seed=seed)
        n = check_n_samples(n)
        return plan.iter_blocks(n, seed)

    def sample(
        self,
        n: int,
        seed: SeedLike = None,
        conditions: dict[str, Any] | None = None,
        *,
        method: str = "random",
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
        method : {"random", "sobol", "halton", "antithetic"}
            How the latent normal scores are drawn: ``"random"`` from the
            block streams; otherwise from one randomized point set (see
            `stochgen.samplers.qmc.uniform_points`), so that averages over the
            rows converge faster (randomized quasi-Monte Carlo; take n a power
            of two for Sobol'). The same seed gives the same rows however they
            are split. Point sets need a Gaussian copula, no conditions and no
            rules met by rejection.

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
        return self.plan(conditions, method=method, seed=seed).sample(n, seed)

    def sample_to(
        self,
        path: str | os.PathLike[str],
        n: int,
        seed: SeedLike = None,
        conditions: dict[str, Any] | None = None,
        *,
        block_rows: int = BLOCK_ROWS,
        format: str | None = None,  # noqa: A002 - the word users expect
        method: str = "random",
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
        method : str
            As in `sample`.

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
        plan = self.plan(conditions, method=method, seed=seed)
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
