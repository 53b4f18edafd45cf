"""Rejection sampling under an automatic hat, for any bounded density.

For a T-concave density (``-1/sqrt(pdf)`` concave: log-concave ones, the t
and Cauchy) the hat and squeeze come from transformed density rejection
(Hörmann 1995, `stochgen.samplers.tdr`). For any other density the hat is
constant on adaptively refined intervals covering the bulk of the
density, with exponential tails beyond the outermost points when the support
is unbounded. Each interval also carries a squeeze (a lower bound), so almost
every candidate is accepted without evaluating the pdf; the remaining ones are
decided by one vectorized pdf call per batch. Unlike transformed density
rejection (Hörmann 1995) this needs no T-concavity: multimodal densities work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._base import BaseModel
from stochgen._kernels import rejection as piecewise_kernel
from stochgen._kernels import tdr as tdr_kernel
from stochgen._kernels.guide import build_guide
from stochgen._kernels.rejection import drop_rejected, pdf_evaluator
from stochgen._rng import SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_array, check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.samplers.limits import LoopBudget
from stochgen.samplers.tdr import NotTConcaveError, build_tdr_hat

__all__ = ["HatViolationError", "Rejection", "batch_pdf"]

#: Relative margin added to the hat (and taken off the squeeze) over the grid values.
HAT_MARGIN = 1e-3
#: pdf evaluations per interval when building the hat (endpoints included).
GRID_POINTS = 17
#: Candidates in the first batch of each call; batches then grow fourfold.
FIRST_BATCH = 4096
MAX_BATCH = 1 << 20
#: Pending candidates decided by one pdf call (at most).
PENDING_CAPACITY = 1 << 16
#: The bulk holds the points where the pdf is above this fraction of its maximum.
TAIL_THRESHOLD = 1e-12


class HatViolationError(ValidationError):
    """The pdf exceeded the hat at a point: the draws would have been wrong.

    Examples
    --------
    >>> issubclass(HatViolationError, ValueError)
    True
    """


def batch_pdf(pdf: Callable[..., Any], name: str = "pdf") -> Callable[[NDArray], NDArray]:
    """Return a checked, vectorized version of ``pdf``.

    A numba-jitted scalar function is evaluated in a compiled loop; any other
    callable is called once per batch with a float64 array.

    Parameters
    ----------
    pdf : callable
        Vectorized numpy function, or a numba-jitted ``float -> float``.
    name : str
        Argument name for messages.

    Returns
    -------
    callable
        ``f(x)`` returning float64 values, raising on negative, NaN or
        infinite values.

    Raises
    ------
    TypeError
        If ``pdf`` is not callable.

    Examples
    --------
    >>> f = batch_pdf(lambda x: np.exp(-x))
    >>> f(np.array([0.0, 1.0])).round(3)
    array([1.   , 0.368])
    >>> batch_pdf(lambda x: x - 1.0)(np.array([0.0, 2.0]))
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: pdf is negative (-1.0) at x=0.0; expected a density >= 0
    """
    if not callable(pdf):
        raise TypeError(f"{name} must be callable; got {type(pdf).__name__}")
    raw = pdf_evaluator(pdf) if numba.extending.is_jitted(pdf) else pdf

    def evaluate(x: NDArray[np.float64]) -> NDArray[np.float64]:
        values = np.asarray(raw(x), dtype=np.float64)
        if values.shape != x.shape:
            raise ValidationError(
                f"{name} must return one value per point: got shape {values.shape} for input "
                f"shape {x.shape}; pass a vectorized function or a numba-jitted scalar one"
            )
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            if values[k] < 0:
                raise ValidationError(
                    f"{name} is negative ({values[k]}) at x={x[k]}; expected a density >= 0"
                )
            raise ValidationError(
                f"{name} is {values[k]} at x={x[k]}; expected finite values (bounded densities)"
            )
        return values

    return evaluate


def _check_support(support: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in support)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"support must be a pair (lo, hi) of numbers (inf allowed); got {support!r}"
        ) from exc
    if np.isnan(lo) or np.isnan(hi) or not lo < hi:
        raise ValidationError(f"support must satisfy lo < hi; got ({lo}, {hi})")
    return lo, hi


def explore(
    f: Callable[[NDArray], NDArray], lo: float, hi: float, center: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Evaluate the pdf on a grid spanning the support, log-spaced around ``center``.

    Returns
    -------
    tuple of numpy.ndarray
        Sorted points inside ``(lo, hi)`` and the pdf there.
    """
    offsets = np.geomspace(1e-8, 1e8, 1601)
    if np.isfinite(lo) and np.isfinite(hi):
        x = np.linspace(lo, hi, 4097)
    elif np.isfinite(lo):
        x = lo + np.concatenate([[0.0], offsets])
    elif np.isfinite(hi):
        x = hi - np.concatenate([offsets[::-1], [0.0]])
    else:
        x = np.concatenate([center - offsets[::-1], [center], center + offsets])
    x = x[(x >= lo) & (x <= hi)]
    return x, f(x)


