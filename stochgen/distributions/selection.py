"""Fit many families and rank them: `fit_distribution`."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_array, check_choice, check_n_samples
from stochgen.distributions import continuous as _c
from stochgen.distributions import discrete as _d
from stochgen.distributions._base import Distribution, FitError
from stochgen.exceptions import ValidationError

__all__ = [
    "CONTINUOUS_FAMILIES",
    "DISCRETE_FAMILIES",
    "FAST_FAMILIES",
    "FAMILIES",
    "fit_distribution",
]

#: Family name -> class, for every continuous family `fit_distribution` knows.
CONTINUOUS_FAMILIES: dict[str, type[Distribution]] = {
    "normal": _c.Normal,
    "lognormal": _c.LogNormal,
    "gamma": _c.Gamma,
    "beta": _c.Beta,
    "student_t": _c.StudentT,
    "truncated_normal": _c.TruncatedNormal,
    "exponential": _c.Exponential,
    "weibull": _c.Weibull,
    "uniform": _c.Uniform,
    "logistic": _c.Logistic,
    "gumbel": _c.Gumbel,
    "gev": _c.GeneralizedExtremeValue,
    "generalized_pareto": _c.GeneralizedPareto,
    "pareto": _c.Pareto,
    "loglogistic": _c.LogLogistic,
    "loglaplace": _c.LogLaplace,
    "skew_normal": _c.SkewNormal,
    "inverse_gaussian": _c.InverseGaussian,
    "johnson_su": _c.JohnsonSU,
    "burr": _c.Burr,
    "laplace": _c.Laplace,
    "pearson3": _c.Pearson3,
}

#: Family name -> class for counts (non-negative integers).
DISCRETE_FAMILIES: dict[str, type[Distribution]] = {
    "poisson": _d.Poisson,
    "negative_binomial": _d.NegativeBinomial,
    "geometric": _d.Geometric,
    "binomial": _d.Binomial,
}

#: All named families.
FAMILIES: dict[str, type[Distribution]] = {**CONTINUOUS_FAMILIES, **DISCRETE_FAMILIES}

#: The cheap candidate set: closed-form or quick fits.
FAST_FAMILIES: tuple[str, ...] = ("normal", "lognormal", "gamma", "exponential", "uniform", "beta")

# "auto" leaves out pearson3: it is the gamma family again (with a sign for the skew).
_AUTO_CONTINUOUS = tuple(name for name in CONTINUOUS_FAMILIES if name != "pearson3")

_COLUMNS = [
    "family",
    "params",
    "n_params",
    "loglik",
    "aic",
    "bic",
    "ks_statistic",
    "ks_pvalue",
    "fit_seconds",
    "error",
]


def fit_distribution(
    x: ArrayLike,
    families: str | Sequence[str | Distribution] = "auto",
    criterion: str = "bic",
    *,
    max_samples: int | None = 20_000,
    seed: SeedLike = 0,
) -> tuple[Distribution, pd.DataFrame]:
    """Fit candidate families by maximum likelihood and rank them.

    Each family is fitted on its own; one that fails (no finite maximum, data
    outside its support) is listed with its error and never stops the others.

    Parameters
    ----------
    x : array_like
        One-dimensional finite data.
    families : "auto", "fast", "continuous", "discrete" or sequence
        "auto": the 21 continuous families (all in `CONTINUOUS_FAMILIES` but
        pearson3), or, for data that are all non-negative integers, the count
        families. "fast": `FAST_FAMILIES` only, fitted on at most 2,000
        values (about 5-20 ms a column). A sequence may mix family names and
        unfitted Distribution instances (e.g. ``Gamma(loc=0.0)`` for a fixed
        location, ``Beta(loc=0, scale=10)`` for a beta on [0, 10]).
    criterion : {"bic", "aic", "ks"}
        Ranking: lowest BIC / AIC, or smallest KS statistic.
    max_samples : int or None
        Data longer than this are fitted and scored on a random subsample of
        this many values (drawn with ``seed``): maximum-likelihood estimates
        and criteria from 20,000 values already separate the families, and
        the fit of 1e6 values takes seconds. None uses all values.
    seed : None, int, SeedSequence, BitGenerator or Generator
        For the subsample only; the default makes fits reproducible.

    Returns
    -------
    best : Distribution
        The fitted distribution ranked first.
    table : pandas.DataFrame
        One row per family, best first: family, params, n_params, loglik,
        aic, bic, ks_statistic, ks_pvalue (with estimated parameters the
        p-value is optimistic; read it as a distance), fit_seconds, error
        (None when the fit succeeded). ``table.attrs["n_used"]`` is the
        number of values fitted and scored.

    Raises
    ------
    TypeError
        If ``max_samples`` is not None or an integer.
    stochgen.exceptions.ValidationError
        On bad data, an unknown family or criterion, or ``max_samples < 2``.
    FitError
        If every family failed.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).gamma(3.0, 2.0, size=3000)
    >>> best, table = fit_distribution(x, families="fast")
    >>> table.loc[0, "family"]
    'gamma'
    >>> list(table.columns[:6])
    ['family', 'params', 'n_params', 'loglik', 'aic', 'bic']
    """
    data = check_array(x, "x", ndim=1, min_size=2)
    criterion = check_choice(criterion, "criterion", ("aic", "bic", "ks"))
    candidates = _candidates(data, families)
    if max_samples is not None:
        max_samples = check_n_samples(max_samples, "max_samples")
        if max_samples < 2:
            raise ValidationError(f"max_samples must be None or an integer >= 2; got {max_samples}")
    limit = 2_000 if isinstance(families, str) and families == "fast" else max_samples
    if limit is not None and data.size > limit:
        data = as_generator(seed).choice(data, size=int(limit), replace=False)
    sorted_data = np.sort(data)
    rows = []
    fitted: list[Distribution | None] = []
    for name, model in candidates:
        start = time.perf_counter()
        try:
            model.fit(data)
            row = _score(name, model, data, sorted_data)
            fitted.append(model)
        except (FitError, ValidationError) as exc:
            row = {"family": name, "params": None, "error": f"{type(exc).__name__}: {exc}"}
            fitted.append(None)
        row["fit_seconds"] = time.perf_counter() - start
        rows.append(row)
    table = pd.DataFrame(rows, columns=_COLUMNS)
    # None where a family fitted, whatever pandas would infer for text with gaps.
    table["error"] = pd.Series([row.get("error") for row in rows], dtype=object)
    key = {"aic": "aic", "bic": "bic", "ks": "ks_statistic"}[criterion]
    best = None
    for index in table[key].fillna(np.inf).to_numpy().argsort(kind="stable"):
        candidate = fitted[int(index)]
        if candidate is None:
            continue
        try:
            if getattr(candidate, "_sample_by_table", False):
                candidate.inverse_transform()
        except ValidationError as exc:
            # A fit can maximise the likelihood yet be unusable (a spike of ties makes
            # the density infinitely narrow): it is listed as failed, never returned.
            table.loc[index, "error"] = f"cannot be sampled: {exc}"
            continue
        best = candidate
        break
    if best is None:
        reasons = "\n".join(
            f"  {f}: {e}" for f, e in zip(table["family"], table["error"], strict=True)
        )
        raise FitError("every family failed:\n" + reasons)
    failed = table["error"].notna().to_numpy()
    table = table.iloc[np.lexsort((table[key].fillna(np.inf).to_numpy(), failed))]
    table = table.reset_index(drop=True)
    table.attrs["n_used"] = int(data.size)
    table.attrs["criterion"] = criterion
    return best, table


def _candidates(
    data: NDArray[np.float64], families: str | Sequence[str | Distribution]
) -> list[tuple[str, Distribution]]:
    if isinstance(families, str):
        counts = bool(np.all(data >= 0) and np.all(data == np.round(data)))
        sets = {
            "auto": tuple(DISCRETE_FAMILIES) if counts else _AUTO_CONTINUOUS,
            "fast": FAST_FAMILIES,
            "continuous": _AUTO_CONTINUOUS,
            "discrete": tuple(DISCRETE_FAMILIES),
        }
        names: Sequence[str | Distribution] = sets[check_choice(families, "families", tuple(sets))]
    else:
        if not isinstance(families, Sequence | set | frozenset):
            raise TypeError(
                "families must be 'auto', 'fast', 'continuous', 'discrete' or a list of family "
                f"names or distributions; got {families!r} ({type(families).__name__})"
            )
        names = list(families)
        if not names:
            raise ValidationError("families: got an empty list; name at least one family")
    out = []
    for item in names:
        if isinstance(item, Distribution):
            out.append((type(item).__name__, item.clone()))
        elif isinstance(item, str) and item in FAMILIES:
            out.append((item, FAMILIES[item]()))
        else:
            raise ValidationError(f"families: unknown family {item!r}; known: {sorted(FAMILIES)}")
    return out


def _score(
    name: str, model: Distribution, data: NDArray[np.float64], sorted_data: NDArray[np.float64]
) -> dict[str, object]:
    n = data.size
    loglik = float(np.sum(model.logpdf(data)))
    if not np.isfinite(loglik):
        raise FitError(f"{name}: log-likelihood {loglik} at the fitted parameters")
    k = model.n_params
    ks_stat = ks_p = np.nan
    if not model.discrete:
        cdf = model.cdf(sorted_data)
        i = np.arange(1, n + 1)
        ks_stat = float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))
        ks_p = float(stats.kstwo.sf(ks_stat, n))
    return {
        "family": name,
        "params": dict(getattr(model, "params_", {})),
        "n_params": k,
        "loglik": loglik,
        "aic": 2 * k - 2 * loglik,
        "bic": k * np.log(n) - 2 * loglik,
        "ks_statistic": ks_stat,
        "ks_pvalue": ks_p,
        "error": None,
    }
