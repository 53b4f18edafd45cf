"""Running a sampler's steps in chunks: progress bar and wall-clock cap.

Every MCMC engine advances its chains by a callable ``advance(t0, steps)``;
`run_chunks` calls it chunk by chunk, updates a progress bar (see
`stochgen.set_progress`), and stops at ``max_time`` with a
`stochgen.exceptions.ConvergenceWarning`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

from stochgen._progress import progress_bar
from stochgen.exceptions import ConvergenceWarning

__all__ = ["run_chunks"]


def run_chunks(
    advance: Callable[[int, int], None],
    total: int,
    *,
    chunk: int,
    max_time: float | None,
    progress: bool | None,
    label: str,
) -> tuple[int, float]:
    """Call ``advance(t0, steps)`` over ``0 .. total`` in chunks of ``chunk`` steps.

    Parameters
    ----------
    advance : callable
        Advances every chain from step ``t0`` by ``steps`` steps.
    total : int
        Steps per chain.
    chunk : int
        Steps per call (fixed, so that the chunking never changes the draws).
    max_time : float or None
        Wall-clock cap in seconds, checked between chunks.
    progress : bool or None
        Show a progress bar (None: see `stochgen.set_progress`).
    label : str
        Name shown on the bar and in the warning.

    Returns
    -------
    tuple
        ``(steps done, seconds)``.

    Warns
    -----
    ConvergenceWarning
        When ``max_time`` stops the run early.

    Examples
    --------
    >>> seen = []
    >>> run_chunks(lambda t0, k: seen.append((t0, k)), 10, chunk=4, max_time=None,
    ...            progress=False, label="demo")[0]
    10
    >>> seen
    [(0, 4), (4, 4), (8, 2)]
    """
    bar = progress_bar(total, label, unit="step", progress=progress)
    start = time.perf_counter()
    done = 0
    try:
        for t0 in range(0, total, chunk):
            steps = min(chunk, total - t0)
            advance(t0, steps)
            done = t0 + steps
            bar.update(steps)
            if max_time is not None and time.perf_counter() - start > max_time and done < total:
                warnings.warn(
                    f"{label} stopped at max_time={max_time} s after {done} of {total} steps "
                    "per chain; the draws so far are returned (raise max_time or ask for fewer "
                    "draws)",
                    ConvergenceWarning,
                    stacklevel=3,
                )
                break
    finally:
        bar.close()
    return done, time.perf_counter() - start
