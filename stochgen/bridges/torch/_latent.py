"""The latent-score matrix a network learns from, and the map from its output back to scores.

The column models give each row normal scores (see `stochgen.tabular.columns`). Two
things make that matrix a better training target for a network: tied scores (labels,
missingness, repeated values) are spread uniformly over their quantile interval, so
every dimension is continuous and standard normal; and undefined scores (the value of
a missing entry) are drawn from their Gaussian conditional law given the row's other
scores. Neither changes which label or value a score decodes to.

After training, each output dimension of the network is mapped through its own
distribution function (estimated from a large seeded draw) to a standard normal score:
the network then carries only the dependence, and every column keeps the marginal its
column model learned.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = ["calibration_levels", "dequantize", "to_normal_scores"]

# Smallest distance of a dequantized uniform from 0 and 1 (keeps scores finite).
_TINY = 1e-12


def dequantize(latent: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.float64]:
    """Spread tied scores uniformly over their quantile interval; NaN stays NaN.

    Scores are increasing in the quantile interval they stand for, so in each
    dimension the k-th distinct score covers the k-th interval of the observed
    frequencies, and a score drawn inside it decodes to the same value.
    """
    out = np.full_like(latent, np.nan)
    for j in range(latent.shape[1]):
        present = ~np.isnan(latent[:, j])
        _, inverse, counts = np.unique(latent[present, j], return_inverse=True, return_counts=True)
        edges = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()
        low, high = edges[inverse], edges[inverse + 1]
        u = low + (high - low) * rng.random(low.size)
        out[present, j] = special.ndtri(np.clip(u, _TINY, 1.0 - _TINY))
    return out


def calibration_levels(n_draws: int, n_levels: int) -> NDArray[np.float64]:
    """Probability levels of the stored quantiles: an even grid, and the extremes of the draw."""
    inner = np.arange(1, n_levels - 1) / (n_levels - 1)
    return np.concatenate([[0.5 / n_draws], inner, [1.0 - 0.5 / n_draws]])


def to_normal_scores(
    output: NDArray[np.float64], quantiles: NDArray[np.float64], levels: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Map each column of ``output`` through its interpolated distribution function to N(0, 1)."""
    z = np.empty_like(output)
    for j in range(output.shape[1]):
        z[:, j] = special.ndtri(np.interp(output[:, j], quantiles[:, j], levels))
    return z
