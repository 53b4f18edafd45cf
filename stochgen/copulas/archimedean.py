"""Archimedean copulas: Clayton, Frank, Gumbel and Joe, rotated or exchangeable in d dimensions.

Bivariate copulas take any rotation (90/180/270 degrees, Joe 2014, section
4.2), are fitted by maximum likelihood or Kendall's-tau inversion and sampled
by inverting h-functions. In d > 2 dimensions the copula is exchangeable
(rotation 0), fitted by inverting the mean pairwise Kendall's tau and sampled
through its frailty (Marshall & Olkin 1988): with ``V`` drawn from the
distribution whose Laplace transform is the generator ``psi`` and ``E_j``
independent standard exponentials, ``U_j = psi(E_j / V)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special

from stochgen._kernels.archimedean import logseries_from_log1mp, sibuya_from_uniform
from stochgen.copulas._archimedean_base import ArchimedeanCopula
from stochgen.exceptions import ValidationError

__all__ = ["ArchimedeanCopula", "ClaytonCopula", "FrankCopula", "GumbelCopula", "JoeCopula"]


class ClaytonCopula(ArchimedeanCopula):
    """Clayton copula ``(u^-theta + v^-theta - 1)^(-1/theta)``, ``theta > 0``.

    Lower tail dependence ``2^(-1/theta)``; Kendall's tau ``theta / (theta + 2)``
    (Joe 2014, section 4.6). Frailty: Gamma(1/theta).

    Parameters
    ----------
    rotation : {0, 90, 180, 270}
        Rotation in degrees (d = 2 only); 180 moves the tail dependence to the
        upper corner, 90 and 270 give negative dependence.
    method : {"mle", "itau"}
        Estimator for d = 2 (d > 2 always inverts the mean Kendall's tau).

    Attributes
    ----------
    theta_ : float
        Fitted parameter.
    dim_ : int
        Fitted dimension.

    Examples
    --------
    >>> cop = ClaytonCopula.from_params(theta=2.0)
    >>> cop.kendall_tau
    0.5
    >>> u = cop.sample(5000, seed=0)
    >>> round(ClaytonCopula().fit(u).theta_, 1)
    2.0
    """

    family = "clayton"

    def _generator(self, theta, t):
        return np.power(1.0 + t, -1.0 / theta)

    def _generator_inverse(self, theta, u):
        return np.expm1(-theta * np.log(u))

    def _frailty(self, theta, rng, n):
        return rng.gamma(1.0 / theta, 1.0, n)

    def _frailty_from_uniforms(self, theta, w):
        return special.gammaincinv(1.0 / theta, w[:, 0])

    def _logpdf_nd(self, theta, data):
        # Joe (2014), eq. 4.10: the d-th derivative of the Clayton generator.
        d = data.shape[1]
        logu = np.log(data)
        s = np.expm1(-theta * logu).sum(axis=1) + 1.0
        const = np.log1p(theta * np.arange(d)).sum()
        return const - (1.0 + theta) * logu.sum(axis=1) - (d + 1.0 / theta) * np.log(s)


class FrankCopula(ArchimedeanCopula):
    """Frank copula, ``theta != 0`` (negative ``theta``: negative dependence, d = 2).

    Radially symmetric with no tail dependence (Joe 2014, section 4.5);
    frailty: logarithmic series with ``p = 1 - exp(-theta)``. Takes rotation 0
    only: its reflections are Frank copulas with ``-theta``.

    Parameters
    ----------
    rotation : {0}
        Rotation (0 only).
    method : {"mle", "itau"}
        Estimator for d = 2.

    Attributes
    ----------
    theta_ : float
        Fitted parameter.
    dim_ : int
        Fitted dimension.

    Examples
    --------
    >>> cop = FrankCopula.from_params(theta=-4.0)
    >>> round(cop.kendall_tau, 3)
    -0.388
    >>> round(FrankCopula().fit(cop.sample(5000, seed=0)).theta_, 0)
    -4.0
    """

    family = "frank"

    def _generator(self, theta, t):
        return -np.log1p(np.expm1(-theta) * np.exp(-t)) / theta

    def _generator_inverse(self, theta, u):
        return -np.log(np.expm1(-theta * u) / math.expm1(-theta))

    def _frailty(self, theta, rng, n):
        p = -math.expm1(-theta)
        if p < 1.0:
            return rng.logseries(p, n).astype(float)
        # p rounds to 1 (theta > ~37): Kemp's algorithm on log(1 - p) = -theta.
        return logseries_from_log1mp(-theta, rng, n)

    def _frailty_from_uniforms(self, theta, w):
        # Logarithmic series by inversion of its cdf, tabulated until the tail is below
        # 1e-15: k up to ~ 35 / (1 - p), so refused for theta above _FRANK_QMC_MAX_THETA.
        if theta > _FRANK_QMC_MAX_THETA:
            raise ValidationError(
                f"FrankCopula with dim > 2: quasi-Monte Carlo needs theta <= "
                f"{_FRANK_QMC_MAX_THETA} (the frailty's cdf table grows as e^theta); got "
                f"{theta}; use method='random'"
            )
        log_p = math.log(-math.expm1(-theta))
        k = np.arange(1.0, 1.0 + math.ceil(40.0 * math.exp(theta)) + 10.0)
        pmf = np.exp(k * log_p - np.log(k) - math.log(theta))
        cdf = np.cumsum(pmf)
        index = np.searchsorted(cdf, w[:, 0] * cdf[-1], side="left")
        return k[np.minimum(index, k.size - 1)]


#: Largest Frank parameter whose d > 2 frailty is inverted for QMC (table of ~ 40 e^theta).
_FRANK_QMC_MAX_THETA = 10.0


class GumbelCopula(ArchimedeanCopula):
    """Gumbel copula ``exp(-((-log u)^theta + (-log v)^theta)^(1/theta))``, ``theta >= 1``.

    Upper tail dependence ``2 - 2^(1/theta)``; Kendall's tau ``1 - 1/theta``
    (Joe 2014, section 4.8). Frailty: positive stable with index
    ``1/theta``, drawn by Kanter's (1975) representation.

    Parameters
    ----------
    rotation : {0, 90, 180, 270}
        Rotation in degrees (d = 2 only).
    method : {"mle", "itau"}
        Estimator for d = 2.

    Attributes
    ----------
    theta_ : float
        Fitted parameter.
    dim_ : int
        Fitted dimension.

    Examples
    --------
    >>> cop = GumbelCopula.from_params(theta=2.0, rotation=180)
    >>> round(cop.lower_tail_dependence, 4)
    0.5858
    >>> u = GumbelCopula.from_params(theta=2.0, dim=4).sample(3000, seed=0)
    >>> round(GumbelCopula().fit(u).theta_, 1)
    2.0
    """

    family = "gumbel"

    def _generator(self, theta, t):
        return np.exp(-np.power(t, 1.0 / theta))

    def _generator_inverse(self, theta, u):
        return np.power(-np.log(u), theta)

    def _frailty(self, theta, rng, n):
        alpha = 1.0 / theta
        if alpha == 1.0:
            return np.ones(n)
        angle = rng.uniform(0.0, math.pi, n)
        w = rng.standard_exponential(n)
        return _kanter(alpha, angle, w)

    def _frailty_from_uniforms(self, theta, w):
        alpha = 1.0 / theta
        if alpha == 1.0:
            return np.ones(w.shape[0])
        return _kanter(alpha, math.pi * w[:, 0], -np.log1p(-w[:, 1]))


class JoeCopula(ArchimedeanCopula):
    """Joe copula ``1 - (a + b - a b)^(1/theta)`` with ``a = (1-u)^theta``, ``theta >= 1``.

    Upper tail dependence ``2 - 2^(1/theta)`` (Joe 2014, section 4.7).
    Frailty: Sibuya with index ``1/theta``, drawn by inversion (Hofert 2011).

    Parameters
    ----------
    rotation : {0, 90, 180, 270}
        Rotation in degrees (d = 2 only).
    method : {"mle", "itau"}
        Estimator for d = 2.

    Attributes
    ----------
    theta_ : float
        Fitted parameter.
    dim_ : int
        Fitted dimension.

    Examples
    --------
    >>> cop = JoeCopula.from_params(theta=3.0)
    >>> round(cop.upper_tail_dependence, 4)
    0.7401
    >>> round(JoeCopula().fit(cop.sample(5000, seed=0)).theta_, 1)
    3.0
    """

    family = "joe"

    def _generator(self, theta, t):
        return -np.expm1(np.log1p(-np.exp(-t)) / theta)

    def _generator_inverse(self, theta, u):
        return -np.log1p(-np.power(1.0 - u, theta))

    def _frailty(self, theta, rng, n):
        return sibuya_from_uniform(1.0 / theta, rng.random(n))

    def _frailty_from_uniforms(self, theta, w):
        return sibuya_from_uniform(1.0 / theta, np.ascontiguousarray(w[:, 0]))


def _kanter(alpha: float, angle: NDArray[np.float64], w: NDArray[np.float64]) -> NDArray:
    # Positive stable(alpha) from an angle in (0, pi) and a standard exponential (Kanter 1975).
    return (
        np.sin(alpha * angle)
        / np.sin(angle) ** (1.0 / alpha)
        * (np.sin((1.0 - alpha) * angle) / w) ** ((1.0 - alpha) / alpha)
    )
