"""Point masses plus a continuous part: zero-inflated and spiked columns.

A beta or normal fitted to a column where 40% of the values are exactly 0
never produces a 0 (SDV #1686, #2718) or collapses to the minimum (#1592).
`AtomMixture` models each value repeated often enough as an atom of its own
and fits a continuous distribution to the rest.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import check_is_fitted
from stochgen._validation import check_array, check_probability
from stochgen.distributions._base import Distribution
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["AtomMixture"]


class AtomMixture(Distribution):
    """Mixture of atoms (point masses at repeated values) and a continuous distribution.

    The CDF is ``sum_a p_a 1[x >= a] + w F_c(x)``: it jumps by ``p_a`` at each
    atom ``a``. ``ppf`` is its generalised inverse, so sampling by inversion
    produces each atom with probability ``p_a`` exactly.

    Parameters
    ----------
    continuous : "auto", "empirical" or Distribution
        The continuous part: "auto" selects a family by BIC with
        ``stochgen.fit_distribution(rest, families="fast")``; "empirical"
        uses `EmpiricalDistribution`; a Distribution is cloned and fitted.
    min_fraction : float
        A value is an atom when it holds at least this fraction of the data
        (and occurs at least twice).
    min_continuous : int
        Fewer distinct non-atom values than this leave no continuous part.

    Attributes
    ----------
    atoms_ : numpy.ndarray
        Atom locations, increasing.
    atom_probs_ : numpy.ndarray
        Their probabilities.
    continuous_weight_ : float
        Probability of the continuous part (``1 - atom_probs_.sum()``).
    continuous_ : Distribution or None
        The fitted continuous part (None when ``continuous_weight_`` is 0).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = np.where(rng.random(2000) < 0.3, 0.0, rng.gamma(2.0, 10.0, 2000))
    >>> dist = AtomMixture().fit(x)
    >>> dist.atoms_.tolist(), round(float(dist.atom_probs_[0]), 2)
    ([0.0], 0.3)
    >>> round(float(np.mean(dist.sample(10_000, seed=1) == 0.0)), 2)
    0.3
    """

    _fitted_attributes = ("atoms_", "atom_probs_", "continuous_weight_", "continuous_")

    def __init__(
        self,
        *,
        continuous: str | Distribution = "auto",
        min_fraction: float = 0.01,
        min_continuous: int = 10,
    ) -> None:
        self.continuous = continuous
        self.min_fraction = min_fraction
        self.min_continuous = min_continuous

    def fit(self, x: ArrayLike) -> Self:
        """Find the atoms and fit the continuous part to the other values.

        Parameters
        ----------
        x : array_like
            One-dimensional finite data.

        Returns
        -------
        Self
        """
        data = check_array(x, "x", ndim=1)
        min_fraction = check_probability(self.min_fraction, "min_fraction")
        values, counts = np.unique(data, return_counts=True)
        is_atom = (counts >= 2) & (counts >= min_fraction * data.size)
        rest = data[~np.isin(data, values[is_atom])]
        if np.unique(rest).size < self.min_continuous:
            # Too few distinct values left to fit a density: every value is an atom.
            is_atom = np.ones(values.size, dtype=bool)
            rest = rest[:0]
        self.atoms_ = values[is_atom]
        self.atom_probs_ = counts[is_atom] / data.size
        self.continuous_weight_ = float(rest.size / data.size)
        self.continuous_ = self._fit_continuous(rest) if rest.size else None
        return self

    def _fit_continuous(self, rest: NDArray[np.float64]) -> Distribution:
        if isinstance(self.continuous, Distribution):
            return self.continuous.clone().fit(rest)
        if self.continuous == "empirical":
            from stochgen.distributions.empirical import EmpiricalDistribution

            return EmpiricalDistribution().fit(rest)
        if self.continuous == "auto":
            from stochgen.distributions.selection import fit_distribution

            return fit_distribution(rest, families="fast")[0]
        raise ValidationError(
            f"continuous must be 'auto', 'empirical' or a Distribution; got {self.continuous!r}"
        )

    @property
    def n_params(self) -> int:
        """Atom locations and probabilities, plus the continuous part's parameters."""
        check_is_fitted(self)
        extra = self.continuous_.n_params if self.continuous_ is not None else 0
        return 2 * int(self.atoms_.size) + extra

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Cumulative distribution function (right-continuous, jumps at atoms).

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        x = np.asarray(x, dtype=np.float64)
        cum = np.concatenate([[0.0], np.cumsum(self.atom_probs_)])
        out = cum[np.searchsorted(self.atoms_, x, side="right")]
        if self.continuous_ is not None:
            out = out + self.continuous_weight_ * self.continuous_.cdf(x)
        return np.where(np.isnan(x), np.nan, np.clip(out, 0.0, 1.0))

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Generalised inverse of `cdf`: the smallest ``x`` with ``cdf(x) >= q``.

        Parameters
        ----------
        q : array_like
            Probabilities in [0, 1]; NaN outside.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        q = np.asarray(q, dtype=np.float64)
        flat = q.ravel()
        below = np.concatenate([[0.0], np.cumsum(self.atom_probs_)])  # atom mass before atom j
        out = np.empty(flat.shape)
        if self.continuous_ is None:
            k = np.searchsorted(below[1:], flat * (1 - 1e-12), side="left")
            out = self.atoms_[np.minimum(k, self.atoms_.size - 1)]
        else:
            w = self.continuous_weight_
            inner = self._continuous_ppf
            left = below[:-1] + w * self.continuous_.cdf(self.atoms_)  # cdf just before atom j
            right = left + self.atom_probs_
            j = np.searchsorted(right, flat, side="left")  # first atom with right >= q
            if self.atoms_.size:
                last = self.atoms_.size - 1
                on_atom = (j <= last) & (flat > left[np.minimum(j, last)])
            else:
                on_atom = np.zeros(flat.shape, dtype=bool)
            target = np.clip((flat - below[j]) / w, 0.0, 1.0)
            out = np.where(on_atom, 0.0, np.nan)
            out[on_atom] = self.atoms_[j[on_atom]]
            rest = ~on_atom & ~np.isnan(flat)
            out[rest] = inner(target[rest])
        bad = (flat < 0) | (flat > 1) | np.isnan(flat)
        return np.where(bad, np.nan, out).reshape(q.shape)

    def _continuous_ppf(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        part = self.continuous_
        if getattr(part, "_sample_by_table", False) and not part.discrete:
            return part.inverse_transform().ppf(u)
        return part.ppf(u)

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log of the atom probability at atoms, else of the weighted continuous density.

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self)
        x = np.asarray(x, dtype=np.float64)
        k = np.clip(np.searchsorted(self.atoms_, x), 0, max(self.atoms_.size - 1, 0))
        if self.atoms_.size:
            is_atom = self.atoms_[k] == x
            atom_part = np.log(self.atom_probs_[k])
        else:
            is_atom = np.zeros(x.shape, dtype=bool)
            atom_part = np.zeros(x.shape)
        if self.continuous_ is not None:
            cont = np.log(self.continuous_weight_) + self.continuous_.logpdf(x)
        else:
            cont = np.full(x.shape, -np.inf)
        return np.where(is_atom, atom_part, cont)

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values.

        Returns
        -------
        tuple of float
        """
        check_is_fitted(self)
        lo, hi = (np.inf, -np.inf) if self.continuous_ is None else self.continuous_.support()
        if self.atoms_.size:
            lo, hi = min(lo, float(self.atoms_[0])), max(hi, float(self.atoms_[-1]))
        return float(lo), float(hi)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        atoms = np.asarray(self.atoms_, dtype=np.float64)
        probs = np.asarray(self.atom_probs_, dtype=np.float64)
        weight = float(self.continuous_weight_)
        if atoms.ndim != 1 or atoms.shape != probs.shape or np.any(np.diff(atoms) <= 0):
            raise ModelFileError("AtomMixture: atoms_ must increase, atom_probs_ match it")
        if np.any(probs < 0) or not np.isclose(probs.sum() + weight, 1.0):
            raise ModelFileError("AtomMixture: atom_probs_ and continuous_weight_ must sum to 1")
        if (self.continuous_ is None) != (weight == 0) or not (
            self.continuous_ is None or isinstance(self.continuous_, Distribution)
        ):
            raise ModelFileError(
                "AtomMixture: continuous_ must be a Distribution iff its weight > 0"
            )
        self.atoms_, self.atom_probs_, self.continuous_weight_ = atoms, probs, weight

    def _state_key(self) -> tuple[Any, ...]:
        part = None if self.continuous_ is None else self.continuous_._state_key()
        return (self.atoms_.tobytes(), self.atom_probs_.tobytes(), part)
