"""The truncated normal family, fitted with its bounds known or estimated."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from stochgen.distributions._parametric import ParametricDistribution, _moments
from stochgen.exceptions import ValidationError

__all__ = [
    "TruncatedNormal",
]


class TruncatedNormal(ParametricDistribution):
    """Normal distribution truncated to ``[lower, upper]``: `scipy.stats.truncnorm`.

    Parameters
    ----------
    lower, upper : float or None
        Truncation bounds; None: the data's minimum / maximum (may be -inf /
        inf for one-sided truncation).
    loc, scale : float or None
        Mean and standard deviation of the normal before truncation; None:
        estimated by maximum likelihood.

    Attributes
    ----------
    params_ : dict of str to float
        ``lower``, ``upper``, ``loc``, ``scale``.

    Examples
    --------
    >>> dist = TruncatedNormal.from_params(lower=0.0, upper=np.inf, loc=0.0, scale=1.0)
    >>> round(float(dist.cdf(1.0)), 4)
    0.6827
    >>> fitted = TruncatedNormal(lower=0.0, upper=np.inf).fit(dist.sample(5000, seed=0))
    >>> round(fitted.params_["scale"], 1)
    1.0
    """

    _scipy_name = "truncnorm"
    _shapes = ("lower", "upper")

    def __init__(
        self,
        *,
        lower: float | None = None,
        upper: float | None = None,
        loc: float | None = None,
        scale: float | None = None,
    ) -> None:
        self.lower = lower
        self.upper = upper
        self.loc = loc
        self.scale = scale

    @classmethod
    def from_params(cls, **params: float) -> TruncatedNormal:
        """Build a fitted distribution from ``lower``, ``upper``, ``loc``, ``scale``.

        Parameters
        ----------
        **params : float
            Values; ``loc`` defaults to 0 and ``scale`` to 1.

        Returns
        -------
        TruncatedNormal
        """
        values = {"loc": 0.0, "scale": 1.0, **params}
        model = cls(**{k: float(v) for k, v in values.items()})
        model.params_ = model._check_params({k: float(v) for k, v in values.items()})
        return model

    def _fixed(self) -> dict[str, float]:
        fixed = {}
        for name in ("lower", "upper", "loc", "scale"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(
                    value, int | float | np.integer | np.floating
                ):
                    raise TypeError(f"{name} must be None or a number; got {value!r}")
                if np.isnan(value) or (name in ("loc", "scale") and not np.isfinite(value)):
                    raise ValidationError(f"{name} must be a number; got {value}")
                fixed[name] = float(value)
        if "scale" in fixed and fixed["scale"] <= 0:
            raise ValidationError(f"scale must be > 0; got {fixed['scale']}")
        return fixed

    def _check_params(self, params: dict[str, float]) -> dict[str, float]:
        if np.isnan(list(params.values())).any() or not (
            np.isfinite(params["loc"]) and np.isfinite(params["scale"])
        ):
            raise ValidationError(f"TruncatedNormal: parameters must be numbers; got {params}")
        if params["scale"] <= 0 or not params["lower"] < params["upper"]:
            raise ValidationError(
                f"TruncatedNormal: need scale > 0 and lower < upper; got {params}"
            )
        return params

    def _loglik(self, params: dict[str, float], data: NDArray[np.float64]) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(self._freeze(params).logpdf(data)))

    def _freeze(self, params: dict[str, float]) -> Any:
        a = (params["lower"] - params["loc"]) / params["scale"]
        b = (params["upper"] - params["loc"]) / params["scale"]
        return stats.truncnorm(a, b, loc=params["loc"], scale=params["scale"])

    def _data_checks(self, data: NDArray[np.float64], fixed: dict[str, float]) -> None:
        if data.min() < fixed.get("lower", -np.inf) or data.max() > fixed.get("upper", np.inf):
            raise ValidationError(
                f"x: values span [{data.min()}, {data.max()}], outside the truncation bounds "
                f"[{fixed.get('lower')}, {fixed.get('upper')}]"
            )

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        lower = fixed.get("lower", float(data.min()))
        upper = fixed.get("upper", float(data.max()))
        mean, sd, _ = _moments(data)
        start = np.array([fixed.get("loc", mean), np.log(fixed.get("scale", sd))])
        free = [name not in fixed for name in ("loc", "scale")]

        def unpack(theta: NDArray[np.float64]) -> tuple[float, float]:
            loc = theta[0] if free[0] else fixed["loc"]
            scale = np.exp(theta[1]) if free[1] else fixed["scale"]
            return loc, scale

        def negloglik(theta: NDArray[np.float64]) -> float:
            loc, scale = unpack(theta)
            value = -np.sum(
                stats.truncnorm.logpdf(
                    data, (lower - loc) / scale, (upper - loc) / scale, loc=loc, scale=scale
                )
            )
            return float(value) if np.isfinite(value) else 1e300

        if any(free):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = optimize.minimize(negloglik, start, method="Nelder-Mead")
            loc, scale = unpack(result.x)
        else:
            loc, scale = fixed["loc"], fixed["scale"]
        return {"lower": lower, "upper": upper, "loc": float(loc), "scale": float(scale)}

    @property
    def n_params(self) -> int:
        """Number of parameters estimated from data (bounds taken from data count)."""
        return 4 - len(self._fixed())
