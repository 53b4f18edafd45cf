"""The one decorator every numba kernel uses.

``cache=True`` so compiled code is reused across processes; ``nogil=True`` so
kernels run in threads; ``error_model="numpy"`` so division by zero gives
inf/nan as numpy does instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

__all__ = ["jit", "parallel_jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(func: F) -> F:
    """Compile ``func`` with stochgen's numba settings.

    Parameters
    ----------
    func : callable
        A function of arrays, ints, floats and numpy Generators.

    Returns
    -------
    callable
        The jitted function.
    """
    return numba.njit(cache=True, nogil=True, error_model="numpy")(func)


def parallel_jit(func: F) -> F:
    """Compile ``func`` like `jit`, with ``parallel=True`` for ``prange`` loops.

    Parameters
    ----------
    func : callable
        A function whose outer loop is ``numba.prange`` over independent blocks.

    Returns
    -------
    callable
        The jitted function.
    """
    return numba.njit(cache=True, nogil=True, error_model="numpy", parallel=True)(func)
