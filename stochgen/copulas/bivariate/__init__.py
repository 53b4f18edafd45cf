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

from stochgen.copulas.bivariate._dependence import (
    pair_param_from_tau,
    pair_tail_dependence,
    pair_tau,
)
from stochgen.copulas.bivariate._families import (
    BOUNDS,
    FAMILIES,
    ROTATIONS,
    check_pair,
    pair_cdf,
    pair_hfunc1,
    pair_hfunc2,
    pair_hinv1,
    pair_hinv2,
    pair_logpdf,
    pair_n_params,
)
from stochgen.copulas.bivariate._fit import (
    fit_pair,
)

__all__ = [
    "BOUNDS",
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
