"""Copulas: Gaussian, Student-t, Archimedean and vines on pseudo-observations."""

from stochgen.copulas._base import Copula, pseudo_observations
from stochgen.copulas.gaussian import GaussianCopula

__all__ = ["Copula", "GaussianCopula", "pseudo_observations"]
