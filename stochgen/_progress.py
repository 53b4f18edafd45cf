"""Progress bars for long steps: tqdm when installed, else one plain stderr line.

Every step that can take more than a second (fitting a wide table or its
per-label models, sampling many rows, MCMC, torch epochs, evaluation) reports
through `progress_bar`. A bar appears only once its step has run for a second,
so quick calls print nothing.

Whether bars show is decided, first to last, by:

1. the ``progress`` setting of the call or model (True or False);
2. `set_progress` (the CLI's ``--quiet`` calls ``set_progress(False)``);
3. the environment variable ``STOCHGEN_PROGRESS`` (``0``, ``false``, ``no`` or
   ``off`` turn bars off);
4. on by default.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any, Self, TypeVar

__all__ = [
    "ProgressBar",
    "progress_bar",
    "progress_enabled",
    "progress_setting",
    "set_progress",
    "track",
]

#: Seconds a step runs before its bar appears.
DELAY_SECONDS = 1.0
# Seconds between two redraws of the plain stderr line.
_REDRAW_SECONDS = 0.5
_OFF_WORDS = ("0", "false", "no", "off")
T = TypeVar("T")

# The setting of the model whose step is running (see `progress_setting`).
_setting: ContextVar[bool | None] = ContextVar("stochgen_progress", default=None)


class _Switch:
    """The process-wide choice made by `set_progress` (None: not made)."""

    enabled: bool | None = None


def set_progress(enabled: bool | None) -> None:
    """Turn progress bars on or off for this process.

    Parameters
    ----------
    enabled : bool or None
        False: no bars unless a call or model asks with ``progress=True``;
        True: bars even where ``STOCHGEN_PROGRESS=0``; None: back to the
        environment variable.

    Raises
    ------
    TypeError
        If ``enabled`` is not a bool or None.

    Examples
    --------
    >>> import stochgen
    >>> stochgen.set_progress(False)
    >>> stochgen.progress_enabled()
    False
    >>> stochgen.set_progress(None)
    """
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"enabled must be True, False or None; got {enabled!r}")
    _Switch.enabled = enabled


def progress_enabled(progress: bool | None = None) -> bool:
    """Return whether a step with setting ``progress`` shows a bar.

    Parameters
    ----------
    progress : bool or None
        The call's or model's setting; None defers to the model whose step is
        running (`progress_setting`), then `set_progress`, then
        ``STOCHGEN_PROGRESS``.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``progress`` is not a bool or None.

    Examples
    --------
    >>> progress_enabled(False)
    False
    """
    if progress is not None:
        if not isinstance(progress, bool | int):
            raise TypeError(f"progress must be True, False or None; got {progress!r}")
        return bool(progress)
    outer = _setting.get()
    if outer is not None:
        return outer
    if _Switch.enabled is not None:
        return _Switch.enabled
    return os.environ.get("STOCHGEN_PROGRESS", "1").strip().lower() not in _OFF_WORDS


@contextlib.contextmanager
def progress_setting(progress: bool | None) -> Iterator[None]:
    """Let the steps run inside the block follow ``progress`` (None changes nothing).

    A model sets its own ``progress`` around its work, so that the layers it
    calls (which have no setting of their own) follow it.

    Parameters
    ----------
    progress : bool or None

    Yields
    ------
    None

    Examples
    --------
    >>> with progress_setting(False):
    ...     progress_enabled()
    False
    """
    if progress is None:
        yield
        return
    token = _setting.set(progress_enabled(progress))
    try:
        yield
    finally:
        _setting.reset(token)


class ProgressBar:
    """A progress bar that shows once its step has run `DELAY_SECONDS`.

    Draws with tqdm when it is installed, else one stderr line rewritten in
    place. Use as a context manager; `update` adds finished units.

    Parameters
    ----------
    total : int or None
        Units of the whole step (None: unknown).
    desc : str
        What the step does ("fitting columns").
    unit : str
        Name of one unit ("column", "row", "epoch").
    enabled : bool
        False: draw nothing, at no cost.

    Examples
    --------
    >>> with ProgressBar(3, "demo", enabled=False) as bar:
    ...     bar.update()
    >>> bar.done
    1
    """

    def __init__(self, total: int | None, desc: str, *, unit: str = "it", enabled: bool) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.enabled = enabled
        self.done = 0
        self._tqdm: Any = None
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = False
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self._tqdm = tqdm(
                total=total,
                desc=desc,
                unit=unit,
                leave=False,
                delay=DELAY_SECONDS,
                file=sys.stderr,
                dynamic_ncols=True,
            )

    def update(self, n: int = 1) -> None:
        """Add ``n`` finished units."""
        self.done += n
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.update(n)
            return
        now = time.perf_counter()
        if now - self._start < DELAY_SECONDS or now - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_draw = now
        self._drawn = True
        total = "" if self.total is None else f"/{self.total}"
        sys.stderr.write(f"\r{self.desc}: {self.done}{total} {self.unit}s ")
        sys.stderr.flush()

    def close(self) -> None:
        """Finish the bar (the plain line ends with a newline if it was drawn)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._drawn = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(
    total: int | None, desc: str, *, unit: str = "it", progress: bool | None = None
) -> ProgressBar:
    """Return a `ProgressBar` for a step, shown as `progress_enabled` decides.

    Parameters
    ----------
    total : int or None
        Units of the whole step.
    desc : str
        What the step does.
    unit : str
        Name of one unit.
    progress : bool or None
        The call's or model's setting (see `progress_enabled`).

    Returns
    -------
    ProgressBar

    Examples
    --------
    >>> with progress_bar(10, "sampling", unit="row", progress=False) as bar:
    ...     bar.update(10)
    """
    return ProgressBar(total, desc, unit=unit, enabled=progress_enabled(progress))


def track(items: Iterable[T], total: int | None, desc: str, unit: str = "it") -> Iterator[T]:
    """Yield ``items``, counting each on a `progress_bar` once the loop body has run.

    Parameters
    ----------
    items : iterable
    total : int or None
        How many there are.
    desc, unit : str
        As in `progress_bar`.

    Yields
    ------
    object
        The items, in order.

    Examples
    --------
    >>> list(track(range(3), 3, "counting"))
    [0, 1, 2]
    """
    with progress_bar(total, desc, unit=unit) as bar:
        for item in items:
            yield item
            bar.update()
