"""Gaussian copula: dependence of a multivariate normal, fitted on normal scores."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from stochgen._base import check_is_fitted
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._rng import SeedLike, as_generator, iter_blocks
from stochgen._validation import check_array, check_choice, check_n_samples, check_unit_interval
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.copulas.correlation import (
    _check_dependence_matrix,
    check_correlation,
    nearest_correlation,
    nearest_correlation_like,
)
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = [
    "GaussianConditional",
    "covariance_root",
    "GaussianCopula",
    "check_correlation",
    "gaussian_conditional",
    "gaussian_fill",
    "nearest_correlation",
]


class GaussianConditional(NamedTuple):
    """The law of the free coordinates of a normal vector given the others.

    Attributes
    ----------
    free : numpy.ndarray of int
        Indices of the free coordinates, increasing, shape (f,).
    mean : numpy.ndarray
        Conditional mean, shape (f,) or (m, f) (one row per row of given values).
    cov : numpy.ndarray
        Conditional covariance, shape (f, f), symmetric.
    """

    free: NDArray[np.int64]
    mean: NDArray[np.float64]
    cov: NDArray[np.float64]


def gaussian_conditional(
    cov: ArrayLike,
    given_index: ArrayLike,
    given_values: ArrayLike,
    mean: ArrayLike | None = None,
) -> GaussianConditional:
    """Conditional law of a multivariate normal given some of its coordinates.

    For ``X ~ N(mu, S)`` split into free ``f`` and given ``g`` coordinates,
    ``X_f | X_g = x ~ N(mu_f + S_fg S_gg^-1 (x - mu_g), S_ff - S_fg S_gg^-1 S_gf)``.
    The one home of Gaussian conditioning in stochgen: the Gaussian copula,
    the table layer and the torch bridge call it.

    Parameters
    ----------
    cov : array_like
        Covariance (or correlation) matrix, shape (d, d), positive definite on
        the given coordinates.
    given_index : array_like of int
        Indices of the given coordinates, shape (k,), distinct; may be empty.
    given_values : array_like
        Their values, shape (k,) for one row or (m, k) for many rows sharing
        the pattern (in normal-score space, not (0, 1)).
    mean : array_like or None
        Unconditional mean, shape (d,); zero when None.

    Returns
    -------
    GaussianConditional
        ``(free, mean, cov)``; ``mean`` has one row per row of ``given_values``.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On indices outside ``[0, d)`` or repeated, or values of the wrong shape.

    See Also
    --------
    gaussian_fill : rows whose given coordinates differ from row to row.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> cond = gaussian_conditional(corr, [0], [[2.0], [-2.0]])
    >>> cond.free, cond.mean.ravel(), cond.cov
    (array([1]), array([ 1., -1.]), array([[0.75]]))
    """
    s = check_array(cov, "cov", ndim=2)
    d = s.shape[0]
    if s.shape != (d, d):
        raise ValidationError(f"cov must be square; got shape {s.shape}")
    idx = np.asarray(given_index, dtype=np.int64).reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= d or np.unique(idx).size != idx.size):
        raise ValidationError(
            f"given_index must hold distinct indices in [0, {d}); got {idx.tolist()}"
        )
    values = np.asarray(given_values, dtype=np.float64)
    if values.shape[-1:] != (idx.size,) or values.ndim > 2:
        raise ValidationError(
            f"given_values must have shape ({idx.size},) or (m, {idx.size}); got {values.shape}"
        )
    mu = np.zeros(d) if mean is None else check_array(mean, "mean", ndim=1)
    free = np.setdiff1d(np.arange(d), idx)
    s_fg = s[np.ix_(free, idx)]
    if idx.size:
        weights = np.linalg.solve(s[np.ix_(idx, idx)], s_fg.T).T
        cond_mean = mu[free] + (values - mu[idx]) @ weights.T
        cond_cov = s[np.ix_(free, free)] - weights @ s_fg.T
    else:
        shape = (*values.shape[:-1], free.size)
        cond_mean = np.broadcast_to(mu[free], shape).copy()
        cond_cov = s[np.ix_(free, free)].copy()
    return GaussianConditional(free, cond_mean, (cond_cov + cond_cov.T) / 2.0)


def covariance_root(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return ``R`` with ``R R' = cov`` for a symmetric positive semi-definite ``cov``.

    By eigen-decomposition, so singular matrices (a coordinate fixed by the
    others) and round-off negatives (clipped to 0) are handled.

    Parameters
    ----------
    cov : numpy.ndarray
        Shape (f, f).

    Returns
    -------
    numpy.ndarray
        Shape (f, f).

    Examples
    --------
    >>> r = covariance_root(np.array([[1.0, 1.0], [1.0, 1.0]]))
    >>> np.allclose(r @ r.T, 1.0)
    True
    """
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    return vectors * np.sqrt(np.maximum(values, 0.0))


