"""A mergeable quantile sketch: deterministic compactors with a tracked rank-error bound."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._validation import check_array
from stochgen.exceptions import ValidationError

__all__ = ["QuantileSketch"]

#: Items kept per level before it is compacted.
DEFAULT_CAPACITY = 8192


class QuantileSketch:
    """A mergeable summary of a stream of numbers that answers quantile and rank queries.

    Items live in levels; an item of level ``h`` stands for ``2**h`` values.
    When a level holds more than ``capacity`` items they are sorted and every
    other one moves up a level, starting at the first or the second item in
    turn (the compactor of Karnin, Lang & Liberty 2016, "Optimal quantile
    approximation in streams", with alternating instead of random offsets, as
    in Manku, Rajagopalan & Lindsay 1998). The sketch is therefore
    deterministic: the same values, updated and merged in the same order, give
    the same sketch, so a Dask task that is run again returns the same result.

    One compaction of level ``h`` moves the rank of any point by at most
    ``2**h``; the sketch adds these up in ``rank_error``, a guaranteed bound
    on the error of every rank it reports (typically several times larger
    than the error actually made). Until the first compaction the sketch holds
    the data exactly. Memory: at most about ``capacity * log2(n / capacity)``
    floats.

    Parameters
    ----------
    capacity : int
        Items per level before compaction (at least 16).

    Attributes
    ----------
    n : int
        Values seen.
    rank_error : int
        Bound on the absolute error of any rank (divide by ``n`` for the
        error in probability).

    Examples
    --------
    >>> sketch = QuantileSketch(capacity=64)
    >>> for part in np.array_split(np.arange(10_000.0), 7):
    ...     _ = sketch.update(part)
    >>> sketch.n, bool(sketch.rank_error / sketch.n < 0.05)
    (10000, True)
    >>> bool(abs(sketch.quantiles([0.5])[0] - 5000) <= sketch.rank_error)
    True
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int | np.integer):
            raise TypeError(f"capacity must be an integer; got {capacity!r}")
        if capacity < 16:
            raise ValidationError(f"capacity must be at least 16; got {capacity}")
        self.capacity = int(capacity)
        self.n = 0
        self.rank_error = 0
        self._levels: list[NDArray[np.float64]] = []
        self._offsets: list[int] = []

    def update(self, values: ArrayLike) -> Self:
        """Add finite values.

        Parameters
        ----------
        values : array_like
            One-dimensional finite numbers (may be empty).

        Returns
        -------
        Self
        """
        array = np.asarray(values, dtype=np.float64).ravel()
        if array.size == 0:
            return self
        array = check_array(array, "values", ndim=1)
        self._add(0, array)
        self.n += int(array.size)
        self._compact()
        return self

    def merge(self, other: QuantileSketch) -> Self:
        """Add the values summarised by ``other`` (not changed).

        Parameters
        ----------
        other : QuantileSketch

        Returns
        -------
        Self
        """
        if not isinstance(other, QuantileSketch):
            raise TypeError(f"other must be a QuantileSketch; got {type(other).__name__}")
        for h, items in enumerate(other._levels):
            if items.size:
                self._add(h, items)
        self.n += other.n
        self.rank_error += other.rank_error
        self._compact()
        return self

    def _add(self, level: int, items: NDArray[np.float64]) -> None:
        while len(self._levels) <= level:
            self._levels.append(np.empty(0))
            self._offsets.append(0)
        self._levels[level] = np.concatenate([self._levels[level], items])

    def _compact(self) -> None:
        h = 0
        while h < len(self._levels):
            items = self._levels[h]
            if items.size > self.capacity:
                items = np.sort(items)
                # An odd item out stays where it is; the pairs give up one item each.
                keep, pairs = items[items.size - items.size % 2 :], items[: items.size // 2 * 2]
                promoted = pairs[self._offsets[h] :: 2]
                self._offsets[h] ^= 1
                self._levels[h] = keep
                self._add(h + 1, promoted)
                self.rank_error += 2**h
            h += 1

    def items(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the retained values, increasing, and the weight each stands for.

        Returns
        -------
        values, weights : numpy.ndarray
        """
        values = [items for items in self._levels]
        weights = [np.full(items.size, 2.0**h) for h, items in enumerate(self._levels)]
        if not values:
            return np.empty(0), np.empty(0)
        values_all, weights_all = np.concatenate(values), np.concatenate(weights)
        order = np.argsort(values_all, kind="stable")
        return values_all[order], weights_all[order]

    def quantiles(self, q: ArrayLike) -> NDArray[np.float64]:
        """Return values whose ranks are within ``rank_error`` of ``q * n``.

        Parameters
        ----------
        q : array_like
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray
            NaN for an empty sketch.
        """
        q = np.asarray(q, dtype=np.float64)
        if np.any((q < 0) | (q > 1) | np.isnan(q)):
            raise ValidationError("q must hold probabilities in [0, 1]")
        values, weights = self.items()
        if values.size == 0:
            return np.full(q.shape, np.nan)
        upper = np.cumsum(weights)
        index = np.searchsorted(upper, q * upper[-1], side="left")
        return values[np.minimum(index, values.size - 1)]

    def rank(self, x: ArrayLike) -> NDArray[np.float64]:
        """Return the estimated number of values at or below ``x``.

        Parameters
        ----------
        x : array_like

        Returns
        -------
        numpy.ndarray
        """
        values, weights = self.items()
        upper = np.concatenate([[0.0], np.cumsum(weights)])
        return upper[np.searchsorted(values, np.asarray(x, dtype=np.float64), side="right")]

    def representative(self, size: int) -> NDArray[np.float64]:
        """Return ``size`` values standing for the data, each for an equal share.

        The retained values themselves while no compaction has happened and
        they are at most ``size``; otherwise the quantiles at the mid-points
        of ``size`` equal shares.

        Parameters
        ----------
        size : int

        Returns
        -------
        numpy.ndarray
            Increasing.
        """
        values, weights = self.items()
        if self.rank_error == 0 and values.size <= size:
            return values
        return self.quantiles((np.arange(size) + 0.5) / size)
