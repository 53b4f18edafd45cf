"""Copulas: Gaussian, Student-t, Archimedean and vines on pseudo-observations."""

from stochgen.copulas._base import Copula, pseudo_observations
from stochgen.copulas.archimedean import ClaytonCopula, FrankCopula, GumbelCopula, JoeCopula
from stochgen.copulas.gaussian import GaussianCopula
from stochgen.copulas.independence import IndependenceCopula
from stochgen.copulas.selection import select_copula
from stochgen.copulas.student_t import StudentTCopula
from stochgen.copulas.vine import VineCopula

__all__ = [
    "ClaytonCopula",
    "Copula",
    "FrankCopula",
    "GaussianCopula",
    "GumbelCopula",
    "IndependenceCopula",
    "JoeCopula",
    "StudentTCopula",
    "VineCopula",
    "pseudo_observations",
    "select_copula",
]
