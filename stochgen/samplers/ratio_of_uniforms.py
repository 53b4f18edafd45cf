"""Ratio-of-uniforms sampling (Kinderman and Monahan 1977).

If ``(u, v)`` is uniform on ``{0 < u <= sqrt(f(c + v / u))}``, then
``x = c + v / u`` has density proportional to ``f``. The region is enclosed in
the rectangle ``(0, u_max] x [v_min, v_max]`` with ``u_max = sup sqrt(f)`` and
``v_min, v_max = inf, sup (x - c) sqrt(f(x))``, found on a grid with a margin.
Needs a bounded density whose tails fall at least as fast as ``|x|^-2``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from stochgen._base import BaseModel
from stochgen._rng import SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.samplers.limits import LoopBudget
from stochgen.samplers.rejection import (
    FIRST_BATCH,
    HAT_MARGIN,
    MAX_BATCH,
    HatViolationError,
    _check_support,
    batch_pdf,
    explore,
)

__all__ = ["RatioOfUniforms"]


class RatioOfUniforms(BaseModel):
    """Ratio-of-uniforms sampler for a bounded, unnormalized density.

    Parameters
    ----------
    pdf : callable
        Density up to a constant: vectorized numpy function or numba-jitted
        scalar function. Every candidate is decided by the pdf (one call per
        batch).
    support : tuple of float
        ``(lo, hi)``; either end may be infinite.
    center : float, optional
        The shift ``c``; the mode (found on the grid) by default, which gives
        the best acceptance for many densities.
    search_center : float
        Where the grid search starts on a doubly infinite support.
    max_batches : int
        Cap on candidate batches per `sample` call; reaching it raises
        `stochgen.samplers.limits.SamplingLimitError`.
    max_time : float
        Cap on the seconds of one `sample` call, raising the same error.

    Attributes
    ----------
    center_ : float
        The shift used.
    u_max_, v_min_, v_max_ : float
        The bounding rectangle (with a small margin).
    expected_acceptance_ : float
        Region area over rectangle area, estimated on the grid.
    acceptance_rate_ : float
        Accepted over proposed candidates in the last `sample` call.

    Examples
    --------
    >>> import numpy as np
    >>> sampler = RatioOfUniforms(lambda x: np.exp(-0.5 * x * x))
    >>> x = sampler.sample(20_000, seed=0)
    >>> bool(abs(x.std() - 1.0) < 0.02), round(sampler.expected_acceptance_, 2)
    (True, 0.73)
    """

    # set_params on what the sampler is built from drops the built state (see BaseModel).
    _built_mark = "center_"
    _built_from = frozenset({"pdf", "support", "center", "search_center"})

    def __init__(
        self,
        pdf: Callable[..., Any],
        *,
        support: tuple[float, float] = (-np.inf, np.inf),
        center: float | None = None,
        search_center: float = 0.0,
        max_batches: int = 10_000,
        max_time: float = 60.0,
    ) -> None:
        self.pdf = pdf
        self.support = support
        self.center = center
        self.search_center = search_center
        self.max_batches = max_batches
        self.max_time = max_time

    def setup(self) -> Self:
        """Find the bounding rectangle; `sample` calls this on first use.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the pdf is negative, NaN, infinite, zero everywhere tried, or
            its tails are too heavy for a bounded rectangle.
        """
        f = batch_pdf(self.pdf)
        lo, hi = _check_support(self.support)
        x, fx = explore(f, lo, hi, float(self.search_center))
        if not fx.max(initial=0.0) > 0:
            raise ValidationError(
                f"pdf is zero at all {x.size} points tried on the support ({lo}, {hi}); "
                "expected a density with positive mass"
            )
        c = float(x[np.argmax(fx)]) if self.center is None else float(self.center)
        # Refine around each extreme: a fine grid between its grid neighbours.
        u2 = fx
        v = (x - c) * np.sqrt(fx)
        extremes = []
        for k in (int(np.argmax(u2)), int(np.argmin(v)), int(np.argmax(v))):
            fine = np.linspace(x[max(k - 1, 0)], x[min(k + 1, x.size - 1)], 4001)
            extremes.append((fine, f(fine)))
        fine_x = np.concatenate([x] + [e[0] for e in extremes])
        fine_f = np.concatenate([fx] + [e[1] for e in extremes])
        fine_v = (fine_x - c) * np.sqrt(fine_f)
        # (x - c) sqrt(f) must stay bounded at an infinite end: compare it a decade apart.
        for side, end in ((-1.0, lo), (1.0, hi)):
            if np.isfinite(end):
                continue
            far = c + side * np.array([1e7, 1e8])
            v_far = np.abs((far - c) * np.sqrt(f(far)))
            if v_far[1] > v_far[0] * (1 + 1e-6) and v_far[1] > 0:
                raise ValidationError(
                    f"pdf: (x - center) * sqrt(pdf(x)) still grows at x={far[1]:g}; the tails "
                    "are too heavy for ratio-of-uniforms (need decay like |x|^-2 or faster)"
                )
        self.center_ = c
        self.u_max_ = float(np.sqrt(fine_f.max()) * (1 + HAT_MARGIN))
        self.v_min_ = float(min(fine_v.min(), 0.0) * (1 + HAT_MARGIN))
        self.v_max_ = float(max(fine_v.max(), 0.0) * (1 + HAT_MARGIN))
        order = np.argsort(fine_x)
        xs, fs = fine_x[order], fine_f[order]
        mass = np.sum(0.5 * (fs[1:] + fs[:-1]) * np.diff(xs))
        rectangle = self.u_max_ * (self.v_max_ - self.v_min_)
        self.expected_acceptance_ = float(0.5 * mass / rectangle)
        return self

    def sample(self, n: int, seed: SeedLike = None) -> NDArray[np.float64]:
        """Draw ``n`` independent values.

        Batches of candidates have fixed sizes, batch *k* drawing from stream
        *k* of the seed, so ``sample(m)`` is a prefix of ``sample(n)``.

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
        stochgen.exceptions.HatViolationError
            If a candidate shows the rectangle does not enclose the region.
        """
        n = check_n_samples(n)
        budget = LoopBudget("RatioOfUniforms", max_batches=self.max_batches, max_time=self.max_time)
        if not hasattr(self, "center_"):
            self.setup()
        f = batch_pdf(self.pdf)
        lo, hi = _check_support(self.support)
        c, u_max, v_min, v_max = self.center_, self.u_max_, self.v_min_, self.v_max_
        root = as_seed_sequence(seed)
        out = np.empty(n)
        filled = proposed = batch = 0
        while filled < n:
            m = min(FIRST_BATCH << (2 * batch), MAX_BATCH)
            uv = block_generator(root, batch).random((m, 2))
            u = u_max * (1.0 - uv[:, 0])
            v = v_min + (v_max - v_min) * uv[:, 1]
            x = c + v / u
            inside = (x >= lo) & (x <= hi)
            fx = np.zeros(m)
            fx[inside] = f(x[inside])
            root_f = np.sqrt(fx)
            over = (root_f > u_max * (1 + 1e-9)) | ((x - c) * root_f > v_max * (1 + 1e-9))
            over |= (x - c) * root_f < v_min * (1 + 1e-9)
            if over.any():
                k = int(np.flatnonzero(over)[0])
                raise HatViolationError(
                    f"pdf ({fx[k]}) at x={x[k]} lies outside the ratio-of-uniforms rectangle: "
                    "the grid missed a peak; set center or narrow the support"
                )
            accepted = np.flatnonzero(u * u <= fx)[: n - filled]
            out[filled : filled + accepted.size] = x[accepted]
            filled += accepted.size
            proposed += m if filled < n else int(accepted[-1]) + 1
            batch += 1
            budget.step(n=n, filled=filled, proposed=proposed, expected=self.expected_acceptance_)
        self.acceptance_rate_ = filled / proposed if proposed else float("nan")
        return out
