"""Caps on the work of a rejection loop: candidate batches and wall-clock time.

A rejection sampler whose hat misses the density (a pole, a spike narrower
than the check grid) can accept almost nothing and run forever. `LoopBudget`
counts the batches and the time, and raises `SamplingLimitError` with what was
seen (draws made, acceptance) and what to change.
"""

from __future__ import annotations

import time

import numpy as np

from stochgen._validation import check_n_samples, check_positive
from stochgen.exceptions import ValidationError

__all__ = ["LoopBudget", "SamplingLimitError"]


class SamplingLimitError(ValidationError):
    """A sampler reached its cap on candidate batches or time before making ``n`` draws.

    Examples
    --------
    >>> issubclass(SamplingLimitError, ValueError)
    True
    """


# Candidates drawn before a low acceptance is judged hopeless.
_MIN_PROPOSED_FOR_VERDICT = 10_000


class LoopBudget:
    """Count batches and time of one sampling call; raise when a cap is reached.

    Parameters
    ----------
    sampler : str
        Class name, for the message.
    max_batches : int
        Cap on candidate batches (checked as settings: names the argument).
    max_time : float
        Cap on seconds.

    Examples
    --------
    >>> budget = LoopBudget("Rejection", max_batches=2, max_time=10.0)
    >>> budget.step(n=10, filled=5, proposed=100, expected=0.9)
    >>> budget.step(n=10, filled=5, proposed=200, expected=0.9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.samplers.limits.SamplingLimitError: Rejection stopped after 2 batches ...
    """

    def __init__(self, sampler: str, *, max_batches: int, max_time: float) -> None:
        self.sampler = sampler
        self.max_batches = check_n_samples(max_batches, "max_batches")
        if self.max_batches < 1:
            raise ValidationError(f"max_batches must be at least 1; got {max_batches}")
        self.max_time = check_positive(max_time, "max_time")
        self.batches = 0
        self.start = time.perf_counter()

    def step(self, *, n: int, filled: int, proposed: int, expected: float) -> None:
        """Record one batch; raise `SamplingLimitError` if a cap is reached before ``n`` draws."""
        self.batches += 1
        if filled >= n:
            return
        elapsed = time.perf_counter() - self.start
        # Acceptance ten standard deviations below the promise is no bad luck: the hat
        # misses the density's mass (a pole, a spike, a support too wide to grid). Stop now.
        mean = proposed * expected
        hopeless = (
            proposed >= _MIN_PROPOSED_FOR_VERDICT
            and 0.0 < expected < 1.0
            and filled < mean - 10.0 * np.sqrt(mean * (1.0 - expected)) - 10.0
        )
        if not hopeless and self.batches < self.max_batches and elapsed < self.max_time:
            return
        if hopeless:
            what = "an acceptance far below the hat's promise"
        elif self.batches >= self.max_batches:
            what = f"max_batches={self.max_batches}"
        else:
            what = f"max_time={self.max_time} s"
        raise SamplingLimitError(
            f"{self.sampler} stopped after {self.batches} batches ({proposed:,} candidates, "
            f"{elapsed:.1f} s), reaching {what}: {filled:,} of {n:,} draws made, acceptance "
            f"{filled / max(proposed, 1):.3g} seen where the hat promised {expected:.3g}. The "
            "density is likely unbounded (a pole) or has a spike the hat misses: bound the "
            "support away from it, transform the variable, pass a hat, or raise max_batches / "
            "max_time"
        )
