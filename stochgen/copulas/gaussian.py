"""Gaussian copula: dependence of a multivariate normal, fitted on normal scores."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from stochgen._base import check_is_fitted
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_array, check_choice, check_n_samples, check_unit_interval
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.exceptions import ModelFileError, NotFittedError, ValidationError

__all__ = ["GaussianCopula", "nearest_correlation"]


def nearest_correlation(matrix: ArrayLike, min_eigenvalue: float = 1e-8) -> NDArray[np.float64]:
    """Return a positive definite correlation matrix close to ``matrix``.

    Eigenvalues are clipped at ``min_eigenvalue`` and the result is rescaled to
    a unit diagonal (one step of Higham's alternating projections; exact when
    ``matrix`` is already positive definite).

    Parameters
    ----------
    matrix : array_like
        Symmetric matrix with unit diagonal, shape (d, d).
    min_eigenvalue : float
        Smallest eigenvalue kept.

    Returns
    -------
    numpy.ndarray
        Shape (d, d).

    Examples
    --------
    >>> c = nearest_correlation([[1.0, 1.0], [1.0, 1.0]])
    >>> bool(np.all(np.linalg.eigvalsh(c) > 0))
    True
    """
    m = check_array(matrix, "matrix", ndim=2)
    m = (m + m.T) / 2.0
    values, vectors = np.linalg.eigh(m)
    if values.min() >= min_eigenvalue:
        return m
    clipped = (vectors * np.maximum(values, min_eigenvalue)) @ vectors.T
    scale = 1.0 / np.sqrt(np.diag(clipped))
    out = clipped * scale[:, None] * scale[None, :]
    np.fill_diagonal(out, 1.0)
    return out


class GaussianCopula(Copula):
    """Gaussian copula with correlation matrix ``corr``.

    Build it from a correlation (``GaussianCopula(corr=...)``) or fit it to
    pseudo-observations (``GaussianCopula().fit(u)``, then ``corr_``), where
    ``corr_`` is the correlation of the normal scores ``Phi^-1(u)`` made
    positive definite (``method="mle"``, the default; the normal-scores
    estimator, asymptotically the maximum likelihood one) or
    ``sin(pi tau / 2)`` of the pairwise Kendall's tau (``method="itau"``,
    robust to outliers in the scores).

    Parameters
    ----------
    corr : array_like or None
        Fixed correlation matrix, used when the copula is not fitted.
    method : {"mle", "itau"}
        Estimator of the correlation.

    Attributes
    ----------
    corr_ : numpy.ndarray
        Fitted correlation matrix, shape (d, d).

    Examples
    --------
    >>> cop = GaussianCopula(corr=[[1.0, 0.8], [0.8, 1.0]])
    >>> u = cop.sample(2000, seed=1)
    >>> round(float(GaussianCopula().fit(u).corr_[0, 1]), 1)
    0.8
    """

    _fitted_attributes = ("corr_",)

    def __init__(self, *, corr: ArrayLike | None = None, method: str = "mle") -> None:
        self.corr = corr
        self.method = method

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
        if hasattr(self, "corr_"):
            return self.corr_
        if self.corr is None:
            raise NotFittedError(
                "This GaussianCopula instance is not fitted yet. Call 'fit' first, or give 'corr'."
            )
        corr = check_array(self.corr, "corr", ndim=2)
        if corr.shape[0] != corr.shape[1] or not np.allclose(np.diag(corr), 1.0):
            raise ValidationError(f"corr must be square with unit diagonal; got shape {corr.shape}")
        if not np.allclose(corr, corr.T) or np.linalg.eigvalsh(corr).min() <= 0:
            raise ValidationError("corr must be symmetric positive definite")
        return corr

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

    def sample_normal_scores(self, n: int, seed: SeedLike = None) -> NDArray[np.float64]:
        """Draw ``n`` rows of the underlying multivariate normal (normal scores).

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        corr = self._corr()
        n = check_n_samples(n)
        chol = np.linalg.cholesky(corr)
        out = np.empty((n, corr.shape[0]))
        for start, stop, rng in iter_blocks(n, seed):
            out[start:stop] = rng.standard_normal((stop - start, corr.shape[0])) @ chol.T
        return out

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[np.float64]:
        """Draw ``n`` points of (0, 1)^d.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        return special.ndtr(self.sample_normal_scores(n, seed))

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
        free = np.setdiff1d(np.arange(d), idx)
        z_given = special.ndtri(np.asarray(values, dtype=float))
        s_fg = corr[np.ix_(free, idx)]
        s_gg = corr[np.ix_(idx, idx)]
        weights = np.linalg.solve(s_gg, s_fg.T).T if idx.size else np.zeros((free.size, 0))
        mean = weights @ z_given if idx.size else np.zeros(free.size)
        cov = corr[np.ix_(free, free)] - weights @ s_fg.T
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


def nearest_correlation_like(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return ``cov`` with tiny negative eigenvalues (round-off) lifted to zero plus jitter."""
    cov = (cov + cov.T) / 2.0
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.maximum(values, 1e-12)) @ vectors.T
