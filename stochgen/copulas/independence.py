"""Independence copula: uniform on (0, 1)^d."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_n_samples, check_unit_interval
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["IndependenceCopula"]


class IndependenceCopula(Copula):
    """The independence copula ``C(u) = u_1 u_2 ... u_d``.

    Fit it (it learns the dimension) or build it with
    ``IndependenceCopula.from_params(dim=...)``.

    Attributes
    ----------
    dim_ : int
        Dimension (the number of columns seen by `fit`).

    Examples
    --------
    >>> cop = IndependenceCopula.from_params(dim=3)
    >>> cop.sample(2, seed=0).shape
    (2, 3)
    >>> float(cop.cdf([[0.5, 0.5, 0.5]])[0])
    0.125
    """

    _fitted_attributes = ("dim_",)
    _legacy_settings = ("dim",)

    def __init__(self) -> None:
        pass

    @classmethod
    def from_params(cls, *, dim: int) -> Self:
        """Build the independence copula in ``dim`` dimensions.

        Parameters
        ----------
        dim : int
            Dimension, >= 1.

        Returns
        -------
        IndependenceCopula
            Fitted, with ``dim_`` set.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``dim`` is not a positive integer.

        Examples
        --------
        >>> IndependenceCopula.from_params(dim=4).dim_
        4
        """
        if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
            raise ValidationError(f"dim must be a positive integer; got {dim!r}")
        model = cls()
        model.dim_ = int(dim)
        return model

    @property
    def dim(self) -> int:
        """Number of dimensions d."""
        return self._dim()

    def _dim(self) -> int:
        check_is_fitted(self)
        return self.dim_

    @property
    def n_params(self) -> int:
        """Number of free parameters (0)."""
        return 0

    @property
    def kendall_tau(self) -> float:
        """Kendall's tau of every pair (0)."""
        return 0.0

    @property
    def lower_tail_dependence(self) -> float:
        """Lower tail dependence (0)."""
        return 0.0

    @property
    def upper_tail_dependence(self) -> float:
        """Upper tail dependence (0)."""
        return 0.0

    def fit(self, u: ArrayLike) -> Self:
        """Record the dimension of ``u``.

        Parameters
        ----------
        u : array_like
            Pseudo-observations, shape (n, d).

        Returns
        -------
        Self
        """
        self.dim_ = int(check_copula_data(u, min_dim=1).shape[1])
        return self

    def _points(self, u: ArrayLike) -> NDArray[np.float64]:
        data = check_unit_interval(u, "u")
        if data.shape[1] != self._dim():
            raise ValidationError(f"u must have {self._dim()} columns; got {data.shape[1]}")
        return data

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Log-density: zero everywhere in (0, 1)^d.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d).

        Returns
        -------
        numpy.ndarray
        """
        return np.zeros(self._points(u).shape[0])

    def cdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Cdf: the product of the coordinates.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d).

        Returns
        -------
        numpy.ndarray
        """
        return self._points(u).prod(axis=1)

    def sample(self, n: int, seed: SeedLike = None, method: str = "random") -> NDArray[np.float64]:
        """Draw ``n`` uniform points of (0, 1)^d.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
        method : {"random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic"}
            Point set: ``"random"`` keeps the block streams; the others
            transform a randomized point set through `from_uniforms`.

        Returns
        -------
        numpy.ndarray
        """
        if method != "random":
            return self._sample_qmc(check_n_samples(n), seed, method)
        return self.conditional_sample(n, {}, seed)

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per point: d."""
        return self._dim()

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:
        """Return the uniforms themselves (checked).

        Parameters
        ----------
        w : array_like
            Shape (n, d), inside (0, 1).

        Returns
        -------
        numpy.ndarray
        """
        return self._points(w)

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:
        """Draw ``n`` points with some coordinates fixed (the rest uniform).

        Parameters
        ----------
        n : int
            Number of rows.
        given : dict of int to float
            Coordinate index to its value in (0, 1).
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
        """
        d = self._dim()
        n = check_n_samples(n)
        idx, values = check_given(given, d)
        out = np.empty((n, d))
        for start, stop, rng in iter_blocks(n, seed):
            out[start:stop] = rng.random((stop - start, d))
        out[:, idx] = values
        return np.maximum(out, np.finfo(float).tiny)

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        if not isinstance(state["dim_"], int) or state["dim_"] < 1:
            raise ModelFileError(
                f"IndependenceCopula: dim_ must be a positive int; got {state['dim_']!r}"
            )
