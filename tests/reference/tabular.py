"""Plain-numpy twins of stochgen._kernels.tabular."""

import math

import numpy as np

# The same libm erfc the kernel calls (scipy's differs in the last bit).
_erfc = np.vectorize(math.erfc, otypes=[float])


def quantiles_from_normal(z, knots_q, knots_x):
    q = 0.5 * _erfc(-np.nan_to_num(z) * math.sqrt(0.5))
    out = np.interp(q, knots_q, knots_x)
    return np.where(np.isnan(z), np.nan, out)