class Rejection(BaseModel):
    """Rejection sampler for a bounded (possibly unnormalized, multimodal) density.

    Parameters
    ----------
    pdf : callable
        Density up to a constant: a vectorized numpy function (called on
        batches, never once per draw) or a numba-jitted scalar function
        (evaluated in a compiled loop). Must be finite and >= 0.
    support : tuple of float
        ``(lo, hi)``; either end may be infinite. The pdf is evaluated at the
        ends of a finite support.
    hat : {"auto", "tdr", "piecewise"} or tuple of array_like
        ``"tdr"`` builds a transformed-density-rejection hat (tangents of
        ``-1/sqrt(pdf)`` at design points) with a squeeze (its secants), and
        raises if the pdf is not T-concave; ``"piecewise"`` builds the
        piecewise-constant hat, for any bounded density, multimodal included;
        ``"auto"`` checks ``-1/sqrt(pdf)`` for concavity on the exploration
        grid and builds the TDR hat when the check passes and the TDR hat
        passes its own check against the pdf, else the piecewise one
        (`hat_kind_` says which). A user envelope is a pair
        ``(breakpoints, heights)``: a piecewise-constant hat on a finite
        support, ``heights[i]`` on ``[breakpoints[i], breakpoints[i + 1]]``;
        it is checked against the pdf on a dense grid before use.
    center : float
        Where the search for the bulk starts on a doubly infinite support: the
        grid is log-spaced around it (from 1e-8 to 1e8 away). Put it near the
        density's mass when that lies far from 0.
    max_intervals : int
        Cap on the hat's pieces (two per design point for TDR).
    target_efficiency : float
        Refine until the squeeze holds this fraction of the hat's area; in
        ``(0, 1)``.
    max_batches : int
        Cap on candidate batches per `sample` call (batches grow to 2**20
        candidates); reaching it raises
        `stochgen.samplers.limits.SamplingLimitError`.
    max_time : float
        Cap on the seconds of one `sample` call, raising the same error.

    Attributes
    ----------
    hat_kind_ : str
        ``"tdr"``, ``"piecewise"`` or ``"user"``.
    breakpoints_ : numpy.ndarray
        Ends of the hat's pieces.
    heights_ : numpy.ndarray or None
        Hat height on each constant piece (None for TDR).
    squeeze_ : numpy.ndarray or None
        Squeeze (lower bound) on each constant piece (None for TDR).
    tails_ : list of tuple
        ``(side, boundary, height, rate)`` of each exponential tail (empty for TDR).
    design_points_ : numpy.ndarray or None
        Where the TDR tangents touch ``-1/sqrt(pdf)`` (None for other hats).
    expected_acceptance_ : float
        Estimated pdf mass over hat area.
    acceptance_rate_ : float
        Accepted over proposed candidates in the last `sample` call.

    Examples
    --------
    >>> import numpy as np
    >>> bimodal = lambda x: np.exp(-0.5 * (x + 3) ** 2) + np.exp(-0.5 * (x - 3) ** 2)
    >>> sampler = Rejection(bimodal)
    >>> x = sampler.sample(10_000, seed=0)
    >>> bool(abs(np.mean(x > 0) - 0.5) < 0.02), sampler.acceptance_rate_ > 0.95
    (True, True)
    >>> sampler.hat_kind_, Rejection(lambda x: np.exp(-0.5 * x * x)).setup().hat_kind_
    ('piecewise', 'tdr')
    """

    # set_params on what the sampler is built from drops the built state (see BaseModel).
    _built_mark = "hat_kind_"
    _built_from = frozenset(
        {"pdf", "support", "hat", "center", "max_intervals", "target_efficiency"}
    )

    def __init__(
        self,
        pdf: Callable[..., Any],
        *,
        support: tuple[float, float] = (-np.inf, np.inf),
        hat: str | tuple[ArrayLike, ArrayLike] = "auto",
        center: float = 0.0,
        max_intervals: int = 4096,
        target_efficiency: float = 0.99,
        max_batches: int = 10_000,
        max_time: float = 60.0,
    ) -> None:
        self.pdf = pdf
        self.support = support
        self.hat = hat
        self.center = center
        self.max_intervals = max_intervals
        self.target_efficiency = target_efficiency
        self.max_batches = max_batches
        self.max_time = max_time

    def setup(self) -> Self:
        """Build (or check) the hat; `sample` calls this on first use.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the pdf is negative, NaN, infinite or zero everywhere it was
            evaluated, does not decay in an infinite tail, or exceeds a user hat.
        """
        f = batch_pdf(self.pdf)
        lo, hi = _check_support(self.support)
        self.design_points_ = None
        if not isinstance(self.hat, str):
            self._check_user_hat(f, lo, hi)
            return self
        if self.hat not in ("auto", "tdr", "piecewise"):
            raise ValidationError(
                "hat must be 'auto', 'tdr', 'piecewise' or (breakpoints, heights); "
                f"got {self.hat!r}"
            )
        max_intervals = check_n_samples(self.max_intervals, "max_intervals")
        if max_intervals < 1:
            raise ValidationError(f"max_intervals must be at least 1; got {self.max_intervals}")
        efficiency = float(self.target_efficiency)
        if not 0.0 < efficiency < 1.0:
            raise ValidationError(
                f"target_efficiency must be in (0, 1); got {self.target_efficiency}"
            )
        x, fx = explore(f, lo, hi, float(self.center))
        if self.hat != "piecewise":
            try:
                self._build_tdr(f, lo, hi, x, fx, efficiency, max_intervals)
                return self
            except NotTConcaveError as exc:
                if self.hat == "tdr":
                    raise NotTConcaveError(
                        f"hat='tdr' needs a T-concave pdf (-1/sqrt(pdf) concave): {exc}; "
                        "use hat='auto' or 'piecewise'"
                    ) from None
        self._build_piecewise(f, lo, hi, x, fx, efficiency, max_intervals)
        return self

    def _build_tdr(
        self,
        f: Callable,
        lo: float,
        hi: float,
        x: NDArray[np.float64],
        fx: NDArray[np.float64],
        efficiency: float,
        max_intervals: int,
    ) -> None:
        hat, points, share = build_tdr_hat(
            f, lo, hi, x, fx, efficiency=efficiency, max_pieces=max(max_intervals, 2)
        )
        ends = hat.anchor + hat.direction * hat.width
        self.hat_kind_ = "tdr"
        self.design_points_ = points
        self.breakpoints_ = np.unique(np.concatenate([points, ends]))
        self.heights_ = None
        self.squeeze_ = None
        self.tails_ = []
        self._tdr = hat
        # Squeeze mass plus half the gap: a mid estimate of the pdf's mass.
        self.expected_acceptance_ = share + 0.5 * (1.0 - share)

    def _build_piecewise(
        self,
        f: Callable,
        lo: float,
        hi: float,
        x: NDArray[np.float64],
        fx: NDArray[np.float64],
        efficiency: float,
        max_intervals: int,
    ) -> None:
        fmax = fx.max(initial=0.0)
        if not fmax > 0:
            raise ValidationError(
                f"pdf is zero at all {x.size} points tried on the support ({lo}, {hi}); "
                "expected a density with positive mass (set support or center)"
            )
        inside = np.flatnonzero(fx >= TAIL_THRESHOLD * fmax)
        a = x[inside[0]] if np.isfinite(lo) else x[max(inside[0], 1)]
        b = x[inside[-1]] if np.isfinite(hi) else x[min(inside[-1], x.size - 2)]
        if np.isfinite(lo):
            a = lo
        if np.isfinite(hi):
            b = hi
        if not b > a:
            raise ValidationError(
                f"pdf has its mass at a single point near {a}; expected a continuous density"
            )
        seeds = x[(x > a) & (x < b)]
        if seeds.size > 256:
            seeds = seeds[np.linspace(0, seeds.size - 1, 256).astype(int)]
        breaks = np.unique(np.concatenate([np.linspace(a, b, 65), seeds]))
        top, bottom = _interval_bounds(f, breaks[:-1], breaks[1:])
        for _ in range(64):
            widths = np.diff(breaks)
            gap = (top - bottom) * widths
            total = np.sum(top * widths)
            if np.sum(gap) <= (1.0 - efficiency) * total:
                break
            split = gap > np.sum(gap) / gap.size
            if breaks.size - 1 + split.sum() > max_intervals:
                break
            mids = 0.5 * (breaks[:-1] + breaks[1:])[split]
            new_breaks = np.sort(np.concatenate([breaks, mids]))
            keep_top = np.repeat(top, np.where(split, 2, 1))
            keep_bottom = np.repeat(bottom, np.where(split, 2, 1))
            fresh = np.repeat(split, np.where(split, 2, 1))
            new_top, new_bottom = _interval_bounds(f, new_breaks[:-1][fresh], new_breaks[1:][fresh])
            keep_top[fresh] = new_top
            keep_bottom[fresh] = new_bottom
            breaks, top, bottom = new_breaks, keep_top, keep_bottom
        # Verify on a denser grid offset from the one used to build the hat.
        check_top, check_bottom = _interval_bounds(f, breaks[:-1], breaks[1:], offset=True)
        top = np.maximum(top, check_top)
        bottom = np.minimum(bottom, check_bottom)
        _check_bounded(f, breaks, top, lo, hi)
        tails = []
        if not np.isfinite(lo):
            tails.append(_exponential_tail(f, a, b, -1, x[x < a]))
        if not np.isfinite(hi):
            tails.append(_exponential_tail(f, b, a, 1, x[x > b]))
        self._store(breaks, top * (1 + HAT_MARGIN), bottom * (1 - HAT_MARGIN), tails)
        self.hat_kind_ = "piecewise"

    def _check_user_hat(self, f: Callable, lo: float, hi: float) -> None:
        try:
            raw_breaks, raw_heights = self.hat
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"hat must be 'auto' or (breakpoints, heights); got {self.hat!r}"
            ) from exc
        breaks = check_array(raw_breaks, "hat breakpoints", ndim=1, min_size=2)
        heights = check_array(raw_heights, "hat heights", ndim=1)
        if heights.size != breaks.size - 1 or np.any(np.diff(breaks) <= 0) or np.any(heights < 0):
            raise ValidationError(
                "hat: expected increasing breakpoints and one height >= 0 per piece; got "
                f"{breaks.size} breakpoints and {heights.size} heights"
            )
        if breaks[0] > lo or breaks[-1] < hi:
            raise ValidationError(
                f"hat covers [{breaks[0]}, {breaks[-1]}] but the support is ({lo}, {hi}); "
                "a user hat must cover a finite support"
            )
        grid = np.linspace(0.0, 1.0, 4 * GRID_POINTS)
        xs = breaks[:-1, None] + grid[None, :] * np.diff(breaks)[:, None]
        fx = f(xs.ravel()).reshape(xs.shape)
        over = fx > heights[:, None]
        if over.any():
            i, j = np.argwhere(over)[0]
            raise HatViolationError(
                f"hat: the pdf ({fx[i, j]}) exceeds the hat ({heights[i]}) at x={xs[i, j]}; "
                "expected an envelope above the pdf everywhere"
            )
        self._store(breaks, heights, np.zeros_like(heights), [])
        self.hat_kind_ = "user"
        mass = np.sum(np.mean(fx, axis=1) * np.diff(breaks))
        self.expected_acceptance_ = float(mass / np.sum(heights * np.diff(breaks)))

    def _store(
        self,
        breaks: NDArray[np.float64],
        heights: NDArray[np.float64],
        squeeze: NDArray[np.float64],
        tails: list[tuple[int, float, float, float]],
    ) -> None:
        self.breakpoints_ = breaks
        self.heights_ = heights
        self.squeeze_ = squeeze
        self.tails_ = tails
        self._tdr = None
        n = heights.size + len(tails)
        kind = np.zeros(n, dtype=np.int64)
        left = np.empty(n)
        width = np.zeros(n)
        rate = np.zeros(n)
        hat = np.empty(n)
        sq = np.zeros(n)
        left[: heights.size] = breaks[:-1]
        width[: heights.size] = np.diff(breaks)
        hat[: heights.size] = heights
        sq[: heights.size] = squeeze
        area = heights * np.diff(breaks)
        tail_area = []
        for k, (side, boundary, height, lam) in enumerate(tails):
            i = heights.size + k
            kind[i], left[i], hat[i], rate[i] = side, boundary, height, lam
            tail_area.append(height / lam)
        cum = np.cumsum(np.concatenate([area, tail_area]))
        guide = build_guide(cum, 0.0, float(cum[-1]), cum.size)
        self._pieces = (cum, guide, kind, left, width, rate, hat, sq)
        # Squeeze mass plus half the gap: a mid estimate of the pdf's mass.
        body = np.sum(0.5 * (heights + squeeze) * np.diff(breaks))
        self.expected_acceptance_ = float(body / cum[-1])

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[np.float64]:
        """Draw ``n`` independent values from the density.

        Candidates come in batches of fixed sizes (4096, then four times larger,
        up to 2**20), batch *k* from stream *k* of the seed, so the first ``m``
        of ``n`` draws equal the draws of ``sample(m)`` with the same seed.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``.

        Raises
        ------
        HatViolationError
            If the pdf exceeds the hat at a candidate (the pdf has a spike the
            check grid missed, or a tail heavier than exponential beyond the
            grid); no draws are returned.
        stochgen.samplers.limits.SamplingLimitError
            If ``max_batches`` or ``max_time`` is reached first.
        """
        n = check_n_samples(n)
        budget = LoopBudget("Rejection", max_batches=self.max_batches, max_time=self.max_time)
        if not hasattr(self, "hat_kind_"):
            self.setup()
        if self._tdr is not None:
            fill, pieces = tdr_kernel.fill, tuple(self._tdr)
        else:
            fill, pieces = piecewise_kernel.fill, self._pieces
        out, proposed = _sample_under_hat(
            batch_pdf(self.pdf), fill, pieces, n, as_seed_sequence(seed), budget,
            self.expected_acceptance_,
        )  # fmt: skip
        self.acceptance_rate_ = n / proposed if proposed else float("nan")
        return out


