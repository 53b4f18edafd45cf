"""Univariate distributions: parametric families, KDE, empirical, discrete, fitting."""

from stochgen.distributions._base import Distribution, FitError
from stochgen.distributions._parametric import ParametricDistribution
from stochgen.distributions.atoms import AtomMixture
from stochgen.distributions.continuous import (
    Beta,
    Burr,
    Exponential,
    Gamma,
    GeneralizedExtremeValue,
    GeneralizedPareto,
    Gumbel,
    InverseGaussian,
    JohnsonSU,
    Laplace,
    Logistic,
    LogLaplace,
    LogLogistic,
    LogNormal,
    Normal,
    Pareto,
    Pearson3,
    SkewNormal,
    StudentT,
    TruncatedNormal,
    Uniform,
    Weibull,
)
from stochgen.distributions.discrete import (
    Binomial,
    Categorical,
    EmpiricalDiscrete,
    Geometric,
    NegativeBinomial,
    Poisson,
)
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.distributions.kde import GaussianKDE
from stochgen.distributions.mixture import GaussianMixture

__all__ = [
    "AtomMixture",
    "Beta",
    "Binomial",
    "Burr",
    "Categorical",
    "Distribution",
    "EmpiricalDiscrete",
    "EmpiricalDistribution",
    "Exponential",
    "FitError",
    "Gamma",
    "GaussianKDE",
    "GaussianMixture",
    "GeneralizedExtremeValue",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "InverseGaussian",
    "JohnsonSU",
    "Laplace",
    "LogLaplace",
    "LogLogistic",
    "LogNormal",
    "Logistic",
    "NegativeBinomial",
    "Normal",
    "ParametricDistribution",
    "Pareto",
    "Pearson3",
    "Poisson",
    "SkewNormal",
    "StudentT",
    "TruncatedNormal",
    "Uniform",
    "Weibull",
]
