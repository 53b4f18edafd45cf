"""Continuous parametric families on top of `scipy.stats`.

Every class holds its parameters under scipy's names; densities, CDFs and
quantiles are scipy's. Sampling goes through a cached
`~stochgen.InverseTransform` table (u-error below 1e-10), except where numpy's
own generator is faster (normal, exponential, uniform).

This module holds the common families; the skewed and heavy-tailed ones live
in `stochgen.distributions.skewed` and the truncated normal in
`stochgen.distributions.truncated`. All are importable from here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._base import check_is_fitted
from stochgen.distributions._parametric import _FIT_ERRORS, ParametricDistribution
from stochgen.distributions.skewed import (
    Burr,
    GeneralizedExtremeValue,
    GeneralizedPareto,
    InverseGaussian,
    JohnsonSU,
    Laplace,
    LogLaplace,
    LogLogistic,
    Pareto,
    Pearson3,
    SkewNormal,
)
from stochgen.distributions.truncated import TruncatedNormal
from stochgen.exceptions import ValidationError

__all__ = [
    "Beta",
    "Burr",
    "Exponential",
    "Gamma",
    "GeneralizedExtremeValue",
    "GeneralizedPareto",
    "Gumbel",
    "InverseGaussian",
    "JohnsonSU",
    "Laplace",
    "LogLaplace",
    "LogLogistic",
    "LogNormal",
    "Logistic",
    "Normal",
    "Pareto",
    "Pearson3",
    "SkewNormal",
    "StudentT",
    "TruncatedNormal",
    "Uniform",
    "Weibull",
]


class Normal(ParametricDistribution):
    """Normal (Gaussian) distribution (`scipy.stats.norm`).

    Mean ``loc``, standard deviation ``scale``.

    Parameters
    ----------
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Normal.from_params(loc=10.0, scale=2.0)
    >>> round(float(dist.cdf(12.0)), 4)
    0.8413
    >>> Normal().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "norm"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale

    # numpy's ziggurat is faster than any table.
    _sample_by_table = False

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        return self.params_["loc"] + self.params_["scale"] * rng.standard_normal(n)

    def normal_score_map(self) -> tuple[str, float, float, float]:
        """Return the exact map from a normal score, ``x = c0 + c1 * g(c2 * z)``.

        Returns
        -------
        tuple
        """
        check_is_fitted(self)
        return ("identity", self.params_["loc"], self.params_["scale"], 1.0)


