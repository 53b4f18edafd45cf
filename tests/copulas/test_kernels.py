"""Numba kernels against their plain-numpy twins (tests/reference) and scipy."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from stochgen._kernels import archimedean as ka
from stochgen._kernels.copulas import kendall_tau_matrix
from tests.reference import archimedean as ra
from tests.reference import copulas as rc

CASES = [
    (1, 0.3),
    (1, 4.0),
    (1, 40.0),
    (2, -6.0),
    (2, 0.5),
    (2, 20.0),
    (2, -79.0),
    (2, 79.0),
    (3, 1.2),
    (3, 6.0),
    (4, 1.1),
    (4, 5.0),
]


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(11)
    u = rng.uniform(1e-6, 1 - 1e-6, 400)
    v = rng.uniform(1e-6, 1 - 1e-6, 400)
    return u, v


@pytest.mark.parametrize(("family", "theta"), CASES)
def test_archimedean_kernels_match_numpy_twin(points, family, theta):
    u, v = points
    assert_allclose(
        ka.archimedean_logpdf(family, theta, u, v), ra.logpdf(family, theta, u, v), rtol=1e-12
    )
    assert_allclose(
        ka.archimedean_cdf(family, theta, u, v), ra.cdf(family, theta, u, v), rtol=1e-12
    )
    assert_allclose(
        ka.archimedean_hfunc(family, theta, v, u), ra.hfunc(family, theta, v, u), rtol=1e-12
    )


@pytest.mark.parametrize(("family", "theta"), CASES)
def test_hinv_inverts_hfunc(points, family, theta):
    u, p = points
    x = ka.archimedean_hinv(family, theta, p, u)
    assert np.all((x > 0) & (x < 1))
    if family in (1, 2):
        assert_allclose(x, ra.hinv_closed_form(family, theta, p, u), rtol=1e-12)
    # Newton solutions: the residual in probability is at rounding level times the slope.
    assert_allclose(ka.archimedean_hfunc(family, theta, x, u), p, atol=1e-7)


def test_sibuya_matches_exact_search():
    # Bounded away from 1: the exact search in the twin steps one k at a time.
    w = np.random.default_rng(3).uniform(0.0, 0.9, 300)
    for alpha in (0.3, 0.5, 0.9):
        assert_allclose(
            ka.sibuya_from_uniform(alpha, w), ra.sibuya_from_uniform(alpha, w), rtol=1e-12
        )


def test_kendall_tau_matches_twin_and_scipy_with_ties():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 4))
    x[:, 1] += x[:, 0]
    x[:, 2] = np.round(x[:, 2] + x[:, 1], 1)  # ties
    x[:, 3] = np.round(x[:, 3])
    tau = kendall_tau_matrix(x)
    assert_allclose(tau, rc.kendall_tau_matrix(x), rtol=1e-12)
    assert_allclose(tau[0, 2], stats.kendalltau(x[:, 0], x[:, 2])[0], rtol=1e-12)


def test_logseries_kernel_matches_twin_and_numpy_law():
    for theta in (2.0, 40.0, 80.0):
        a = ka.logseries_from_log1mp(-theta, np.random.default_rng(3), 500)
        b = ra.logseries_from_log1mp(-theta, np.random.default_rng(3), 500)
        assert_allclose(a, b, rtol=1e-12)
    # Same law as numpy's logseries where numpy accepts p: chi-square on the pmf.
    p = -np.expm1(-3.0)
    draws = ka.logseries_from_log1mp(-3.0, np.random.default_rng(4), 20_000)
    ks = np.arange(1, 8)
    observed = np.array([(draws == k).sum() for k in ks] + [(draws >= 8).sum()])
    pmf = stats.logser.pmf(ks, p)
    expected = 20_000 * np.r_[pmf, 1 - pmf.sum()]
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_sibuya_small_alpha_is_fast_and_exact():
    w = np.random.default_rng(5).random(2000)
    x = ka.sibuya_from_uniform(0.02, w)  # Joe theta = 50 in d > 2: used to hang
    assert np.isfinite(x).all() and (x >= 1).all()
    small = w[x < 1e4]
    assert_allclose(ka.sibuya_from_uniform(0.02, small), ra.sibuya_from_uniform(0.02, small))
