"""The Copula contract every dependence model follows."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from stochgen._base import BaseModel
from stochgen._rng import SeedLike
from stochgen._validation import check_array

__all__ = ["Copula", "pseudo_observations"]


def pseudo_observations(x: ArrayLike) -> NDArray[np.float64]:
    """Return rank-based pseudo-observations ``rank / (n + 1)`` column by column.

    Ties get their average rank.

    Parameters
    ----------
    x : array_like
        Data, shape (n, d); finite.

    Returns
    -------
    numpy.ndarray
        Shape (n, d), values in the open interval (0, 1).

    Examples
    --------
    >>> pseudo_observations([[3.0], [1.0], [2.0]]).ravel()
    array([0.75, 0.25, 0.5 ])
    """
    data = check_array(x, "x", ndim=2)
    ranks = stats.rankdata(data, axis=0)
    return ranks / (data.shape[0] + 1.0)


class Copula(BaseModel):
    """Base class of copulas on pseudo-observations in (0, 1)^d."""

    def fit(self, u: ArrayLike) -> Self:  # pragma: no cover - abstract
        """Fit to pseudo-observations and return self."""
        raise NotImplementedError

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Log copula density at each row of ``u``."""
        raise NotImplementedError

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[np.float64]:  # pragma: no cover
        """Draw ``n`` points of (0, 1)^d."""
        raise NotImplementedError

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Draw ``n`` points given some coordinates' values."""
        raise NotImplementedError
