"""Samplers: inverse transform, rejection, ratio-of-uniforms, Metropolis-Hastings (MCMC)."""

from stochgen.samplers.alias import AliasTable
from stochgen.samplers.diagnostics import (
    autocorrelation,
    effective_sample_size,
    mcse,
    split_rhat,
)
from stochgen.samplers.gradient import GradientError
from stochgen.samplers.inverse import InverseTransform
from stochgen.samplers.limits import SamplingLimitError
from stochgen.samplers.metropolis import MetropolisHastings
from stochgen.samplers.ratio_of_uniforms import RatioOfUniforms
from stochgen.samplers.rejection import HatViolationError, Rejection
from stochgen.samplers.results import MCMCResult, MCMCState

__all__ = [
    "AliasTable",
    "GradientError",
    "HatViolationError",
    "InverseTransform",
    "MCMCResult",
    "MCMCState",
    "MetropolisHastings",
    "RatioOfUniforms",
    "Rejection",
    "SamplingLimitError",
    "autocorrelation",
    "effective_sample_size",
    "mcse",
    "split_rhat",
]
