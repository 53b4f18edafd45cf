"""Univariate distributions: parametric families, KDE, empirical, discrete, fitting."""

from stochgen.distributions._base import Distribution
from stochgen.distributions.empirical import EmpiricalDistribution

__all__ = ["Distribution", "EmpiricalDistribution"]
