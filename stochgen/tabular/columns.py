"""Column models: one column to latent normal scores for the copula, and back.

Each model learns a column's marginal behaviour and exposes

- ``n_latent``: how many copula dimensions it uses,
- ``latent_scores(column)``: normal scores of the real rows, NaN where a
  dimension is undefined for a row,
- ``attenuation``: for each dimension, the standard deviation of its scores
  (below 1 for discrete dimensions, whose score is the conditional mean of a
  standard normal over the value's interval; dividing a correlation by it
  undoes the attenuation that discreteness causes),
- ``from_normal(z, row_offset)``: values of the column from latent normal
  scores (a copula's uniforms ``u`` give ``z = Phi^-1(u)``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen._kernels.tabular import interp_scores
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = [
    "CategoricalColumn",
    "ConstantColumn",
    "IdColumn",
    "NumericColumn",
    "interval_scores",
    "restore_dtype",
]

_MAX_DECIMALS = 6
# "auto" marginals: families are tried on columns with at least this many distinct
# values and kept when the KS test of the fit does not reject them at this level.
_MIN_VALUES_FOR_FAMILY = 20
_MIN_FAMILY_PVALUE = 0.05
# A spike: one value with at least this share, beside more than this many other values.
_MIN_ATOM_SHARE = 0.1
_MIN_DISTINCT_BESIDE_ATOM = 10
# Datetime steps tried, largest first, in nanoseconds.
_DATETIME_STEPS_NS = (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1)
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def interval_scores(probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return E[Z | Z in the k-th interval] for consecutive probability intervals.

    Interval k covers ``(c_{k-1}, c_k]`` of the uniform scale, ``c`` the
    cumulative sum of ``probabilities``; the value is the mean of a standard
    normal truncated to ``(Phi^-1(c_{k-1}), Phi^-1(c_k)]``.

    Parameters
    ----------
    probabilities : numpy.ndarray
        Positive, summing to 1.

    Returns
    -------
    numpy.ndarray
        One score per interval; their probability-weighted mean is 0.

    Examples
    --------
    >>> interval_scores(np.array([0.5, 0.5])).round(4)
    array([-0.7979,  0.7979])
    """
    edges = np.concatenate([[0.0], np.cumsum(probabilities)])
    edges[-1] = 1.0
    z = special.ndtri(edges)
    with np.errstate(over="ignore"):
        density = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return (density[:-1] - density[1:]) / probabilities


