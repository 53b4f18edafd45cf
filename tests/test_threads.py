import threading

import numpy as np
import pytest

threadpoolctl = pytest.importorskip("threadpoolctl")

from stochgen._threads import single_blas_thread  # noqa: E402


def _blas_threads() -> list[int]:
    return [
        pool["num_threads"]
        for pool in threadpoolctl.threadpool_info()
        if pool["user_api"] == "blas"
    ]


def test_limits_blas_to_one_thread_and_restores_it():
    np.linalg.eigvalsh(np.eye(2))  # BLAS loaded
    before = _blas_threads()
    with single_blas_thread():
        assert set(_blas_threads()) <= {1}
        with single_blas_thread():  # nested: still one, and the inner exit restores nothing
            pass
        assert set(_blas_threads()) <= {1}
    assert _blas_threads() == before


def test_threads_entering_and_leaving_in_any_order_restore_the_original():
    np.linalg.eigvalsh(np.eye(2))
    before = _blas_threads()
    inside = threading.Barrier(4)

    def work() -> None:
        with single_blas_thread():
            inside.wait()
            np.linalg.eigvalsh(np.eye(20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _blas_threads() == before
