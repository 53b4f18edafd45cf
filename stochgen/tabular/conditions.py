"""Conditions on columns, translated into constraints on the latent normal scores.

A condition is ``column: value`` (equality; ``None`` asks for missing values)
or, for numeric and datetime columns, ``column: (low, high)`` (an inclusive
range; ``None`` leaves an end open). Each column model translates a condition
on itself (`add_condition`) into exact values or intervals of its latent
coordinates; what cannot be written as one interval (a range containing a
column's spike) becomes a row rule met by rejection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["LatentConstraints", "RangeRule", "RowRule", "is_missing"]

# Probabilities are kept this far from 0 and 1 so normal scores stay finite.
_EDGE = 1e-12


class RowRule:
    """A rule on generated rows met by rejection (conditions, `Unique`, `Predicate`).

    Subclasses implement `check`; ``history`` is a dict the sampling run keeps
    across its blocks, in which a rule may remember what earlier blocks kept.
    """

    #: True when a block's check depends on earlier blocks (they then run in order).
    stateful: ClassVar[bool] = False

    def check(self, rows: pd.DataFrame, history: dict[Any, Any]) -> np.ndarray:
        """Return one boolean per row: whether it meets the rule."""
        raise NotImplementedError  # pragma: no cover - abstract

    def keep(self, rows: pd.DataFrame, history: dict[Any, Any]) -> None:
        """Note the rows kept (for rules that look across blocks); nothing by default."""

    def describe(self) -> str:
        """Return the rule in words, for error messages."""
        return repr(self)


class RangeRule(RowRule):
    """``low <= rows[column] <= high`` (inclusive; None leaves an end open; missing fails).

    Parameters
    ----------
    column : str
    low, high : object or None
        Bounds in the column's own values.

    Examples
    --------
    >>> rule = RangeRule("x", 1.0, None)
    >>> rule.check(pd.DataFrame({"x": [0.5, 1.0, None]}), {}).tolist()
    [False, True, False]
    """

    def __init__(self, column: str, low: Any, high: Any) -> None:
        self.column = column
        self.low = low
        self.high = high

    def check(self, rows: pd.DataFrame, history: dict[Any, Any]) -> np.ndarray:
        """Return which rows lie in the range."""
        series = rows[self.column]
        # Copies: under copy-on-write, pandas hands out read-only arrays.
        ok = series.notna().to_numpy(dtype=bool, copy=True)
        if self.low is not None:
            ok &= (series >= self.low).fillna(False).to_numpy(dtype=bool)
        if self.high is not None:
            ok &= (series <= self.high).fillna(False).to_numpy(dtype=bool)
        return ok

    def describe(self) -> str:
        """Return ``condition on 'column' in [low, high]``."""
        return f"condition on {self.column!r} in [{self.low!r}, {self.high!r}]"


@dataclass
class LatentConstraints:
    """What a set of conditions asks of the latent scores and of the rows.

    Attributes
    ----------
    points : dict of int to float
        Latent coordinates fixed at a normal score.
    boxes : dict of int to (float, float)
        Latent coordinates restricted to an interval of normal scores.
    forced : dict of str to object
        Column values written into every row (exact conditions).
    rules : list of RowRule
        Checks met by rejection.
    """

    points: dict[int, float] = field(default_factory=dict)
    boxes: dict[int, tuple[float, float]] = field(default_factory=dict)
    forced: dict[str, Any] = field(default_factory=dict)
    rules: list[RowRule] = field(default_factory=list)

    def add_box(self, index: int, low_u: float, high_u: float) -> None:
        """Restrict coordinate ``index`` to the normal scores of (low_u, high_u)."""
        low = -np.inf if low_u <= 0 else float(special.ndtri(min(low_u, 1 - _EDGE)))
        high = np.inf if high_u >= 1 else float(special.ndtri(max(high_u, _EDGE)))
        if index in self.boxes:
            old_low, old_high = self.boxes[index]
            low, high = max(low, old_low), min(high, old_high)
        self.boxes[index] = (low, high)

    def add_point(self, index: int, u: float) -> None:
        """Fix coordinate ``index`` at the normal score of ``u`` (kept inside (0, 1))."""
        self.points[index] = float(special.ndtri(float(np.clip(u, _EDGE, 1 - _EDGE))))

    @property
    def empty(self) -> bool:
        """True when nothing is asked."""
        return not (self.points or self.boxes or self.forced or self.rules)


def is_missing(value: Any) -> bool:
    """Return True for None, NaN, ``pd.NA`` and ``pd.NaT`` (a condition asking for missing)."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float | np.floating) and np.isnan(value))
    )