def piece_slopes(knots: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the slope of each piece of a piecewise-linear function, 0 where knots tie.

    Parameters
    ----------
    knots : numpy.ndarray
        Non-decreasing abscissae.
    values : numpy.ndarray
        Ordinates, one per knot.

    Returns
    -------
    numpy.ndarray
        ``len(knots)`` slopes (the last, past the final knot, is 0).

    Examples
    --------
    >>> piece_slopes(np.array([0.0, 1.0, 1.0, 3.0]), np.array([0.0, 2.0, 5.0, 6.0]))
    array([2. , 0. , 0.5, 0. ])
    """
    width = np.diff(knots)
    rise = np.diff(values)
    slopes = np.zeros(knots.size)
    np.divide(rise, width, out=slopes[:-1], where=width > 0)
    return slopes


def guide_table(knots: NDArray[np.float64], buckets: int) -> NDArray[np.int64]:
    """Return, for ``j = 0..buckets``, the last index with ``knots <= edge_j``.

    The edges split ``[knots[0], knots[-1]]`` into ``buckets`` equal widths, so
    a search for a value starts between two guide entries (a guide table).

    Parameters
    ----------
    knots : numpy.ndarray
        Non-decreasing finite values, the last above the first.
    buckets : int
        Number of equal-width buckets.

    Returns
    -------
    numpy.ndarray of int64
        ``buckets + 1`` indices.

    Examples
    --------
    >>> guide_table(np.array([-1.0, 0.0, 1.0]), 2)
    array([0, 1, 2])
    """
    grid = knots[0] + (knots[-1] - knots[0]) * (np.arange(buckets + 1) / buckets)
    return np.searchsorted(knots, grid, side="right").astype(np.int64) - 1


def _score_attenuation(probabilities: NDArray[np.float64]) -> float:
    scores = interval_scores(probabilities)
    return float(np.sqrt(np.sum(probabilities * scores**2)))


def restore_dtype(values: Any, dtype: str, categories: Any = None, ordered: bool = False) -> Any:
    """Convert generated values back to a column's original pandas dtype.

    Parameters
    ----------
    values : array_like
        Generated values (missing as NaN / None).
    dtype : str
        The original dtype, as ``str(series.dtype)``.
    categories : array_like, optional
        For ``category`` columns, the original categories.
    ordered : bool
        For ``category`` columns, whether they were ordered.

    Returns
    -------
    pandas.Series or array

    Examples
    --------
    >>> restore_dtype(np.array([1.0, 2.0]), "int64").dtype
    dtype('int64')
    """
    if dtype == "category":
        return pd.Categorical(values, categories=categories, ordered=ordered)
    series = pd.Series(values)
    if dtype == "object":
        return series.astype(object).to_numpy()
    if dtype == "bool":
        return series.astype(bool).to_numpy()
    restored = series.astype(dtype)
    if isinstance(restored.dtype, pd.api.extensions.ExtensionDtype):
        return restored.array
    return restored.to_numpy()


class NumericColumn(BaseModel):
    """A continuous, integer or datetime column.

    Observed values follow a fitted marginal; missing values are a binary
    latent dimension (missing / present) that takes part in the copula, so
    "missing in A goes with large B" is kept. A spike (one value holding at
    least 10% of the rows of a column with more than 10 other values, such as
    the zeros of a zero-inflated amount) is a binary dimension of its own, and
    the marginal describes the other values: whether a row is at the spike and
    how large it is otherwise can depend on other columns in different ways.

    Parameters
    ----------
    kind : {"continuous", "integer", "datetime", "date"}
        How values are rounded and restored.
    marginal : "empirical", "auto", str or Distribution
        The marginal of the values off the spike: the interpolated empirical
        distribution; "auto" (continuous columns: the best of the fast
        parametric families by BIC, kept only when a KS test at 5% does not
        reject it, else empirical); a family name; or an unfitted Distribution.

    Attributes
    ----------
    marginal_ : Distribution
        Marginal of the observed values (datetimes in ``step_`` units).
    value_attenuation_ : float
        Standard deviation of the value scores (1 without ties).
    atom_ : float or None
        A spike: one value holding a large share of the rows (zero-inflation, a
        bound) in an otherwise spread-out column; None if there is none.
    atom_rate_ : float
        Share of the present values at the spike.
    missing_rate_ : float
    minimum_, maximum_ : float
        Observed range; generated values stay inside it.
    decimals_ : int
        Decimal places to round continuous values to; -1 for none.
    dtype_ : str
        Original pandas dtype.
    step_ : int
        Datetimes: the stored resolution in nanoseconds (1 otherwise).
    """

    _fitted_attributes = (
        "marginal_",
        "missing_rate_",
        "minimum_",
        "maximum_",
        "decimals_",
        "dtype_",
        "step_",
        "value_attenuation_",
        "atom_",
        "atom_rate_",
    )

    def __init__(self, *, kind: str = "continuous", marginal: Any = "empirical") -> None:
        self.kind = kind
        self.marginal = marginal

    def to_numbers(self, column: pd.Series) -> NDArray[np.float64]:
        """Return the column in model units (floats; datetimes in ``step_`` units, NaN missing).

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        numpy.ndarray
        """
        if self.kind not in ("datetime", "date"):
            return column.to_numpy(dtype=np.float64, na_value=np.nan)
        series = column
        if self.kind == "date":
            series = pd.to_datetime(column).astype("datetime64[s]")
        if getattr(series.dt, "tz", None) is not None:
            # Local wall time: dates stay dates across daylight-saving changes.
            series = series.dt.tz_localize(None)
        raw = series.to_numpy()
        unit = np.datetime_data(raw.dtype)[0]
        if unit not in _NS_PER_UNIT:
            raise ValidationError(f"column {column.name!r}: unsupported datetime unit {unit!r}")
        ints = raw.view(np.int64)
        missing = np.isnat(raw)
        ns_per = _NS_PER_UNIT[unit]
        out = np.full(ints.shape, np.nan)
        if hasattr(self, "step_"):
            step = self.step_
        else:
            present = ints[~missing]
            step = next(
                s
                for s in _DATETIME_STEPS_NS
                if s >= ns_per and (s % ns_per == 0) and np.all(present % (s // ns_per) == 0)
            )
            self.step_ = int(step)
        out[~missing] = ints[~missing] // (step // ns_per)
        return out

    def fit(self, column: pd.Series) -> Self:
        """Learn marginal, spike, range, precision and missing rate of ``column``.

        Parameters
        ----------
        column : pandas.Series
            The column.

        Returns
        -------
        Self
        """
        if self.kind not in ("datetime", "date"):
            self.step_ = 1
        elif hasattr(self, "step_"):
            del self.step_
        values = self.to_numbers(column)
        return self.fit_numbers(values, str(column.dtype), self.step_)

    def fit_numbers(self, values: NDArray[np.float64], dtype: str, step: int = 1) -> Self:
        """Fit from the column in model units, as `to_numbers` gives them.

        Parameters
        ----------
        values : numpy.ndarray
            Floats, NaN where missing; at least one present.
        dtype : str
            The column's pandas dtype, as text.
        step : int
            Datetimes: nanoseconds per model unit.

        Returns
        -------
        Self
        """
        self.dtype_ = dtype
        self.step_ = int(step)
        missing = np.isnan(values)
        present = values[~missing]
        self.missing_rate_ = float(missing.mean())
        self.minimum_ = float(present.min())
        self.maximum_ = float(present.max())
        self.decimals_ = self._decimals(present) if self.kind == "continuous" else 0
        distinct, counts = np.unique(present, return_counts=True)
        top = int(np.argmax(counts))
        spread = present
        self.atom_, self.atom_rate_ = None, 0.0
        if (
            counts[top] >= _MIN_ATOM_SHARE * present.size
            and distinct.size > _MIN_DISTINCT_BESIDE_ATOM
        ):
            self.atom_ = float(distinct[top])
            self.atom_rate_ = float(counts[top] / present.size)
            spread = present[present != self.atom_]
            counts = np.delete(counts, top)
        self.marginal_ = self._fit_marginal(spread)
        self.value_attenuation_ = _score_attenuation(counts / counts.sum())
        return self

    def _fit_marginal(self, spread: NDArray[np.float64]) -> BaseModel:
        """Fit the marginal setting to the values off the spike."""
        setting = self.marginal
        if isinstance(setting, str) and setting == "empirical":
            return EmpiricalDistribution().fit(spread)
        # Imported here: the families are needed only when asked for.
        from stochgen.distributions import Distribution
        from stochgen.distributions.selection import fit_distribution

        if isinstance(setting, Distribution):
            return setting.clone().fit(spread)
        if np.unique(spread).size < _MIN_VALUES_FOR_FAMILY:
            return EmpiricalDistribution().fit(spread)
        if setting == "auto":
            if self.kind != "continuous":
                return EmpiricalDistribution().fit(spread)
            best, table = fit_distribution(spread, families="fast")
            # A family is kept only where the data cannot tell it from the data's own law.
            if table.iloc[0]["ks_pvalue"] >= _MIN_FAMILY_PVALUE:
                return best
            return EmpiricalDistribution().fit(spread)
        if isinstance(setting, str):
            best, _ = fit_distribution(spread, families=[setting])
            return best
        raise TypeError(
            "marginal must be 'empirical', 'auto', a family name or a Distribution; "
            f"got {setting!r}"
        )

    @staticmethod
    def _decimals(values: NDArray[np.float64]) -> int:
        for k in range(_MAX_DECIMALS + 1):
            scaled = values * 10.0**k
            if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
                return k
        return -1

    @property
    def _has_missing_dimension(self) -> bool:
        return 0.0 < self.missing_rate_ < 1.0

    @property
    def _has_atom_dimension(self) -> bool:
        return self.atom_ is not None

    @property
    def n_latent(self) -> int:
        """Copula dimensions used: the value, then missingness and the spike if any."""
        return 1 + int(self._has_missing_dimension) + int(self._has_atom_dimension)

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """Standard deviation of each dimension's scores (below 1 with ties)."""
        out = [self.value_attenuation_]
        if self._has_missing_dimension:
            p = self.missing_rate_
            out.append(_score_attenuation(np.array([p, 1.0 - p])))
        if self._has_atom_dimension:
            p = self.atom_rate_
            out.append(_score_attenuation(np.array([p, 1.0 - p])))
        return np.array(out)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return normal scores of the values, of missingness and of the spike.

        The value dimension is NaN where the row is missing or at the spike; the
        spike dimension is NaN where the row is missing.

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        numpy.ndarray
            Shape (n, n_latent).
        """
        return self.scores_from_numbers(self.to_numbers(column))

    def scores_from_numbers(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return `latent_scores` from the column in model units.

        Parameters
        ----------
        values : numpy.ndarray

        Returns
        -------
        numpy.ndarray
            Shape (n, n_latent).
        """
        missing = np.isnan(values)
        at_atom = ~missing & (values == self.atom_) if self._has_atom_dimension else missing & False
        spread = ~missing & ~at_atom
        out = np.full((values.size, self.n_latent), np.nan)
        # Tied values share the conditional-mean score of their quantile interval.
        _, inverse, counts = np.unique(values[spread], return_inverse=True, return_counts=True)
        out[spread, 0] = interval_scores(counts / counts.sum())[inverse]
        dim = 1
        if self._has_missing_dimension:
            p = self.missing_rate_
            scores = interval_scores(np.array([p, 1.0 - p]))
            out[:, dim] = np.where(missing, scores[0], scores[1])
            dim += 1
        if self._has_atom_dimension:
            p = self.atom_rate_
            scores = interval_scores(np.array([p, 1.0 - p]))
            out[~missing, dim] = np.where(at_atom[~missing], scores[0], scores[1])
        return out

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return column values from latent normal scores of shape (m, n_latent).

        Parameters
        ----------
        z : numpy.ndarray
            Normal scores, shape (m, n_latent).
        row_offset : int
            Index of the first row (unused here).

        Returns
        -------
        array_like
            Values in the column's original dtype.
        """
        if isinstance(self.marginal_, EmpiricalDistribution):
            knots_z, knots_x, slopes, guide = self._score_table()
            if guide.size:
                values = np.empty(z.shape[0])
                scores = np.ascontiguousarray(z[:, 0])
                interp_scores(scores, knots_z, knots_x, slopes, guide, values)
            else:  # a single distinct value
                values = np.where(np.isnan(z[:, 0]), np.nan, knots_x[0])
        else:
            # A fitted family: its tabulated inverse CDF (u-error below 1e-10).
            values = self.marginal_.inverse_transform().ppf(special.ndtr(z[:, 0]))
        if self.kind == "continuous" and self.decimals_ >= 0:
            values = np.round(values, self.decimals_)
        elif self.kind != "continuous":
            values = np.round(values)
        np.clip(values, self.minimum_, self.maximum_, out=values)
        dim = 1
        if self._has_missing_dimension:
            missing = z[:, dim] < special.ndtri(self.missing_rate_)
            dim += 1
        if self._has_atom_dimension:
            values[z[:, dim] < special.ndtri(self.atom_rate_)] = self.atom_
        if self._has_missing_dimension:
            values[missing] = np.nan
        if self.kind == "datetime":
            return self._to_datetimes(values)
        if self.kind == "date":
            return self._to_dates(values)
        return restore_dtype(values, self.dtype_)

    def _score_table(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
        """Return the empirical marginal's knots on the normal-score scale, slopes, a guide.

        The interpolated ECDF's knots ``(q, x)`` become ``(ndtri(q), x)``: values
        are interpolated linearly in the normal score between the same knots
        (within one of the 1/n-wide steps between data values), which spares a
        normal CDF per value. Cached per fitted marginal; not saved.
        """
        cached = getattr(self, "_score_cache", None)
        if cached is not None and cached[0] is self.marginal_:
            return cached[1]
        knots_q, knots_x = self.marginal_._knots()
        knots_z = special.ndtri(knots_q)
        if knots_z[-1] > knots_z[0]:
            guide = guide_table(knots_z, knots_z.size)
        else:
            guide = np.empty(0, dtype=np.int64)
        table = (knots_z, knots_x, piece_slopes(knots_z, knots_x), guide)
        self._score_cache = (self.marginal_, table)
        return table

    def _to_dates(self, values: NDArray[np.float64]) -> NDArray[np.object_]:
        missing = np.isnan(values)
        days = np.where(missing, 0, values).astype(np.int64) * (self.step_ // 86_400_000_000_000)
        dates = days.astype("datetime64[D]").astype(object)
        dates[missing] = None
        return dates

    def _to_datetimes(self, values: NDArray[np.float64]) -> Any:
        dtype = pd.api.types.pandas_dtype(self.dtype_)
        unit = getattr(dtype, "unit", None) or np.datetime_data(dtype)[0]
        missing = np.isnan(values)
        # Back in the column's own unit, so dates outside the nanosecond range survive.
        ticks = np.where(missing, 0, values).astype(np.int64) * (self.step_ // _NS_PER_UNIT[unit])
        stamps = ticks.view(f"datetime64[{unit}]").copy()
        stamps[missing] = np.datetime64("NaT")
        index = pd.DatetimeIndex(stamps)
        tz = getattr(dtype, "tz", None)
        if tz is not None:
            index = index.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        return index.array

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.marginal_, BaseModel):
            raise ModelFileError("NumericColumn: marginal_ must be a distribution")
        if not 0.0 <= float(self.missing_rate_) <= 1.0:
            raise ModelFileError("NumericColumn: missing_rate_ must lie in [0, 1]")


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
            categories = _plain_array(column.dtype.categories)
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
        return codes, _plain_array(uniques)

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
        if rank_by is not None or (ordered and categories is not None):
            position = {c: i for i, c in enumerate(rank_by if rank_by is not None else categories)}
            rank = np.array([position.get(label, len(position)) for label in labels])
            order = np.lexsort((np.arange(k), rank))
        elif order_by is not None:
            usable = ~np.isnan(order_by)
            sums = np.bincount(codes[usable], weights=order_by[usable], minlength=k)
            seen = np.bincount(codes[usable], minlength=k)
            means = np.where(seen > 0, sums / np.maximum(seen, 1), 0.0)
            order = np.lexsort((np.arange(k), -counts, means))
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
        return np.array([_score_attenuation(self.probabilities_)])

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
        edges = special.ndtri(np.cumsum(self.probabilities_)[:-1])
        index = np.searchsorted(edges, z[:, 0], side="right")
        return restore_dtype(self.labels_[index], self.dtype_, self.categories_, self.ordered_)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        p = np.asarray(self.probabilities_, dtype=float)
        if p.ndim != 1 or p.size != len(self.labels_) or p.size == 0:
            raise ModelFileError("CategoricalColumn: labels_ and probabilities_ must match")
        if np.any(p <= 0) or abs(p.sum() - 1.0) > 1e-9:
            raise ModelFileError("CategoricalColumn: probabilities_ must be positive and sum to 1")


class ConstantColumn(BaseModel):
    """A column holding one value (or only missing values) in every row.

    Attributes
    ----------
    value_ : object
        The value (None when the column is entirely missing).
    dtype_ : str
    """

    _fitted_attributes = ("value_", "dtype_")
    n_latent: ClassVar[int] = 0

    def __init__(self) -> None:
        pass

    def fit(self, column: pd.Series) -> Self:
        """Learn the value.

        Parameters
        ----------
        column : pandas.Series

        Returns
        -------
        Self
        """
        present = column.dropna()
        return self.fit_value(_plain(present.iloc[0]) if len(present) else None, str(column.dtype))

    def fit_value(self, value: Any, dtype: str) -> Self:
        """Set the value (None: always missing) and the dtype; return self."""
        self.value_ = value
        self.dtype_ = dtype
        return self

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """No dimensions."""
        return np.ones(0)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return an empty (n, 0) array: no dimensions."""
        return np.empty((len(column), 0))

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return the value, repeated."""
        values = np.empty(z.shape[0], dtype=object)
        values[:] = [self.value_] * z.shape[0]
        if self.value_ is None and self.dtype_ not in ("object", "category"):
            values = np.full(z.shape[0], np.nan)
            if self.dtype_.startswith("datetime64"):
                return pd.array(np.full(z.shape[0], np.datetime64("NaT"), dtype="datetime64[ns]"))
        return restore_dtype(
            values, self.dtype_, categories=None if self.value_ is None else [self.value_]
        )


class IdColumn(BaseModel):
    """A key column: generated rows get new, unique identifiers.

    Identifiers are ``prefix`` followed by the row number, so they are unique
    within one sampled table and never copy a real key.

    Attributes
    ----------
    prefix_ : str
    dtype_ : str
    """

    _fitted_attributes = ("prefix_", "dtype_")
    n_latent: ClassVar[int] = 0

    def __init__(self) -> None:
        pass

    def fit(self, column: pd.Series) -> Self:
        """Learn the common non-digit prefix of the keys."""
        present = column.dropna().astype(str)
        prefix = present.str.extract(r"^(\D*)", expand=False)
        self.prefix_ = str(prefix.iloc[0]) if prefix.nunique() == 1 else "id_"
        self.dtype_ = str(column.dtype)
        return self

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """No dimensions."""
        return np.ones(0)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return an empty (n, 0) array: no dimensions."""
        return np.empty((len(column), 0))

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return keys ``prefix + row number``."""
        rows = np.arange(row_offset, row_offset + z.shape[0])
        if self.dtype_.startswith(("int", "uint", "Int", "UInt")):
            return restore_dtype(rows, self.dtype_)
        values = np.array([f"{self.prefix_}{i}" for i in rows], dtype=object)
        return restore_dtype(values, self.dtype_)


def _plain_array(values: Any) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = [_plain(v) for v in np.asarray(values, dtype=object)]
    return out


def _plain(value: Any) -> Any:
    """Return a JSON-friendly Python scalar for a label (NaN-likes become None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
