"""Continuous parametric families on top of `scipy.stats`.

Every class holds its parameters under scipy's names; densities, CDFs and
quantiles are scipy's. Sampling goes through a cached
`~stochgen.InverseTransform` table (u-error below 1e-10), except where numpy's
own generator is faster (normal, exponential, uniform).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from stochgen._base import check_is_fitted
from stochgen.distributions._parametric import _FIT_ERRORS, ParametricDistribution, _moments
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


class GeneralizedExtremeValue(ParametricDistribution):
    """Generalized extreme value distribution (`scipy.stats.genextreme`).

    Shape ``c`` in scipy's sign convention (``c < 0``: heavy right tail).

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
    >>> dist = GeneralizedExtremeValue.from_params(c=-0.2)
    >>> round(float(dist.cdf(0.0)), 4)
    0.3679
    >>> GeneralizedExtremeValue().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "genextreme"
    _shapes = ("c",)

    def __init__(
        self, *, c: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.c = c
        self.loc = loc
        self.scale = scale


class GeneralizedPareto(ParametricDistribution):
    """Generalized Pareto distribution (`scipy.stats.genpareto`).

    Shape ``c`` (``c > 0``: heavy tail).

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
    >>> dist = GeneralizedPareto.from_params(c=0.2)
    >>> round(float(dist.cdf(1.0)), 4)
    0.5981
    >>> GeneralizedPareto().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "genpareto"
    _shapes = ("c",)

    def __init__(
        self, *, c: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.c = c
        self.loc = loc
        self.scale = scale


class Pareto(ParametricDistribution):
    """Pareto (type I) distribution (`scipy.stats.pareto`).

    Tail index ``b``; support ``x >= loc + scale``.

    Parameters
    ----------
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
    >>> dist = Pareto.from_params(b=3.0)
    >>> round(float(dist.cdf(2.0)), 4)
    0.875
    >>> Pareto().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "pareto"
    _shapes = ("b",)

    def __init__(
        self, *, b: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.b = b
        self.loc = loc
        self.scale = scale


class LogLogistic(ParametricDistribution):
    """Log-logistic (Fisk) distribution (`scipy.stats.fisk`).

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
    >>> dist = LogLogistic.from_params(c=3.0)
    >>> round(float(dist.cdf(1.0)), 4)
    0.5
    >>> LogLogistic().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "fisk"
    _shapes = ("c",)

    def __init__(
        self, *, c: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.c = c
        self.loc = loc
        self.scale = scale


class LogLaplace(ParametricDistribution):
    """Log-Laplace distribution (`scipy.stats.loglaplace`).

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
    >>> dist = LogLaplace.from_params(c=3.0)
    >>> round(float(dist.cdf(1.0)), 4)
    0.5
    >>> LogLaplace().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "loglaplace"
    _shapes = ("c",)

    def __init__(
        self, *, c: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.c = c
        self.loc = loc
        self.scale = scale


class SkewNormal(ParametricDistribution):
    """Skew-normal distribution (`scipy.stats.skewnorm`).

    Skewness parameter ``a``.

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
    >>> dist = SkewNormal.from_params(a=0.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.5
    >>> SkewNormal().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "skewnorm"
    _shapes = ("a",)

    def __init__(
        self, *, a: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.a = a
        self.loc = loc
        self.scale = scale


class InverseGaussian(ParametricDistribution):
    """Inverse Gaussian (Wald) distribution (`scipy.stats.invgauss`).

    Shape ``mu``.

    Parameters
    ----------
    mu : float or None
        Shape parameter (scipy's ``mu``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = InverseGaussian.from_params(mu=0.5)
    >>> round(float(dist.cdf(0.5)), 4)
    0.6277
    >>> InverseGaussian().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "invgauss"
    _shapes = ("mu",)

    def __init__(
        self, *, mu: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.mu = mu
        self.loc = loc
        self.scale = scale


class JohnsonSU(ParametricDistribution):
    """Johnson's SU distribution (`scipy.stats.johnsonsu`).

    Shapes ``a``, ``b``.

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
    >>> dist = JohnsonSU.from_params(a=0.0, b=1.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.5
    >>> JohnsonSU().fit(dist.sample(2000, seed=0)).n_params
    4
    """

    _scipy_name = "johnsonsu"
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


class Burr(ParametricDistribution):
    """Burr (type XII, Singh-Maddala) distribution (`scipy.stats.burr12`).

    Shapes ``c``, ``d``.

    Parameters
    ----------
    c : float or None
        Shape parameter (scipy's ``c``); None: estimated.
    d : float or None
        Shape parameter (scipy's ``d``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Burr.from_params(c=2.0, d=1.0)
    >>> round(float(dist.cdf(1.0)), 4)
    0.5
    >>> Burr().fit(dist.sample(2000, seed=0)).n_params
    4
    """

    _scipy_name = "burr12"
    _shapes = ("c", "d")

    def __init__(
        self,
        *,
        c: float | None = None,
        d: float | None = None,
        loc: float | None = None,
        scale: float | None = None,
    ) -> None:
        self.c = c
        self.d = d
        self.loc = loc
        self.scale = scale


class Laplace(ParametricDistribution):
    """Laplace (double exponential) distribution (`scipy.stats.laplace`).

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
    >>> dist = Laplace.from_params(loc=0.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.5
    >>> Laplace().fit(dist.sample(2000, seed=0)).n_params
    2
    """

    _scipy_name = "laplace"
    _shapes = ()

    def __init__(self, *, loc: float | None = None, scale: float | None = None) -> None:
        self.loc = loc
        self.scale = scale


class Pearson3(ParametricDistribution):
    """Pearson type III distribution (a gamma of any sign of skew) (`scipy.stats.pearson3`).

    ``skew``; mean ``loc`` and sd ``scale``.

    Parameters
    ----------
    skew : float or None
        Shape parameter (scipy's ``skew``); None: estimated.
    loc, scale : float or None
        Location and scale; None: estimated, a number: held fixed.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted (and fixed) parameters by scipy name.

    Examples
    --------
    >>> dist = Pearson3.from_params(skew=0.0)
    >>> round(float(dist.cdf(0.0)), 4)
    0.5
    >>> Pearson3().fit(dist.sample(2000, seed=0)).n_params
    3
    """

    _scipy_name = "pearson3"
    _shapes = ("skew",)

    def __init__(
        self, *, skew: float | None = None, loc: float | None = None, scale: float | None = None
    ) -> None:
        self.skew = skew
        self.loc = loc
        self.scale = scale

    def _start(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        mean, sd, skew = _moments(data)
        return {"skew": skew, "loc": mean, "scale": sd}

    def support(self) -> tuple[float, float]:
        """Bounds: the gamma's origin ``loc - 2 scale / skew`` on the side of the short tail.

        Returns
        -------
        tuple of float
        """
        check_is_fitted(self)
        skew, loc, scale = self.params_["skew"], self.params_["loc"], self.params_["scale"]
        if skew == 0:
            return (-np.inf, np.inf)
        origin = loc - 2 * scale / skew
        return (origin, np.inf) if skew > 0 else (-np.inf, origin)


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


def _beta_bounds(data: NDArray[np.float64]) -> tuple[float, float]:
    """Beta support from data: [0, 1] for data inside it, else the range widened by a tenth."""
    lo, hi = float(data.min()), float(data.max())
    if lo > 0 and hi < 1:
        return 0.0, 1.0
    pad = 0.1 * (hi - lo)
    return lo - pad, hi + pad
