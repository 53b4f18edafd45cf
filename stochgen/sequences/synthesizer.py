"""SequenceSynthesizer: panels and time series from context rows and latent dynamics."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import BLOCK_ROWS, SeedLike, as_generator, as_seed_sequence
from stochgen._validation import (
    check_dataframe,
    check_n_samples,
)
from stochgen.exceptions import ValidationError
from stochgen.sequences.calibration import calibrate_persistence
from stochgen.sequences.changes import cumulate, integrated_columns, within_changes
from stochgen.sequences.checks import check_fitted_state, check_settings, context_columns
from stochgen.sequences.dynamics import LatentVAR, fit_var, regressors, simulate_var
from stochgen.sequences.plan import BLOCK_SEQUENCES, SequencePlan
from stochgen.sequences.timeline import (
    fit_timeline,
    from_positions,
    to_positions,
)
from stochgen.tabular.columns import IdColumn
from stochgen.tabular.latent import LatentTable
from stochgen.tabular.streaming import write_blocks
from stochgen.tabular.synthesizer import CopulaSynthesizer

__all__ = ["BLOCK_SEQUENCES", "SequenceSynthesizer"]

# Columns of the per-entity table that are not the user's: steps and first position.
_LENGTH = "__length__"
# Gaps of at most this many sizes keep exactly those sizes (an ordinal column).
_MAX_GAP_SIZES = 50


def _initial(name: str, role: str) -> str:
    """Name of the per-sequence column holding the first latent score of ``name``'s ``role``."""
    return f"__initial_{name}_{role}__"


def _first(name: str) -> str:
    """Name of the per-sequence column holding ``name``'s first value."""
    return f"__first_{name}__"


def _split_setting(setting: Any, columns: list[str]) -> Any:
    # A per-column dict keeps the entries of ``columns``; one setting applies to all.
    if isinstance(setting, dict):
        return {k: v for k, v in setting.items() if k in columns}
    return setting


