"""What counts as an acceptable failure in the fuzz tests, and the known exceptions."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import stochgen

_PACKAGE = Path(stochgen.__file__).resolve().parent

#: Failures whose fix belongs to another area: (area, exception type, message pattern).
#: Each has a deterministic reproducer marked xfail(strict=True) in test_known_failures.py;
#: the fuzz tests accept them so that everything else still fails loudly.
KNOWN: list[tuple[str, type[BaseException] | tuple[type[BaseException], ...], str]] = [
    (
        "tabular/synthesizer.py (lead): kinds given as a list reaches kinds.items()",
        AttributeError,
        r"'list' object has no attribute 'items'",
    ),
    (
        "tabular/synthesizer.py (lead): sample(0, conditions=<not a dict>) skips the check "
        "and reaches conditions.items()",
        AttributeError,
        r"'(str|list)' object has no attribute 'items'",
    ),
    (
        "tabular/constraints.py (lead): Inequality on text columns compares or subtracts str",
        TypeError,
        r"Invalid comparison between dtype=str|operation 'sub' not supported for dtype 'str'",
    ),
    (
        "tabular/constraints.py (lead): Inequality between a datetime and a numeric column "
        "(or a datetime column and itself) fails inside pandas",
        (TypeError, AttributeError),
        r"Can only use \.dt accessor|ufunc 'add' cannot use operands|value should be a "
        r"'Timestamp'|Invalid comparison between dtype=datetime64",
    ),
    (
        "tabular/ (lead, pandas 3): range conditions and Bounds write into a read-only array",
        ValueError,
        r"^output array is read-only$",
    ),
    (
        "distributions/ (numerical safety): a fitted family on extreme data fails to build its "
        "inverse-CDF table at sample(), naming no argument",
        ValueError,
        r"cdf is numerically discontinuous|discrete support \[nan, nan\] is too wide|"
        r"cdf never comes close enough to 0 and 1|needs more than \d+ intervals|"
        r"concentrated on one point; nothing to invert",
    ),
    (
        "distributions/selection.py: fit_distribution does not check families or max_samples",
        TypeError,
        r"'int' object is not iterable|'>' not supported between instances of 'int' and 'str'",
    ),
    (
        "evaluate/report.py: a table with no scorable column pair gives KeyError 'score'",
        KeyError,
        r"^'score'$",
    ),
]

#: Silent wrong results another area owns, accepted by the fuzz tests for now (each has an
#: xfail(strict=True) reproducer): sample() returns 0 rows for a falsy non-integer n.
KNOWN_FALSY_N = "tabular/synthesizer.py (lead): sample(None / False / 0.0 / '') returns 0 rows"
KNOWN_REJECTION_SETTINGS = "samplers/rejection.py: max_intervals=0 and target_efficiency=2 accepted"
KNOWN_MAX_SAMPLES = (
    "distributions/selection.py: fit_distribution(max_samples=True / 2.5) is accepted"
)


def raised_by_stochgen(exc: BaseException) -> bool:
    """Whether the innermost frame that raised ``exc`` is stochgen's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    return Path(frames[-1].filename).resolve().is_relative_to(_PACKAGE)


def known_area(exc: BaseException) -> str | None:
    """Return the owning area of a known failure, or None."""
    for area, kind, pattern in KNOWN:
        if isinstance(exc, kind) and re.search(pattern, str(exc)):
            return area
    return None


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
    if known_area(exc) is not None:
        return
    if not isinstance(exc, ValueError | TypeError):
        raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc
    if not raised_by_stochgen(exc):
        raise AssertionError(f"error from deep inside: {type(exc).__name__}: {exc}") from exc
    if not names_something(str(exc), list(columns), list(args)):
        raise AssertionError(f"error names no column or argument: {exc}") from exc
