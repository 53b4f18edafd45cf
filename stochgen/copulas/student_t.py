"""Student-t copula: dependence of a multivariate t, with symmetric tail dependence."""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from stochgen._base import check_is_fitted
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_choice, check_n_samples, check_unit_interval
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.copulas.gaussian import (
    check_correlation,
    nearest_correlation,
    nearest_correlation_like,
)
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["StudentTCopula", "student_t_logpdf"]

#: Range searched for the degrees of freedom.
DF_BOUNDS = (1.0, 200.0)


def student_t_logpdf(
    u: NDArray[np.float64], corr: NDArray[np.float64], df: float
) -> NDArray[np.float64]:
    """Log-density of the Student-t copula (Demarta & McNeil 2005, eq. 2.2).

    Parameters
    ----------
    u : numpy.ndarray
        Points, shape (n, d), strictly inside (0, 1).
    corr : numpy.ndarray
        Correlation matrix, shape (d, d), positive definite.
    df : float
        Degrees of freedom.

    Returns
    -------
    numpy.ndarray
        Shape (n,).

    Examples
    --------
    >>> round(float(student_t_logpdf(np.array([[0.5, 0.5]]), np.eye(2), 4.0)[0]), 4)
    0.1238
    """
    d = corr.shape[0]
    x = special.stdtrit(df, u)
    chol = np.linalg.cholesky(corr)
    w = np.linalg.solve(chol, x.T).T
    logdet = 2.0 * np.log(np.diag(chol)).sum()
    const = (
        special.gammaln((df + d) / 2.0)
        + (d - 1) * special.gammaln(df / 2.0)
        - d * special.gammaln((df + 1.0) / 2.0)
        - 0.5 * logdet
    )
    return (
        const
        - (df + d) / 2.0 * np.log1p((w * w).sum(axis=1) / df)
        + (df + 1.0) / 2.0 * np.log1p(x * x / df).sum(axis=1)
    )


