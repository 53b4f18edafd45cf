"""Transformed density rejection (Hörmann 1995): the hat `Rejection` builds for T-concave pdfs.

With ``T(f) = -1/sqrt(f)``, a density is T-concave when ``T(f)`` is concave on
its support: log-concave densities (normal, gamma and beta with shapes >= 1)
and heavier-tailed ones such as Student's t with df >= 1 and the Cauchy. Then
the tangents of ``T(f)`` at design points lie above it and its secants below,
so mapped back they give a hat and a squeeze (Hörmann 1995; Hörmann, Leydold
and Derflinger 2004, ch. 4). Design points are added where the hat and the
squeeze are furthest apart, at the median of the hat on that piece
(derandomized adaptive rejection sampling), until the squeeze holds
``target_efficiency`` of the hat's area.

Derivatives come from central differences, so only the pdf is needed; the
built hat and squeeze are checked against the pdf on a grid before use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.guide import build_guide
from stochgen._kernels.tdr import piece_areas
from stochgen.exceptions import ValidationError

__all__ = ["NotTConcaveError", "TdrHat", "build_tdr_hat", "is_t_concave"]

#: Relative margin: the hat is raised and the squeeze lowered by this fraction.
TDR_MARGIN = 1e-6
#: Probability levels (under the pdf on the exploration grid) of the first design points.
START_LEVELS = np.array([1e-6, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-4, 1 - 1e-6])
#: Concavity is checked where the pdf is above this fraction of its maximum.
CHECK_FLOOR = 1e-30
#: Guide-table buckets per piece: most lookups then land on their piece at once.
GUIDE_FACTOR = 8


class NotTConcaveError(ValidationError):
    """The pdf is not T-concave (or the TDR hat failed its check); the message says where.

    Examples
    --------
    >>> issubclass(NotTConcaveError, ValueError)
    True
    """


class TdrHat(NamedTuple):
    """The pieces of a TDR hat, as the kernels in `stochgen._kernels.tdr` read them."""

    cum: NDArray[np.float64]
    guide: NDArray[np.int64]
    anchor: NDArray[np.float64]
    direction: NDArray[np.float64]
    width: NDArray[np.float64]
    hat_a: NDArray[np.float64]
    hat_b: NDArray[np.float64]
    sq_a: NDArray[np.float64]
    sq_c: NDArray[np.float64]


def is_t_concave(x: NDArray[np.float64], fx: NDArray[np.float64]) -> tuple[bool, str]:
    """Check ``-1/sqrt(f)`` for concavity on a sorted grid, allowing for rounding.

    Returns
    -------
    tuple
        ``(ok, reason)``; ``reason`` says where concavity fails.

    Examples
    --------
    >>> x = np.linspace(-5, 5, 101)
    >>> is_t_concave(x, np.exp(-0.5 * x * x))[0]
    True
    >>> bimodal = np.exp(-0.5 * (x - 2) ** 2) + np.exp(-0.5 * (x + 2) ** 2)
    >>> is_t_concave(x, bimodal)
    (False, 'T(pdf) = -1/sqrt(pdf) turns convex near x=-0.5')
    """
    positive = np.flatnonzero(fx > 0)
    if positive.size < 3:
        return False, "the pdf is positive at fewer than 3 grid points"
    if positive[-1] - positive[0] + 1 != positive.size:
        k = positive[np.flatnonzero(np.diff(positive) > 1)[0]]
        return False, f"the pdf is zero between positive values near x={x[k + 1]:.6g}"
    # Far below the peak (subnormal values included) the pdf's rounding swamps
    # its curvature; the hat there is checked against the pdf once built.
    x, fx = x[positive], fx[positive]
    keep = np.flatnonzero(fx >= CHECK_FLOOR * fx.max())
    if keep[-1] - keep[0] + 1 != keep.size:
        # A T-concave pdf's level sets are intervals: one valley is enough to refuse.
        k = keep[np.flatnonzero(np.diff(keep) > 1)[0]]
        return False, f"the pdf has a deep valley near x={x[k + 1]:.6g}"
    x, fx = x[keep], fx[keep]
    if x.size < 3:
        return False, "the pdf is above its floor at fewer than 3 grid points"
    t = -1.0 / np.sqrt(fx)
    dx = np.diff(x)
    slopes = np.diff(t) / dx
    # Rounding of T at both ends of each interval, divided by its length.
    noise = 8e-16 * np.maximum(np.abs(t[:-1]), np.abs(t[1:])) / dx
    rise = np.diff(slopes)
    allowed = noise[:-1] + noise[1:] + 1e-9 * (np.abs(slopes[:-1]) + np.abs(slopes[1:]))
    bad = np.flatnonzero(rise > allowed)
    if bad.size:
        return False, f"T(pdf) = -1/sqrt(pdf) turns convex near x={x[bad[0] + 1]:.6g}"
    return True, ""


def _derivatives(
    f: Callable, p: NDArray[np.float64], mode: float, scale: float, lo: float, hi: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the pdf and its central-difference derivative at ``p`` (one pdf call).

    The step grows with the distance from the mode: far in a tail the pdf's
    relative change over a fixed step is below its rounding.
    """
    step = 1e-5 * np.maximum(scale, np.abs(p - mode))
    h = np.minimum(step, 0.5 * np.minimum(p - lo, hi - p))
    values = f(np.concatenate([p, p - h, p + h]))
    fp, left, right = np.split(values, 3)
    return fp, (right - left) / (2 * h)


