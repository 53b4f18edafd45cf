"""JointDistribution: marginals joined by a copula, sampled by Monte Carlo or quasi-Monte Carlo."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from stochgen._base import BaseModel
from stochgen._kernels.qmc import MAP_EXP, MAP_IDENTITY, MAP_NDTR, correlated_normal_columns
from stochgen._rng import SeedLike
from stochgen._validation import check_n_samples
from stochgen.copulas import Copula, pseudo_observations
from stochgen.copulas.gaussian import GaussianCopula
from stochgen.copulas.independence import IndependenceCopula
from stochgen.distributions import Distribution
from stochgen.exceptions import ValidationError
from stochgen.samplers.qmc import (
    check_method,
    ndtri_coefficients,
    uniform_columns,
    uniform_points,
)

__all__ = ["JointDistribution"]

_MAP_CODES = {"identity": MAP_IDENTITY, "exp": MAP_EXP, "ndtr": MAP_NDTR}
_METHODS_NEEDED = ("ppf", "cdf")


class JointDistribution(BaseModel):
    """A joint law: univariate marginals joined by a copula (Sklar's theorem).

    Parameters
    ----------
    marginals : list or dict
        Fitted stochgen distributions or frozen `scipy.stats` distributions,
        continuous or discrete; a dict names the columns (samples are then
        DataFrames).
    copula : Copula or None
        A fitted stochgen copula of the same dimension (Gaussian, Student-t,
        Archimedean, vine); None means independence.

    Attributes
    ----------
    marginals_ : list
        Marginals fitted by `fit` (absent until then: the given ones are used).
    copula_ : Copula or None
        Copula fitted by `fit`.

    Notes
    -----
    Built from fitted parts (``from_params``, ``from_quantiles``, frozen
    scipy laws) it samples at once; `fit` fits copies of the parts to data.
    With a Gaussian copula and normal, lognormal or uniform marginals, rows
    are made in one compiled pass from the normal scores.

    Examples
    --------
    >>> from stochgen.distributions import LogNormal, Normal
    >>> from stochgen.copulas import GaussianCopula
    >>> joint = JointDistribution(
    ...     {"radius": LogNormal.from_params(s=0.1, scale=2200.0), "t": Normal.from_params()},
    ...     GaussianCopula.from_params(corr=[[1.0, 0.5], [0.5, 1.0]]),
    ... )
    >>> rows = joint.sample(1024, seed=0, method="sobol")
    >>> list(rows.columns), round(float(rows["radius"].median()), -2)
    (['radius', 't'], 2200.0)
    """

    _fitted_attributes = ("marginals_", "copula_")

    def __init__(
        self,
        marginals: Sequence[Any] | Mapping[str, Any],
        copula: Copula | None = None,
    ) -> None:
        self.marginals = marginals
        self.copula = copula

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_kendall_tau(
        cls, marginals: Sequence[Any] | Mapping[str, Any], tau: ArrayLike
    ) -> JointDistribution:
        """Join ``marginals`` by the Gaussian copula with Kendall's tau matrix ``tau``.

        Parameters
        ----------
        marginals : list or dict
            As in the constructor.
        tau : array_like
            Kendall's tau matrix, shape (d, d).

        Returns
        -------
        JointDistribution

        Examples
        --------
        >>> from stochgen.distributions import Uniform
        >>> joint = JointDistribution.from_kendall_tau(
        ...     [Uniform.from_params(), Uniform.from_params()], [[1.0, 0.5], [0.5, 1.0]]
        ... )
        >>> round(float(joint.copula.corr_[0, 1]), 4)
        0.7071
        """
        return cls(marginals, GaussianCopula.from_kendall_tau(tau))

    @classmethod
    def from_spearman(
        cls, marginals: Sequence[Any] | Mapping[str, Any], rho_s: ArrayLike
    ) -> JointDistribution:
        """Join ``marginals`` by the Gaussian copula with Spearman matrix ``rho_s``.

        Parameters
        ----------
        marginals : list or dict
            As in the constructor.
        rho_s : array_like
            Spearman's rho matrix, shape (d, d).

        Returns
        -------
        JointDistribution
        """
        return cls(marginals, GaussianCopula.from_spearman(rho_s))

    # ------------------------------------------------------------------ parts
    @property
    def names(self) -> list[str] | None:
        """Column names when the marginals were given as a dict, else None."""
        return list(self.marginals) if isinstance(self.marginals, Mapping) else None

    def _parts(self) -> tuple[list[Any], Copula | None]:
        if hasattr(self, "marginals_"):
            return self.marginals_, self.copula_
        if isinstance(self.marginals, Mapping):
            marginals = list(self.marginals.values())
        elif isinstance(self.marginals, Sequence) and not isinstance(self.marginals, str):
            marginals = list(self.marginals)
        else:
            raise TypeError(
                f"marginals must be a list or a dict of distributions; got "
                f"{type(self.marginals).__name__}"
            )
        if not marginals:
            raise ValidationError("marginals must hold at least one distribution")
        for i, m in enumerate(marginals):
            missing = [name for name in _METHODS_NEEDED if not callable(getattr(m, name, None))]
            if missing:
                raise TypeError(f"marginals[{i}]: `{missing[0]}` required but not found")
        if self.copula is not None and not isinstance(self.copula, Copula):
            raise TypeError(
                f"copula must be a stochgen copula or None; got {type(self.copula).__name__}"
            )
        return marginals, self.copula

    @property
    def dependent(self) -> bool:
        """Whether a copula other than independence joins the marginals."""
        copula = self._parts()[1]
        return copula is not None and not isinstance(copula, IndependenceCopula)

    @property
    def dim(self) -> int:
        """Number of variables d."""
        return len(self._parts()[0])

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per row that `from_uniforms` needs."""
        marginals, copula = self._parts()
        return len(marginals) if copula is None else copula.n_uniforms

    # ------------------------------------------------------------------ fitting
    def fit(self, data: ArrayLike | pd.DataFrame) -> Self:
        """Fit copies of the marginals to each column and the copula to pseudo-observations.

        Parameters
        ----------
        data : array_like or DataFrame
            Shape (n, d); with named marginals, a DataFrame holding those columns.

        Returns
        -------
        Self

        Raises
        ------
        TypeError
            If a marginal cannot be fitted (a frozen scipy law).
        """
        marginals, copula = self._parts()
        if isinstance(data, pd.DataFrame):
            names = self.names or list(data.columns)
            values = data[names].to_numpy(dtype=float)
        else:
            values = np.asarray(data, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(marginals):
            raise ValidationError(f"data must have {len(marginals)} columns; got {values.shape}")
        fitted = []
        for j, m in enumerate(marginals):
            if not isinstance(m, BaseModel):
                raise TypeError(f"marginals[{j}] ({type(m).__name__}) cannot be fitted")
            fitted.append(m.clone().fit(values[:, j]))
        self.marginals_ = fitted
        self.copula_ = None if copula is None else copula.clone().fit(pseudo_observations(values))
        return self

    # ------------------------------------------------------------------ sampling
    def _gaussian_maps(self) -> tuple[NDArray, ...] | None:
        marginals, copula = self._parts()
        if copula is not None and not isinstance(copula, GaussianCopula):
            return None
        kind, c0, c1, c2 = [], [], [], []
        for m in marginals:
            found = _normal_score_map(m)
            g, a, b, c = found if found is not None else ("ndtr", 0.0, 1.0, 1.0)
            kind.append(_MAP_CODES[g])
            c0.append(a)
            c1.append(b)
            c2.append(c)
        # Independence is the Gaussian copula with the identity: uniform columns pass through.
        corr = np.eye(len(marginals)) if copula is None else copula.corr_
        return (
            np.linalg.cholesky(corr),
            np.array(kind, dtype=np.int64),
            np.array(c0, dtype=float),
            np.array(c1, dtype=float),
            np.array(c2, dtype=float),
        )

    def from_uniforms(self, w: ArrayLike) -> NDArray[Any] | pd.DataFrame:
        """Map independent uniforms (n, n_uniforms) to rows of the joint law.

        The inverse Rosenblatt transform: the copula's `from_uniforms`, then
        each marginal's quantile function. Monte Carlo studies use it to
        carry any point set (and sensitivity designs) through the law.

        Parameters
        ----------
        w : array_like
            Shape (n, n_uniforms), inside (0, 1).

        Returns
        -------
        numpy.ndarray or DataFrame
            Shape (n, d); a DataFrame when the marginals are named.
        """
        points = np.atleast_2d(np.asarray(w, dtype=np.float64))
        if points.shape[1] != self.n_uniforms:
            raise ValidationError(f"w must have {self.n_uniforms} columns; got {points.shape[1]}")
        return self._rows_from_points(points)

    def _rows_from_points(self, points: NDArray[np.float64]) -> NDArray[Any] | pd.DataFrame:
        # `points` (n, n_uniforms) is not modified.
        maps = self._gaussian_maps()
        if maps is not None:
            return self._rows_from_columns(np.ascontiguousarray(points.T), maps)
        marginals, copula = self._parts()
        u = points if copula is None else copula.from_uniforms(points)
        columns = [_quantiles(m, u[:, j]) for j, m in enumerate(marginals)]
        if all(c.dtype.kind in "fiub" for c in columns):
            return self._frame(np.column_stack(columns).astype(float, copy=False))
        return self._frame(columns)

    def _rows_from_columns(
        self, columns: NDArray[np.float64], maps: tuple[NDArray, ...]
    ) -> NDArray[Any] | pd.DataFrame:
        # Gaussian copula (or none): `columns` (d, n), C-contiguous and owned, becomes the
        # rows in place; the result is its transpose, an (n, d) array in column order.
        correlated_normal_columns(columns, *maps, ndtri_coefficients())
        for j, m in enumerate(self._parts()[0]):
            if _normal_score_map(m) is None:
                columns[j] = _quantiles(m, columns[j])
        return self._frame(columns.T)

    def _frame(self, values: Any) -> NDArray[Any] | pd.DataFrame:
        names = self.names
        if isinstance(values, list):
            if names is None:
                return np.column_stack([np.asarray(c, dtype=object) for c in values])
            return pd.DataFrame(dict(zip(names, values, strict=True)))
        if names is None:
            return values
        return pd.DataFrame(values, columns=names, copy=False)

    def sample(
        self,
        n: int,
        seed: SeedLike = None,
        method: str = "random",
        *,
        row_offset: int = 0,
    ) -> NDArray[Any] | pd.DataFrame:
        """Draw ``n`` rows of the joint law.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Same seed, same rows (also across blocks: see ``row_offset``).
        method : {"random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic"}
            Point set carried through `from_uniforms`
            (`stochgen.samplers.qmc.uniform_points`).
        row_offset : int
            First row of the sequence: rows ``[a, b)`` are
            ``sample(b - a, seed, method, row_offset=a)``.

        Returns
        -------
        numpy.ndarray or DataFrame
            Shape (n, d); a DataFrame when the marginals are named.
        """
        n = check_n_samples(n)
        check_method(method)
        maps = self._gaussian_maps()
        if maps is not None:
            columns = uniform_columns(n, self.n_uniforms, seed, method, row_offset=row_offset)
            return self._rows_from_columns(columns, maps)
        w = uniform_points(n, self.n_uniforms, seed, method, row_offset=row_offset)
        return self._rows_from_points(w)

    # ------------------------------------------------------------------ densities
    def _matrix(self, x: ArrayLike | pd.DataFrame) -> NDArray[np.float64]:
        if isinstance(x, pd.DataFrame):
            x = x[self.names] if self.names else x
            return x.to_numpy(dtype=float)
        data = np.asarray(x, dtype=float)
        if data.ndim == 1:
            data = data[None, :]
        if data.shape[1] != self.dim:
            raise ValidationError(f"x must have {self.dim} columns; got {data.shape[1]}")
        return data

    def logpdf(self, x: ArrayLike | pd.DataFrame) -> NDArray[np.float64]:
        """Log density: the copula's at ``F(x)`` plus the marginals' (mass for discrete ones).

        Parameters
        ----------
        x : array_like or DataFrame
            Rows, shape (n, d).

        Returns
        -------
        numpy.ndarray
            Shape (n,).

        Notes
        -----
        With discrete marginals this is the copula density times the masses,
        a common approximation (the exact mass is a rectangle probability).
        """
        marginals, copula = self._parts()
        data = self._matrix(x)
        total = np.zeros(data.shape[0])
        u = np.empty_like(data)
        for j, m in enumerate(marginals):
            total += _marginal_logpdf(m, data[:, j])
            u[:, j] = np.clip(m.cdf(data[:, j]), np.finfo(float).tiny, 1 - np.finfo(float).epsneg)
        if copula is not None:
            total += copula.logpdf(u)
        return total

    def cdf(self, x: ArrayLike | pd.DataFrame) -> NDArray[np.float64]:
        """Joint cdf ``C(F_1(x_1), ..., F_d(x_d))`` where the copula has a closed form.

        Parameters
        ----------
        x : array_like or DataFrame
            Rows, shape (n, d).

        Returns
        -------
        numpy.ndarray
            Shape (n,).

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the copula has no cdf (Gaussian, Student-t, vine).
        """
        marginals, copula = self._parts()
        data = self._matrix(x)
        u = np.column_stack([m.cdf(data[:, j]) for j, m in enumerate(marginals)])
        if copula is None:
            return u.prod(axis=1)
        if not callable(getattr(copula, "cdf", None)):
            raise ValidationError(f"{type(copula).__name__} has no closed-form cdf")
        return copula.cdf(np.clip(u, np.finfo(float).tiny, 1 - np.finfo(float).epsneg))

    def to_dict(self) -> dict[str, Any]:
        """Return settings and fitted state as plain data.

        Returns
        -------
        dict

        Raises
        ------
        TypeError
            If a marginal is not a stochgen model (a frozen scipy law cannot be saved).
        """
        marginals, _ = self._parts()
        for j, m in enumerate(marginals):
            if not isinstance(m, BaseModel):
                raise TypeError(
                    f"marginals[{j}] ({type(m).__name__}) cannot be saved; use a stochgen "
                    "distribution (for example Normal.from_params(loc=..., scale=...))"
                )
        return super().to_dict()


def _normal_score_map(m: Any) -> tuple[str, float, float, float] | None:
    own = getattr(m, "normal_score_map", None)
    if callable(own):
        return own()
    # Frozen scipy laws: read the parameters through public methods only.
    name = getattr(getattr(m, "dist", None), "name", None)
    if name == "norm":
        return ("identity", float(m.mean()), float(m.std()), 1.0)
    if name == "uniform":
        lo, hi = m.support()
        return ("ndtr", float(lo), float(hi - lo), 1.0)
    if name == "lognorm":
        loc = float(m.support()[0])
        scale = float(m.median()) - loc
        s = math.log((float(m.ppf(special.ndtr(1.0))) - loc) / scale)
        return ("exp", loc, scale, s)
    return None


def _quantiles(m: Any, u: NDArray[np.float64]) -> NDArray[Any]:
    # A stochgen continuous marginal inverts through its cached table (u-error < 1e-10),
    # much faster than scipy's ppf; anything else through its own ppf.
    if isinstance(m, Distribution) and not m.discrete:
        return m.inverse_transform().ppf(u)
    return np.asarray(m.ppf(u))


def _marginal_logpdf(m: Any, x: NDArray[np.float64]) -> NDArray[np.float64]:
    if callable(getattr(m, "logpmf", None)) and not callable(getattr(m, "logpdf", None)):
        return np.asarray(m.logpmf(x), dtype=float)
    return np.asarray(m.logpdf(x), dtype=float)
