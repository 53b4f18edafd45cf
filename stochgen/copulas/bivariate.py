"""Bivariate pair-copula maths shared by the copula classes and vines.

A pair copula is ``(family, rotation, params)``. Families: ``"independence"``,
``"gaussian"`` (``rho``), ``"student"`` (``rho, df``), and the Archimedean
``"clayton"``, ``"frank"``, ``"gumbel"``, ``"joe"`` (``theta``). Rotations by
90, 180 and 270 degrees reflect the first, both, or the second argument
(Joe 2014, section 4.2; the convention of Aas et al. 2009 and VineCopula):
180 swaps lower and upper tail dependence, 90 and 270 give negative
dependence. Gaussian, Student-t and Frank are radially symmetric and take
negative dependence through their parameter, so they accept rotation 0 only.

h-functions (Aas et al. 2009): ``hfunc1(u1, u2) = P(U2 <= u2 | U1 = u1)`` and
``hfunc2(u1, u2) = P(U1 <= u1 | U2 = u2)``; ``hinv1`` / ``hinv2`` invert them
in the free argument.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray
from scipy import integrate, optimize, special

from stochgen._kernels import archimedean as _arch
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen.exceptions import ConvergenceWarning, ValidationError

__all__ = [
    "FAMILIES",
    "ROTATIONS",
    "check_pair",
    "fit_pair",
    "pair_cdf",
    "pair_hfunc1",
    "pair_hfunc2",
    "pair_hinv1",
    "pair_hinv2",
    "pair_logpdf",
    "pair_n_params",
    "pair_param_from_tau",
    "pair_tail_dependence",
    "pair_tau",
]

FAMILIES = ("independence", "gaussian", "student", "clayton", "frank", "gumbel", "joe")
ROTATIONS = (0, 90, 180, 270)
_CODES = {"clayton": _arch.CLAYTON, "frank": _arch.FRANK, "gumbel": _arch.GUMBEL, "joe": _arch.JOE}
_SYMMETRIC = ("independence", "gaussian", "student", "frank")
#: Parameter domains (closed bounds used by the optimizers).
BOUNDS = {
    "gaussian": ((-0.9999, 0.9999),),
    "student": ((-0.9999, 0.9999), (2.0, 50.0)),
    "clayton": ((1e-6, 100.0),),
    "frank": ((-80.0, 80.0),),
    "gumbel": ((1.0, 50.0),),
    "joe": ((1.0, 50.0),),
}
_N_PARAMS = {"independence": 0, "gaussian": 1, "student": 2}
#: Rows of the evenly spaced subsamples on which Newton's method finds its starting points
#: for the Clayton MLE (deterministic: no random draws).
_LADDER_ROWS = (1_000, 10_000)
#: Rows per vectorized block of the Clayton maths: scratch arrays stay small and in cache.
_BLOCK_ROWS = 16_384


def pair_n_params(family: str) -> int:
    """Return the number of parameters of a pair-copula family.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.

    Returns
    -------
    int

    Examples
    --------
    >>> pair_n_params("student")
    2
    """
    return _N_PARAMS.get(family, 1)


def check_pair(family: str, rotation: int, params: tuple[float, ...]) -> tuple[float, ...]:
    """Validate a pair copula and return its parameters as floats.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.
    rotation : int
        0, 90, 180 or 270 (0 only for radially symmetric families).
    params : tuple of float
        The family's parameters.

    Returns
    -------
    tuple of float

    Raises
    ------
    ValidationError
        On an unknown family or rotation, a wrong number of parameters, or a
        parameter outside its domain.

    Examples
    --------
    >>> check_pair("clayton", 180, (2,))
    (2.0,)
    >>> check_pair("clayton", 0, (-1.0,))
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: clayton: theta must lie in [1e-06, 100.0]; got -1.0
    """
    if family not in FAMILIES:
        raise ValidationError(f"family must be one of {list(FAMILIES)}; got {family!r}")
    if rotation not in ROTATIONS:
        raise ValidationError(f"rotation must be one of {list(ROTATIONS)}; got {rotation!r}")
    if family in _SYMMETRIC and rotation != 0:
        raise ValidationError(
            f"{family} is radially symmetric: use rotation 0 (negative dependence through its "
            f"parameter); got rotation {rotation}"
        )
    values = tuple(float(p) for p in params)
    if len(values) != pair_n_params(family):
        raise ValidationError(
            f"{family} takes {pair_n_params(family)} parameter(s); got {len(values)}"
        )
    names = {"gaussian": ("rho",), "student": ("rho", "df")}.get(family, ("theta",))
    for name, value, (lo, hi) in zip(names, values, BOUNDS.get(family, ()), strict=False):
        if not (lo <= value <= hi) or (family == "frank" and value == 0.0):
            extra = " and nonzero" if family == "frank" else ""
            raise ValidationError(f"{family}: {name} must lie in [{lo}, {hi}]{extra}; got {value}")
    return values


def _flips(rotation: int) -> tuple[bool, bool]:
    return rotation in (90, 180), rotation in (180, 270)


_LOW, _HIGH = np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg


def _flip(x: NDArray[np.float64], flag: bool) -> NDArray[np.float64]:
    # 1 - u rounds to 1.0 for u < 2**-54: keep reflected values inside (0, 1).
    return np.clip(1.0 - x, _LOW, _HIGH) if flag else x


def _student_scores(u: NDArray[np.float64], df: float) -> NDArray[np.float64]:
    return special.stdtrit(df, u)


def _base_logpdf(family: str, params: tuple[float, ...], u1, u2) -> NDArray[np.float64]:
    if family == "independence":
        return np.zeros(u1.shape)
    if family == "gaussian":
        rho = params[0]
        x, y = special.ndtri(u1), special.ndtri(u2)
        r2 = 1.0 - rho * rho
        return -0.5 * math.log(r2) - (rho * rho * (x * x + y * y) - 2.0 * rho * x * y) / (2 * r2)
    if family == "student":
        rho, df = params
        x, y = _student_scores(u1, df), _student_scores(u2, df)
        r2 = 1.0 - rho * rho
        const = (
            special.gammaln((df + 2.0) / 2.0)
            + special.gammaln(df / 2.0)
            - 2.0 * special.gammaln((df + 1.0) / 2.0)
            - 0.5 * math.log(r2)
        )
        quad = (x * x + y * y - 2.0 * rho * x * y) / (df * r2)
        return (
            const
            - (df + 2.0) / 2.0 * np.log1p(quad)
            + (df + 1.0) / 2.0 * (np.log1p(x * x / df) + np.log1p(y * y / df))
        )
    return _arch.archimedean_logpdf(_CODES[family], params[0], u1, u2)


def _base_hfunc(family: str, params: tuple[float, ...], x, c) -> NDArray[np.float64]:
    # P(X <= x | C = c) for the unrotated, exchangeable copula.
    if family == "independence":
        return x.copy()
    if family == "gaussian":
        rho = params[0]
        return special.ndtr((special.ndtri(x) - rho * special.ndtri(c)) / math.sqrt(1 - rho**2))
    if family == "student":
        rho, df = params
        tx, tc = _student_scores(x, df), _student_scores(c, df)
        scale = np.sqrt((df + tc * tc) * (1.0 - rho * rho) / (df + 1.0))
        return special.stdtr(df + 1.0, (tx - rho * tc) / scale)
    return _arch.archimedean_hfunc(_CODES[family], params[0], x, c)


def _base_hinv(family: str, params: tuple[float, ...], p, c) -> NDArray[np.float64]:
    if family == "independence":
        return p.copy()
    if family == "gaussian":
        rho = params[0]
        z = rho * special.ndtri(c) + math.sqrt(1 - rho**2) * special.ndtri(p)
        return special.ndtr(z)
    if family == "student":
        rho, df = params
        tc = _student_scores(c, df)
        scale = np.sqrt((df + tc * tc) * (1.0 - rho * rho) / (df + 1.0))
        return special.stdtr(df, rho * tc + scale * special.stdtrit(df + 1.0, p))
    if family == "clayton":
        return _clayton_hinv(params[0], p, c)
    return _arch.archimedean_hinv(_CODES[family], params[0], p, c)


def _clayton_hinv(theta: float, p: NDArray[np.float64], c: NDArray[np.float64]) -> NDArray:
    # Closed form ((p^(-theta/(1+theta)) - 1) c^-theta + 1)^(-1/theta) (Joe 2014, section 4.6)
    # in log space, as in the numba kernel; written with numpy, in place and by blocks with a
    # small scratch, because its vectorized exp and log are several times faster than the
    # scalar calls a numba loop makes and fresh pages cost as much as the maths (measured).
    out = np.log(p)
    out *= -theta / (1.0 + theta)
    np.expm1(out, out=out)
    np.log(out, out=out)
    scratch = np.empty(min(out.shape[0], _BLOCK_ROWS))
    for start in range(0, out.shape[0], _BLOCK_ROWS):
        t = out[start : start + _BLOCK_ROWS]
        work = np.log(c[start : start + _BLOCK_ROWS], out=scratch[: t.shape[0]])
        work *= theta
        t -= work
        # softplus(t) = max(t, 0) + log1p(exp(-|t|)) without overflow.
        np.abs(t, out=work)
        np.negative(work, out=work)
        np.exp(work, out=work)
        np.log1p(work, out=work)
        np.maximum(t, 0.0, out=t)
        t += work
    out *= -1.0 / theta
    return np.exp(out, out=out)


def pair_logpdf(family: str, rotation: int, params: tuple[float, ...], u1, u2) -> NDArray:
    """Log-density of a (rotated) pair copula at ``(u1[i], u2[i])``.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.
    rotation : int
        0, 90, 180 or 270.
    params : tuple of float
        The family's parameters (validated by the caller with `check_pair`).
    u1, u2 : numpy.ndarray
        Float64 arrays of equal length, strictly inside (0, 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> x = np.array([0.3])
    >>> float(pair_logpdf("independence", 0, (), x, x)[0])
    0.0
    """
    f1, f2 = _flips(rotation)
    return _base_logpdf(family, params, _flip(u1, f1), _flip(u2, f2))


def pair_hfunc1(family: str, rotation: int, params: tuple[float, ...], u1, u2) -> NDArray:
    """Conditional cdf ``P(U2 <= u2 | U1 = u1)`` (an h-function, Aas et al. 2009).

    Parameters
    ----------
    family, rotation, params
        The pair copula, as in `pair_logpdf`.
    u1, u2 : numpy.ndarray
        Conditioning and evaluated values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> x = np.array([0.5])
    >>> float(pair_hfunc1("gaussian", 0, (0.5,), x, x)[0])
    0.5
    """
    f1, f2 = _flips(rotation)
    h = _base_hfunc(family, params, _flip(u2, f2), _flip(u1, f1))
    return 1.0 - h if f2 else h


def pair_hfunc2(family: str, rotation: int, params: tuple[float, ...], u1, u2) -> NDArray:
    """Conditional cdf ``P(U1 <= u1 | U2 = u2)``.

    Parameters
    ----------
    family, rotation, params
        The pair copula, as in `pair_logpdf`.
    u1, u2 : numpy.ndarray
        Evaluated and conditioning values.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> x = np.array([0.5])
    >>> round(float(pair_hfunc2("frank", 0, (3.0,), x, x)[0]), 12)
    0.5
    """
    f1, f2 = _flips(rotation)
    h = _base_hfunc(family, params, _flip(u1, f1), _flip(u2, f2))
    return 1.0 - h if f1 else h


def pair_hinv1(family: str, rotation: int, params: tuple[float, ...], u1, p) -> NDArray:
    """Inverse of `pair_hfunc1` in ``u2``: the ``u2`` with ``hfunc1(u1, u2) = p``.

    Parameters
    ----------
    family, rotation, params
        The pair copula, as in `pair_logpdf`.
    u1 : numpy.ndarray
        Conditioning values.
    p : numpy.ndarray
        Probabilities in (0, 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> u1, p = np.array([0.2]), np.array([0.7])
    >>> u2 = pair_hinv1("gumbel", 90, (2.0,), u1, p)
    >>> bool(np.isclose(pair_hfunc1("gumbel", 90, (2.0,), u1, u2)[0], 0.7))
    True
    """
    f1, f2 = _flips(rotation)
    x = _base_hinv(family, params, _flip(p, f2), _flip(u1, f1))
    return _flip(x, f2)


def pair_hinv2(family: str, rotation: int, params: tuple[float, ...], u2, p) -> NDArray:
    """Inverse of `pair_hfunc2` in ``u1``: the ``u1`` with ``hfunc2(u1, u2) = p``.

    Parameters
    ----------
    family, rotation, params
        The pair copula, as in `pair_logpdf`.
    u2 : numpy.ndarray
        Conditioning values.
    p : numpy.ndarray
        Probabilities in (0, 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> u2, p = np.array([0.2]), np.array([0.7])
    >>> u1 = pair_hinv2("joe", 270, (2.0,), u2, p)
    >>> bool(np.isclose(pair_hfunc2("joe", 270, (2.0,), u1, u2)[0], 0.7))
    True
    """
    f1, f2 = _flips(rotation)
    x = _base_hinv(family, params, _flip(p, f1), _flip(u2, f2))
    return _flip(x, f1)


def pair_cdf(family: str, rotation: int, params: tuple[float, ...], u1, u2) -> NDArray:
    """Cdf of an Archimedean or independence pair copula (closed forms only).

    Parameters
    ----------
    family, rotation, params
        The pair copula, as in `pair_logpdf`; not Gaussian or Student-t.
    u1, u2 : numpy.ndarray
        Points.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValidationError
        For the Gaussian and Student-t families, whose cdf has no closed form.

    Examples
    --------
    >>> x = np.array([0.5])
    >>> float(pair_cdf("independence", 0, (), x, x)[0])
    0.25
    """
    if family in ("gaussian", "student"):
        raise ValidationError(f"the {family} copula cdf has no closed form")
    f1, f2 = _flips(rotation)
    a, b = _flip(u1, f1), _flip(u2, f2)
    base = (
        a * b
        if family == "independence"
        else _arch.archimedean_cdf(_CODES[family], params[0], a, b)
    )
    # C_90(u1, u2) = u2 - C(1-u1, u2); C_180 = u1 + u2 - 1 + C(1-u1, 1-u2);
    # C_270(u1, u2) = u1 - C(u1, 1-u2).
    if rotation == 90:
        return u2 - base
    if rotation == 180:
        return u1 + u2 - 1.0 + base
    if rotation == 270:
        return u1 - base
    return base


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


def _neg_loglik(family, rotation, u1, u2):
    def objective(params):
        value = -float(np.sum(pair_logpdf(family, rotation, tuple(params), u1, u2)))
        return value if math.isfinite(value) else 1e300

    return objective


def fit_pair(
    family: str,
    rotation: int,
    u1: NDArray[np.float64],
    u2: NDArray[np.float64],
    *,
    method: str = "mle",
    tau: float | None = None,
    max_rows_df: int = 10_000,
) -> tuple[tuple[float, ...], float]:
    """Fit a pair copula; return ``(params, loglik)``.

    ``"itau"`` inverts Kendall's tau (for Student-t, ``df`` is then chosen by
    profile likelihood on at most ``max_rows_df`` evenly spaced rows);
    ``"mle"`` maximizes the likelihood starting from the ``"itau"`` estimate
    (bounded Brent for one parameter, L-BFGS-B for Student-t). Clayton's MLE
    instead runs Newton's method with Halley's correction on the closed-form
    derivatives, started on evenly spaced subsamples (or from ``tau`` when
    given) and ended after usually two passes over all rows; it falls back to
    bounded Brent, with a `~stochgen.exceptions.ConvergenceWarning`, if the
    iteration fails.

    Parameters
    ----------
    family : str
        One of `FAMILIES`.
    rotation : int
        0, 90, 180 or 270.
    u1, u2 : numpy.ndarray
        Pseudo-observations, float64, strictly inside (0, 1).
    method : {"mle", "itau"}
        Estimator.
    tau : float, optional
        Kendall's tau of the data, when already known.
    max_rows_df : int
        Rows used to choose the Student-t degrees of freedom under ``"itau"``.

    Returns
    -------
    params : tuple of float
    loglik : float
        Log-likelihood at ``params`` on all rows.

    Examples
    --------
    >>> from stochgen.copulas import ClaytonCopula
    >>> u = ClaytonCopula(theta=2.0).sample(4000, seed=0)
    >>> params, _ = fit_pair("clayton", 0, u[:, 0], u[:, 1])
    >>> round(params[0], 1)
    2.0
    """
    if family == "independence":
        return (), 0.0
    if family == "clayton" and method == "mle":
        theta, loglik = _clayton_mle(rotation, u1, u2, tau)
        return (theta,), loglik
    if tau is None:
        tau = float(kendall_tau_matrix(np.column_stack([u1, u2]))[0, 1])
    params = pair_param_from_tau(family, rotation, tau)
    if family == "student":
        step = max(1, u1.shape[0] // max_rows_df)
        a, b = u1[::step], u2[::step]
        rho = params[0]
        res = optimize.minimize_scalar(
            lambda ldf: _neg_loglik(family, rotation, a, b)((rho, math.exp(ldf))),
            bounds=(math.log(BOUNDS["student"][1][0]), math.log(BOUNDS["student"][1][1])),
            method="bounded",
            options={"xatol": 1e-3},
        )
        params = (rho, float(math.exp(res.x)))
        if method == "mle":
            res = optimize.minimize(
                _neg_loglik(family, rotation, u1, u2),
                np.array(params),
                method="L-BFGS-B",
                bounds=BOUNDS["student"],
            )
            params = (float(res.x[0]), float(res.x[1]))
    elif method == "mle":
        params = _mle_one(family, rotation, u1, u2, params[0])
    loglik = float(np.sum(pair_logpdf(family, rotation, params, u1, u2)))
    return params, loglik


def _mle_one(family, rotation, u1, u2, start: float) -> tuple[float]:
    lo, hi = BOUNDS[family][0]
    # Search a bracket around the tau-inversion start, in a scale where the
    # likelihood is close to quadratic.
    if family == "frank" or family == "gaussian":
        width = 0.3 * max(abs(start), 1.0) if family == "frank" else 0.15
        a, b = max(lo, start - width), min(hi, start + width)
        to_param = float
        a_t, b_t = a, b
    else:
        shift = 0.0 if family == "clayton" else 1.0
        base = math.log(max(start - shift, 1e-6))
        a_t, b_t = base - 1.0, min(base + 1.0, math.log(hi - shift))

        def to_param(x: float) -> float:
            return shift + math.exp(x)

    objective = _neg_loglik(family, rotation, u1, u2)
    res = optimize.minimize_scalar(
        lambda x: objective((to_param(x),)),
        bounds=(a_t, b_t),
        method="bounded",
        options={"xatol": 1e-8},
    )
    value = to_param(res.x)
    if family == "frank" and value == 0.0:
        value = 1e-8
    return (float(min(max(value, lo), hi)),)


def _clayton_loglik_derivatives(
    theta: float,
    hi: NDArray[np.float64],
    lo: NDArray[np.float64],
    sums: tuple[float, float],
    work: NDArray[np.float64],
) -> tuple[float, float, float, float]:
    # Clayton log-likelihood and its first three theta-derivatives, with a = -log u,
    # b = -log v, hi = max(a, b), lo = min(a, b): log c = log(1 + theta) + (1 + theta)(a + b)
    # - (2 + 1/theta) L with L = log(e^(theta a) + e^(theta b) - 1) = theta hi + log s.
    # sums: (sum of hi, sum of hi + lo); work: (2, _BLOCK_ROWS) scratch reused across passes
    # (fresh pages cost more than the maths here).
    sum_hi, sum_ab = sums
    n = hi.shape[0]
    l0 = theta * sum_hi
    l1 = l2 = l3 = 0.0
    for start in range(0, n, _BLOCK_ROWS):
        h, l_ = hi[start : start + _BLOCK_ROWS], lo[start : start + _BLOCK_ROWS]
        x, s = work[0, : h.shape[0]], work[1, : h.shape[0]]
        np.subtract(l_, h, out=x)
        x *= theta
        np.exp(x, out=x)
        np.multiply(h, -theta, out=s)
        np.exp(s, out=s)
        np.subtract(x, s, out=s)
        s += 1.0
        d1, d2, d3 = _arch.clayton_derivative_sums(h, l_, x, s)
        l1 += d1
        l2 += d2
        l3 += d3
        l0 += float(np.log(s, out=s).sum())
    c = 2.0 + 1.0 / theta
    loglik = n * math.log1p(theta) + (1.0 + theta) * sum_ab - c * l0
    first = n / (1.0 + theta) + sum_ab + l0 / theta**2 - c * l1
    second = -n / (1.0 + theta) ** 2 - 2.0 * l0 / theta**3 + 2.0 * l1 / theta**2 - c * l2
    third = (
        2.0 * n / (1.0 + theta) ** 3
        + 6.0 * l0 / theta**4
        - 6.0 * l1 / theta**3
        + 3.0 * l2 / theta**2
        - c * l3
    )
    return loglik, first, second, third


def _clayton_newton(
    theta: float, hi: NDArray[np.float64], lo: NDArray[np.float64], gtol: float
) -> tuple[float, float] | None:
    # Safeguarded Halley iteration for (theta, loglik): Newton steps with Halley's cubic
    # correction where it is moderate, clipped to the bounds and halved while the likelihood
    # drops; theta doubled or halved where the likelihood is not concave. Ends at an evaluated
    # iterate once the next Newton step would add less than gtol per row to the
    # log-likelihood; None where no step succeeds.
    lower, upper = BOUNDS["clayton"][0]
    sum_hi = float(hi.sum())
    sums = (sum_hi, sum_hi + float(lo.sum()))
    work = np.empty((2, min(hi.shape[0], _BLOCK_ROWS)))
    loglik, score, hessian, third = _clayton_loglik_derivatives(theta, hi, lo, sums, work)
    for _ in range(50):
        if (theta == lower and score <= 0.0) or (theta == upper and score >= 0.0):
            # The maximum is at a bound (at the lower one the Hessian is lost to cancellation).
            return theta, loglik
        if not (math.isfinite(loglik) and math.isfinite(score)):
            return None
        if hessian < 0.0:
            if score * score / (-2.0 * hessian) <= gtol * hi.shape[0]:
                return theta, loglik
            step = -score / hessian
            halley = 1.0 - score * third / (2.0 * hessian * hessian)
            if 0.5 <= halley <= 2.0:
                step /= halley
            new = min(max(theta + step, lower), upper)
        else:
            new = min(max(theta * 2.0 if score > 0.0 else theta / 2.0, lower), upper)
        for _ in range(30):
            result = _clayton_loglik_derivatives(new, hi, lo, sums, work)
            if result[0] >= loglik:
                break
            new = 0.5 * (theta + new)
        else:
            return None
        theta = new
        loglik, score, hessian, third = result
    return None


def _clayton_mle(rotation: int, u1, u2, tau: float | None) -> tuple[float, float]:
    # Fast maximum likelihood (theta, loglik): Newton's method on evenly spaced subsamples of
    # growing size gives each next stage its start, ending with a few steps on all rows.
    # Kendall's tau, when known, gives the first start (below about 1e-3 the Hessian's terms
    # cancel, so the start is kept above 0.01 and Newton walks down from there).
    theta = 1.0 if tau is None else pair_param_from_tau("clayton", rotation, tau)[0]
    theta = max(theta, 0.01)
    f1, f2 = _flips(rotation)
    hi = np.log(_flip(u1, f1))
    lo = np.log(_flip(u2, f2))
    # Sorted in place through a small buffer: fresh pages of a third array cost more.
    buffer = np.empty(8192)
    for start in range(0, hi.shape[0], buffer.shape[0]):
        h, l_ = hi[start : start + buffer.shape[0]], lo[start : start + buffer.shape[0]]
        larger = np.maximum(h, l_, out=buffer[: h.shape[0]])
        np.minimum(h, l_, out=h)
        l_[:] = larger
    np.negative(hi, out=hi)
    np.negative(lo, out=lo)
    n = hi.shape[0]
    for rows in _LADDER_ROWS:
        if n >= 4 * rows:
            step = n // rows
            stage = _clayton_newton(
                theta, np.ascontiguousarray(hi[::step]), np.ascontiguousarray(lo[::step]), 1e-6
            )
            theta = theta if stage is None else stage[0]
    result = _clayton_newton(theta, hi, lo, 1e-12)
    if result is not None:
        return result
    warnings.warn(
        f"clayton: Newton's method did not converge from theta = {theta:.6g}; "
        "fell back to a bounded scalar search",
        ConvergenceWarning,
        stacklevel=4,
    )
    if tau is None:
        tau = float(kendall_tau_matrix(np.column_stack([u1, u2]))[0, 1])
    params = _mle_one("clayton", rotation, u1, u2, pair_param_from_tau("clayton", rotation, tau)[0])
    return params[0], float(np.sum(pair_logpdf("clayton", rotation, params, u1, u2)))