def _sample_under_hat(
    f: Callable[[NDArray], NDArray],
    fill: Callable[..., tuple[int, int, int]],
    pieces: tuple[NDArray, ...],
    n: int,
    root: np.random.SeedSequence,
    budget: LoopBudget,
    expected: float,
) -> tuple[NDArray[np.float64], int]:
    """Draw ``n`` values with a ``fill`` kernel; return them and the candidates used.

    Batch ``k`` holds `_batch_size` ``(k)`` candidates from stream ``k`` of
    ``root``; the kernel writes candidates straight into the output, and the
    pending ones (above the squeeze) are decided by one pdf call per round.
    """
    out = np.empty(n)
    at = np.empty(min(n, PENDING_CAPACITY), dtype=np.int64)
    y = np.empty(at.size)
    top = np.empty(at.size)
    filled = proposed = batch = 0
    while filled < n:
        rng = block_generator(root, batch)
        left = _batch_size(batch)
        while left > 0 and filled < n:
            filled, used, pending = fill(rng, left, out, filled, *pieces, at, y, top)
            left -= used
            proposed += used
            if pending:
                fx = f(out[at[:pending]])
                over = fx > top[:pending] * (1.0 + 1e-9)
                if over.any():
                    k = int(np.flatnonzero(over)[0])
                    raise _violation(float(fx[k]), float(top[k]), float(out[at[k]]))
                filled = drop_rejected(out, filled, at, y[:pending] > fx, pending)
        batch += 1
        budget.step(n=n, filled=filled, proposed=proposed, expected=expected)
    return out, proposed


