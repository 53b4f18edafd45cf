"""Kendall's tau, its inversion, and tail dependence of pair copulas."""

from __future__ import annotations

import math

from scipy import integrate, optimize, special

from stochgen.copulas.bivariate._families import BOUNDS

__all__ = [
    "pair_param_from_tau",
    "pair_tail_dependence",
    "pair_tau",
]


def _debye1(theta: float) -> float:
    def integrand(t: float) -> float:
        return t / math.expm1(t) if t != 0.0 else 1.0

    return integrate.quad(integrand, 0.0, theta)[0] / theta


def _base_tau(family: str, params: tuple[float, ...]) -> float:
    if family == "independence":
        return 0.0
    if family in ("gaussian", "student"):
        return 2.0 / math.pi * math.asin(params[0])
    theta = params[0]
    if family == "clayton":
        return theta / (theta + 2.0)
    if family == "gumbel":
        return 1.0 - 1.0 / theta
    if family == "frank":
        return 1.0 - 4.0 / theta * (1.0 - _debye1(theta))
    if abs(theta - 2.0) < 1e-6:
        return 2.0 - math.pi**2 / 6.0
    return 1.0 + 2.0 / (2.0 - theta) * (special.digamma(2.0) - special.digamma(2.0 / theta + 1.0))


def pair_tau(family: str, rotation: int, params: tuple[float, ...]) -> float:
    """Kendall's tau of a pair copula.

    Parameters
    ----------
    family, rotation, params
        The pair copula.

    Returns
    -------
    float

    Examples
    --------
    >>> pair_tau("clayton", 90, (2.0,))
    -0.5
    """
    tau = _base_tau(family, params)
    return -tau if rotation in (90, 270) else tau


def _tau_range(family: str) -> tuple[float, float]:
    lo, hi = BOUNDS[family][0]
    if family == "frank":
        return _base_tau(family, (lo,)), _base_tau(family, (hi,))
    if family in ("gaussian", "student"):
        return _base_tau(family, (lo,)), _base_tau(family, (hi,))
    return 0.0, _base_tau(family, (hi,))


def pair_param_from_tau(family: str, rotation: int, tau: float) -> tuple[float, ...]:
    """Parameters matching Kendall's ``tau`` (inversion of `pair_tau`).

    For Student-t the degrees of freedom are not determined by tau; 4 is
    returned as a starting value. ``tau`` outside the family's range is
    clipped to it.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.
    rotation : int
        0, 90, 180 or 270.
    tau : float
        Kendall's tau.

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> pair_param_from_tau("gumbel", 0, 0.5)
    (2.0,)
    """
    if family == "independence":
        return ()
    t = -tau if rotation in (90, 270) else tau
    lo, hi = _tau_range(family)
    t = min(max(t, lo), hi)
    if family in ("gaussian", "student"):
        rho = math.sin(math.pi * t / 2.0)
        return (rho,) if family == "gaussian" else (rho, 4.0)
    if family == "clayton":
        return (max(2.0 * t / (1.0 - t), BOUNDS["clayton"][0][0]),)
    if family == "gumbel":
        return (max(1.0 / (1.0 - t), 1.0),)
    if family == "frank":
        if abs(t) < 1e-10:
            return (1e-8 if t >= 0 else -1e-8,)
        a, b = (1e-8, 80.0) if t > 0 else (-80.0, -1e-8)
        return (optimize.brentq(lambda th: _base_tau("frank", (th,)) - t, a, b, xtol=1e-13),)
    if t <= 0.0:
        return (1.0,)
    return (optimize.brentq(lambda th: _base_tau("joe", (th,)) - t, 1.0, 50.0, xtol=1e-13),)


def pair_tail_dependence(family: str, rotation: int, params: tuple[float, ...]) -> dict:
    """Tail dependence coefficients in all four corners.

    ``"lower"``: ``lim P(U2 < q | U1 < q)``; ``"upper"``: both large;
    ``"lower_upper"``: ``U1`` small and ``U2`` large; ``"upper_lower"``:
    ``U1`` large and ``U2`` small (where 90/270 rotations put theirs).

    Parameters
    ----------
    family, rotation, params
        The pair copula.

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> pair_tail_dependence("clayton", 180, (1.0,))["upper"]
    0.5
    """
    lower = upper = 0.0
    if family == "student":
        rho, df = params
        lower = upper = float(
            2.0 * special.stdtr(df + 1.0, -math.sqrt((df + 1.0) * (1.0 - rho) / (1.0 + rho)))
        )
    elif family == "clayton":
        lower = 2.0 ** (-1.0 / params[0])
    elif family in ("gumbel", "joe"):
        upper = 2.0 - 2.0 ** (1.0 / params[0])
    corners = {"lower": lower, "upper": upper, "lower_upper": 0.0, "upper_lower": 0.0}
    if family == "student":
        # The off corners of a t copula: the same formula with -rho.
        off = float(
            2.0 * special.stdtr(df + 1.0, -math.sqrt((df + 1.0) * (1.0 + rho) / (1.0 - rho)))
        )
        corners["lower_upper"] = corners["upper_lower"] = off
    if rotation == 180:
        corners["lower"], corners["upper"] = upper, lower
    elif rotation == 90:
        corners = {"lower": 0.0, "upper": 0.0, "upper_lower": lower, "lower_upper": upper}
    elif rotation == 270:
        corners = {"lower": 0.0, "upper": 0.0, "lower_upper": lower, "upper_lower": upper}
    return corners
