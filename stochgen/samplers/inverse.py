"""Fast inversion: a tabulated, error-controlled inverse CDF.

`InverseTransform` builds, once, a piecewise polynomial ``x = P(u)`` of the
inverse CDF on adaptively chosen intervals and checks the u-error
``|F(P(u)) - u|`` at set-up; sampling is then a guide-table lookup and a
polynomial evaluation in a numba kernel. Discrete targets are tabulated as a
CDF searched through a guide table, with exact inversion beyond the table.

The continuous method follows Derflinger, Hoermann and Leydold (2010),
"Random variate generation by numerical inversion when only the density is
known", ACM TOMACS 20(4), in using Newton interpolation of the inverse CDF and
the u-error as the accuracy goal; here the CDF itself supplies the nodes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._kernels.discrete import build_cdf_guide, guide_search
from stochgen._kernels.guide import build_guide
from stochgen._kernels.inverse import evaluate_inverse, fill_inverse, mark_pure_buckets
from stochgen._rng import (
    BLOCK_ROWS,
    SeedLike,
    as_seed_sequence,
    block_generator,
    block_states,
)
from stochgen._validation import check_n_samples, check_positive
from stochgen.exceptions import StochgenWarning, ValidationError

__all__ = ["InverseTransform"]

#: Polynomial degree on each interval (6 Chebyshev-Lobatto nodes); the kernel is unrolled for it.
DEGREE = 5
#: Largest table built before giving up.
MAX_INTERVALS = 200_000
#: Largest discrete support tabulated.
MAX_DISCRETE_TABLE = 5_000_000


class InverseTransform:
    """Sample any univariate distribution by a tabulated inverse CDF.

    Set-up interpolates the inverse CDF by Newton polynomials of degree 5 in
    ``u`` through the CDF at six Chebyshev-Lobatto points of each interval,
    rewrites them in powers of ``u - u_0``, and measures the u-error
    ``max |F(P(u)) - u|`` of that stored form between every pair of nodes;
    intervals are split until it is below ``u_resolution / 4`` at every
    checked point. Where one float step in ``x`` moves ``u`` by more than that
    (an infinite density at a bound) the error double precision allows is
    accepted, and a `~stochgen.exceptions.StochgenWarning` reports it.
    Sampling costs a guide-table lookup and a polynomial evaluated by
    Estrin's scheme (short dependency chains).

    Parameters
    ----------
    dist : object
        A stochgen `~stochgen.distributions.Distribution`, a frozen scipy
        distribution, or any object with a vectorised ``cdf``. ``ppf`` (even
        a slow one) speeds set-up; ``support()`` bounds the search. Objects
        with ``discrete = True`` and frozen ``scipy.stats.rv_discrete``
        distributions are treated as distributions on the integers.
    u_resolution : float
        Largest accepted u-error, in (0, 1e-2]. The part of each tail with
        probability below ``u_resolution / 20`` is cut off.

    Attributes
    ----------
    u_error : float
        Largest u-error measured at set-up (continuous targets), or the
        probability left to the exact fallback beyond the table (discrete).
    n_intervals : int
        Intervals in the table (continuous), or table size (discrete).
    support : tuple of float
        Smallest and largest value the table produces.

    Raises
    ------
    TypeError
        If ``dist`` has no ``cdf``.
    ValueError
        If ``u_resolution`` is out of range, the cdf is not monotone, returns
        values outside [0, 1] or NaN, or the accuracy cannot be reached.

    Examples
    --------
    >>> from scipy import stats
    >>> sampler = InverseTransform(stats.gamma(2.5), u_resolution=1e-10)
    >>> bool(sampler.u_error < 1e-10)
    True
    >>> x = sampler.sample(5, seed=0)
    >>> x.shape
    (5,)
    >>> bool(abs(stats.gamma(2.5).cdf(sampler.ppf(0.3)) - 0.3) < 1e-10)
    True
    """

    def __init__(self, dist: Any, u_resolution: float = 1e-10) -> None:
        cdf = getattr(dist, "cdf", None)
        if not callable(cdf):
            raise TypeError(f"`cdf` required but not found on {type(dist).__name__}")
        u_resolution = check_positive(u_resolution, "u_resolution")
        if u_resolution > 1e-2:
            raise ValidationError(f"u_resolution must be in (0, 0.01]; got {u_resolution}")
        self.u_resolution = u_resolution
        self._dist = dist
        self._cdf = _checked_cdf(cdf)
        ppf = getattr(dist, "ppf", None)
        self._ppf = ppf if callable(ppf) else None
        self.discrete = _is_discrete(dist)
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            # Targets' own numerical warnings (overflow in a tail) do not matter:
            # every result is checked through the u-error.
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("always", StochgenWarning)
            if self.discrete:
                self._setup_discrete()
            else:
                self._setup_continuous()
        for warning in caught:
            if issubclass(warning.category, StochgenWarning):
                warnings.warn(warning.message, StochgenWarning, stacklevel=2)

    # ------------------------------------------------------------------ set-up
    def _support(self) -> tuple[float, float]:
        support = getattr(self._dist, "support", None)
        if callable(support):
            lo, hi = (float(v) for v in support())
            return lo, hi
        return -np.inf, np.inf

    def _quantiles(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quantiles by the target's ppf where it is usable, else by bisection."""
        lo_s, hi_s = self._support()
        if self._ppf is not None:
            x = np.asarray(self._ppf(u), dtype=np.float64)
            if x.shape == u.shape and np.all(np.isfinite(x)):
                return np.clip(x, lo_s, hi_s)
        lo, hi = self._bracket(lo_s, hi_s)
        a = np.full(u.shape, lo)
        b = np.full(u.shape, hi)
        for _ in range(200):
            mid = 0.5 * (a + b)
            below = self._cdf(mid) < u
            a = np.where(below, mid, a)
            b = np.where(below, b, mid)
            if np.all((b - a) <= 1e-12 * np.maximum(1.0, np.abs(a) + np.abs(b))):
                break
        return 0.5 * (a + b)

    def _bracket(self, lo_s: float, hi_s: float) -> tuple[float, float]:
        u_tail = self.u_resolution / 20
        lo = lo_s if np.isfinite(lo_s) else min(-1.0, hi_s - 1.0)
        hi = hi_s if np.isfinite(hi_s) else max(1.0, lo + 2.0)
        for _ in range(2100):
            f_lo, f_hi = self._cdf(np.array([lo, hi]))
            if f_lo <= u_tail and f_hi >= 1 - u_tail:
                return lo, hi
            if f_lo > u_tail:
                lo = lo - max(1.0, abs(lo))
            if f_hi < 1 - u_tail:
                hi = hi + max(1.0, abs(hi))
            if not (np.isfinite(lo) and np.isfinite(hi)):
                break
        raise ValidationError(
            "cdf never comes close enough to 0 and 1: no finite range holds all but "
            f"{u_tail:g} of the probability; is it a distribution function?"
        )

    def _setup_continuous(self) -> None:
        u_tail = self.u_resolution / 20
        grid_u = np.concatenate([[u_tail], np.linspace(0, 1, 33)[1:-1], [1 - u_tail]])
        grid_x = np.unique(self._quantiles(grid_u))
        if grid_x.size < 2:
            raise ValidationError(
                "the distribution is concentrated on one point; nothing to invert"
            )
        left, right = grid_x[:-1], grid_x[1:]
        done: list[tuple[NDArray[np.float64], ...]] = []
        n_done = 0
        worst = 0.0
        while left.size:
            if n_done + left.size > MAX_INTERVALS:
                raise ValidationError(
                    f"u_resolution={self.u_resolution:g} needs more than {MAX_INTERVALS} "
                    "intervals; is the cdf smooth and accurate to that level?"
                )
            nodes_u, table, err, ok = self._fit_intervals(left, right)
            if ok.any():
                done.append((left[ok], nodes_u[ok, 0], nodes_u[ok, -1], table[ok]))
                n_done += int(ok.sum())
                worst = max(worst, float(err[ok].max(initial=0.0)))
            bad = ~ok
            mid = _split_points(left[bad], right[bad], nodes_u[bad], table[bad])
            left = np.concatenate([left[bad], mid])
            right = np.concatenate([mid, right[bad]])
            stuck = ~(left < right)
            if stuck.any():
                raise ValidationError(
                    f"cannot reach u_resolution={self.u_resolution:g} near x={left[stuck][0]!r}: "
                    "the cdf is not accurate (or not continuous) there"
                )
        x_left = np.concatenate([d[0] for d in done])
        order = np.argsort(x_left, kind="stable")
        u_start = np.concatenate([d[1] for d in done])[order]
        u_end = np.concatenate([d[2] for d in done])[order]
        self._table = np.ascontiguousarray(np.concatenate([d[3] for d in done])[order])
        self._breaks = np.ascontiguousarray(np.append(u_start, u_end[-1]))
        # 32 buckets per interval make ~97% of buckets pure (no search); past
        # 2,048 intervals, 8 per interval keep the table's size in check.
        m = self._breaks.size
        buckets = min(32 * m, max(8 * m, 65_536))
        guide = build_guide(self._breaks[1:], 0.0, 1.0, buckets)
        self._guide = mark_pure_buckets(self._breaks[1:], guide)
        # Probability between the table's ends and their neighbouring floats: where the
        # density is infinite at a bound, no double-precision x can do better.
        x_lo, x_hi = float(self._table[0, 1]), _table_eval(u_end[-1:, None], self._table[-1:])[0, 0]
        neighbours = np.array([x_lo, np.nextafter(x_lo, np.inf), np.nextafter(x_hi, -np.inf), x_hi])
        f = self._cdf(neighbours)
        float_gap = max(f[1] - f[0], f[3] - f[2])
        self.u_error = max(worst, float(u_start[0]), float(1 - u_end[-1]), float(float_gap))
        if self.u_error > 1e-4:
            raise ValidationError(
                f"cdf is numerically discontinuous: after refining to floating-point precision "
                f"the u-error is still {self.u_error:.3g} (a point mass, or a degenerate fit?)"
            )
        if self.u_error > self.u_resolution:
            warnings.warn(
                f"InverseTransform: u-error {self.u_error:.3g} exceeds u_resolution="
                f"{self.u_resolution:g}: the cdf changes faster than double precision can "
                "resolve in x (an infinite density at a bound); the samples are as exact as "
                "floating point allows",
                StochgenWarning,
                stacklevel=3,
            )
        self.n_intervals = int(u_start.size)
        ends = self.ppf(np.array([0.0, 1.0]))
        self.support = (float(ends[0]), float(ends[1]))

    def _fit_intervals(
        self, left: NDArray[np.float64], right: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
        """Interpolate each interval; return nodes, tables, u-errors, accepted mask."""
        k = DEGREE
        cheb = 0.5 - 0.5 * np.cos(np.pi * np.arange(k + 1) / k)
        x = left[:, None] + (right - left)[:, None] * cheb[None, :]
        x[:, -1] = right
        # With the nodes: the cdf one float inside each end, to know what precision allows.
        inner = np.column_stack([np.nextafter(left, np.inf), np.nextafter(right, -np.inf)])
        both = self._cdf(np.concatenate([x.ravel(), inner.ravel()]))
        u = both[: x.size].reshape(x.shape)
        u_inner = both[x.size :].reshape(inner.shape)
        steps = np.diff(u, axis=1)
        if np.any(steps < -1e-12):
            row, col = np.argwhere(steps < -1e-12)[0]
            raise ValidationError(
                f"cdf is not monotone: cdf({x[row, col]!r}) = {u[row, col]!r} > "
                f"cdf({x[row, col + 1]!r}) = {u[row, col + 1]!r}"
            )
        u = np.maximum.accumulate(u, axis=1)
        span = u[:, -1] - u[:, 0]
        # Intervals a few floating-point steps wide cannot be split: near a bound
        # where the density is infinite, double precision itself limits the u-error.
        at_float_limit = (right - left) <= 8 * np.spacing(np.maximum(np.abs(left), np.abs(right)))
        linear = (span <= self.u_resolution / 4) | at_float_limit
        strict = np.all(np.diff(u, axis=1) > 0, axis=1)
        usable = strict & ~linear
        coef = x.copy()
        with np.errstate(all="ignore"):
            for j in range(1, k + 1):
                coef[:, j:] = (coef[:, j:] - coef[:, j - 1 : -1]) / (u[:, j:] - u[:, :-j])
        # Tiny intervals: a straight line from end to end is within the bound.
        slope = np.where(span > 0, (right - left) / np.where(span > 0, span, 1.0), 0.0)
        coef[linear, 1] = slope[linear]
        coef[linear, 2:] = 0.0
        coef[linear, 0] = left[linear]
        bad = ~(usable | linear) | ~np.all(np.isfinite(coef), axis=1)
        coef[bad] = 0.0
        table = np.zeros((left.size, 8))
        table[:, 0] = u[:, 0]
        table[:, 1 : k + 2] = _newton_to_monomial(coef, u - u[:, :1])
        # Check the stored form between every pair of nodes (midpoint and quarter points),
        # and close to both ends, where nodes placed in x can leave wide gaps in u.
        between = [u[:, :-1] + f * (u[:, 1:] - u[:, :-1]) for f in (0.25, 0.5, 0.75)]
        ends = [u[:, :1] + f * span[:, None] for f in (1e-3, 1e-2, 0.99, 0.999)]
        checks = np.concatenate([*between, *ends], axis=1)
        x_check = _table_eval(checks, table)
        inside = (x_check >= left[:, None]) & (x_check <= right[:, None])
        err = np.abs(self._cdf(x_check.ravel()).reshape(checks.shape) - checks).max(axis=1)
        # Where one float step at an end moves u by more than the bound (an infinite
        # density at a bound), splitting cannot help: accept what precision allows.
        float_gap = np.maximum(u_inner[:, 0] - u[:, 0], u[:, -1] - u_inner[:, 1])
        bound = np.maximum(self.u_resolution / 4, 2 * float_gap)
        ok = (usable | linear) & ~bad & inside.all(axis=1) & (err <= bound)
        ok |= linear & ~bad
        return u, table, err, ok

    def _setup_discrete(self) -> None:
        u_tail = self.u_resolution / 20
        lo_s, hi_s = self._support()
        if self._ppf is None:
            raise TypeError("`ppf` required but not found: discrete targets need it")
        lo, hi = (float(v) for v in np.asarray(self._ppf(np.array([u_tail, 1 - u_tail]))))
        lo, hi = max(lo, lo_s), min(hi, hi_s)
        # A ppf can fall outside the support at degenerate parameters (scipy's geom at
        # p = 1 returns loc - 1 for every u): keep at least the support's first value.
        hi = max(hi, lo)
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > MAX_DISCRETE_TABLE:
            raise ValidationError(
                f"discrete support [{lo}, {hi}] is too wide to tabulate "
                f"(more than {MAX_DISCRETE_TABLE} values)"
            )
        values = np.arange(lo, hi + 1.0)
        cum = self._cdf(values)
        if np.any(np.diff(cum) < -1e-12):
            raise ValidationError("cdf is not monotone over the integers")
        cum = np.maximum.accumulate(cum)
        self._values = values
        self._cum = np.ascontiguousarray(cum)
        self._below = float(self._cdf(np.array([lo - 1.0]))[0])
        self._cdf_guide = build_cdf_guide(self._cum, max(values.size, 256))
        self.u_error = float(self._below + (1.0 - cum[-1]))
        self.n_intervals = int(values.size)
        self.support = (lo_s, hi_s)

    # ---------------------------------------------------------------- sampling
    def _invert(self, u: NDArray[np.float64], out: NDArray[np.float64]) -> None:
        if not self.discrete:
            evaluate_inverse(u, self._breaks, self._table, self._guide, out)
            return
        index = guide_search(u, self._cum, self._cdf_guide)
        result = self._values[index]
        outside = (u <= self._below) | (u > self._cum[-1])
        if outside.any():
            # Beyond the table: exact inversion by the target's own ppf.
            result[outside] = np.asarray(self._ppf(u[outside]), dtype=np.float64)
        out[:] = result

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Evaluate the tabulated inverse CDF.

        Parameters
        ----------
        u : array_like
            Probabilities in [0, 1]; NaN gives NaN. Values in the cut tails
            give the ends of `support`.

        Returns
        -------
        numpy.ndarray of float64
            Same shape as ``u``.

        Raises
        ------
        ValueError
            If a value lies outside [0, 1].

        Examples
        --------
        >>> from scipy import stats
        >>> InverseTransform(stats.norm()).ppf([0.5])
        array([0.])
        """
        q = np.asarray(u, dtype=np.float64)
        flat = np.ascontiguousarray(q.ravel())
        nan = np.isnan(flat)
        if np.any((flat < 0) | (flat > 1)):
            raise ValidationError(
                f"u: values must lie in [0, 1]; got min {np.nanmin(flat)}, max {np.nanmax(flat)}"
            )
        out = np.empty_like(flat)
        self._invert(np.where(nan, 0.5, flat), out)
        out[nan] = np.nan
        return out.reshape(q.shape)

    def sample(
        self, n: int, seed: SeedLike = None, *, workers: int = 1, method: str = "random"
    ) -> NDArray[np.float64]:
        """Draw ``n`` values.

        Draws are made in fixed blocks, block *i* from stream *i* of ``seed``,
        so the values do not depend on ``workers``.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : None, int, SeedSequence, BitGenerator or Generator
            Same seed, same draws.
        workers : int
            Threads sampling blocks at the same time.
        method : {"random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic"}
            ``"random"``: the block streams; otherwise the table inverts a
            randomized point set (`stochgen.samplers.qmc.uniform_points`).

        Returns
        -------
        numpy.ndarray of float64
            Shape (n,).

        Examples
        --------
        >>> from scipy import stats
        >>> sampler = InverseTransform(stats.norm())
        >>> bool((sampler.sample(10, seed=1) == sampler.sample(10, seed=1, workers=2)).all())
        True
        """
        n = check_n_samples(n)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValidationError(f"workers must be a positive integer; got {workers!r}")
        if method != "random":
            from stochgen.samplers.qmc import uniform_points

            return self.ppf(uniform_points(n, 1, seed, method)[:, 0])
        out = np.empty(n)
        root = as_seed_sequence(seed)
        n_blocks = -(-n // BLOCK_ROWS)
        if self.discrete:

            def fill_span(a: int, b: int) -> None:
                for i in range(a, b):
                    block = out[i * BLOCK_ROWS : (i + 1) * BLOCK_ROWS]
                    self._fill(block_generator(root, i), block)

        else:
            # Continuous targets: block b's PCG64 stream stepped inside the kernel.
            states = block_states(root, n_blocks)

            def fill_span(a: int, b: int) -> None:
                fill_inverse(states[a:b], self._breaks, self._table, self._guide,
                             out[a * BLOCK_ROWS : b * BLOCK_ROWS], BLOCK_ROWS)  # fmt: skip

        spans = min(workers, n_blocks)
        if spans <= 1:
            fill_span(0, n_blocks)
            return out
        # Contiguous runs of blocks, one per thread; each block keeps its own stream.
        cuts = np.linspace(0, n_blocks, spans + 1).astype(int)
        with ThreadPoolExecutor(max_workers=spans) as pool:
            list(pool.map(fill_span, cuts[:-1], cuts[1:]))
        return out

    def _fill(self, rng: np.random.Generator, out: NDArray[np.float64]) -> None:
        rng.random(out=out)
        self._invert(out, out)


def _split_points(
    left: NDArray[np.float64],
    right: NDArray[np.float64],
    nodes_u: NDArray[np.float64],
    table: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Where to split failed intervals: at the (approximate) median in u.

    Halving in x barely helps where the CDF is far from linear (``F(x) ~ x^0.2``
    near 0 is the same shape on every half); the current polynomial's value
    at the middle of the u-range splits the probability instead. Where that
    value is unusable, the x-midpoint is used.
    """
    mid_u = 0.5 * (nodes_u[:, :1] + nodes_u[:, -1:])
    with np.errstate(all="ignore"):
        guess = _table_eval(mid_u, table)[:, 0]
    width = right - left
    usable = np.isfinite(guess) & (guess > left + 0.01 * width) & (guess < right - 0.01 * width)
    return np.where(usable, guess, 0.5 * (left + right))


def _newton_to_monomial(
    coef: NDArray[np.float64], offsets: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Rewrite each row's Newton form as powers of ``t = u - u_0``.

    ``offsets[:, j]`` is ``u_j - u_0``; the Newton basis factor ``(u - u_j)``
    is ``(t - offsets[:, j])``. Horner's rule on polynomials in ``t``.
    """
    k = coef.shape[1] - 1
    mono = np.zeros_like(coef)
    mono[:, 0] = coef[:, k]
    for j in range(k - 1, -1, -1):
        shifted = np.zeros_like(mono)
        shifted[:, 1:] = mono[:, :-1]
        mono = shifted - offsets[:, j : j + 1] * mono
        mono[:, 0] += coef[:, j]
    return mono


def _table_eval(u: NDArray[np.float64], table: NDArray[np.float64]) -> NDArray[np.float64]:
    """Evaluate each row's polynomial at the points of the same row, as the kernel does."""
    a = [table[:, c, None] for c in range(8)]
    t = u - a[0]
    t2 = t * t
    return (a[1] + a[2] * t) + t2 * ((a[3] + a[4] * t) + t2 * (a[5] + a[6] * t))


def _is_discrete(dist: Any) -> bool:
    flag = getattr(dist, "discrete", None)
    if isinstance(flag, bool):
        return flag
    from scipy import stats

    inner = getattr(dist, "dist", None)
    return isinstance(inner, stats.rv_discrete)


def _checked_cdf(cdf: Callable[..., Any]) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    def checked(x: NDArray[np.float64]) -> NDArray[np.float64]:
        u = np.asarray(cdf(x), dtype=np.float64)
        if u.shape != x.shape:
            u = np.broadcast_to(u, x.shape).astype(np.float64)
        if np.any(np.isnan(u)):
            raise ValidationError(f"cdf returned NaN at x={x[np.isnan(u)][0]!r}")
        if np.any((u < 0) | (u > 1)):
            bad = u[(u < 0) | (u > 1)][0]
            raise ValidationError(f"cdf returned {bad!r}, outside [0, 1]")
        return u

    return checked
