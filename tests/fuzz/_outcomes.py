"""What counts as an acceptable failure in the fuzz tests.

There is no list of tolerated exceptions: every failure the fuzzing found has
been fixed, and each keeps a deterministic reproducer in
``test_known_failures.py``.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import stochgen

_PACKAGE = Path(stochgen.__file__).resolve().parent


def raised_by_stochgen(exc: BaseException) -> bool:
    """Whether the innermost frame that raised ``exc`` is stochgen's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    return Path(frames[-1].filename).resolve().is_relative_to(_PACKAGE)


def names_something(message: str, columns: Iterable[Any] = (), args: Iterable[str] = ()) -> bool:
    """Whether ``message`` names a column (quoted, as stochgen writes them) or an argument."""
    if any(repr(c) in message or repr(str(c)) in message for c in columns):
        return True
    return any(re.search(rf"(?<![\w]){re.escape(a)}(?![\w])", message) for a in args)


def check_error(exc: BaseException, columns: Iterable[Any] = (), args: Iterable[str] = ()) -> None:
    """Fail unless ``exc`` is a clear stochgen error naming a column or an argument.

    A clear error is a ValueError or TypeError raised by stochgen's own code
    (not escaping from numpy, pandas or scipy) whose message names the column
    (quoted) or the argument (as a word) at fault.
    """
    if not isinstance(exc, ValueError | TypeError):
        raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc
    if not raised_by_stochgen(exc):
        raise AssertionError(f"error from deep inside: {type(exc).__name__}: {exc}") from exc
    if not names_something(str(exc), list(columns), list(args)):
        raise AssertionError(f"error names no column or argument: {exc}") from exc