class StudentTCopula(Copula):
    """Student-t copula with correlation ``corr`` and ``df`` degrees of freedom.

    Fit it (``StudentTCopula().fit(u)``, then ``corr_`` and ``df_``) or build
    it from known parameters (``StudentTCopula.from_params(corr=..., df=...)``).

    Fitting (Demarta & McNeil 2005): with ``method="itau"`` (the default, fast
    for wide tables) the correlation is ``sin(pi tau / 2)`` of the pairwise
    Kendall's tau, made positive definite, and ``df`` maximizes the
    likelihood given that correlation, on at most ``max_rows_df`` evenly
    spaced rows. ``method="mle"`` (d = 2 only) then maximizes the likelihood
    over both parameters on all rows.

    Parameters
    ----------
    method : {"itau", "mle"}
        Estimator.
    max_rows_df : int
        Rows used to estimate ``df`` with ``method="itau"``.

    Attributes
    ----------
    corr_ : numpy.ndarray
        Fitted correlation matrix, shape (d, d).
    df_ : float
        Fitted degrees of freedom.

    Examples
    --------
    >>> cop = StudentTCopula.from_params(corr=[[1.0, 0.6], [0.6, 1.0]], df=4.0)
    >>> u = cop.sample(4000, seed=0)
    >>> fitted = StudentTCopula().fit(u)
    >>> round(float(fitted.corr_[0, 1]), 1), bool(3.0 < fitted.df_ < 6.0)
    (0.6, True)
    """

    _fitted_attributes = ("corr_", "df_")
    _legacy_settings = ("corr", "df")

    def __init__(self, *, method: str = "itau", max_rows_df: int = 10_000) -> None:
        self.method = method
        self.max_rows_df = max_rows_df

    @classmethod
    def from_params(cls, *, corr: ArrayLike, df: float, method: str = "itau") -> Self:
        """Build a Student-t copula from a correlation matrix and degrees of freedom.

        Parameters
        ----------
        corr : array_like
            Correlation matrix, shape (d, d), positive definite.
        df : float
            Degrees of freedom, > 0. Very large values (above 1e6) behave as
            the Gaussian copula and are sampled as such.
        method : {"itau", "mle"}
            Estimator used if the copula is refitted.

        Returns
        -------
        StudentTCopula
            Fitted, with ``corr_`` and ``df_`` set.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``corr`` is not a correlation matrix or ``df`` is not a finite
            number > 0.

        Examples
        --------
        >>> cop = StudentTCopula.from_params(corr=[[1.0, 0.5], [0.5, 1.0]], df=5.0)
        >>> round(float(cop.kendall_tau[0, 1]), 4)
        0.3333
        """
        df_value = float(df)
        if not df_value > 0 or not math.isfinite(df_value):
            raise ValidationError(f"df must be a finite number > 0; got {df!r}")
        model = cls(method=method)
        model.corr_ = check_correlation(corr, "corr")
        model.df_ = df_value
        return model

    def _params(self) -> tuple[NDArray[np.float64], float]:
        check_is_fitted(self)
        return self.corr_, self.df_

    @property
    def dim(self) -> int:
        """Number of dimensions d."""
        return int(self._params()[0].shape[0])

    @property
    def n_params(self) -> int:
        """Number of free parameters: ``d (d - 1) / 2`` correlations plus ``df``."""
        d = self.dim
        return d * (d - 1) // 2 + 1

    @property
    def kendall_tau(self) -> NDArray[np.float64]:
        """Kendall's tau of each pair, ``2 arcsin(rho) / pi``, shape (d, d)."""
        return 2.0 / np.pi * np.arcsin(np.clip(self._params()[0], -1.0, 1.0))

    @property
    def lower_tail_dependence(self) -> NDArray[np.float64]:
        """Tail dependence of each pair (equal in both tails), shape (d, d).

        ``2 t_{df+1}(-sqrt((df + 1)(1 - rho) / (1 + rho)))`` (Demarta & McNeil 2005).
        """
        corr, df = self._params()
        rho = np.clip(corr, -1.0, 1.0)
        with np.errstate(divide="ignore"):
            arg = -np.sqrt((df + 1.0) * (1.0 - rho) / (1.0 + rho))
        return 2.0 * special.stdtr(df + 1.0, arg)

    @property
    def upper_tail_dependence(self) -> NDArray[np.float64]:
        """Upper tail dependence, equal to the lower (the t copula is radially symmetric)."""
        return self.lower_tail_dependence

    def fit(self, u: ArrayLike) -> Self:
        """Fit the correlation and the degrees of freedom.

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
            On data outside (0, 1), constant columns, fewer rows than columns,
            or ``method="mle"`` with d > 2.
        """
        data = check_copula_data(u)
        check_choice(self.method, "method", ("itau", "mle"))
        d = data.shape[1]
        if self.method == "mle" and d > 2:
            raise ValidationError(f"method='mle' is available for d = 2 only; got d = {d}")
        corr = nearest_correlation(np.sin(np.pi / 2.0 * kendall_tau_matrix(data)))
        step = max(1, data.shape[0] // int(self.max_rows_df))
        subset = data[::step]

        def profile(log_df: float) -> float:
            return -float(student_t_logpdf(subset, corr, math.exp(log_df)).sum())

        res = optimize.minimize_scalar(
            profile, bounds=tuple(np.log(DF_BOUNDS)), method="bounded", options={"xatol": 1e-3}
        )
        df = float(math.exp(res.x))
        if self.method == "mle":

            def objective(p: NDArray[np.float64]) -> float:
                c = np.array([[1.0, p[0]], [p[0], 1.0]])
                value = -float(student_t_logpdf(data, c, p[1]).sum())
                return value if math.isfinite(value) else 1e300

            res = optimize.minimize(
                objective,
                np.array([corr[0, 1], df]),
                method="L-BFGS-B",
                bounds=[(-0.9999, 0.9999), DF_BOUNDS],
            )
            corr = np.array([[1.0, res.x[0]], [res.x[0], 1.0]])
            df = float(res.x[1])
        self.corr_ = corr
        self.df_ = df
        return self

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
        """
        corr, df = self._params()
        data = check_unit_interval(u, "u")
        if data.shape[1] != corr.shape[0]:
            raise ValidationError(f"u must have {corr.shape[0]} columns; got {data.shape[1]}")
        return student_t_logpdf(data, corr, df)

    def sample(self, n: int, seed: SeedLike = None, method: str = "random") -> NDArray[np.float64]:
        """Draw ``n`` points of (0, 1)^d: ``t_df(Z / sqrt(W / df))``, ``W ~ chi2(df)``.

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
        return self.conditional_sample(n, {}, seed)

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per point: d for the normals, one for the chi-square."""
        return self.dim + 1

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:
        """Map independent uniforms (n, d + 1) to copula points (n, d) by inversion.

        Parameters
        ----------
        w : array_like
            Shape (n, d + 1), inside (0, 1): d normals and the chi-square.

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        corr, df = self._params()
        d = corr.shape[0]
        data = check_unit_interval(w, "w")
        if data.shape[1] != d + 1:
            raise ValidationError(f"w must have {d + 1} columns; got {data.shape[1]}")
        z = special.ndtri(data[:, :d]) @ np.linalg.cholesky(corr).T
        scale = np.sqrt(special.chdtri(df, 1.0 - data[:, d]) / df)
        return np.clip(
            special.stdtr(df, z / scale[:, None]), np.finfo(float).tiny, 1 - np.finfo(float).epsneg
        )

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:
        """Draw ``n`` points given any subset of coordinates, exactly.

        Given ``k`` coordinates with t scores ``x_g``, the others are
        multivariate t with ``df + k`` degrees of freedom, location
        ``S_fg S_gg^-1 x_g`` and scale ``(df + q) / (df + k)`` times the
        Schur complement, ``q = x_g' S_gg^-1 x_g`` (Kotz & Nadarajah 2004).

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

        Examples
        --------
        >>> cop = StudentTCopula.from_params(corr=[[1.0, 0.9], [0.9, 1.0]], df=3.0)
        >>> rows = cop.conditional_sample(1000, {0: 0.95}, seed=0)
        >>> bool(rows[:, 1].mean() > 0.7)
        True
        """
        corr, df = self._params()
        d = corr.shape[0]
        n = check_n_samples(n)
        idx, values = check_given(given, d)
        free = np.setdiff1d(np.arange(d), idx)
        k = idx.size
        x_g = special.stdtrit(df, values)
        s_fg = corr[np.ix_(free, idx)]
        if k:
            s_gg = corr[np.ix_(idx, idx)]
            weights = np.linalg.solve(s_gg, s_fg.T).T
            mean = weights @ x_g
            q = float(x_g @ np.linalg.solve(s_gg, x_g))
            cov = corr[np.ix_(free, free)] - weights @ s_fg.T
        else:
            mean, q, cov = np.zeros(free.size), 0.0, corr
        df_c = df + k
        chol = np.linalg.cholesky(nearest_correlation_like(cov * (df + q) / df_c))
        out = np.empty((n, d))
        out[:, idx] = values
        for start, stop, rng in iter_blocks(n, seed):
            m = stop - start
            z = rng.standard_normal((m, free.size)) @ chol.T
            w = rng.chisquare(df_c, m) / df_c
            out[start:stop, free] = special.stdtr(df, mean + z / np.sqrt(w)[:, None])
        return out

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        corr = np.asarray(state["corr_"])
        if corr.ndim != 2 or corr.shape[0] != corr.shape[1] or corr.dtype.kind != "f":
            raise ModelFileError("StudentTCopula: corr_ must be a square float matrix")
        if not np.allclose(np.diag(corr), 1.0) or not np.allclose(corr, corr.T):
            raise ModelFileError("StudentTCopula: corr_ must be symmetric with unit diagonal")
        if not isinstance(state["df_"], float | int) or not state["df_"] > 0:
            raise ModelFileError(f"StudentTCopula: df_ must be > 0; got {state['df_']!r}")
