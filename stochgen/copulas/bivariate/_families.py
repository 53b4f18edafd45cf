"""Pair-copula families: parameter domains, densities, h-functions and their inverses, cdf."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special

from stochgen._kernels import archimedean as _arch
from stochgen.exceptions import ValidationError

__all__ = [
    "BOUNDS",
    "FAMILIES",
    "ROTATIONS",
    "check_pair",
    "pair_cdf",
    "pair_hfunc1",
    "pair_hfunc2",
    "pair_hinv1",
    "pair_hinv2",
    "pair_logpdf",
    "pair_n_params",
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


def _inside(x: NDArray[np.float64]) -> NDArray[np.float64]:
    # u exactly 0 or 1 (a QMC point, a rounded value) has a limit the formulas cannot
    # evaluate (log 0, 0/0): move it to the nearest double inside (0, 1).
    return np.clip(x, _LOW, _HIGH)


def _unit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    # Round-off (and overflow at the corners for extreme parameters) clipped into [0, 1].
    return np.clip(x, 0.0, 1.0, out=x)


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
    u1, u2 = _inside(u1), _inside(u2)
    f1, f2 = _flips(rotation)
    h = _unit(_base_hfunc(family, params, _flip(u2, f2), _flip(u1, f1)))
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
    u1, u2 = _inside(u1), _inside(u2)
    f1, f2 = _flips(rotation)
    h = _unit(_base_hfunc(family, params, _flip(u1, f1), _flip(u2, f2)))
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
    u1, p = _inside(u1), _inside(p)
    f1, f2 = _flips(rotation)
    x = _unit(_base_hinv(family, params, _flip(p, f2), _flip(u1, f1)))
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
    u2, p = _inside(u2), _inside(p)
    f1, f2 = _flips(rotation)
    x = _unit(_base_hinv(family, params, _flip(p, f1), _flip(u2, f2)))
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
    u1, u2 = _inside(u1), _inside(u2)
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
        base = u2 - base
    elif rotation == 180:
        base = u1 + u2 - 1.0 + base
    elif rotation == 270:
        base = u1 - base
    return _unit(np.asarray(base, dtype=np.float64))
