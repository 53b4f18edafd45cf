"""Distributions from what a user knows: quantiles or moments (Monte Carlo elicitation)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from scipy import optimize, special, stats

from stochgen._validation import check_positive, check_probability
from stochgen.distributions import continuous as _c
from stochgen.distributions._parametric import ParametricDistribution
from stochgen.exceptions import ValidationError

__all__ = ["from_moments", "from_quantiles"]

#: Families whose standard support starts at 0: ``loc`` is held at 0 unless
#: there are enough quantiles to determine it.
_POSITIVE = {
    "lognormal",
    "gamma",
    "weibull",
    "loglogistic",
    "loglaplace",
    "inverse_gaussian",
    "burr",
    "exponential",
    "pareto",
}


def from_quantiles(
    quantiles: Mapping[float, float], family: str = "normal", **fixed: float
) -> ParametricDistribution:
    """Return the member of ``family`` whose quantiles are the given ones.

    Parameters are solved so that ``cdf(x_p) = p`` for every pair, in
    normal-score space (so tail quantiles count as much as central ones).
    With as many quantiles as free parameters the match is exact; with more
    it is a least-squares compromise, accepted only if every probability is
    matched within 1e-6.

    Parameters
    ----------
    quantiles : mapping of float to float
        Probability in (0, 1) -> value, e.g. ``{0.5: 150_000, 0.9: 250_000}``.
    family : str
        A name from `stochgen.distributions.selection.CONTINUOUS_FAMILIES`.
    **fixed : float
        Parameters held fixed, by scipy name (e.g. ``loc=0.0``). Families on
        the positive half-line hold ``loc`` at 0 unless there are more
        quantiles than their other parameters.

    Returns
    -------
    ParametricDistribution
        Fitted, all parameters fixed.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the quantiles are not increasing, there are fewer than the free
        parameters, or no member of the family matches them.

    Examples
    --------
    >>> dist = from_quantiles({0.5: 150_000, 0.9: 250_000}, family="lognormal")
    >>> np.round(dist.ppf([0.5, 0.9])).tolist()
    [150000.0, 250000.0]
    >>> from_quantiles({0.1: 1.0, 0.5: 2.0, 0.9: 2.5}, family="normal")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: no normal distribution has these quantiles: ...
    """
    from stochgen.distributions.selection import CONTINUOUS_FAMILIES

    if family not in CONTINUOUS_FAMILIES:
        raise ValidationError(f"family: unknown {family!r}; known: {sorted(CONTINUOUS_FAMILIES)}")
    cls = CONTINUOUS_FAMILIES[family]
    if not isinstance(quantiles, Mapping) or not quantiles:
        raise ValidationError(
            f"quantiles must be a non-empty mapping probability -> value; got {quantiles!r}"
        )
    probs = np.array([check_probability(p, "quantile probability") for p in quantiles])
    values = np.array([float(v) for v in quantiles.values()])
    order = np.argsort(probs)
    probs, values = probs[order], values[order]
    if not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise ValidationError(
            "quantiles: values must be finite and increase with the probability; got "
            f"{dict(zip(probs.tolist(), values.tolist(), strict=True))}"
        )
    names = list(cls._param_names())
    if family in _POSITIVE and "loc" not in fixed and probs.size < len(names):
        fixed = {**fixed, "loc": 0.0}
    unknown = sorted(set(fixed) - set(names))
    if unknown:
        raise ValidationError(f"{family} has no parameter {unknown}; parameters: {names}")
    free = [n for n in names if n not in fixed]
    if probs.size < len(free):
        raise ValidationError(
            f"{family} has {len(free)} free parameters {free}; "
            f"{probs.size} quantile(s) cannot determine them"
        )
    target = special.ndtri(probs)
    start = _start(cls, probs, values, fixed)

    def residuals(theta: np.ndarray) -> np.ndarray:
        params = {**fixed, **dict(zip(free, theta, strict=True))}
        if params.get("scale", 1.0) <= 0:
            return np.full(probs.size, 1e6)
        with np.errstate(all="ignore"):
            cdf = cls()._freeze(params).cdf(values)
        z = special.ndtri(np.clip(cdf, 1e-300, 1 - 1e-16))
        out = z - target
        return np.where(np.isfinite(out), out, 1e6)

    theta0 = np.array([start[n] for n in free])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = optimize.least_squares(residuals, theta0, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        if np.max(np.abs(result.fun)) > 1e-8:
            simplex = optimize.minimize(
                lambda t: float(np.sum(residuals(t) ** 2)),
                theta0,
                method="Nelder-Mead",
                options={"xatol": 1e-12, "fatol": 1e-20, "maxiter": 20_000},
            )
            refined = optimize.least_squares(
                residuals, simplex.x, xtol=1e-15, ftol=1e-15, gtol=1e-15
            )
            if np.max(np.abs(refined.fun)) < np.max(np.abs(result.fun)):
                result = refined
    params = {**fixed, **dict(zip(free, (float(v) for v in result.x), strict=True))}
    try:
        dist = cls.from_params(**params)
        cdf = dist.cdf(values)
    except ValueError:
        cdf = np.full(probs.size, np.nan)
    if not np.all(np.abs(cdf - probs) < 1e-6):
        raise ValidationError(
            f"no {family} distribution has these quantiles: closest has cdf "
            f"{np.round(cdf, 4).tolist()} at {values.tolist()}; expected {probs.tolist()} "
            "(try a skewed family)"
        )
    return dist


def _start(
    cls: type, probs: np.ndarray, values: np.ndarray, fixed: dict[str, float]
) -> dict[str, float]:
    """Shapes fitted to a pseudo-sample through the quantiles; loc/scale from two of them."""
    grid = np.linspace(probs[0], probs[-1], 200) if probs.size > 1 else probs
    pseudo = np.interp(grid, probs, values)
    if probs.size > 1:
        # Spread the pseudo-sample out to a plausible full range.
        slope = (values[-1] - values[0]) / (special.ndtri(probs[-1]) - special.ndtri(probs[0]))
        centre = np.interp(0.5, probs, values) if probs[0] < 0.5 < probs[-1] else values[0]
        pseudo = np.concatenate(
            [pseudo, centre + slope * special.ndtri(np.linspace(0.005, 0.995, 200))]
        )
    if "loc" in fixed:
        pseudo = pseudo[pseudo > fixed["loc"]]
    start: dict[str, float] = {
        "loc": float(np.median(pseudo)),
        "scale": float(np.std(pseudo) or 1.0),
    }
    try:
        model = cls(**{k: v for k, v in fixed.items()}).fit(pseudo)
        start.update(model.params_)
    except ValueError:
        for shape in getattr(cls, "_shapes", ()):
            start.setdefault(shape, 1.0)
    return start


def from_moments(
    mean: float,
    sd: float,
    skew: float | None = None,
    support: tuple[float | None, float | None] | None = None,
) -> ParametricDistribution:
    """Return a distribution with the given mean, standard deviation and (optionally) skewness.

    ===================  ==========  ==============================================
    support              skew        distribution
    ===================  ==========  ==============================================
    None                 None        normal
    None                 given       Pearson III (gamma with either sign of skew)
    (lo, None)           None        gamma starting at ``lo``
    (lo, None)           given > 0   gamma, its start ``mean - 2 sd / skew >= lo``
    (None, hi)           None / <0   Pearson III ending at ``hi`` (or beyond)
    (lo, hi)             None        beta on [lo, hi]
    (lo, hi)             given       beta on [lo, hi] if its skewness matches
    ===================  ==========  ==============================================

    Parameters
    ----------
    mean : float
        Mean.
    sd : float
        Standard deviation, > 0.
    skew : float, optional
        Skewness.
    support : tuple of (float or None, float or None), optional
        Bounds the values must respect.

    Returns
    -------
    ParametricDistribution

    Raises
    ------
    stochgen.exceptions.ValidationError
        When no distribution of that kind has these moments (the message
        says which bound or moment is violated).

    Examples
    --------
    >>> d = from_moments(10.0, 2.0, support=(0.0, None))
    >>> type(d).__name__, round(float(d.frozen_.mean()), 6), round(float(d.frozen_.std()), 6)
    ('Gamma', 10.0, 2.0)
    >>> from_moments(0.5, 0.6, support=(0.0, 1.0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: no distribution on [0.0, 1.0] ... the sd must be below 0.5
    """
    mean = float(mean)
    if not np.isfinite(mean):
        raise ValidationError(f"mean must be finite; got {mean}")
    sd = check_positive(sd, "sd")
    if skew is not None and not np.isfinite(skew):
        raise ValidationError(f"skew must be finite; got {skew}")
    lo, hi = (None, None) if support is None else support
    lo = None if lo is None or lo == -np.inf else float(lo)
    hi = None if hi is None or hi == np.inf else float(hi)
    if lo is not None and hi is not None:
        return _beta_moments(mean, sd, skew, lo, hi)
    if lo is not None:
        if mean <= lo:
            raise ValidationError(f"mean {mean} must exceed the lower bound {lo}")
        if skew is None:
            return _c.Gamma.from_params(
                a=((mean - lo) / sd) ** 2, loc=lo, scale=sd**2 / (mean - lo)
            )
        start = mean - 2 * sd / skew if skew > 0 else -np.inf
        if skew <= 0 or start < lo:
            need = 2 * sd / (mean - lo)
            raise ValidationError(
                f"no gamma above {lo} has mean {mean}, sd {sd} and skew {skew}: "
                f"the skew must be >= {need:.6g}"
            )
        return _c.Gamma.from_params(a=4 / skew**2, loc=start, scale=sd * skew / 2)
    if hi is not None:
        if mean >= hi:
            raise ValidationError(f"mean {mean} must be below the upper bound {hi}")
        need = -2 * sd / (hi - mean)
        if skew is None:
            skew = need
        elif skew > need:
            raise ValidationError(
                f"no Pearson III below {hi} has mean {mean}, sd {sd} and skew {skew}: "
                f"the skew must be <= {need:.6g}"
            )
        return _c.Pearson3.from_params(skew=skew, loc=mean, scale=sd)
    if skew is None or skew == 0:
        return _c.Normal.from_params(loc=mean, scale=sd)
    return _c.Pearson3.from_params(skew=skew, loc=mean, scale=sd)


def _beta_moments(
    mean: float, sd: float, skew: float | None, lo: float, hi: float
) -> ParametricDistribution:
    if not lo < mean < hi:
        raise ValidationError(f"mean {mean} must lie inside the support ({lo}, {hi})")
    width = hi - lo
    m, v = (mean - lo) / width, (sd / width) ** 2
    if v >= m * (1 - m):
        limit = width * np.sqrt(m * (1 - m))
        raise ValidationError(
            f"no distribution on [{lo}, {hi}] has mean {mean} and sd {sd}: "
            f"the sd must be below {limit:.6g}"
        )
    common = m * (1 - m) / v - 1
    dist = _c.Beta.from_params(a=m * common, b=(1 - m) * common, loc=lo, scale=width)
    if skew is not None:
        actual = float(stats.beta.stats(m * common, (1 - m) * common, moments="s"))
        if abs(actual - skew) > 1e-6 * (1 + abs(skew)):
            raise ValidationError(
                f"the beta on [{lo}, {hi}] with mean {mean} and sd {sd} has skew {actual:.6g}, "
                f"not {skew}; widen or drop the support to match a skew"
            )
    return dist
