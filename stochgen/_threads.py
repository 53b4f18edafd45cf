"""One BLAS thread while many small matrices are factorised.

Fitting a table decomposes dozens of small correlation matrices (one per label
of each conditioning column). For a 100 x 100 matrix a BLAS thread pool costs
more than it saves, and on a busy machine much more: an eigendecomposition
measured 3 ms with one OpenBLAS thread and 100 ms with two while other
processes held the cores. `single_blas_thread` limits BLAS to one thread for
the duration of a block (through threadpoolctl), and is safe to nest and to
enter from several threads: the first to enter sets the limit, the last to
leave restores what was there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["single_blas_thread"]

_lock = threading.Lock()
_depth = 0
_limiter: Any = None


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with BLAS limited to one thread, then restore the pools.

    Examples
    --------
    >>> import numpy as np
    >>> with single_blas_thread():
    ...     values = np.linalg.eigvalsh(np.eye(3))
    >>> values.tolist()
    [1.0, 1.0, 1.0]
    """
    global _depth, _limiter
    from threadpoolctl import threadpool_limits

    with _lock:
        if _depth == 0:
            _limiter = threadpool_limits(limits=1, user_api="blas")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limiter.restore_original_limits()
                _limiter = None