def _standard_scores(table: LatentTable, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return latent scores with unit variance per dimension, undefined ones at 0.

    A label's score is the conditional mean of its normal interval, with a
    standard deviation below 1 (the column's ``attenuation``); divided by it,
    the dynamics generate scores on the scale the column thresholds expect.
    """
    factor = np.concatenate([m.attenuation for m in table.columns_.values()] + [np.ones(0)])
    return _finite(scores / np.where(factor > 0, factor, 1.0))


def _finite(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    # Undefined scores (the value of a missing entry) at the latent mean.
    return np.where(np.isnan(scores), 0.0, scores)


class SequenceSynthesizer(BaseModel):
    """Synthetic panels and time series: context rows, lengths, order and dynamics.

    A long table with one row per entity and time step is modelled in four
    parts. **Context**: columns constant within every entity (inferred, or
    given by ``context``) become one row per entity, modelled by a
    `CopulaSynthesizer` (per-label models included) together with each
    entity's **length** (number of steps) and the first value of the order
    column, so lengths and starts depend on the context. **Dynamics**: the
    other columns go through their marginals to latent normal scores (see
    `LatentTable`; categorical columns take part through their label score)
    and a VAR(p) on those scores, with the order chosen by AIC, is conditioned
    on the entity's context scores and a trend in the step; each number
    column's own lag-1 coefficient is then matched by simulation to the
    column's real lag-1 autocorrelation (``calibrate``). Columns that
    trend within their sequences (``differences``) take part through their
    changes, added up from a first value drawn with the context.
    **Order**: the gaps between consecutive order values are modelled as
    non-negative changes on the order column's grid (years, days, hours),
    jointly with the dynamics, so sequences stay ordered and regular panels
    stay regular.

    With ``entity_effects``, each entity's first latent scores are drawn with
    its context and the dynamics condition on them (Wooldridge 2005's
    initial conditions), so a large firm stays large beyond what the lags
    carry.

    Without ``entity`` the table is one long series: new series of a chosen
    length follow its dynamics.

    Parameters
    ----------
    entity : str, optional
        The column naming each sequence (None: the table is one series).
    order : str, optional
        The column ordering steps within a sequence: integers, floats, dates
        or datetimes (with or without a time zone). None: rows are in order.
    context : list of str, optional
        Columns constant within each entity; default: every such column.
    kinds : dict of str to str, optional
        Column kinds instead of the inferred ones (see `Schema`).
    max_lags : int
        Largest VAR order tried.
    criterion : {"bic", "aic", "aicc"}
        How the order is chosen among 0..``max_lags`` (Schwarz's BIC by
        default: on the benchmark tables Akaike's AIC over-fits VARs of many
        columns on a few hundred rows, and the AICc sits between the two).
    trend : bool
        Let the dynamics drift with the step (a regressor equal to the normal
        score of the step's position in the longest sequence), as panels of
        growing firms do.
    differences : "auto", list of str or None
        Number columns modelled by their changes within a sequence (see
        `stochgen.sequences.changes`): "auto" takes those without missing
        values whose changes drift one way (mean at least half the standard
        deviation); their levels stay in the real range.
    entity_effects : bool
        Condition the dynamics on each entity's first latent scores.
    marginals : "empirical", "auto", str, Distribution or dict
        Numeric columns' marginal (see `CopulaSynthesizer`).
    condition_columns : "auto", list of str or None
        Context columns whose labels get models of their own (see
        `CopulaSynthesizer`).
    calibrate : int
        Rounds of matching each number column's lag-1 autocorrelation by
        simulation (see `stochgen.sequences.calibration`); 0 keeps the least
        squares fit.
    fit_seed : int
        Seed of those simulations, so that a fit is a pure function of the
        table and the settings (sampling takes its own ``seed``).

    Attributes
    ----------
    output_columns_ : list of str
        Columns of the real table, in order.
    context_columns_ : list of str
        Columns constant within each entity.
    varying_columns_ : list of str
        Columns modelled by the dynamics through their values.
    integrated_columns_ : list of str
        Columns modelled by the dynamics through their changes.
    entity_model_ : IdColumn or None
        Makes new entity identifiers.
    context_model_ : CopulaSynthesizer or None
        One row per entity: context columns, ``__length__``, the first value
        ``__first_<name>__`` of the order and integrated columns and, with
        ``entity_effects``, the first latent scores ``__initial_<name>_<role>__``.
    values_ : LatentTable or None
        Latent layer of the varying columns.
    changes_ : LatentTable or None
        Latent layer of the changes: the order column's gaps (in grid steps)
        and the integrated columns' changes.
    timeline_ : dict or None
        The order column's grid (see `stochgen.sequences.timeline`).
    levels_ : dict
        Per integrated column: its real range and dtype.
    dynamics_ : dict
        The fitted `LatentVAR` as arrays (``order``, ``exog_coef``,
        ``lag_coef``, ``noise_chol``, ``aic``).
    n_steps_ : int
        Longest sequence seen in ``fit`` (also a single series' length).
    first_ : dict of str to float
        A single series' first order position and integrated values (empty
        with entities: drawn with the context).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((8, 12))
    >>> for t in range(1, 12):
    ...     x[:, t] = 0.8 * x[:, t - 1] + rng.normal(size=8)
    >>> real = pd.DataFrame({
    ...     "firm": np.repeat(np.arange(8), 12),
    ...     "year": np.tile(np.arange(2000, 2012), 8),
    ...     "sector": np.repeat(list("abababab"), 12),
    ...     "sales": x.ravel(),
    ... })
    >>> model = SequenceSynthesizer(entity="firm", order="year").fit(real)
    >>> model.context_columns_
    ['sector']
    >>> synthetic = model.sample(3, seed=0)
    >>> synthetic.groupby("firm")["year"].agg(["min", "max"]).to_numpy().tolist()
    [[2000, 2011], [2000, 2011], [2000, 2011]]
    >>> synthetic.dtypes.equals(real.dtypes)
    True
    """

    _fitted_attributes = (
        "output_columns_",
        "context_columns_",
        "varying_columns_",
        "entity_model_",
        "context_model_",
        "values_",
        "integrated_columns_",
        "changes_",
        "timeline_",
        "levels_",
        "dynamics_",
        "n_steps_",
        "first_",
    )

    def __init__(
        self,
        *,
        entity: str | None = None,
        order: str | None = None,
        context: list[str] | None = None,
        kinds: dict[str, str] | None = None,
        max_lags: int = 4,
        criterion: str = "bic",
        trend: bool = True,
        differences: str | list[str] | None = "auto",
        entity_effects: bool = True,
        marginals: Any = "empirical",
        condition_columns: str | list[str] | None = "auto",
        calibrate: int = 3,
        fit_seed: int = 0,
    ) -> None:
        self.entity = entity
        self.order = order
        self.context = context
        self.kinds = kinds
        self.max_lags = max_lags
        self.criterion = criterion
        self.trend = trend
        self.differences = differences
        self.entity_effects = entity_effects
        self.marginals = marginals
        self.condition_columns = condition_columns
        self.calibrate = calibrate
        self.fit_seed = fit_seed

    def fit(self, data: pd.DataFrame) -> Self:
        """Learn context, lengths, order gaps and dynamics from a long table.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per entity and step, in any row order (not changed).

        Returns
        -------
        Self

        Raises
        ------
        TypeError
            If ``data`` is not a DataFrame, a setting has the wrong type, or
            the order column is not numbers, dates or datetimes.
        stochgen.exceptions.ValidationError
            On an empty table, an unknown entity, order or context column,
            missing entity or order values, context columns that change
            within an entity, or a column named like ``__name__``.
        """
        check_dataframe(data)
        check_settings(self, data)
        reserved = [c for c in data.columns if c.startswith("__") and c.endswith("__")]
        if reserved:
            raise ValidationError(
                f"data: column names {reserved!r} are reserved (__name__); rename them"
            )
        timeline = None if self.order is None else fit_timeline(data[self.order], self.order)
        by = [c for c in (self.entity, self.order) if c is not None]
        table = data.sort_values(by, kind="stable") if by else data
        table = table.reset_index(drop=True)
        if self.entity is None:
            codes = np.zeros(len(table), dtype=np.intp)
        else:
            codes = pd.factorize(table[self.entity])[0]
        lengths = np.bincount(codes)
        firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        steps = np.arange(len(table)) - np.repeat(firsts, lengths)
        context = context_columns(self, table, codes)
        keys = {self.entity, self.order}
        varying = [c for c in table.columns if c not in keys and c not in context]
        integrated = integrated_columns(table, steps, varying, self.differences)
        levels = [c for c in varying if c not in integrated]

        # Columns added up from a first value: the order's grid positions, integrated columns.
        cumulated: dict[str, NDArray[Any]] = {}
        if timeline is not None:
            positions = to_positions(table[self.order], timeline)
            cumulated[self.order] = self._typed_positions(positions, timeline)
        for name in integrated:
            whole = pd.api.types.is_integer_dtype(table[name].dtype)
            cumulated[name] = table[name].to_numpy(dtype=np.int64 if whole else np.float64)
        first_values = {name: values[firsts] for name, values in cumulated.items()}

        values = None
        blocks = []
        if levels:
            values = LatentTable(
                kinds=_split_setting(self.kinds, levels),
                marginals=_split_setting(self.marginals, levels),
            )
            blocks.append(_standard_scores(values, values.fit_transform(table[levels])))

        entity_model = None
        context_model = None
        context_scores = np.zeros((len(table), 0))
        if self.entity is not None:
            entity_model = IdColumn().fit(table[self.entity].drop_duplicates())
            per_entity = table.iloc[firsts][context].reset_index(drop=True)
            per_entity[_LENGTH] = lengths.astype(np.int64)
            for name, first in first_values.items():
                per_entity[_first(name)] = first
            if self.entity_effects and blocks:
                # Each entity's first latent scores, drawn with the context: the
                # dynamics condition on them (Wooldridge 2005's initial conditions).
                initial = blocks[0][firsts]
                for (name, role), first in zip(values.layout_, initial.T, strict=True):
                    per_entity[_initial(name, role)] = first
            context_model = CopulaSynthesizer(
                kinds=_split_setting(self.kinds, context),
                marginals=_split_setting(self.marginals, context),
                condition_columns=self.condition_columns,
            ).fit(per_entity)
            context_scores = _finite(context_model.latent_.scores(per_entity))[codes]

        changes = None
        later = steps > 0
        if cumulated and later.any():
            frame = pd.DataFrame({n: within_changes(v, steps) for n, v in cumulated.items()})
            changes = LatentTable(
                kinds=self._gap_kind(frame),
                marginals=_split_setting(self.marginals, integrated),
            )
            change_scores = changes.fit_transform(frame)
            full = np.zeros((len(table), change_scores.shape[1]))
            full[later] = _standard_scores(changes, change_scores)
            blocks.append(full)
        scores = np.hstack(blocks) if blocks else np.zeros((len(table), 0))

        n_steps = int(lengths.max())
        exog = regressors(context_scores, steps[:, None], n_steps, self.trend)[:, 0, :]
        dynamics = fit_var(
            np.ascontiguousarray(scores), steps, exog, int(self.max_lags), self.criterion
        )
        if values is not None and self.calibrate:
            numbers = _number_dimensions(values, table)
            per_sequence = context_scores[firsts]
            dynamics = calibrate_persistence(
                dynamics,
                lambda chosen: regressors(
                    per_sequence[chosen], np.arange(n_steps)[None, :], n_steps, self.trend
                ),
                lengths,
                {
                    j: table[name].to_numpy(dtype=np.float64, na_value=np.nan)
                    for j, name in numbers.items()
                },
                lambda z: _number_values(values, numbers, z[:, : values.n_latent]),
                as_generator(self.fit_seed),
                int(self.calibrate),
            )

        self.output_columns_ = list(data.columns)
        self.context_columns_ = context
        self.varying_columns_ = levels
        self.integrated_columns_ = integrated
        self.entity_model_ = entity_model
        self.context_model_ = context_model
        self.values_ = values
        self.changes_ = changes
        self.timeline_ = timeline
        self.levels_ = {
            name: {
                "low": float(table[name].min()),
                "high": float(table[name].max()),
                "dtype": str(table[name].dtype),
            }
            for name in integrated
        }
        self.dynamics_ = dynamics._asdict()
        self.n_steps_ = n_steps
        self.first_ = (
            {name: float(first[0]) for name, first in first_values.items()}
            if self.entity is None
            else {}
        )
        return self

    def _gap_kind(self, changes: pd.DataFrame) -> dict[str, str] | None:
        """Return ordinal for gaps of a few sizes (1, 7 or 30 days): no sizes in between."""
        if self.order is None or changes[self.order].dtype.kind != "i":
            return None
        if not 2 <= changes[self.order].nunique() <= _MAX_GAP_SIZES:
            return None
        return {self.order: "ordinal"}

    def cumulated_columns(self) -> list[str]:
        """Return the order column (if any) and the integrated columns: cumulated changes."""
        return [*([self.order] if self.order is not None else []), *self.integrated_columns_]

    def _level(self, name: str, values: NDArray[np.float64]) -> pd.Series:
        # Added-up changes stay in the real range, in the column's dtype.
        level = self.levels_[name]
        values = np.clip(values, level["low"], level["high"])
        if pd.api.types.is_integer_dtype(pd.api.types.pandas_dtype(level["dtype"])):
            values = np.rint(values)
        return pd.Series(values).astype(level["dtype"])

    @staticmethod
    def _typed_positions(values: NDArray[np.float64], timeline: dict[str, Any]) -> NDArray[Any]:
        # Whole grid steps as integers (the integer marginal keeps them whole).
        if timeline["kind"] == "float":
            return values
        return np.rint(values).astype(np.int64)

    # --------------------------------------------------------------- sample
    def _check_sample_args(
        self, conditions: dict[str, Any] | None, sequence_length: int | None
    ) -> dict[str, Any]:
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(f"conditions must be a dict; got {type(conditions).__name__}")
        conditions = dict(conditions or {})
        if conditions:
            if self.entity is None:
                raise ValidationError(
                    "conditions: a single series (entity=None) has no context to condition on"
                )
            outside = [c for c in conditions if c not in self.context_columns_]
            if outside:
                raise ValidationError(
                    f"conditions: {outside!r} are not context columns (constant within an "
                    f"entity); conditions are met on {self.context_columns_!r}"
                )
        if sequence_length is not None:
            length = check_n_samples(sequence_length, "sequence_length")
            if length < 1:
                raise ValidationError(f"sequence_length must be at least 1; got {length}")
        return conditions

    def _per_sequence(
        self,
        n: int,
        seed: np.random.SeedSequence,
        conditions: dict[str, Any],
        sequence_length: int | None,
    ) -> pd.DataFrame:
        """Return one row per sequence: context columns, length and first values."""
        if self.context_model_ is not None:
            rows = self._context_rows(n, seed, conditions)
        else:
            rows = pd.DataFrame({_LENGTH: np.full(n, self.n_steps_, dtype=np.int64)})
        if sequence_length is not None:
            rows[_LENGTH] = sequence_length
        for name, value in self.first_.items():
            rows[_first(name)] = value
        return rows

    def _context_rows(
        self, n: int, seed: np.random.SeedSequence, conditions: dict[str, Any]
    ) -> pd.DataFrame:
        """Draw context rows; rows of a label with a model of its own are drawn from it.

        The labels of the first conditioning column with per-label models are
        drawn by the joint model (so their shares hold); each label's rows are
        then redrawn from that label's model, so that lengths, first values and
        other context columns follow that label's rows, not a Gaussian blur.
        """
        model = self.context_model_
        by = next(
            (
                c
                for c, per_label in model.class_models_.items()
                if per_label and c not in conditions
            ),
            None,
        )
        labels = list(model.class_models_[by]) if by is not None else []
        seeds = seed.spawn(1 + len(labels))
        rows = model.sample(n, seed=seeds[0], conditions=conditions or None)
        if not labels or n == 0:
            return rows
        pieces, redrawn = [], np.zeros(n, dtype=bool)
        for label, label_seed in zip(labels, seeds[1:], strict=True):
            where = np.flatnonzero((rows[by] == label).to_numpy(dtype=bool))
            if where.size:
                piece = model.sample(
                    where.size, seed=label_seed, conditions={**conditions, by: label}
                )
                pieces.append(piece.set_axis(where))
                redrawn[where] = True
        pieces.append(rows.iloc[np.flatnonzero(~redrawn)])
        return pd.concat(pieces).sort_index().reset_index(drop=True)

    def sequence_lengths(self, rows: pd.DataFrame) -> NDArray[np.int64]:
        """Return the steps of each sequence of a per-sequence table.

        Parameters
        ----------
        rows : pandas.DataFrame
            A `SequencePlan`'s ``rows``.

        Returns
        -------
        numpy.ndarray
        """
        return rows[_LENGTH].to_numpy(dtype=np.int64)

    def sample_block(
        self, rows: pd.DataFrame, rng: np.random.Generator, first_sequence: int, first_row: int
    ) -> pd.DataFrame:
        """Return the rows of one block of sequences (the block function of `SequencePlan`).

        Parameters
        ----------
        rows : pandas.DataFrame
            One row per sequence of the block (from `sequence_plan`).
        rng : numpy.random.Generator
            The block's stream of the dynamics.
        first_sequence : int
            Number of the block's first sequence in the whole call (new
            entity identifiers count from it).
        first_row : int
            Global row number of the block's first row.

        Returns
        -------
        pandas.DataFrame
            Indexed by global row number.
        """
        lengths = self.sequence_lengths(rows)
        n, longest = len(rows), int(lengths.max(initial=0))
        if self.context_model_ is not None and n:
            scores = _finite(self.context_model_.latent_.scores(rows))
        else:
            scores = np.zeros((n, 0))
        dynamics = LatentVAR(**self.dynamics_)
        d = dynamics.noise_chol.shape[-1]
        exog = regressors(scores, np.arange(longest)[None, :], self.n_steps_, self.trend)
        noise = rng.standard_normal((n, longest, d))
        z = simulate_var(dynamics, exog, noise)
        present = np.arange(longest)[None, :] < lengths[:, None]
        flat = z[present]
        total = flat.shape[0]
        index = pd.RangeIndex(first_row, first_row + total)
        sequence_of_row = np.repeat(np.arange(n), lengths)
        out: dict[str, Any] = {}
        if self.entity_model_ is not None:
            ids = pd.Series(self.entity_model_.from_normal(np.empty((n, 0)), first_sequence))
            out[self.entity] = ids.iloc[sequence_of_row].reset_index(drop=True)
        for name in self.context_columns_:
            out[name] = rows[name].iloc[sequence_of_row].reset_index(drop=True)
        dv = self.values_.n_latent if self.values_ is not None else 0
        if self.values_ is not None:
            values = self.values_.rows(flat[:, :dv], first_row)
            for name in self.varying_columns_:
                out[name] = values[name].reset_index(drop=True)
        drawn = self.changes_.rows(flat[:, dv:]) if self.changes_ is not None else None
        for name in [
            *([self.order] if self.timeline_ is not None else []),
            *self.integrated_columns_,
        ]:
            if drawn is None:
                change = np.zeros(total)
            else:
                change = drawn[name].to_numpy(dtype=np.float64)
            first = rows[_first(name)].to_numpy(dtype=np.float64)
            if name == self.order:
                positions = cumulate(first, np.maximum(change, 0.0), present)
                out[name] = from_positions(positions, self.timeline_)
            else:
                out[name] = self._level(name, cumulate(first, change, present))
        return pd.DataFrame(
            {name: _values(out[name]) for name in self.output_columns_}, index=index, copy=False
        )

    def iter_sample(
        self,
        n_sequences: int,
        seed: SeedLike = None,
        *,
        sequence_length: int | None = None,
        conditions: dict[str, Any] | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Yield the rows of `sample` in blocks of `BLOCK_SEQUENCES` sequences.

        Parameters
        ----------
        n_sequences, seed, sequence_length, conditions
            As in `sample`.

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks; concatenated they equal `sample`'s output.
        """
        return self.sequence_plan(
            n_sequences, seed, sequence_length=sequence_length, conditions=conditions
        ).iter_blocks()

    def sequence_plan(
        self,
        n_sequences: int,
        seed: SeedLike = None,
        *,
        sequence_length: int | None = None,
        conditions: dict[str, Any] | None = None,
    ) -> SequencePlan:
        """Draw one row per sequence (context, length, first values) and fix the dynamics' seed.

        The plan makes the rows of `sample` for any run of whole blocks of
        `BLOCK_SEQUENCES` sequences (`SequencePlan.part`), which is how
        `stochgen.dask.to_dask` spreads sequences over partitions.

        Parameters
        ----------
        n_sequences, seed, sequence_length, conditions
            As in `sample`.

        Returns
        -------
        SequencePlan
            ``plan.sample()`` equals ``sample(n_sequences, seed, ...)``.
        """
        check_is_fitted(self)
        n = check_n_samples(n_sequences, "n_sequences")
        conditions = self._check_sample_args(conditions, sequence_length)
        context_seed, dynamics_seed = as_seed_sequence(seed).spawn(2)
        rows = self._per_sequence(n, context_seed, conditions, sequence_length)
        return SequencePlan(self, rows, dynamics_seed)

    def sample(
        self,
        n_sequences: int,
        seed: SeedLike = None,
        *,
        sequence_length: int | None = None,
        conditions: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Generate ``n_sequences`` new sequences, in time order within each.

        Parameters
        ----------
        n_sequences : int
            Number of sequences (entities). Without ``entity`` the series are
            stacked one after another, each starting where the real one did.
        seed : None, int, SeedSequence, BitGenerator or Generator
            The same seed gives the same rows.
        sequence_length : int, optional
            Steps of every sequence (default: drawn with the context; a single
            series' real length).
        conditions : dict, optional
            Context column to a value (or a ``(low, high)`` range for numbers
            and datetimes), met exactly by the context model.

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the fitted table; new entity
            identifiers; rows sorted by entity and order.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        stochgen.exceptions.ValidationError
            On a negative ``n_sequences``, a ``sequence_length`` below 1, or
            conditions on columns that are not context columns.
        """
        return self.sequence_plan(
            n_sequences, seed, sequence_length=sequence_length, conditions=conditions
        ).sample()

    def _empty(self) -> pd.DataFrame:
        return self.sequence_plan(0, 0).empty()

    def sample_to(
        self,
        path: str | os.PathLike[str],
        n_sequences: int,
        seed: SeedLike = None,
        *,
        sequence_length: int | None = None,
        conditions: dict[str, Any] | None = None,
        block_rows: int = BLOCK_ROWS,
        format: str | None = None,  # noqa: A002 - the word users expect
    ) -> Path:
        """Stream the rows of `sample` to a CSV or Parquet file, block by block.

        Parameters
        ----------
        path : str or path-like
            Destination (``.csv``, ``.parquet``).
        n_sequences, seed, sequence_length, conditions
            As in `sample`.
        block_rows : int
            Rows per write.
        format : {"csv", "parquet"}, optional
            Default: from the file suffix.

        Returns
        -------
        pathlib.Path
        """
        blocks = self.iter_sample(
            n_sequences, seed, sequence_length=sequence_length, conditions=conditions
        )
        block_rows = check_n_samples(block_rows, "block_rows")
        if block_rows == 0:
            raise ValidationError("block_rows must be positive; got 0")
        return write_blocks(blocks, path, block_rows=block_rows, fmt=format, empty=self._empty())

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        check_fitted_state(self)


def _number_dimensions(values: LatentTable, table: pd.DataFrame) -> dict[int, str]:
    """Return the latent dimension of each number column's value (not labels, not dates)."""
    out = {}
    for j, (name, role) in enumerate(values.layout_):
        dtype = table[name].dtype
        number = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if role == "value" and number:
            out[j] = name
    return out


def _number_values(
    values: LatentTable, numbers: dict[int, str], z: NDArray[np.float64]
) -> dict[int, NDArray[np.float64]]:
    rows = values.rows(z)
    return {
        j: rows[name].to_numpy(dtype=np.float64, na_value=np.nan) for j, name in numbers.items()
    }


def _values(column: Any) -> Any:
    # Positional arrays with their dtypes: the output's index is the global row number.
    return column.array if isinstance(column, pd.Series) else column
