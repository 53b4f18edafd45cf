"""Numeric column model: continuous, integer, datetime and date columns."""

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
from stochgen.tabular.aggregate import quantile_knots
from stochgen.tabular.conditions import LatentConstraints, RangeRule, is_missing
from stochgen.tabular.datetimes import (
    datetime_numbers,
    number_to_timestamp,
    numbers_to_dates,
    numbers_to_datetimes,
    parse_timestamp,
)
from stochgen.tabular.marginals import fit_marginal, score_table
from stochgen.tabular.scores import (
    check_dtype_text,
    interval_scores,
    restore_dtype,
    score_attenuation,
)

__all__ = ["NumericColumn"]

_MAX_DECIMALS = 6
# A spike: one value with at least this share, beside more than this many other values.
_MIN_ATOM_SHARE = 0.1
_MIN_DISTINCT_BESIDE_ATOM = 10


#: Probabilities of single values are kept this far inside (0, 1) (scores within +-6.4).
_U_FLOOR = 1e-10


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
        values, step = datetime_numbers(column, self.kind, getattr(self, "step_", None))
        self.step_ = step
        return values

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
        self.fit_transform_numbers(values, dtype, step)
        return self

    def fit_transform_numbers(
        self,
        values: NDArray[np.float64],
        dtype: str,
        step: int = 1,
        *,
        decimals: int | None = None,
    ) -> NDArray[np.float64]:
        """Fit as `fit_numbers`, and return `scores_from_numbers` of the same values.

        One sort of the values serves both.

        Parameters
        ----------
        values : numpy.ndarray
        dtype : str
        step : int
        decimals : int, optional
            Decimal places of a continuous column when known (from the whole
            table, for the rows of one label); default: found in ``values``.

        Returns
        -------
        numpy.ndarray
            Shape (n, n_latent).
        """
        self.dtype_ = dtype
        self.step_ = int(step)
        missing = np.isnan(values)
        present = values[~missing]
        self.missing_rate_ = float(missing.mean())
        distinct, inverse, counts = np.unique(present, return_inverse=True, return_counts=True)
        self.minimum_ = float(distinct[0])
        self.maximum_ = float(distinct[-1])
        if self.kind != "continuous":
            self.decimals_ = 0
        else:
            self.decimals_ = self._decimals(distinct) if decimals is None else int(decimals)
        top = int(np.argmax(counts))
        on_spread = np.ones(distinct.size, dtype=bool)
        self.atom_, self.atom_rate_ = None, 0.0
        if (
            counts[top] >= _MIN_ATOM_SHARE * present.size
            and distinct.size > _MIN_DISTINCT_BESIDE_ATOM
        ):
            self.atom_ = float(distinct[top])
            self.atom_rate_ = float(counts[top] / present.size)
            on_spread[top] = False
        shares = counts[on_spread] / counts[on_spread].sum()
        # Tied values share the conditional-mean score of their quantile interval.
        value_scores = np.full(distinct.size, np.nan)
        value_scores[on_spread] = interval_scores(shares)
        self.value_attenuation_ = float(np.sqrt(np.sum(shares * value_scores[on_spread] ** 2)))
        spread = present if self.atom_ is None else present[present != self.atom_]
        self.marginal_ = fit_marginal(
            self.marginal, spread, self.kind, counted=(distinct[on_spread], counts[on_spread])
        )
        out = np.full((values.size, self.n_latent), np.nan)
        out[~missing, 0] = value_scores[inverse.ravel()]
        at_atom = np.zeros(values.size, dtype=bool)
        if self.atom_ is not None:
            at_atom[~missing] = ~on_spread[inverse.ravel()]
        self.write_indicator_scores(out, missing, at_atom)
        return out

    def aggregate(
        self, name: str, *, n_rows: int, knots: int, min_count: int, fallback: Any = None
    ) -> Self:
        """Replace the data points this model holds by aggregates of ``min_count`` rows or more.

        The empirical marginal becomes quantile knots (bin means, see
        `stochgen.tabular.aggregate.quantile_knots`), the range becomes the
        first and last knot, and a spike held by fewer than ``min_count`` rows
        moves to the nearest knot.

        Parameters
        ----------
        name : str
            The column, named in messages.
        n_rows : int
            Rows the model was fitted to (missing values included).
        knots : int
            Most quantile knots.
        min_count : int
            Fewest rows an aggregate describes.
        fallback : NumericColumn, optional
            The whole table's model of the column, aggregated: a per-label
            model whose column has fewer than ``min_count`` values takes its
            marginal.

        Returns
        -------
        Self
            This model, changed in place.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the marginal is a fitted family (its parameters can be data
            points, a uniform's bounds): aggregate models use "empirical".
        """
        if (
            not isinstance(self.marginal_, EmpiricalDistribution)
            or self.marginal_.tail_scales_.any()
        ):
            raise ValidationError(
                f"column {name!r}: privacy='aggregate' keeps numeric marginals as quantile "
                f"knots; got marginal {self.marginal!r} (use 'empirical')"
            )
        spread = round(0.5 / float(self.marginal_.lower_q_[0]))
        if spread >= min_count:
            self.marginal_ = quantile_knots(self.marginal_, knots, min_count)
        elif isinstance(fallback, NumericColumn):
            self.marginal_ = fallback.marginal_
        else:
            raise ValidationError(
                f"column {name!r} has {spread} values, fewer than min_count={min_count}: "
                "privacy='aggregate' cannot describe it; drop the column or lower min_count"
            )
        values = self.marginal_.values_
        if self.atom_ is not None:
            present = n_rows * (1.0 - self.missing_rate_)
            if self.atom_rate_ * present < min_count - 0.5:
                self.atom_ = float(values[np.argmin(np.abs(values - self.atom_))])
        ends = [values[0], values[-1]] + ([] if self.atom_ is None else [self.atom_])
        self.minimum_, self.maximum_ = float(min(ends)), float(max(ends))
        return self

    def fit_summary(
        self,
        sample: NDArray[np.float64],
        dtype: str,
        step: int = 1,
        *,
        missing_rate: float,
        minimum: float,
        maximum: float,
        decimals: int,
    ) -> Self:
        """Fit from a summary of the column: a sample standing for its values, and exact facts.

        The marginal, the spike and the ties come from ``sample`` (the present
        values, or quantiles standing for them equally, as a quantile sketch
        gives them); the missing rate, range and decimal places are the exact
        ones given.

        Parameters
        ----------
        sample : numpy.ndarray
            Present values in model units, at least one.
        dtype : str
            The column's pandas dtype, as text.
        step : int
            Datetimes: nanoseconds per model unit.
        missing_rate : float
        minimum, maximum : float
        decimals : int
            -1 for unrounded values.

        Returns
        -------
        Self

        Examples
        --------
        >>> column = NumericColumn().fit_summary(
        ...     np.array([1.0, 2.0, 3.0]),
        ...     "float64",
        ...     missing_rate=0.25,
        ...     minimum=0.5,
        ...     maximum=3.5,
        ...     decimals=1,
        ... )
        >>> column.latent_roles, column.minimum_
        (('value', 'missing'), 0.5)
        """
        self.fit_transform_numbers(np.asarray(sample, dtype=np.float64), dtype, step)
        self.missing_rate_ = float(missing_rate)
        self.minimum_, self.maximum_ = float(minimum), float(maximum)
        self.decimals_ = int(decimals)
        return self

    @staticmethod
    def _decimals(values: NDArray[np.float64]) -> int:
        def exact(k: int) -> bool:
            scaled = values * 10.0**k
            return bool(
                np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled)))
            )

        # Unrounded measurements fail at the most places at once: one test, not seven.
        if not exact(_MAX_DECIMALS):
            return -1
        return next(k for k in range(_MAX_DECIMALS + 1) if exact(k))

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
        out[spread, 0] = self._value_scores(values[spread])
        self.write_indicator_scores(out, missing, at_atom)
        return out

    def _value_scores(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return the normal scores of values under the fitted marginal, row by row.

        A value the empirical marginal holds owns the probability between the
        midpoints of its knots and its neighbours' (from 0 for the first, to 1
        for the last): for the real rows these are their ranks' intervals, so
        the real rows get exactly the scores `fit_transform` gave them. They
        take the conditional-mean score of that interval; any other value
        takes ``Phi^-1(F(x))``, clipped to (1e-10, 1 - 1e-10). The score of a
        row does not depend on the other rows passed with it.
        """
        marginal = self.marginal_
        lo = np.clip(np.asarray(marginal.cdf(x), dtype=np.float64), _U_FLOOR, 1.0 - _U_FLOOR)
        hi = lo.copy()
        if isinstance(marginal, EmpiricalDistribution) and marginal.values_.size:
            values = marginal.values_
            bounds = np.concatenate(
                [[0.0], (marginal.upper_q_[:-1] + marginal.lower_q_[1:]) / 2.0, [1.0]]
            )
            k = np.minimum(np.searchsorted(values, x), values.size - 1)
            held = values[k] == x
            lo[held] = bounds[k[held]]
            hi[held] = bounds[k[held] + 1]
        scores = special.ndtri(hi)
        wide = hi > lo
        a, b = special.ndtri(lo[wide]), scores[wide]
        density = np.exp(-0.5 * a * a) - np.exp(-0.5 * b * b)
        scores[wide] = density / np.sqrt(2.0 * np.pi) / (hi[wide] - lo[wide])
        return scores

    def write_indicator_scores(
        self, out: NDArray[np.float64], missing: NDArray[np.bool_], at_atom: NDArray[np.bool_]
    ) -> None:
        """Write the scores of the missing and spike dimensions into ``out``.

        Parameters
        ----------
        out : numpy.ndarray
            Shape (n, n_latent); columns after the first are written.
        missing, at_atom : numpy.ndarray of bool
            Whether each row is missing, and whether it sits at the spike.
        """
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
            return numbers_to_datetimes(values, self.dtype_, self.step_)
        if self.kind == "date":
            return numbers_to_dates(values, self.step_)
        return restore_dtype(values, self.dtype_)

    def _score_table(
        self,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
        """Return `score_table` of the empirical marginal, cached per fitted marginal."""
        cached = getattr(self, "_score_cache", None)
        if cached is not None and cached[0] is self.marginal_:
            return cached[1]
        table = score_table(self.marginal_)
        self._score_cache = (self.marginal_, table)
        return table

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
        stamp = parse_timestamp(value, self.kind, self.dtype_, name)
        if self.kind == "date":
            return float(stamp.normalize().value // self.step_)
        return stamp.value / self.step_

    def to_column_value(self, x: float) -> Any:
        """Return a value in model units as the column shows it (for messages and checks)."""
        if self.kind in ("date", "datetime"):
            return number_to_timestamp(x, self.kind, self.dtype_, self.step_)
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
        check_dtype_text(self.dtype_, "NumericColumn")
        if self.kind not in ("continuous", "integer", "datetime", "date"):
            raise ModelFileError(f"NumericColumn: unknown kind {self.kind!r}")
        if isinstance(self.step_, bool) or not isinstance(self.step_, int) or self.step_ < 1:
            raise ModelFileError(
                f"NumericColumn: step_ must be a positive integer; got {self.step_!r}"
            )
        bounds = (self.minimum_, self.maximum_)
        if not all(isinstance(b, int | float) and np.isfinite(b) for b in bounds) or (
            self.minimum_ > self.maximum_
        ):
            raise ModelFileError(
                f"NumericColumn: minimum_ and maximum_ must be finite with minimum_ <= maximum_; "
                f"got {bounds!r}"
            )
