"""The alias method: O(1) draws from a finite discrete distribution.

Walker (1977), "An efficient method for generating discrete random variables
with general distributions", ACM TOMS 3(3); table set-up by Vose (1991), "A
linear algorithm for generating random numbers with a given distribution",
IEEE TSE 17(9).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._kernels.discrete import alias_lookup, alias_setup
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_array, check_n_samples
from stochgen.exceptions import ValidationError

__all__ = ["AliasTable"]


class AliasTable:
    """Alias table of a finite distribution over the indices ``0 .. k - 1``.

    Parameters
    ----------
    probs : array_like
        Non-negative weights (normalised here), not all zero.

    Attributes
    ----------
    probs : numpy.ndarray
        The normalised probabilities.

    Raises
    ------
    ValueError
        If a weight is negative or not finite, or all are zero.

    Examples
    --------
    >>> table = AliasTable([0.2, 0.5, 0.3])
    >>> table.lookup([0.0, 0.5])
    array([0, 1])
    >>> np.bincount(table.sample(100_000, seed=0)) / 100_000
    array([0.19925, 0.50127, 0.29948])
    >>> table.sample(4, seed=0).shape
    (4,)
    """

    def __init__(self, probs: ArrayLike) -> None:
        weights = check_array(probs, "probs", ndim=1)
        if np.any(weights < 0):
            raise ValidationError(f"probs: {int((weights < 0).sum())} weights are negative")
        total = weights.sum()
        if total <= 0:
            raise ValidationError("probs: all weights are zero; expected a positive total")
        self.probs = weights / total
        self._accept, self._alias = alias_setup(self.probs)

    def lookup(self, u: ArrayLike) -> NDArray[np.int64]:
        """Map uniforms in [0, 1) to indices.

        Parameters
        ----------
        u : array_like
            Uniforms.

        Returns
        -------
        numpy.ndarray of int64
        """
        flat = np.ascontiguousarray(np.asarray(u, dtype=np.float64).ravel())
        return alias_lookup(flat, self._accept, self._alias).reshape(np.shape(u))

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[np.int64]:
        """Draw ``n`` indices, in fixed blocks (block *i* from stream *i*).

        Parameters
        ----------
        n : int
            Number of draws.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Same seed, same draws.

        Returns
        -------
        numpy.ndarray of int64
        """
        n = check_n_samples(n)
        out = np.empty(n, dtype=np.int64)
        for start, stop, rng in iter_blocks(n, seed):
            out[start:stop] = alias_lookup(rng.random(stop - start), self._accept, self._alias)
        return out
