"""Plain-numpy twins of stochgen._kernels.tabular."""

import numpy as np


def interp_scores(z, knots_z, knots_x):
    out = np.interp(np.nan_to_num(z, nan=0.0), knots_z, knots_x)
    return np.where(np.isnan(z), np.nan, out)


def matrix_apply(factor, g, lower):
    return (np.tril(factor) if lower else factor) @ g


def standard_normals(rng, out):
    rng.standard_normal(out=out)