class LogNormal(ParametricDistribution):
    """Log-normal distribution (`scipy.stats.lognorm`).

    ``log(x - loc)`` is normal with sd ``s`` and mean ``log(scale)``.

    Parameters
    ----------
    s : float or None
        Shape parameter (scipy's ``s``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = LogNormal.from_params(s=0.5, scale=100.0)
    >>> round(float(dist.cdf(100.0)), 4)
    0.5
    >>> LogNormal().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "lognorm"
    _shapes = ("s",)

    def __init__(
        self, *, s: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.s = s
        self.loc = loc
        self.scale = scale

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        if "loc" not in fixed:
            try:
                return self._profile_location(data, fixed)
            except _FIT_ERRORS:
                pass  # the general search below reports what fails
        return super()._mle(data, fixed)

    def normal_score_map(self) -> tuple[str, float, float, float]:
        """Return the exact map from a normal score, ``x = c0 + c1 * g(c2 * z)``.

        Returns
        -------
        tuple
        """
        check_is_fitted(self)
        p = self.params_
        return ("exp", p["loc"], p["scale"], p["s"])


class Gamma(ParametricDistribution):
    """Gamma distribution (`scipy.stats.gamma`).

    Shape ``a``.

    Parameters
    ----------
    a : float or None
        Shape parameter (scipy's ``a``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Gamma.from_params(a=2.0, scale=3.0)
    >>> round(float(dist.cdf(6.0)), 4)
    0.594
    >>> Gamma().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "gamma"
    _shapes = ("a",)

    def __init__(
        self, *, a: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.a = a
        self.loc = loc
        self.scale = scale

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        if "loc" not in fixed:
            try:
                return self._profile_location(data, fixed)
            except _FIT_ERRORS:
                pass  # the general search below reports what fails
        return super()._mle(data, fixed)


class Beta(ParametricDistribution):
    """Beta distribution on ``[loc, loc + scale]`` (`scipy.stats.beta`).

    Shapes ``a``, ``b``. A beta on ``[lo, hi]`` is ``Beta(loc=lo, scale=hi - lo)``.
    Bounds left to ``fit`` are [0, 1] for data strictly inside (0, 1)
    (proportions; not counted as estimated parameters), else the data's range
    widened by a tenth at each end (counted): free bounds make the beta
    likelihood unbounded, so they are not maximum-likelihood estimates.

    Parameters
    ----------
    a : float or None
        Shape parameter (scipy's ``a``); None: estimated.
    b : float or None
        Shape parameter (scipy's ``b``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Beta.from_params(a=2.0, b=5.0)
    >>> round(float(dist.cdf(0.2)), 4)
    0.3446
    >>> Beta().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "beta"
    _shapes = ("a", "b")

    def __init__(
        self,
        *,
        a: float | None = None,
        b: float | None = None,
        loc: float | None = None,
        scale: float | None = None,
    ) -> None:
        self.a = a
        self.b = b
        self.loc = loc
        self.scale = scale

    def _data_checks(self, data: NDArray[np.float64], fixed: dict[str, float]) -> None:
        if "loc" in fixed and "scale" in fixed:
            lo, hi = fixed["loc"], fixed["loc"] + fixed["scale"]
            if data.min() <= lo or data.max() >= hi:
                raise ValidationError(
                    f"x: values span [{data.min()}, {data.max()}]; a Beta on [{lo}, {hi}] needs "
                    "them strictly inside (widen the bounds or model the atoms at the ends)"
                )

    def _start(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        lo, hi = _beta_bounds(data)
        loc = fixed.get("loc", lo)
        scale = fixed.get("scale", hi - loc)
        z = (data - loc) / scale
        m, v = float(z.mean()), float(z.var())
        common = max(m * (1 - m) / v - 1, 1e-3)
        return {
            "a": max(m * common, 1e-3),
            "b": max((1 - m) * common, 1e-3),
            "loc": loc,
            "scale": scale,
        }

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        # Free bounds make the beta likelihood unbounded; take them from the data.
        start = self._start(data, fixed)
        bounds = {"loc": start["loc"], "scale": start["scale"]}
        return super()._mle(data, {**bounds, **fixed})

    @property
    def n_params(self) -> int:
        """Estimated parameters: 2 shapes, plus the bounds unless given or [0, 1]."""
        fixed = self._fixed()
        shapes = 2 - sum(name in fixed for name in ("a", "b"))
        if "loc" in fixed and "scale" in fixed:
            return shapes
        params = getattr(self, "params_", None)
        on_unit = params is not None and params["loc"] == 0 and params["scale"] == 1
        return shapes + (0 if on_unit else 2 - sum(n in fixed for n in ("loc", "scale")))


class StudentT(ParametricDistribution):
    """Student's t distribution (`scipy.stats.t`).

    Degrees of freedom ``df``.

    Parameters
    ----------
    df : float or None
        Shape parameter (scipy's ``df``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = StudentT.from_params(df=5.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.5
    >>> StudentT().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "t"
    _shapes = ("df",)

    def __init__(
        self, *, df: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.df = df
        self.loc = loc
        self.scale = scale


class Exponential(ParametricDistribution):
    """Exponential distribution (`scipy.stats.expon`).

    Rate ``1 / scale`` above ``loc``.

    Parameters
    ----------
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Exponential.from_params(scale=2.0)
    >>> round(float(dist.cdf(2.0)), 4)
    0.6321
    >>> Exponential().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "expon"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale

    _sample_by_table = False

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        return self.params_["loc"] + self.params_["scale"] * rng.standard_exponential(n)


class Weibull(ParametricDistribution):
    """Weibull distribution (`scipy.stats.weibull_min`).

    Shape ``c``.

    Parameters
    ----------
    c : float or None
        Shape parameter (scipy's ``c``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Weibull.from_params(c=1.5, scale=2.0)
    >>> round(float(dist.cdf(2.0)), 4)
    0.6321
    >>> Weibull().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "weibull_min"
    _shapes = ("c",)

    def __init__(
        self, *, c: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.c = c
        self.loc = loc
        self.scale = scale


class Uniform(ParametricDistribution):
    """Uniform distribution on ``[loc, loc + scale]`` (`scipy.stats.uniform`).

    Fitted bounds are the data's minimum and maximum (the MLE).

    Parameters
    ----------
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Uniform.from_params(loc=1.0, scale=2.0)
    >>> round(float(dist.cdf(2.0)), 4)
    0.5
    >>> Uniform().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "uniform"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale

    _sample_by_table = False

    def _sample_block(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        return self.params_["loc"] + self.params_["scale"] * rng.random(n)

    def normal_score_map(self) -> tuple[str, float, float, float]:
        """Return the exact map from a normal score, ``x = c0 + c1 * g(c2 * z)``.

        Returns
        -------
        tuple
        """
        check_is_fitted(self)
        return ("ndtr", self.params_["loc"], self.params_["scale"], 1.0)


class Logistic(ParametricDistribution):
    """Logistic distribution (`scipy.stats.logistic`).

    Location ``loc``, scale ``scale``.

    Parameters
    ----------
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Logistic.from_params(loc=1.0)
    >>> round(float(dist.cdf(1.0)), 4)
    0.5
    >>> Logistic().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "logistic"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale


class Gumbel(ParametricDistribution):
    """Gumbel (right-skewed, maximum) distribution (`scipy.stats.gumbel_r`).

    Location ``loc``, scale ``scale``.

    Parameters
    ----------
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Gumbel.from_params(loc=0.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.3679
    >>> Gumbel().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "gumbel_r"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale


def _beta_bounds(data: NDArray[np.float64]) -> tuple[float, float]:
    """Beta support from data: [0, 1] for data inside it, else the range widened by a tenth."""
    lo, hi = float(data.min()), float(data.max())
    if lo > 0 and hi < 1:
        return 0.0, 1.0
    pad = 0.1 * (hi - lo)
    return lo - pad, hi + pad
