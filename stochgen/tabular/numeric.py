"""Numeric column model: continuous, integer, datetime and date columns."""

from __future__ import annotations

import datetime as _dt
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen._kernels.tabular import interp_scores
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.tabular.conditions import LatentConstraints, RangeRule, is_missing
from stochgen.tabular.scores import (
    guide_table,
    interval_scores,
    piece_slopes,
    restore_dtype,
    score_attenuation,
)

__all__ = ["NumericColumn"]

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
_NS_PER_DAY = 86_400 * 10**9


def _empirical_knots(
    marginal: EmpiricalDistribution,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Knots ``(q, x)`` of the interpolated empirical quantile function."""
    q = np.column_stack([marginal.lower_q_, marginal.upper_q_]).ravel()
    return q, np.repeat(marginal.values_, 2)


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

    #: Values do not depend on the row's position.
    positional: ClassVar[bool] = False
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
        self.value_attenuation_ = score_attenuation(counts / counts.sum())
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
    def latent_roles(self) -> tuple[str, ...]:
        """What each latent dimension carries: "value", then "missing" and "spike" if any."""
        roles = ["value"]
        if self._has_missing_dimension:
            roles.append("missing")
        if self._has_atom_dimension:
            roles.append("spike")
        return tuple(roles)

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """Standard deviation of each dimension's scores (below 1 with ties)."""
        out = [self.value_attenuation_]
        if self._has_missing_dimension:
            p = self.missing_rate_
            out.append(score_attenuation(np.array([p, 1.0 - p])))
        if self._has_atom_dimension:
            p = self.atom_rate_
            out.append(score_attenuation(np.array([p, 1.0 - p])))
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
        knots_q, knots_x = _empirical_knots(self.marginal_)
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
            # Wall times in a repeated daylight-saving hour take its first instant, and
            # those in a skipped hour move forward: never NaT where the column had none.
            first = np.ones(index.size, dtype=bool)
            index = index.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
        return index.array

    # Conditions -----------------------------------------------------------------

    def to_model_scale(self, value: Any, name: str = "value") -> float:
        """Return a condition value in model units (datetimes: ``step_`` units since 1970).

        Parameters
        ----------
        value : number, datetime-like or ISO string
            For datetime and date columns: a ``Timestamp``, ``datetime``,
            ``date``, ``numpy.datetime64`` or ISO 8601 text.
        name : str
            The column, named in errors.

        Returns
        -------
        float

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the value is not of the column's kind.
        """
        if self.kind not in ("datetime", "date"):
            if isinstance(value, bool) or not isinstance(
                value, int | float | np.integer | np.floating
            ):
                raise ValidationError(f"condition on {name!r}: expected a number; got {value!r}")
            return float(value)
        stamp = self._timestamp(value, name)
        if self.kind == "date":
            return float(stamp.normalize().value // self.step_)
        return stamp.value / self.step_

    def _column_tz(self) -> Any:
        return getattr(pd.api.types.pandas_dtype(self.dtype_), "tz", None)

    def _timestamp(self, value: Any, name: str) -> pd.Timestamp:
        """Return a condition value as a naive wall-clock Timestamp in the column time zone."""
        if isinstance(value, bool) or not isinstance(
            value, str | _dt.date | np.datetime64 | pd.Timestamp
        ):
            raise ValidationError(
                f"condition on {name!r}: expected a date/time (Timestamp, datetime, date or "
                f"ISO 8601 text); got {value!r}"
            )
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"condition on {name!r}: {value!r} is not a date/time") from exc
        if stamp is pd.NaT:
            raise ValidationError(f"condition on {name!r}: {value!r} is not a date/time")
        tz = self._column_tz() if self.kind == "datetime" else None
        if stamp.tzinfo is not None:
            if tz is None:
                raise ValidationError(
                    f"condition on {name!r}: {value!r} has a time zone but the column holds "
                    "naive date/times; give a naive value"
                )
            stamp = stamp.tz_convert(tz).tz_localize(None)
        return stamp

    def to_column_value(self, x: float) -> Any:
        """Return a value in model units as the column shows it (for messages and checks)."""
        if self.kind == "date":
            return (pd.Timestamp(int(x) * self.step_)).date()
        if self.kind == "datetime":
            stamp = pd.Timestamp(int(round(x * self.step_)))
            tz = self._column_tz()
            return (
                stamp.tz_localize(tz, ambiguous=True, nonexistent="shift_forward") if tz else stamp
            )
        return x

    def _range_text(self) -> str:
        low, high = self.to_column_value(self.minimum_), self.to_column_value(self.maximum_)
        return f"from {low} to {high}"

    def add_condition(self, name: str, start: int, value: Any, out: LatentConstraints) -> None:
        """Translate a condition on this column into latent constraints.

        Parameters
        ----------
        name : str
            The column.
        start : int
            Index of this column's first latent dimension.
        value : object
            A value (None for missing) or an inclusive ``(low, high)`` range.
        out : LatentConstraints
            Added to.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the value is not of the column's kind, lies outside the fitted
            values, or asks for missing values the column never had.
        """
        dims = {role: start + i for i, role in enumerate(self.latent_roles)}
        missing_dim, atom_dim = dims.get("missing"), dims.get("spike")
        if is_missing(value):
            if missing_dim is None:
                raise ValidationError(f"condition on {name!r}: the column has no missing values")
            out.add_box(missing_dim, 0.0, self.missing_rate_)
            return
        if missing_dim is not None:
            out.add_box(missing_dim, self.missing_rate_, 1.0)
        if isinstance(value, tuple | list):
            self._add_range(name, start, atom_dim, value, out)
            return
        x = self.to_model_scale(value, name)
        if not self.minimum_ <= x <= self.maximum_:
            raise ValidationError(
                f"condition on {name!r}: {value!r} lies outside the fitted values "
                f"({self._range_text()})"
            )
        if self.kind == "integer" and x != round(x):
            raise ValidationError(f"condition on {name!r}: {value!r} is not an integer")
        out.forced[name] = self.to_column_value(x) if self.kind in ("date", "datetime") else value
        if atom_dim is not None:
            if x == self.atom_:
                out.add_box(atom_dim, 0.0, self.atom_rate_)
                return
            out.add_box(atom_dim, self.atom_rate_, 1.0)
        marginal = self.marginal_
        if isinstance(marginal, EmpiricalDistribution):
            k = np.searchsorted(marginal.values_, x)
            if k < marginal.values_.size and marginal.values_[k] == x:
                if marginal.upper_q_[k] > marginal.lower_q_[k]:
                    out.add_box(start, marginal.lower_q_[k], marginal.upper_q_[k])
                    return
        out.add_point(start, float(marginal.cdf(np.array([x]))[0]))

    def _add_range(
        self,
        name: str,
        start: int,
        atom_dim: int | None,
        value: tuple[Any, ...] | list[Any],
        out: LatentConstraints,
    ) -> None:
        if len(value) != 2:
            raise ValidationError(f"condition on {name!r}: a range is (low, high); got {value!r}")
        low = -np.inf if value[0] is None else self.to_model_scale(value[0], name)
        high = np.inf if value[1] is None else self.to_model_scale(value[1], name)
        if low > high or high < self.minimum_ or low > self.maximum_:
            raise ValidationError(
                f"condition on {name!r}: range {tuple(value)!r} does not meet the fitted values "
                f"({self._range_text()})"
            )
        # The rows are checked in column values, so rounding can never leave the range.
        rule = RangeRule(
            name,
            None if value[0] is None else self.to_column_value(low),
            None if value[1] is None else self.to_column_value(high),
        )
        out.rules.append(rule)
        if atom_dim is not None and low <= self.atom_ <= high:
            return  # a range over the spike is no single latent interval: rejection alone
        if atom_dim is not None:
            out.add_box(atom_dim, self.atom_rate_, 1.0)
        low_u = self._left_cdf(low) if np.isfinite(low) else 0.0
        high_u = float(self.marginal_.cdf(np.array([high]))[0]) if np.isfinite(high) else 1.0
        if not high_u > low_u:
            raise ValidationError(
                f"condition on {name!r}: no fitted values in range {tuple(value)!r}"
            )
        out.add_box(start, low_u, high_u)

    def _left_cdf(self, x: float) -> float:
        """P(X < x): a repeated value at x stays inside a range that starts at x."""
        marginal = self.marginal_
        if isinstance(marginal, EmpiricalDistribution):
            k = np.searchsorted(marginal.values_, x)
            if k < marginal.values_.size and marginal.values_[k] == x:
                return float(marginal.lower_q_[k])
        return float(marginal.cdf(np.array([x]))[0])

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        if not isinstance(self.marginal_, BaseModel):
            raise ModelFileError("NumericColumn: marginal_ must be a distribution")
        if not 0.0 <= float(self.missing_rate_) <= 1.0:
            raise ModelFileError("NumericColumn: missing_rate_ must lie in [0, 1]")
        bounds = (self.minimum_, self.maximum_)
        if not all(isinstance(b, int | float) and np.isfinite(b) for b in bounds) or (
            self.minimum_ > self.maximum_
        ):
            raise ModelFileError(
                f"NumericColumn: minimum_ and maximum_ must be finite with minimum_ <= maximum_; "
                f"got {bounds!r}"
            )
