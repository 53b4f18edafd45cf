"""Plain-numpy twins of stochgen._kernels.tabular."""

import numpy as np


def interp_scores(z, knots_z, knots_x):
    out = np.interp(np.nan_to_num(z, nan=0.0), knots_z, knots_x)
    return np.where(np.isnan(z), np.nan, out)


def matrix_apply(factor, g, lower):
    return (np.tril(factor) if lower else factor) @ g


def standard_normals(rng, out):
    rng.standard_normal(out=out)


def pairwise_moments(columns, present):
    """Pairwise-complete Pearson correlations (pandas' DataFrame.corr, min_periods=3)."""
    import pandas as pd

    x = np.where(present > 0, columns, np.nan).T
    return pd.DataFrame(x).corr(min_periods=3).to_numpy()


def label_codes(z, edges):
    return np.searchsorted(edges, z, side="right")
