"""The Distribution contract every univariate model follows."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import SeedLike, as_generator, iter_blocks
from stochgen._validation import check_n_samples
from stochgen.exceptions import FitError

__all__ = ["Distribution", "FitError"]


class Distribution(BaseModel):
    """Base class of univariate distributions.

    Subclasses implement ``fit``, ``logpdf``, ``cdf``, ``ppf`` and
    ``n_params``; ``pdf``, ``support`` and ``sample`` follow. ``sample``
    draws in fixed blocks (block *i* from stream *i* of the seed), inverting
    uniforms unless a subclass overrides ``_sample_block``. Subclasses that
    set ``_sample_by_table = True`` sample through a cached
    `~stochgen.InverseTransform` table of their own cdf (built on the first
    call, rebuilt when the fitted state changes): the same uniforms, the same
    blocks, inverted by the table.
    """

    #: True for distributions on integers or labels.
    discrete: ClassVar[bool] = False
    #: Sample through a tabulated inverse CDF (`stochgen.InverseTransform`).
    _sample_by_table: ClassVar[bool] = False
    #: ``ppf`` itself reads the table: build the table from ``cdf`` alone.
    _ppf_by_table: ClassVar[bool] = False
    #: u-error of the sampling table.
    _table_u_resolution: ClassVar[float] = 1e-10

    def fit(self, x: ArrayLike) -> Self:  # pragma: no cover - abstract
        """Fit to data and return self."""
        raise NotImplementedError

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Log density (log probability mass for discrete distributions)."""
        raise NotImplementedError

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Cumulative distribution function."""
        raise NotImplementedError

    def ppf(self, q: ArrayLike) -> NDArray[Any]:  # pragma: no cover - abstract
        """Quantile function, the inverse of `cdf`."""
        raise NotImplementedError

    @property
    def n_params(self) -> int:  # pragma: no cover - abstract
        """Number of fitted parameters (for AIC/BIC)."""
        raise NotImplementedError

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Density (probability mass for discrete distributions).

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        return np.exp(self.logpdf(x))

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (infinite when unbounded).

        Returns
        -------
        tuple of float
        """
        return (-np.inf, np.inf)

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[Any]:
        return self.ppf(rng.random(n))

    def _state_key(self) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name in self._fitted_attributes:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                parts.append((value.dtype.str, value.shape, value.tobytes()))
            elif isinstance(value, dict):
                parts.append(tuple(sorted(value.items())))
            else:
                parts.append(value)
        return tuple(parts)

    def inverse_transform(self) -> Any:
        """Return the (cached) `~stochgen.InverseTransform` table of this distribution.

        Returns
        -------
        stochgen.InverseTransform
            Built on first use at ``u_resolution=1e-10``; rebuilt after a refit.
        """
        from stochgen.samplers.inverse import InverseTransform

        check_is_fitted(self)
        key = self._state_key()
        cached = self.__dict__.get("_inverse_cache")
        if cached is None or cached[0] != key:
            target = _CdfView(self) if self._ppf_by_table else self
            cached = (key, InverseTransform(target, u_resolution=self._table_u_resolution))
            self.__dict__["_inverse_cache"] = cached
        return cached[1]

    def normal_score_map(self) -> tuple[str, float, float, float] | None:
        """Return the exact map from a normal score to this law, where it is elementary.

        Returns ``(g, c0, c1, c2)`` with ``x = c0 + c1 * g(c2 * z)`` and ``g``
        one of ``"identity"``, ``"exp"``, ``"ndtr"`` (normal, lognormal and
        uniform families), or None. Joint laws with a Gaussian copula use it
        to skip the quantile function.

        Returns
        -------
        tuple or None
        """
        return None

    def sample(self, n: int, seed: SeedLike = None, method: str = "random") -> NDArray[Any]:
        """Draw ``n`` values.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Same seed, same draws.
        method : {"random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic"}
            ``"random"``: the block streams; otherwise the quantile function
            of a randomized point set (`stochgen.samplers.qmc.uniform_points`).

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        check_is_fitted(self)
        n = check_n_samples(n)
        if method != "random":
            from stochgen.samplers.qmc import uniform_points

            u = uniform_points(n, 1, seed, method)[:, 0]
            return self.inverse_transform().ppf(u) if self._sample_by_table else self.ppf(u)
        if self._sample_by_table:
            return self.inverse_transform().sample(n, seed)
        blocks = [
            self._sample_block(stop - start, rng) for start, stop, rng in iter_blocks(n, seed)
        ]
        return np.concatenate(blocks) if blocks else self._sample_block(0, as_generator(seed))


class _CdfView:
    """A distribution seen through its cdf and support only (its ppf uses the table)."""

    def __init__(self, dist: Distribution) -> None:
        self.cdf = dist.cdf
        self.support = dist.support
        self.discrete = dist.discrete
