"""Kernels for table sampling: latent normal scores to column values."""

from __future__ import annotations

import math

import numpy as np

from stochgen._numba import jit

__all__ = [
    "interp_scores",
    "label_codes",
    "matrix_apply",
    "pairwise_moments",
    "standard_normals",
]

# Up to this many knots, the piece is found by comparing with every knot.
_FEW_KNOTS = 16
# Beyond that, knots compared after the guide's start (a fixed trip count).
_WINDOW = 8


# Serial and nogil: the synthesizer runs blocks in threads, and numba's default
# threading layer must not be entered from several threads at once.
@jit
def interp_scores(z, knots_z, knots_x, slopes, guide, out):  # pragma: no cover - jitted
    """Write ``numpy.interp(z, knots_z, knots_x)`` into ``out``; NaN gives NaN.

    ``knots_z`` must be non-decreasing and finite, its last value above its
    first; below the first knot the first value is returned, above the last
    the last. ``slopes[k]`` is the slope of the piece from knot ``k`` to
    ``k + 1`` (any value where the two coincide: it is never used).
    ``guide`` (from `stochgen.tabular.columns.guide_table`) holds, for
    ``j = 0..m``, the last knot index with ``knots_z <= z_0 + j * width``,
    ``width = (z_last - z_0) / m``: the knot below ``z`` lies between
    ``guide[j]`` and ``guide[j + 1]``, ``j = floor((z - z_0) / width)``.
    The piece is found by counting knots below ``z`` over a fixed number of
    knots (all of them when there are few, else a window after the guide's
    start), not by branching on each comparison: mispredicted branches, not
    arithmetic, are what a binary search spends its time on.
    """
    n_knots = knots_z.shape[0]
    buckets = guide.shape[0] - 1
    z_first = knots_z[0]
    z_last = knots_z[n_knots - 1]
    per_unit = buckets / (z_last - z_first)
    for i in range(z.shape[0]):
        zi = z[i]
        if math.isnan(zi):
            out[i] = math.nan
            continue
        if zi <= z_first:
            out[i] = knots_x[0]
            continue
        if zi >= z_last:
            out[i] = knots_x[n_knots - 1]
            continue
        if n_knots <= _FEW_KNOTS:
            # Count every knot: a fixed trip count the branch predictor learns.
            k = -1
            for m in range(n_knots):
                k += knots_z[m] <= zi
            out[i] = slopes[k] * (zi - knots_z[k]) + knots_x[k]
            continue
        # Clamped before the cast: a float outside int64 (or NaN) has no
        # defined conversion, and an index from it would read out of bounds.
        t = (zi - z_first) * per_unit
        j = buckets - 1
        if t < 0.0:
            j = 0
        elif t < buckets - 1:
            j = int(t)
        k = max(guide[j], 0)
        while k > 0 and knots_z[k] > zi:  # rounding at a bucket edge only
            k -= 1
        # Count the next _WINDOW knots (clamped at the last, which exceeds zi);
        # a bucket rarely holds more, and then the walk goes on past them.
        count = 0
        for m in range(1, _WINDOW + 1):
            count += knots_z[min(k + m, n_knots - 1)] <= zi
        k += count
        while knots_z[k + 1] <= zi:
            k += 1
        # knots_z[k] <= zi < knots_z[k + 1]: numpy.interp's arithmetic on that piece.
        out[i] = slopes[k] * (zi - knots_z[k]) + knots_x[k]


# Columns of a tile: a tile of every row stays in the first-level cache.
_TILE = 512


@jit
def matrix_apply(factor, g, out, lower):  # pragma: no cover - jitted
    """Write ``factor @ g`` into ``out``; only the lower triangle is read if ``lower``.

    ``factor`` is (d, d); ``g`` and ``out`` have shape (d, n). Serial and
    nogil, so the caller's threads, not a BLAS thread pool inside each of
    them, share the cores; the sum over ``k`` runs in increasing order, the
    same in every call.
    """
    d = factor.shape[0]
    n = g.shape[1]
    acc = np.empty(_TILE)
    for start in range(0, n, _TILE):
        stop = min(start + _TILE, n)
        width = stop - start
        for i in range(d):
            acc[:width] = 0.0
            for k in range(i + 1 if lower else d):
                c = factor[i, k]
                if c == 0.0:
                    continue
                row = g[k, start:stop]
                # A local accumulator: no aliasing with out, so the loop vectorizes.
                for t in range(width):
                    acc[t] += c * row[t]
            out[i, start:stop] = acc[:width]


@jit
def label_codes(z, edges, out):  # pragma: no cover - jitted
    """Write ``numpy.searchsorted(edges, z, side="right")`` into ``out`` (int64).

    For the few edges of a categorical column: each code is the count of
    edges at or below ``z``, a fixed trip count with no branch to mispredict
    (a binary search over a handful of edges is mostly mispredictions). NaN
    sorts last, as in numpy.
    """
    n_edges = edges.shape[0]
    for i in range(z.shape[0]):
        zi = z[i]
        if math.isnan(zi):
            out[i] = n_edges
            continue
        count = 0
        for k in range(n_edges):
            count += edges[k] <= zi
        out[i] = count


@jit
def standard_normals(rng, out):  # pragma: no cover - jitted
    """Fill the 1-d ``out`` with ``rng``'s standard normals.

    The same values, in the same order, and the same state of ``rng`` after,
    as ``rng.standard_normal(out=out)`` (numba implements numpy's ziggurat),
    about 2.5x faster because the ziggurat is inlined in the loop.
    """
    for i in range(out.shape[0]):
        out[i] = rng.standard_normal()


@jit
def pairwise_moments(columns, present, out):  # pragma: no cover - jitted
    """Write pairwise-complete correlations of the rows of ``columns`` into ``out``.

    ``columns`` is (d, n), dimension-major, with 0 where ``present`` (0/1
    floats, same shape) is 0. Entry (i, j) of ``out`` is the Pearson
    correlation of dimensions i and j over the rows where both are present;
    NaN with fewer than 3 such rows or no spread. Sums are branch-free, so the
    inner loop vectorizes; no BLAS, whose thread pool crawls on a busy machine
    for matrices this small (the copula fit computes one per label).
    """
    d, n = columns.shape
    for i in range(d):
        xi = columns[i]
        mi = present[i]
        for j in range(i, d):
            xj = columns[j]
            mj = present[j]
            count = 0.0
            sum_i = 0.0
            sum_j = 0.0
            sum_ii = 0.0
            sum_jj = 0.0
            sum_ij = 0.0
            for r in range(n):
                a = xi[r] * mj[r]
                b = xj[r] * mi[r]
                count += mi[r] * mj[r]
                sum_i += a
                sum_j += b
                sum_ii += a * xi[r]
                sum_jj += b * xj[r]
                sum_ij += a * xj[r]
            value = math.nan
            if count >= 3.0:
                mean_i = sum_i / count
                mean_j = sum_j / count
                var_i = sum_ii / count - mean_i * mean_i
                var_j = sum_jj / count - mean_j * mean_j
                if var_i > 0.0 and var_j > 0.0:
                    value = (sum_ij / count - mean_i * mean_j) / math.sqrt(var_i * var_j)
                    value = min(1.0, max(-1.0, value))
            out[i, j] = value
            out[j, i] = value