def _pieces(
    p: NDArray[np.float64], fp: NDArray[np.float64], dp: NDArray[np.float64], lo: float, hi: float
) -> tuple[NDArray[np.float64], ...]:
    """Return the hat and squeeze pieces (left and right of each design point), with areas."""
    a = -1.0 / np.sqrt(fp)
    g = 0.5 * dp / fp**1.5
    k = p.size
    dg = g[:-1] - g[1:]
    gap = np.diff(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = p[:-1] + (a[1:] - a[:-1] - g[1:] * gap) / dg
    flat = ~(dg > 1e-12 * (np.abs(g[:-1]) + np.abs(g[1:])))
    z = np.where(flat | ~np.isfinite(z), p[:-1] + 0.5 * gap, z)
    z = np.clip(z, p[:-1], p[1:])
    secant = np.diff(a) / gap
    anchor = np.repeat(p, 2)
    direction = np.tile([-1.0, 1.0], k)
    width = np.empty(2 * k)
    width[0::2] = p - np.concatenate([[lo], z])
    width[1::2] = np.concatenate([z, [hi]]) - p
    hat_a = np.repeat(a, 2)
    hat_b = direction * np.repeat(g, 2)
    sq_c = np.empty(2 * k)
    sq_c[0::2] = np.concatenate([[np.nan], -secant])
    sq_c[1::2] = np.concatenate([secant, [np.nan]])
    end = hat_a + hat_b * np.where(np.isinf(width), 0.0, width)
    valid = (end < 0) & ~(np.isinf(width) & ~(hat_b < 0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        area = np.where(valid, piece_areas(hat_a, np.where(valid, hat_b, -1.0), width), np.inf)
        has_squeeze = np.isfinite(sq_c) & np.isfinite(width)
        sq_end = hat_a + np.where(has_squeeze, sq_c, 0.0) * np.where(has_squeeze, width, 0.0)
        sq_area = np.where(has_squeeze, width / (hat_a * sq_end), 0.0)
    return anchor, direction, width, hat_a, hat_b, sq_c, area, sq_area


def _split_points(pieces: tuple, chosen: NDArray[np.bool_], scale: float) -> NDArray[np.float64]:
    """Return new design points: the median of the hat on each chosen piece."""
    anchor, direction, width, hat_a, hat_b, _, area, _ = pieces
    a, b, w, area = hat_a[chosen], hat_b[chosen], width[chosen], area[chosen]
    half = 0.5 * area
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = half * a * a / (1.0 - a * b * half)
    fallback = np.where(np.isfinite(w), 0.5 * w, scale)
    s = np.where(np.isfinite(s) & (s > 0) & (s < w), s, fallback)
    return anchor[chosen] + direction[chosen] * s


def build_tdr_hat(
    f: Callable[[NDArray], NDArray],
    lo: float,
    hi: float,
    x: NDArray[np.float64],
    fx: NDArray[np.float64],
    *,
    efficiency: float,
    max_pieces: int,
) -> tuple[TdrHat, NDArray[np.float64], float]:
    """Build the TDR hat and squeeze from the exploration grid ``(x, fx)``.

    Returns
    -------
    tuple
        ``(hat, design_points, squeeze_share)``: the pieces, the design points
        and the squeeze's area over the hat's.

    Raises
    ------
    NotTConcaveError
        If ``-1/sqrt(pdf)`` is not concave on the grid, or the hat or squeeze
        built from it fails the check against the pdf.
    """
    ok, reason = is_t_concave(x, fx)
    if not ok:
        raise NotTConcaveError(reason)
    inside = (x > lo) & (x < hi) & (fx > 0)
    xs, fs = x[inside], fx[inside]
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (fs[1:] + fs[:-1]) * np.diff(xs))])
    if not cdf[-1] > 0:
        raise NotTConcaveError("the pdf has no mass inside the support on the grid")
    cdf /= cdf[-1]
    quantiles = np.interp(START_LEVELS, cdf, xs)
    scale = float(quantiles[START_LEVELS.searchsorted(0.99)] - quantiles[2])
    if not scale > 0:
        raise NotTConcaveError("the pdf's mass is too concentrated for the grid")
    mode = float(xs[np.argmax(fs)])
    points = np.unique(np.concatenate([quantiles, [mode]]))
    p = points[(points > lo) & (points < hi)]
    fp, dp = _derivatives(f, p, mode, scale, lo, hi)
    for _ in range(64):
        good = (fp > 0) & np.isfinite(dp)
        p, fp, dp = p[good], fp[good], dp[good]
        if p.size < 2:
            raise NotTConcaveError("fewer than 2 design points with a positive pdf")
        pieces = _pieces(p, fp, dp, lo, hi)
        area, sq_area = pieces[6], pieces[7]
        gap = area - sq_area
        total = np.sum(area)
        if np.isfinite(total) and np.sum(sq_area) >= efficiency * total:
            break
        finite = np.isfinite(gap)
        chosen = ~finite | (gap > (np.mean(gap[finite]) if finite.any() else 0.0))
        if 2 * (p.size + chosen.sum()) > max_pieces:
            break
        new = _split_points(pieces, chosen, scale)
        new = new[(new > lo) & (new < hi)]
        new = new[np.min(np.abs(new[:, None] - p[None, :]), axis=1) > 1e-9 * scale]
        if new.size == 0:
            break
        fn, dn = _derivatives(f, new, mode, scale, lo, hi)
        order = np.argsort(np.concatenate([p, new]))
        p = np.concatenate([p, new])[order]
        fp = np.concatenate([fp, fn])[order]
        dp = np.concatenate([dp, dn])[order]
    anchor, direction, width, hat_a, hat_b, sq_c, area, sq_area = pieces
    if not np.all(np.isfinite(area)):
        raise NotTConcaveError("the tangents of -1/sqrt(pdf) give no finite hat")
    hat_scale = 1.0 / np.sqrt(1.0 + TDR_MARGIN)
    sq_scale = 1.0 / np.sqrt(1.0 - TDR_MARGIN)
    hat_a, hat_b = hat_a * hat_scale, hat_b * hat_scale
    sq_a, sq_c = hat_a / hat_scale * sq_scale, sq_c * sq_scale
    area = piece_areas(hat_a, hat_b, width)
    cum = np.cumsum(area)
    guide = build_guide(cum, 0.0, float(cum[-1]), GUIDE_FACTOR * cum.size)
    hat = TdrHat(cum, guide, anchor, direction, width, hat_a, hat_b, sq_a, sq_c)
    _check_hat(f, hat, area)
    return hat, p, float(np.sum(sq_area) / np.sum(area))


def _check_hat(f: Callable, hat: TdrHat, area: NDArray[np.float64]) -> None:
    """Evaluate the pdf at 16 hat quantiles of each piece: hat above, squeeze below."""
    r = (np.arange(16) + 0.5) / 16
    part = area[:, None] * r[None, :]
    a, b = hat.hat_a[:, None], hat.hat_b[:, None]
    s = np.minimum(part * a * a / (1.0 - a * b * part), hat.width[:, None])
    x = hat.anchor[:, None] + hat.direction[:, None] * s
    fx = f(x.ravel()).reshape(x.shape)
    top = 1.0 / (a + b * s) ** 2
    over = fx > top
    with np.errstate(invalid="ignore"):
        bottom = 1.0 / (hat.sq_a[:, None] + hat.sq_c[:, None] * s) ** 2
        under = fx < bottom
    for bad, what in ((over, "above the hat"), (under, "below the squeeze")):
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise NotTConcaveError(
                f"the pdf ({fx[i, j]:.6g}) is {what} of its tangents at x={x[i, j]:.6g}"
            )
