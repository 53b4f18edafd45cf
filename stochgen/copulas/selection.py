"""Choose a copula family for data by AIC or BIC."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._validation import check_choice
from stochgen.copulas import bivariate as bv
from stochgen.copulas._base import Copula, check_copula_data
from stochgen.exceptions import ValidationError

__all__ = ["select_copula", "select_pair"]

#: Families tried by `select_copula` when none are named.
DEFAULT_FAMILIES = ("independence", "gaussian", "student", "clayton", "frank", "gumbel", "joe")


def _candidates(families: Sequence[str], tau: float) -> list[tuple[str, int]]:
    out = []
    for family in families:
        if family in ("independence", "gaussian", "student", "frank"):
            out.append((family, 0))
        else:
            # Rotations that can match the sign of tau (Joe 2014, section 4.2).
            rotations = (0, 180) if tau >= 0 else (90, 270)
            out.extend((family, r) for r in rotations)
    return out


def select_pair(
    u1: NDArray[np.float64],
    u2: NDArray[np.float64],
    *,
    families: Sequence[str] = DEFAULT_FAMILIES,
    criterion: str = "aic",
    method: str = "mle",
    tau: float | None = None,
) -> list[dict]:
    """Fit every candidate pair copula and rank them by the criterion.

    Parameters
    ----------
    u1, u2 : numpy.ndarray
        Pseudo-observations, float64, strictly inside (0, 1).
    families : sequence of str
        Families to try; bivariate Archimedean ones are tried in the two
        rotations matching the sign of Kendall's tau.
    criterion : {"aic", "bic"}
        Ranking criterion (smaller is better).
    method : {"mle", "itau"}
        Estimator passed to `bivariate.fit_pair`.
    tau : float, optional
        Kendall's tau of the data, when already known.

    Returns
    -------
    list of dict
        Best first; keys ``family``, ``rotation``, ``params``, ``loglik``,
        ``n_params``, ``aic``, ``bic``.

    Examples
    --------
    >>> from stochgen.copulas import GumbelCopula
    >>> u = GumbelCopula.from_params(theta=3.0).sample(3000, seed=0)
    >>> select_pair(u[:, 0], u[:, 1], families=("gaussian", "gumbel"))[0]["family"]
    'gumbel'
    """
    check_choice(criterion, "criterion", ("aic", "bic"))
    unknown = [f for f in families if f not in bv.FAMILIES]
    if unknown or not families:
        raise ValidationError(f"families must be among {list(bv.FAMILIES)}; got {list(families)}")
    if tau is None:
        tau = float(kendall_tau_matrix(np.column_stack([u1, u2]))[0, 1])
    n = u1.shape[0]
    rows = []
    for family, rotation in _candidates(families, tau):
        params, loglik = bv.fit_pair(family, rotation, u1, u2, method=method, tau=tau)
        k = bv.pair_n_params(family)
        rows.append(
            {
                "family": family,
                "rotation": rotation,
                "params": params,
                "loglik": loglik,
                "n_params": k,
                "aic": -2.0 * loglik + 2.0 * k,
                "bic": -2.0 * loglik + k * math.log(n),
            }
        )
    rows.sort(key=lambda row: row[criterion])
    return rows


def _build(family: str, rotation: int, params: tuple[float, ...], d: int) -> Copula:
    from stochgen.copulas import archimedean, independence, student_t
    from stochgen.copulas.gaussian import GaussianCopula

    if family == "independence":
        return independence.IndependenceCopula.from_params(dim=d)
    if family == "gaussian":
        return GaussianCopula.from_params(corr=[[1.0, params[0]], [params[0], 1.0]])
    if family == "student":
        return student_t.StudentTCopula.from_params(
            corr=[[1.0, params[0]], [params[0], 1.0]], df=params[1]
        )
    cls = {
        "clayton": archimedean.ClaytonCopula,
        "frank": archimedean.FrankCopula,
        "gumbel": archimedean.GumbelCopula,
        "joe": archimedean.JoeCopula,
    }[family]
    return cls.from_params(theta=params[0], rotation=rotation)


def select_copula(
    u: ArrayLike,
    families: Sequence[str] = DEFAULT_FAMILIES,
    *,
    criterion: str = "aic",
    method: str = "mle",
) -> tuple[Copula, pd.DataFrame]:
    """Select a bivariate copula family by AIC or BIC; return the best and a ranked table.

    Every family in ``families`` is fitted (Archimedean ones in the two
    rotations matching the sign of Kendall's tau) and ranked.

    Parameters
    ----------
    u : array_like
        Pseudo-observations, shape (n, 2), strictly inside (0, 1).
    families : sequence of str
        Among ``"independence"``, ``"gaussian"``, ``"student"``, ``"clayton"``,
        ``"frank"``, ``"gumbel"``, ``"joe"``.
    criterion : {"aic", "bic"}
        Ranking criterion.
    method : {"mle", "itau"}
        Estimator.

    Returns
    -------
    best : Copula
        The best copula, built from its fitted parameters.
    table : pandas.DataFrame
        One row per candidate, best first: family, rotation, params, loglik,
        n_params, aic, bic.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If ``u`` does not have two columns, or on an unknown family.

    Examples
    --------
    >>> from stochgen.copulas import ClaytonCopula
    >>> u = ClaytonCopula.from_params(theta=3.0, rotation=180).sample(3000, seed=0)
    >>> best, table = select_copula(u, families=("gaussian", "clayton", "gumbel"))
    >>> best.family, best.rotation
    ('clayton', 180)
    >>> list(table["family"])[:1]
    ['clayton']
    """
    data = check_copula_data(u, min_dim=2, max_dim=2)
    rows = select_pair(
        data[:, 0], data[:, 1], families=families, criterion=criterion, method=method
    )
    table = pd.DataFrame(rows)
    best = rows[0]
    return _build(best["family"], best["rotation"], best["params"], 2), table
