"""Clayton's fast maximum likelihood (Newton on subsample ladders) and closed-form sampling."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from stochgen._kernels import archimedean as ka
from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen.copulas import ClaytonCopula
from stochgen.copulas import bivariate as bv
from stochgen.copulas.bivariate import _families, _fit
from stochgen.exceptions import ConvergenceWarning
from tests.reference import archimedean as ra


def _hi_lo(u):
    a, b = -np.log(u[:, 0]), -np.log(u[:, 1])
    return np.maximum(a, b), np.minimum(a, b)


@pytest.mark.parametrize("theta", [0.05, 2.0, 40.0])
def test_derivative_sums_kernel_matches_numpy_twin(theta):
    u = ClaytonCopula.from_params(theta=theta).sample(2000, seed=3)
    hi, lo = _hi_lo(u)
    x = np.exp(theta * (lo - hi))
    s = 1.0 + x - np.exp(-theta * hi)
    assert_allclose(
        ka.clayton_derivative_sums(hi, lo, x, s),
        ra.clayton_derivative_sums(hi, lo, x, s),
        rtol=1e-12,
    )


@pytest.mark.parametrize("theta", [0.3, 4.0, 40.0])
def test_vectorized_hinv_matches_closed_form_twin(theta):
    rng = np.random.default_rng(5)
    p, c = rng.uniform(1e-9, 1 - 1e-9, (2, 500))
    expected = ra.hinv_closed_form(1, theta, p, c)
    assert_allclose(_families._clayton_hinv(theta, p, c), expected, rtol=1e-12)
    assert_allclose(ka.archimedean_hinv(1, theta, p, c), expected, rtol=1e-12)


@pytest.mark.parametrize("theta", [0.05, 2.0, 40.0])
def test_loglik_derivatives_match_logpdf_and_finite_differences(theta):
    u = ClaytonCopula.from_params(theta=2.0).sample(3000, seed=4)
    hi, lo = _hi_lo(u)
    sums = (hi.sum(), hi.sum() + lo.sum())
    work = np.empty((2, hi.shape[0]))

    def derivatives(t):
        return _fit._clayton_loglik_derivatives(t, hi, lo, sums, work)

    loglik, score, hessian, third = derivatives(theta)
    assert_allclose(loglik, ClaytonCopula.from_params(theta=theta).logpdf(u).sum(), rtol=1e-12)
    h = 1e-5 * theta
    up, down = derivatives(theta + h), derivatives(theta - h)
    assert_allclose([score, hessian, third], np.subtract(up, down)[:3] / (2 * h), rtol=1e-5)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize(("theta", "n"), [(0.2, 500), (2.0, 50_000), (15.0, 5_000)])
def test_newton_fit_matches_scipy_mle_and_beats_tau_inversion(rotation, theta, n):
    u = ClaytonCopula.from_params(theta=theta, rotation=rotation).sample(n, seed=6)
    u1, u2 = u[:, 0].copy(), u[:, 1].copy()
    (fast,), loglik = bv.fit_pair("clayton", rotation, u1, u2)
    tau = float(kendall_tau_matrix(u)[0, 1])
    start = bv.pair_param_from_tau("clayton", rotation, tau)
    (scipy_mle,) = _fit._mle_one("clayton", rotation, u1, u2, start[0])
    scipy_loglik = bv.pair_logpdf("clayton", rotation, (scipy_mle,), u1, u2).sum()
    assert_allclose(fast, scipy_mle, rtol=1e-4)
    assert loglik >= scipy_loglik - 1e-6
    assert_allclose(loglik, bv.pair_logpdf("clayton", rotation, (fast,), u1, u2).sum(), rtol=1e-12)
    itau_loglik = bv.pair_logpdf("clayton", rotation, start, u1, u2).sum()
    assert loglik >= itau_loglik
    (itau,), _ = bv.fit_pair("clayton", rotation, u1, u2, method="itau")
    assert itau == start[0]


def test_maximum_at_the_lower_bound_is_returned_without_warning():
    # Negative dependence under an unrotated Clayton copula: the likelihood peaks at the bound.
    u = ClaytonCopula.from_params(theta=2.0, rotation=90).sample(5000, seed=7)
    (theta,), _ = bv.fit_pair("clayton", 0, u[:, 0].copy(), u[:, 1].copy())
    assert theta == bv.BOUNDS["clayton"][0][0]


def test_newton_failure_falls_back_to_scipy_with_a_warning(monkeypatch):
    u = ClaytonCopula.from_params(theta=2.0).sample(2000, seed=8)
    expected = ClaytonCopula().fit(u).theta_
    monkeypatch.setattr(_fit, "_clayton_newton", lambda *args: None)
    with pytest.warns(ConvergenceWarning, match="fell back to a bounded scalar search"):
        cop = ClaytonCopula().fit(u)
    assert_allclose(cop.theta_, expected, rtol=1e-6)


def test_fit_is_deterministic_and_sampling_reproducible():
    u = ClaytonCopula.from_params(theta=3.0, rotation=180).sample(30_000, seed=9)
    assert ClaytonCopula(rotation=180).fit(u).theta_ == ClaytonCopula(rotation=180).fit(u).theta_
    cop = ClaytonCopula.from_params(theta=3.0, rotation=270)
    assert np.array_equal(cop.sample(70_000, seed=1), cop.sample(70_000, seed=1))
