"""The marginal of a numeric column: fitted from a setting, and tabulated on the normal scale."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.tabular.scores import guide_table, piece_slopes

__all__ = ["fit_marginal", "score_table"]

# "auto" marginals: families are tried on columns with at least this many distinct
# values and kept when the KS test of the fit does not reject them at this level.
_MIN_VALUES_FOR_FAMILY = 20
_MIN_FAMILY_PVALUE = 0.05


def fit_marginal(
    setting: Any,
    spread: NDArray[np.float64],
    kind: str,
    *,
    counted: tuple[NDArray[np.float64], NDArray[np.int64]] | None = None,
) -> BaseModel:
    """Fit a numeric column's marginal setting to its values (off the spike).

    Parameters
    ----------
    setting : "empirical", "auto", str or Distribution
        The interpolated empirical distribution; "auto" (continuous columns:
        the best fast family by BIC, kept only when a KS test at 5% does not
        reject it, else empirical); a family name; or an unfitted Distribution.
    spread : numpy.ndarray
        Finite values.
    kind : str
        The column kind ("auto" tries families on continuous columns only).
    counted : (values, counts), optional
        The distinct values of ``spread``, increasing, and their counts, when
        the caller has them: the empirical distribution is then built from
        them without sorting ``spread`` again.

    Returns
    -------
    Distribution

    Examples
    --------
    >>> type(fit_marginal("empirical", np.array([1.0, 2.0, 4.0]), "continuous")).__name__
    'EmpiricalDistribution'
    """
    if isinstance(setting, str) and setting == "empirical":
        if counted is not None:
            return EmpiricalDistribution().fit_counts(*counted)
        return EmpiricalDistribution().fit(spread)
    # Imported here: the families are needed only when asked for.
    from stochgen.distributions import Distribution
    from stochgen.distributions.selection import fit_distribution

    if isinstance(setting, Distribution):
        return setting.clone().fit(spread)
    if np.unique(spread).size < _MIN_VALUES_FOR_FAMILY:
        return EmpiricalDistribution().fit(spread)
    if setting == "auto":
        if kind != "continuous":
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
        f"marginal must be 'empirical', 'auto', a family name or a Distribution; got {setting!r}"
    )


def score_table(
    marginal: EmpiricalDistribution,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Return an empirical marginal's knots on the normal-score scale, slopes and a guide.

    The interpolated ECDF's knots ``(q, x)`` become ``(ndtri(q), x)``: values
    are interpolated linearly in the normal score between the same knots
    (within one of the 1/n-wide steps between data values), which spares a
    normal CDF per value (see `stochgen._kernels.tabular.interp_scores`).

    Parameters
    ----------
    marginal : EmpiricalDistribution
        Fitted.

    Returns
    -------
    knots_z, knots_x, slopes : numpy.ndarray
    guide : numpy.ndarray of int64
        Empty when all knots coincide (a single value).

    Examples
    --------
    >>> knots_z, knots_x, _, _ = score_table(EmpiricalDistribution().fit([1.0, 3.0]))
    >>> knots_x
    array([1., 1., 3., 3.])
    """
    knots_q = np.column_stack([marginal.lower_q_, marginal.upper_q_]).ravel()
    knots_x = np.repeat(marginal.values_, 2)
    knots_z = special.ndtri(knots_q)
    if knots_z[-1] > knots_z[0]:
        guide = guide_table(knots_z, knots_z.size)
    else:
        guide = np.empty(0, dtype=np.int64)
    return knots_z, knots_x, piece_slopes(knots_z, knots_x), guide
