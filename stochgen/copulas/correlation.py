"""Correlation matrices: checks and repairs shared by the elliptical copulas."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._validation import check_array
from stochgen.exceptions import ValidationError

__all__ = ["check_correlation", "nearest_correlation", "nearest_correlation_like"]


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


def check_correlation(corr: ArrayLike, name: str = "corr") -> NDArray[np.float64]:
    """Return ``corr`` as float64 after checking it is a correlation matrix.

    Parameters
    ----------
    corr : array_like
        Candidate, shape (d, d).
    name : str
        Argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        Shape (d, d), exactly symmetric.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If it is not square, finite, symmetric, with unit diagonal and positive
        definite.

    Examples
    --------
    >>> check_correlation([[1.0, 0.5], [0.5, 2.0]])
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: corr must be square with unit diagonal; got shape (2, 2)
    """
    m = check_array(corr, name, ndim=2)
    if m.shape[0] != m.shape[1] or not np.allclose(np.diag(m), 1.0):
        raise ValidationError(f"{name} must be square with unit diagonal; got shape {m.shape}")
    if not np.allclose(m, m.T):
        raise ValidationError(f"{name} must be symmetric")
    m = (m + m.T) / 2.0
    np.fill_diagonal(m, 1.0)
    smallest = float(np.linalg.eigvalsh(m).min())
    if smallest <= 1e-12:
        raise ValidationError(
            f"{name} must be positive definite; its smallest eigenvalue is {smallest:.3g} "
            "(use nearest_correlation to repair it)"
        )
    return m


def _check_dependence_matrix(matrix: ArrayLike, name: str) -> NDArray[np.float64]:
    m = check_array(matrix, name, ndim=2)
    if m.shape[0] != m.shape[1] or not np.allclose(np.diag(m), 1.0) or not np.allclose(m, m.T):
        raise ValidationError(
            f"{name} must be a symmetric square matrix with unit diagonal; got shape {m.shape}"
        )
    if np.abs(m).max() > 1.0:
        raise ValidationError(f"{name}: entries must lie in [-1, 1]; got {np.abs(m).max()}")
    return (m + m.T) / 2.0


def nearest_correlation_like(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return ``cov`` with tiny negative eigenvalues (round-off) lifted to zero plus jitter."""
    cov = (cov + cov.T) / 2.0
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.maximum(values, 1e-12)) @ vectors.T
