"""Copulas: Gaussian, Student-t, Archimedean and vines on pseudo-observations."""

from stochgen.copulas._base import Copula, pseudo_observations
from stochgen.copulas.archimedean import ClaytonCopula, FrankCopula, GumbelCopula, JoeCopula
from stochgen.copulas.gaussian import GaussianCopula

__all__ = [
    "ClaytonCopula",
    "Copula",
    "FrankCopula",
    "GaussianCopula",
    "GumbelCopula",
    "JoeCopula",
    "pseudo_observations",
]