def _batch_size(batch: int) -> int:
    """Candidates in batch ``batch`` of a `Rejection.sample` call."""
    return min(FIRST_BATCH << (2 * batch), MAX_BATCH)


def _violation(fx: float, hat_x: float, x: float) -> HatViolationError:
    return HatViolationError(
        f"pdf ({fx}) exceeds the hat ({hat_x}) at x={x}: the pdf has a spike narrower than "
        "the check grid or a tail heavier than the hat's; narrow the support, set center, "
        "pass hat='piecewise' or a hat"
    )


def _interval_bounds(
    f: Callable, lo: NDArray[np.float64], hi: NDArray[np.float64], *, offset: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Max and min of the pdf on a grid over each interval (one pdf call)."""
    grid = np.linspace(0.0, 1.0, GRID_POINTS)
    if offset:
        grid = 0.5 * (grid[:-1] + grid[1:])
    xs = lo[:, None] + grid[None, :] * (hi - lo)[:, None]
    fx = f(xs.ravel()).reshape(xs.shape)
    return fx.max(axis=1), fx.min(axis=1)


def _check_bounded(
    f: Callable, breaks: NDArray[np.float64], top: NDArray[np.float64], lo: float, hi: float
) -> None:
    """Climb the pdf inside its highest pieces; raise if it keeps rising above the hat.

    A pole (``1 / sqrt|x|``) or a spike narrower than the grid hides between
    grid points, and the hat would silently miss mass there. In each of the
    three highest pieces, the pdf is evaluated on 33 points, then on 33 points
    around the best of them, twelve times, each time 16 times narrower. A
    smooth peak gives a maximum within the hat's margin; a value above twice
    the hat means the density is unbounded there or has a spike.
    """
    for i in np.argsort(top)[::-1][:3]:
        a, b = breaks[i], breaks[i + 1]
        for _ in range(12):
            probes = np.linspace(a, b, 33)
            probes = probes[(probes > lo) & (probes < hi)]
            if probes.size == 0:
                break
            fx = f(probes)
            k = int(np.argmax(fx))
            if fx[k] > 2.0 * top[i]:
                raise ValidationError(
                    f"pdf reaches {fx[k]:.6g} at x={probes[k]!r}, above twice the largest "
                    f"value found on the grid there ({top[i]:.6g}): the density looks "
                    "unbounded (a pole) or has a spike narrower than the grid. Rejection "
                    "needs a bounded density: split the support at the pole and transform the "
                    "variable (e.g. x = t**2), or pass a hat"
                )
            h = (b - a) / 32.0
            a, b = probes[k] - h, probes[k] + h
    return


def _exponential_tail(
    f: Callable, boundary: float, other: float, side: int, explored: NDArray[np.float64]
) -> tuple[int, float, float, float]:
    """Fit ``height * exp(-rate * |x - boundary|)`` above the pdf beyond ``boundary``."""
    span = abs(boundary - other)
    distance = np.concatenate([span * np.geomspace(1e-4, 1e3, 400), np.abs(explored - boundary)])
    distance = distance[distance > 0]
    points = boundary + side * distance
    f0 = f(np.array([boundary]))[0]
    fx = f(points)
    if not f0 > 0:
        raise ValidationError(f"pdf is 0 at the tail boundary {boundary}; cannot fit a tail")
    positive = fx > 0
    if positive.any():
        rate = np.min((np.log(f0) - np.log(fx[positive])) / distance[positive])
    else:
        rate = 50.0 / span
    if not rate > 0:
        raise ValidationError(
            f"pdf does not decay beyond x={boundary} (towards {'-' if side < 0 else '+'}inf); "
            "expected an integrable tail: bound the support"
        )
    return side, float(boundary), float(f0 * (1 + HAT_MARGIN)), float(rate * (1 - HAT_MARGIN))