def gaussian_fill(
    z: ArrayLike, corr: ArrayLike, seed: SeedLike | Literal["mean"] = "mean"
) -> NDArray[np.float64]:
    """Fill the NaN entries of each row of ``z`` given the row's other entries.

    Rows are grouped by their pattern of missing entries; each group is
    conditioned once with `gaussian_conditional`. ``seed="mean"`` fills with
    the conditional mean; any seed fills with a conditional draw.

    Parameters
    ----------
    z : array_like
        Normal scores, shape (m, d); NaN marks an entry to fill.
    corr : array_like
        Correlation (or covariance) of the scores, shape (d, d).
    seed : "mean", None, int, SeedSequence, BitGenerator or Generator
        "mean" for the conditional mean; else the seed of the draws.

    Returns
    -------
    numpy.ndarray
        Shape (m, d), with no NaN.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> gaussian_fill([[2.0, np.nan], [np.nan, np.nan]], corr)
    array([[2., 1.],
           [0., 0.]])
    """
    filled = np.array(z, dtype=np.float64, copy=True, ndmin=2)
    c = check_array(corr, "corr", ndim=2)
    missing = np.isnan(filled)
    rng = None if isinstance(seed, str) and seed == "mean" else as_generator(seed)
    for pattern in np.unique(missing, axis=0):
        if not pattern.any():
            continue
        rows = np.flatnonzero(np.all(missing == pattern, axis=1))
        known = np.flatnonzero(~pattern)
        cond = gaussian_conditional(c, known, filled[np.ix_(rows, known)])
        values = cond.mean
        if rng is not None:
            values = values + rng.standard_normal(values.shape) @ covariance_root(cond.cov).T
        filled[np.ix_(rows, cond.free)] = values
    return filled


