"""The shared implementation of the one-parameter Archimedean copulas (see `archimedean`)."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_choice, check_n_samples, check_unit_interval
from stochgen.copulas import bivariate as bv
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["ArchimedeanCopula"]


class ArchimedeanCopula(Copula):
    """Shared implementation of the one-parameter Archimedean families.

    Fit it (``ClaytonCopula().fit(u)``) or build it from a known parameter
    (``ClaytonCopula.from_params(theta=2.0)``, ``dim=`` for d > 2).

    Parameters
    ----------
    rotation : {0, 90, 180, 270}
        Rotation in degrees (d = 2 only).
    method : {"mle", "itau"}
        Estimator for d = 2: maximum likelihood (default) or Kendall's-tau
        inversion. In d > 2 the mean pairwise tau is always inverted.

    Attributes
    ----------
    theta_ : float
        Fitted parameter.
    dim_ : int
        Fitted dimension.
    """

    family: ClassVar[str] = ""
    _fitted_attributes = ("theta_", "dim_")
    _legacy_settings = ("theta", "dim")

    def __init__(self, *, rotation: int = 0, method: str = "mle") -> None:
        self.rotation = rotation
        self.method = method

    # -- parameters ---------------------------------------------------------------------
    @classmethod
    def from_params(
        cls, *, theta: float, dim: int = 2, rotation: int = 0, method: str = "mle"
    ) -> Self:
        """Build the copula from a known parameter.

        Parameters
        ----------
        theta : float
            Parameter, in the family's domain.
        dim : int
            Dimension, >= 2.
        rotation : {0, 90, 180, 270}
            Rotation in degrees (d = 2 only).
        method : {"mle", "itau"}
            Estimator used if the copula is refitted.

        Returns
        -------
        Self
            Fitted, with ``theta_`` and ``dim_`` set.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``theta`` is outside the family's domain, ``dim`` is not an
            integer >= 2, or the rotation is invalid for ``dim``.

        Examples
        --------
        >>> from stochgen.copulas import ClaytonCopula
        >>> ClaytonCopula.from_params(theta=2.0, dim=3).dim_
        3
        """
        if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 2:
            raise ValidationError(f"dim must be an integer >= 2; got {dim!r}")
        model = cls(rotation=rotation, method=method)
        model._check_rotation(int(dim))
        (value,) = bv.check_pair(cls.family, rotation, (theta,))
        if int(dim) > 2 and cls.family == "frank" and value < 0:
            raise ValidationError(f"frank: theta must be > 0 when dim > 2; got {value}")
        model.theta_ = float(value)
        model.dim_ = int(dim)
        return model

    @classmethod
    def from_kendall_tau(cls, tau: float, *, dim: int = 2, rotation: int = 0) -> Self:
        """Build the copula whose pairs have Kendall's tau ``tau``.

        Parameters
        ----------
        tau : float
            Kendall's tau, inside the family's range (after rotation); values
            within 1e-9 of the range's ends are refused (the limit copulas are
            degenerate).
        dim : int
            Dimension, >= 2.
        rotation : {0, 90, 180, 270}
            Rotation in degrees (d = 2 only).

        Returns
        -------
        Self

        Examples
        --------
        >>> from stochgen.copulas import ClaytonCopula
        >>> round(ClaytonCopula.from_kendall_tau(0.5).theta_, 6)
        2.0
        """
        (theta,) = bv.pair_param_from_tau(cls.family, rotation, float(tau))
        return cls.from_params(theta=theta, dim=dim, rotation=rotation)

    def _state(self) -> tuple[float, int]:
        check_is_fitted(self)
        return self.theta_, self.dim_

    def _check_rotation(self, d: int) -> None:
        if self.rotation not in bv.ROTATIONS:
            raise ValidationError(
                f"rotation must be one of {list(bv.ROTATIONS)}; got {self.rotation!r}"
            )
        if d > 2 and self.rotation != 0:
            raise ValidationError(
                f"rotation {self.rotation} is defined for d = 2 only; the data has d = {d}"
            )

    @property
    def n_params(self) -> int:
        """Number of free parameters (1)."""
        return 1

    @property
    def kendall_tau(self) -> float:
        """Kendall's tau of every pair of coordinates."""
        theta, _ = self._state()
        return bv.pair_tau(self.family, self.rotation, (theta,))

    @property
    def tail_dependence(self) -> dict[str, float]:
        """Tail dependence in the four corners (see `bivariate.pair_tail_dependence`)."""
        theta, _ = self._state()
        return bv.pair_tail_dependence(self.family, self.rotation, (theta,))

    @property
    def lower_tail_dependence(self) -> float:
        """Lower tail dependence coefficient ``lim P(U2 < q | U1 < q)`` as ``q -> 0``."""
        return self.tail_dependence["lower"]

    @property
    def upper_tail_dependence(self) -> float:
        """Upper tail dependence coefficient ``lim P(U2 > q | U1 > q)`` as ``q -> 1``."""
        return self.tail_dependence["upper"]

    # -- fitting ------------------------------------------------------------------------
    def fit(self, u: ArrayLike) -> Self:
        """Fit ``theta`` to pseudo-observations.

        Parameters
        ----------
        u : array_like
            Pseudo-observations, shape (n, d), strictly inside (0, 1).

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On data outside (0, 1), a constant column, fewer rows than
            columns, a rotation with d > 2, or an unknown method.
        """
        data = check_copula_data(u)
        d = data.shape[1]
        check_choice(self.method, "method", ("mle", "itau"))
        self._check_rotation(d)
        if d == 2:
            # fit_pair computes Kendall's tau only where its estimator needs it.
            (theta,), _ = bv.fit_pair(
                self.family, self.rotation, data[:, 0], data[:, 1], method=self.method
            )
        else:
            tau = kendall_tau_matrix(data)
            mean_tau = float(tau[np.triu_indices(d, 1)].mean())
            (theta,) = bv.pair_param_from_tau(self.family, 0, max(mean_tau, 1e-6))
        self.theta_ = float(theta)
        self.dim_ = int(d)
        return self

    # -- densities ----------------------------------------------------------------------
    def _check_points(self, u: ArrayLike, d: int) -> NDArray[np.float64]:
        data = check_unit_interval(u, "u")
        if data.shape[1] != d:
            raise ValidationError(f"u must have {d} columns; got {data.shape[1]}")
        return data

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Log copula density at each row of ``u``.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d), strictly inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n,).

        Raises
        ------
        stochgen.exceptions.ValidationError
            For d > 2 with a family other than Clayton (no closed form here).
        """
        theta, d = self._state()
        data = self._check_points(u, d)
        if d == 2:
            return bv.pair_logpdf(self.family, self.rotation, (theta,), data[:, 0], data[:, 1])
        return self._logpdf_nd(theta, data)

    def _logpdf_nd(self, theta: float, data: NDArray[np.float64]) -> NDArray[np.float64]:
        raise ValidationError(
            f"{type(self).__name__}.logpdf is implemented for d = 2 only; got d = {data.shape[1]}"
        )

    def cdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Copula cdf ``psi(sum_j psi^-1(u_j))`` (closed form).

        Parameters
        ----------
        u : array_like
            Points, shape (n, d), strictly inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        theta, d = self._state()
        data = self._check_points(u, d)
        if d == 2:
            return bv.pair_cdf(self.family, self.rotation, (theta,), data[:, 0], data[:, 1])
        return self._generator(theta, self._generator_inverse(theta, data).sum(axis=1))

    def _generator(self, theta: float, t: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError  # pragma: no cover - every family defines it

    def _generator_inverse(self, theta: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError  # pragma: no cover - every family defines it

    def _frailty(self, theta: float, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        raise NotImplementedError  # pragma: no cover - every family defines it

    # -- sampling -----------------------------------------------------------------------
    def sample(self, n: int, seed: SeedLike = None, method: str = "random") -> NDArray[np.float64]:
        """Draw ``n`` points of (0, 1)^d.

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
            Shape (n, d).
        """
        if method != "random":
            return self._sample_qmc(check_n_samples(n), seed, method)
        theta, d = self._state()
        n = check_n_samples(n)
        out = np.empty((n, d))
        for start, stop, rng in iter_blocks(n, seed):
            m = stop - start
            if d == 2:
                # Uniforms drawn into the output, the second column then replaced by its
                # conditional quantile: no temporaries of the block's size.
                block = out[start:stop]
                rng.random(out=block)
                block[:, 1] = bv.pair_hinv1(
                    self.family, self.rotation, (theta,), block[:, 0], block[:, 1]
                )
            else:
                v = self._frailty(theta, rng, m)
                e = rng.standard_exponential((m, d))
                # A frailty that underflows to 0 (Clayton's Gamma(1/theta), theta large) sends
                # the row to the corner u = 0, its limit; the clip below keeps it inside.
                with np.errstate(divide="ignore", over="ignore"):
                    out[start:stop] = self._generator(theta, e / v[:, None])
        return np.clip(out, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg, out=out)

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per point: 2 for d = 2; d + frailty's (1, Gumbel 2) above."""
        _, d = self._state()
        if d == 2:
            return 2
        return d + (2 if self.family == "gumbel" else 1)

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:
        """Map independent uniforms to copula points, monotonically in each uniform.

        d = 2: ``(w1, hinv1(w1, w2))``. d > 2: the frailty by inversion of its
        last uniform(s) and ``E_j = -log(1 - w_j)``, then ``psi(E_j / V)``.

        Parameters
        ----------
        w : array_like
            Shape (n, n_uniforms), inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        theta, d = self._state()
        data = check_unit_interval(w, "w")
        if data.shape[1] != self.n_uniforms:
            raise ValidationError(f"w must have {self.n_uniforms} columns; got {data.shape[1]}")
        if d == 2:
            out = data.copy()
            out[:, 1] = bv.pair_hinv1(self.family, self.rotation, (theta,), data[:, 0], data[:, 1])
        else:
            v = self._frailty_from_uniforms(theta, data[:, d:])
            e = -np.log1p(-data[:, :d])
            with np.errstate(divide="ignore", over="ignore"):
                out = self._generator(theta, e / v[:, None])
        return np.clip(out, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg)

    def _frailty_from_uniforms(self, theta: float, w: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError  # pragma: no cover - every family defines it

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:
        """Draw ``n`` points given one coordinate's value, by h-function inversion.

        Parameters
        ----------
        n : int
            Number of rows.
        given : dict of int to float
            Coordinate index (0 or 1) to its value in (0, 1).
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
            Shape (n, 2); given coordinates hold their values.

        Raises
        ------
        stochgen.exceptions.ValidationError
            For d > 2 (not implemented for the exchangeable d-dimensional copula).
        """
        theta, d = self._state()
        n = check_n_samples(n)
        idx, values = check_given(given, d)
        if d > 2:
            raise ValidationError(
                f"{type(self).__name__}.conditional_sample is implemented for d = 2 only; "
                f"got d = {d} (use VineCopula or StudentTCopula)"
            )
        out = np.empty((n, 2))
        for start, stop, rng in iter_blocks(n, seed):
            m = stop - start
            w = rng.random(m)
            if idx.size == 0:
                out[start:stop, 0] = w
                out[start:stop, 1] = bv.pair_hinv1(
                    self.family, self.rotation, (theta,), w, rng.random(m)
                )
            elif idx.size == 2:
                out[start:stop] = values
            elif idx[0] == 0:
                out[start:stop, 0] = values[0]
                cond = np.full(m, values[0])
                out[start:stop, 1] = bv.pair_hinv1(self.family, self.rotation, (theta,), cond, w)
            else:
                out[start:stop, 1] = values[0]
                cond = np.full(m, values[0])
                out[start:stop, 0] = bv.pair_hinv2(self.family, self.rotation, (theta,), cond, w)
        return out

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        try:
            self.theta_ = float(state["theta_"])
            self.dim_ = int(state["dim_"])
            bv.check_pair(self.family, self.rotation, (self.theta_,))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{type(self).__name__}: invalid fitted state: {exc}") from exc
        if self.dim_ < 2:
            raise ModelFileError(f"{type(self).__name__}: dim_ must be >= 2; got {self.dim_}")
