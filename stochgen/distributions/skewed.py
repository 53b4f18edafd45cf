"""Skewed and heavy-tailed continuous families: extremes, Pareto tails, Johnson, Burr, Pearson.

Each class holds its parameters under scipy's names; densities, CDFs and
quantiles are scipy's; sampling goes through a cached
`~stochgen.InverseTransform` table.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stochgen._base import check_is_fitted
from stochgen.distributions._parametric import ParametricDistribution, _moments

__all__ = [
    "Burr",
    "GeneralizedExtremeValue",
    "GeneralizedPareto",
    "InverseGaussian",
    "JohnsonSU",
    "Laplace",
    "LogLaplace",
    "LogLogistic",
    "Pareto",
    "Pearson3",
    "SkewNormal",
]


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
