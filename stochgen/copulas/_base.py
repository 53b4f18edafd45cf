"""The Copula contract every dependence model follows."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from stochgen._base import BaseModel
from stochgen._rng import SeedLike
from stochgen._validation import check_array, check_unit_interval
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["Copula", "check_copula_data", "check_given", "pseudo_observations"]


def check_copula_data(u: ArrayLike, *, min_dim: int = 2, max_dim: int | None = None) -> NDArray:
    """Return copula data as float64 (n, d) after checking it can be fitted.

    Parameters
    ----------
    u : array_like
        Pseudo-observations, shape (n, d).
    min_dim, max_dim : int
        Accepted numbers of columns.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    stochgen.exceptions.ValidationError
        If a value lies outside (0, 1), the dimension is not accepted, there are
        fewer rows than columns (or than 2), or a column is constant.

    Examples
    --------
    >>> check_copula_data([[0.5, 0.2], [0.5, 0.7], [0.5, 0.4]])
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: u: column(s) [0] are constant (every value 0.5)
    """
    data = check_unit_interval(u, "u")
    n, d = data.shape
    if d < min_dim or (max_dim is not None and d > max_dim):
        expected = f"{min_dim}" if max_dim == min_dim else f"at least {min_dim}"
        raise ValidationError(f"u must have {expected} columns; got {d}")
    if n < max(d, 2):
        raise ValidationError(
            f"u has {n} rows and {d} columns; fitting needs at least max(d, 2) = {max(d, 2)} rows"
        )
    # Column by column: one (n,) comparison at a time, never an (n, d) temporary.
    constant = np.array(
        [j for j in range(d) if not (data[:, j] != data[0, j]).any()], dtype=np.int64
    )
    if constant.size:
        raise ValidationError(
            f"u: column(s) {constant.tolist()} are constant (every value {data[0, constant[0]]})"
        )
    return data


def check_given(given: Any, d: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Return the sorted indices and values of a ``given`` mapping after checking it.

    Parameters
    ----------
    given : dict of int to float
        Coordinate index to its value in (0, 1).
    d : int
        Dimension of the copula.

    Returns
    -------
    indices : numpy.ndarray of int
    values : numpy.ndarray of float

    Raises
    ------
    TypeError
        If ``given`` is not a mapping of integers.
    stochgen.exceptions.ValidationError
        On an index outside ``[0, d)`` or a value outside (0, 1).

    Examples
    --------
    >>> check_given({1: 0.25}, 3)
    (array([1]), array([0.25]))
    """
    if not isinstance(given, dict):
        raise TypeError(f"given must be a dict of index to value; got {type(given).__name__}")
    for key in given:
        if isinstance(key, bool) or not isinstance(key, int | np.integer):
            raise TypeError(f"given: keys must be column indices (int); got {key!r}")
    idx = np.array(sorted(int(k) for k in given), dtype=np.int64)
    if idx.size and (idx[0] < 0 or idx[-1] >= d):
        raise ValidationError(f"given: indices must lie in [0, {d}); got {idx.tolist()}")
    if not idx.size:
        return idx, np.empty(0)
    values = check_unit_interval([given[int(i)] for i in idx], "given", ndim=1)
    return idx, values


def pseudo_observations(x: ArrayLike) -> NDArray[np.float64]:
    """Return rank-based pseudo-observations ``rank / (n + 1)`` column by column.

    Ties get their average rank.

    Parameters
    ----------
    x : array_like
        Data, shape (n, d); finite.

    Returns
    -------
    numpy.ndarray
        Shape (n, d), values in the open interval (0, 1).

    Examples
    --------
    >>> pseudo_observations([[3.0], [1.0], [2.0]]).ravel()
    array([0.75, 0.25, 0.5 ])
    """
    data = check_array(x, "x", ndim=2)
    ranks = stats.rankdata(data, axis=0)
    return ranks / (data.shape[0] + 1.0)


class Copula(BaseModel):
    """Base class of copulas on pseudo-observations in (0, 1)^d.

    Copulas with known parameters come from each class's ``from_params``;
    settings in ``__init__`` are settings only.
    """

    #: Former settings that held parameters (before ``from_params``): model files
    #: that still carry them load; an unfitted one whose first legacy setting is
    #: set loads as ``from_params`` of them (as it sampled before).
    _legacy_settings: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_params(cls, **params: Any) -> Self:  # pragma: no cover - abstract
        """Build a fitted copula from known parameters."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a copula from the output of `to_dict`, old files included.

        Parameters
        ----------
        data : dict
            As returned by `to_dict` (after a JSON round trip).

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ModelFileError
            If the class name, settings or state do not match this class.
        """
        params = data.get("params") if isinstance(data, dict) else None
        legacy = {}
        if isinstance(params, dict) and cls._legacy_settings:
            legacy = {k: params[k] for k in cls._legacy_settings if k in params}
            data = {**data, "params": {k: v for k, v in params.items() if k not in legacy}}
        model = super().from_dict(data)
        first = legacy.get(cls._legacy_settings[0]) if legacy else None
        if data["state"] is None and first is not None:
            try:
                fitted = cls.from_params(**{k: v for k, v in legacy.items() if v is not None})
            except (TypeError, ValueError) as exc:
                raise ModelFileError(
                    f"{cls.__name__}: invalid parameters in model file: {exc}"
                ) from exc
            model._set_state(fitted._get_state())
        return model

    def fit(self, u: ArrayLike) -> Self:  # pragma: no cover - abstract
        """Fit to pseudo-observations and return self."""
        raise NotImplementedError

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Log copula density at each row of ``u``."""
        raise NotImplementedError

    def sample(
        self, n: int, seed: SeedLike = None, method: str = "random"
    ) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Draw ``n`` points of (0, 1)^d."""
        raise NotImplementedError

    @property
    def n_uniforms(self) -> int:  # pragma: no cover - abstract
        """Number of independent uniforms `from_uniforms` turns into one point."""
        raise NotImplementedError

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Map independent uniforms, shape (n, n_uniforms), to copula points (n, d)."""
        raise NotImplementedError

    def _sample_qmc(self, n: int, seed: SeedLike, method: str) -> NDArray[np.float64]:
        """Points from a randomized point set through `from_uniforms` (method != "random")."""
        from stochgen.samplers.qmc import uniform_points

        return self.from_uniforms(uniform_points(n, self.n_uniforms, seed, method))

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:  # pragma: no cover - abstract
        """Draw ``n`` points given some coordinates' values."""
        raise NotImplementedError
