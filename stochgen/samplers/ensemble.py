"""The ensemble engine behind ``MetropolisHastings(proposal="ensemble")``.

Walkers move in two halves (Goodman and Weare 2010): stretch, walk,
differential-evolution and snooker moves (ter Braak 2006; ter Braak and Vrugt
2008) from `stochgen._kernels.ensemble`. With a numba log-density the whole
run is one compiled loop (the walkers of a half in parallel threads when that
pays); with a numpy log-density each half-step is one compiled call that
finishes the previous half and proposes for the next, around one call of the
log-density on all the half's walkers. Both paths draw the same noise from
the same per-walker generators in the same order, so they give the same draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numba
import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.ensemble import (
    DE,
    SNOOKER,
    STRETCH,
    WALK,
    ensemble_half_step,
    ensemble_kernel,
)
from stochgen.exceptions import ValidationError
from stochgen.samplers.schedule import run_chunks

__all__ = [
    "DEFAULT_MOVES",
    "MOVES",
    "check_walkers",
    "ensemble_advance",
    "move_probabilities",
    "run_ensemble",
]

MOVES = {"stretch": STRETCH, "walk": WALK, "de": DE, "snooker": SNOOKER}
#: Differential evolution for most steps (affine invariant, and good in high
#: dimension), snooker and stretch moves for curved and skewed targets.
DEFAULT_MOVES = {"de": 0.8, "snooker": 0.1, "stretch": 0.1}
#: Steps per compiled call of the numba path (fixed: a unit for the progress bar
#: and the time cap; it does not change the draws).
CHUNK_STEPS = 1024
#: Walkers times dimension from which a half's walkers run in parallel threads: a
#: parallel region per half-step costs tens of microseconds, more on a busy machine.
PARALLEL_WORK = 1 << 17


def move_probabilities(moves: str | Mapping[str, float] | None) -> NDArray[np.float64]:
    """Cumulative probabilities of (stretch, walk, DE, snooker) from a ``moves`` setting.

    Parameters
    ----------
    moves : str, mapping or None
        One move name, a mapping of names to weights (normalised here), or
        None for `DEFAULT_MOVES`.

    Returns
    -------
    numpy.ndarray
        Shape ``(4,)``, ending at 1.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown move name or weights that are negative or all zero.

    Examples
    --------
    >>> move_probabilities("de").tolist()
    [0.0, 0.0, 1.0, 1.0]
    >>> move_probabilities({"stretch": 1, "de": 3}).tolist()
    [0.25, 0.25, 1.0, 1.0]
    """
    if moves is None:
        moves = DEFAULT_MOVES
    if isinstance(moves, str):
        moves = {moves: 1.0}
    if not isinstance(moves, Mapping):
        raise ValidationError(
            f"moves must be a move name or a mapping of names to weights; got {moves!r}"
        )
    weights = np.zeros(len(MOVES))
    for name, weight in moves.items():
        if name not in MOVES:
            raise ValidationError(f"moves: unknown move {name!r}; expected one of {list(MOVES)}")
        value = float(weight)
        if not (np.isfinite(value) and value >= 0):
            raise ValidationError(f"moves: weight of {name!r} is {weight}; expected >= 0")
        weights[MOVES[name]] = value
    if not weights.sum() > 0:
        raise ValidationError(f"moves: all weights are zero in {moves!r}")
    cum = np.cumsum(weights / weights.sum())
    cum[-1] = 1.0
    return cum


def run_ensemble(
    logpdf: Callable[..., float] | None,
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    *,
    ens: NDArray[np.float64],
    lp: NDArray[np.float64],
    gens: list[np.random.Generator],
    move_cum: NDArray[np.float64],
    warmup: int,
    total: int,
    thin: int,
    draws: NDArray[np.float64],
    n_accept: NDArray[np.int64],
    max_time: float | None,
    progress: bool | None,
) -> tuple[int, float]:
    """Advance the ensemble ``total`` steps in place; return ``(steps done, seconds)``.

    ``logpdf`` is the numba point function, or None to use the numpy
    ``batch_logpdf`` once per half-step. ``gens`` holds one generator per
    walker, advanced in place. Draws after warm-up go to ``draws`` (walkers,
    draws, dim), one every ``thin`` steps.
    """
    advance, chunk = ensemble_advance(
        logpdf, batch_logpdf, ens=ens, lp=lp, gens=numba.typed.List(gens), move_cum=move_cum,
        warmup=warmup, thin=thin, draws=draws, n_accept=n_accept,
    )  # fmt: skip
    return run_chunks(
        advance, total, chunk=chunk, max_time=max_time, progress=progress, label="ensemble"
    )


def ensemble_advance(
    logpdf: Callable[..., float] | None,
    batch_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    *,
    ens: NDArray[np.float64],
    lp: NDArray[np.float64],
    gens: numba.typed.List,
    move_cum: NDArray[np.float64],
    warmup: int,
    thin: int,
    draws: NDArray[np.float64],
    n_accept: NDArray[np.int64],
) -> tuple[Callable[[int, int], None], int]:
    """Return ``(advance, chunk)``: ``advance(t0, steps)`` moves the ensemble in place.

    The arguments are those of `run_ensemble`, with ``gens`` already a
    ``numba.typed.List``; ``chunk`` is the number of steps per call that keeps
    the draws independent of the chunking (see `stochgen.samplers.schedule`).
    """
    walkers, dim = ens.shape
    if logpdf is not None:
        kernel = ensemble_kernel(logpdf, walkers * dim >= PARALLEL_WORK)

        def advance(t0: int, steps: int) -> None:
            kernel(ens, lp, gens, move_cum, n_accept, t0, steps, warmup, thin, draws)

        return advance, CHUNK_STEPS
    h = walkers // 2
    ys = np.empty((h, dim))
    log_factor = np.empty(h)
    scratch = np.empty((h, dim))
    no_values = np.empty(h)

    def advance_batch(t0: int, steps: int) -> None:
        step = ensemble_half_step
        step(ens, lp, gens, move_cum, ys, log_factor, no_values, scratch,
             -1, 0, False, n_accept, False, draws, 0)  # fmt: skip
        for t in range(t0, t0 + steps):
            counted = t >= warmup
            s = t - warmup + 1
            record = s > 0 and s % thin == 0
            step(ens, lp, gens, move_cum, ys, log_factor, batch_logpdf(ys), scratch,
                 0, 1, counted, n_accept, False, draws, 0)  # fmt: skip
            step(ens, lp, gens, move_cum, ys, log_factor, batch_logpdf(ys), scratch,
                 1, 0 if t + 1 < t0 + steps else -1, counted, n_accept, record, draws,
                 s // thin - 1)  # fmt: skip

    # Each chunk ends with both halves finished, so chunking leaves draws unchanged.
    return advance_batch, max(1, CHUNK_STEPS // max(1, walkers // 64))


def check_walkers(walkers: int, dim: int) -> None:
    """Raise unless ``walkers`` is even and at least ``max(2 dim, 6)``."""
    if walkers % 2 or walkers < max(2 * dim, 6):
        raise ValidationError(
            f"chains={walkers}: proposal='ensemble' needs an even number of walkers, at least "
            f"max(2 * dim, 6) = {max(2 * dim, 6)}, so that each half spans the space"
        )
