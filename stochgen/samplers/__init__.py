"""Samplers: inverse transform, rejection, ratio-of-uniforms, Metropolis-Hastings."""

from stochgen.samplers.alias import AliasTable
from stochgen.samplers.diagnostics import (
    autocorrelation,
    effective_sample_size,
    mcse,
    split_rhat,
)
from stochgen.samplers.inverse import InverseTransform
from stochgen.samplers.metropolis import MetropolisHastings
from stochgen.samplers.ratio_of_uniforms import RatioOfUniforms
from stochgen.samplers.rejection import HatViolationError, Rejection
from stochgen.samplers.results import MCMCResult

__all__ = [
    "AliasTable",
    "HatViolationError",
    "InverseTransform",
    "MCMCResult",
    "MetropolisHastings",
    "RatioOfUniforms",
    "Rejection",
    "autocorrelation",
    "effective_sample_size",
    "mcse",
    "split_rhat",
]
