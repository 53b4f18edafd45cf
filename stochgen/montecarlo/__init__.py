"""Monte Carlo studies: joint laws from a specification, RQMC estimates, Sobol' indices."""

from stochgen.montecarlo.joint import JointDistribution
from stochgen.montecarlo.sensitivity import SobolIndices, sobol_indices
from stochgen.montecarlo.simulate import SimulationResult, simulate

__all__ = ["JointDistribution", "SimulationResult", "SobolIndices", "simulate", "sobol_indices"]
