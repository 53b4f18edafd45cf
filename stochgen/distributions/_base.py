"""The Distribution contract every univariate model follows."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_n_samples

__all__ = ["Distribution"]


class Distribution(BaseModel):
    """Base class of univariate distributions.

    Subclasses implement ``fit``, ``logpdf``, ``cdf``, ``ppf`` and
    ``n_params``; ``pdf`` and ``sample`` follow. ``sample`` draws in fixed
    blocks (block *i* from stream *i* of the seed), inverting uniforms unless
    a subclass overrides ``_sample_block``.
    """

    #: True for distributions on integers or labels.
    discrete: ClassVar[bool] = False

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

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[Any]:
        return self.ppf(rng.random(n))

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[Any]:
        """Draw ``n`` values.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Same seed, same draws.

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        check_is_fitted(self)
        n = check_n_samples(n)
        blocks = [self._sample_block(stop - start, rng) for start, stop, rng in iter_blocks(n, seed)]
        return np.concatenate(blocks) if blocks else self._sample_block(0, np.random.default_rng(0))
