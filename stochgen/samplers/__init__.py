"""Samplers: inverse transform, rejection, ratio-of-uniforms, Metropolis-Hastings."""