class GaussianCopula(Copula):
    """Gaussian copula: the dependence of a multivariate normal with correlation ``corr_``.

    Fit it to pseudo-observations (``GaussianCopula().fit(u)``) or build it
    from a known correlation (``GaussianCopula.from_params(corr=...)``).
    ``corr_`` is the correlation of the normal scores ``Phi^-1(u)`` made
    positive definite (``method="mle"``, the default; the normal-scores
    estimator, asymptotically the maximum likelihood one) or
    ``sin(pi tau / 2)`` of the pairwise Kendall's tau (``method="itau"``,
    robust to outliers in the scores).

    Parameters
    ----------
    method : {"mle", "itau"}
        Estimator of the correlation.

    Attributes
    ----------
    corr_ : numpy.ndarray
        Correlation matrix, shape (d, d).

    Examples
    --------
    >>> cop = GaussianCopula.from_params(corr=[[1.0, 0.8], [0.8, 1.0]])
    >>> u = cop.sample(2000, seed=1)
    >>> round(float(GaussianCopula().fit(u).corr_[0, 1]), 1)
    0.8
    """

    _fitted_attributes = ("corr_",)
    _legacy_settings = ("corr",)

    def __init__(self, *, method: str = "mle") -> None:
        self.method = method

    @classmethod
    def from_params(cls, *, corr: ArrayLike, method: str = "mle") -> Self:
        """Build a Gaussian copula from a known correlation matrix.

        Parameters
        ----------
        corr : array_like
            Correlation matrix, shape (d, d): symmetric, unit diagonal,
            positive definite.
        method : {"mle", "itau"}
            Estimator used if the copula is refitted.

        Returns
        -------
        GaussianCopula
            Fitted, with ``corr_`` set.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``corr`` is not a valid correlation matrix.

        Examples
        --------
        >>> GaussianCopula.from_params(corr=[[1.0, 0.3], [0.3, 1.0]]).kendall_tau.round(3)
        array([[1.   , 0.194],
               [0.194, 1.   ]])
        """
        model = cls(method=method)
        model.corr_ = check_correlation(corr, "corr")
        return model

    @classmethod
    def from_kendall_tau(cls, tau: ArrayLike) -> Self:
        """Build a Gaussian copula whose pairs have the given Kendall's tau.

        ``rho = sin(pi tau / 2)``, made positive definite (`nearest_correlation`).

        Parameters
        ----------
        tau : array_like
            Kendall's tau matrix, shape (d, d), unit diagonal, entries in [-1, 1].

        Returns
        -------
        GaussianCopula

        Examples
        --------
        >>> cop = GaussianCopula.from_kendall_tau([[1.0, 0.5], [0.5, 1.0]])
        >>> round(float(cop.corr_[0, 1]), 4)
        0.7071
        """
        t = _check_dependence_matrix(tau, "tau")
        return cls.from_params(corr=nearest_correlation(np.sin(np.pi / 2.0 * t)))

    @classmethod
    def from_spearman(cls, rho_s: ArrayLike) -> Self:
        """Build a Gaussian copula whose pairs have the given Spearman's rho.

        ``rho = 2 sin(pi rho_s / 6)`` (Kruskal 1958), made positive definite.

        Parameters
        ----------
        rho_s : array_like
            Spearman correlation matrix, shape (d, d), unit diagonal.

        Returns
        -------
        GaussianCopula

        Examples
        --------
        >>> cop = GaussianCopula.from_spearman([[1.0, 0.5], [0.5, 1.0]])
        >>> round(float(cop.corr_[0, 1]), 4)
        0.5176
        """
        r = _check_dependence_matrix(rho_s, "rho_s")
        return cls.from_params(corr=nearest_correlation(2.0 * np.sin(np.pi / 6.0 * r)))

    def fit(self, u: ArrayLike) -> Self:
        """Fit the correlation of normal scores.

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
            If ``u`` leaves (0, 1), has fewer rows than max(d, 2), or a constant
            column.
        """
        data = check_copula_data(u, min_dim=1)
        check_choice(self.method, "method", ("mle", "itau"))
        if self.method == "itau":
            corr = np.sin(np.pi / 2.0 * kendall_tau_matrix(data))
        else:
            corr = np.atleast_2d(np.corrcoef(special.ndtri(data), rowvar=False))
        self.corr_ = nearest_correlation(corr)
        return self

    def _corr(self) -> NDArray[np.float64]:
        check_is_fitted(self)
        return self.corr_

    @property
    def dim(self) -> int:
        """Number of dimensions d."""
        return int(self._corr().shape[0])

    @property
    def n_params(self) -> int:
        """Number of free parameters, ``d (d - 1) / 2``."""
        d = self.dim
        return d * (d - 1) // 2

    @property
    def kendall_tau(self) -> NDArray[np.float64]:
        """Kendall's tau of each pair, ``2 arcsin(rho) / pi``, shape (d, d)."""
        return 2.0 / np.pi * np.arcsin(np.clip(self._corr(), -1.0, 1.0))

    @property
    def lower_tail_dependence(self) -> NDArray[np.float64]:
        """Lower tail dependence of each pair: 0 off the diagonal, shape (d, d)."""
        return np.eye(self.dim)

    @property
    def upper_tail_dependence(self) -> NDArray[np.float64]:
        """Upper tail dependence of each pair: 0 off the diagonal, shape (d, d)."""
        return np.eye(self.dim)

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Log copula density.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d), in (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        corr = self._corr()
        data = check_unit_interval(u, "u")
        if data.shape[1] != corr.shape[0]:
            raise ValidationError(f"u must have {corr.shape[0]} columns; got {data.shape[1]}")
        z = special.ndtri(data)
        chol = np.linalg.cholesky(corr)
        w = np.linalg.solve(chol, z.T).T
        logdet = 2.0 * np.log(np.diag(chol)).sum()
        return -0.5 * (logdet + (w * w).sum(axis=1) - (z * z).sum(axis=1))

    def sample_normal_scores(
        self, n: int, seed: SeedLike = None, method: str = "random"
    ) -> NDArray[np.float64]:
        """Draw ``n`` rows of the underlying multivariate normal (normal scores).

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
        corr = self._corr()
        n = check_n_samples(n)
        chol = np.linalg.cholesky(corr)
        if method != "random":
            from stochgen.samplers.qmc import normal_scores

            return normal_scores(n, corr.shape[0], seed, method) @ chol.T
        out = np.empty((n, corr.shape[0]))
        for start, stop, rng in iter_blocks(n, seed):
            out[start:stop] = rng.standard_normal((stop - start, corr.shape[0])) @ chol.T
        return out

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per point: d."""
        return self.dim

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:
        """Map independent uniforms to copula points: ``Phi(L Phi^-1(w))``.

        Parameters
        ----------
        w : array_like
            Shape (n, d), inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n, d).

        Examples
        --------
        >>> cop = GaussianCopula.from_params(corr=[[1.0, 0.5], [0.5, 1.0]])
        >>> cop.from_uniforms([[0.5, 0.5]])
        array([[0.5, 0.5]])
        """
        corr = self._corr()
        data = check_unit_interval(w, "w")
        if data.shape[1] != corr.shape[0]:
            raise ValidationError(f"w must have {corr.shape[0]} columns; got {data.shape[1]}")
        return special.ndtr(special.ndtri(data) @ np.linalg.cholesky(corr).T)

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
        return special.ndtr(self.sample_normal_scores(n, seed, method))

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:
        """Draw ``n`` points given the values of some coordinates, exactly.

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
            Shape (n, d); given coordinates hold their values.
        """
        corr = self._corr()
        d = corr.shape[0]
        n = check_n_samples(n)
        idx, values = check_given(given, d)
        free, mean, cov = gaussian_conditional(corr, idx, special.ndtri(values))
        chol = np.linalg.cholesky(nearest_correlation_like(cov))
        out = np.empty((n, d))
        out[:, idx] = values
        for start, stop, rng in iter_blocks(n, seed):
            z = mean + rng.standard_normal((stop - start, free.size)) @ chol.T
            out[start:stop, free] = special.ndtr(z)
        return out

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        corr = np.asarray(state["corr_"])
        if corr.ndim != 2 or corr.shape[0] != corr.shape[1] or corr.dtype.kind != "f":
            raise ModelFileError("GaussianCopula: corr_ must be a square float matrix")
        if not np.allclose(np.diag(corr), 1.0) or not np.allclose(corr, corr.T):
            raise ModelFileError("GaussianCopula: corr_ must be symmetric with unit diagonal")
        check_is_fitted(self)
