import numba
import numpy as np
import pytest
from scipy import stats

from stochgen.exceptions import ValidationError
from stochgen.samplers.ratio_of_uniforms import RatioOfUniforms
from stochgen.samplers.rejection import HatViolationError


@numba.njit
def gamma_kernel(x):
    return x * x * np.exp(-x)


TARGETS = [
    ("normal", lambda x: np.exp(-0.5 * x * x), (-np.inf, np.inf), stats.norm.cdf),
    ("gamma", lambda x: x**2 * np.exp(-x), (0, np.inf), stats.gamma(3).cdf),
    ("beta", lambda x: x * (1 - x) ** 4, (0, 1), stats.beta(2, 5).cdf),
    ("cauchy", lambda x: 1 / (1 + x * x), (-np.inf, np.inf), stats.cauchy.cdf),
]


@pytest.mark.parametrize(("name", "pdf", "support", "cdf"), TARGETS, ids=[t[0] for t in TARGETS])
def test_draws_follow_the_target(name, pdf, support, cdf):
    sampler = RatioOfUniforms(pdf, support=support)
    x = sampler.sample(40_000, seed=2)
    assert stats.kstest(x, cdf).pvalue > 1e-3
    assert abs(sampler.acceptance_rate_ - sampler.expected_acceptance_) < 0.02


def test_normal_acceptance_is_the_known_constant():
    sampler = RatioOfUniforms(lambda x: np.exp(-0.5 * x * x))
    sampler.sample(100_000, seed=0)
    # Area sqrt(pi/2) of the region over the rectangle 2 * sqrt(2/e).
    exact = np.sqrt(np.pi / 2) / (2 * np.sqrt(2 / np.e))
    assert abs(sampler.acceptance_rate_ - exact) < 0.01


def test_numba_pdf_and_determinism():
    a = RatioOfUniforms(gamma_kernel, support=(0, np.inf)).sample(5000, seed=4)
    b = RatioOfUniforms(lambda x: x**2 * np.exp(-x), support=(0, np.inf)).sample(5000, seed=4)
    np.testing.assert_array_equal(a, b)
    c = RatioOfUniforms(gamma_kernel, support=(0, np.inf)).sample(100, seed=4)
    np.testing.assert_array_equal(a[:100], c)


def test_errors():
    with pytest.raises(ValidationError, match="too heavy"):
        RatioOfUniforms(lambda x: (1 + np.abs(x)) ** -1.5).sample(10, seed=0)
    with pytest.raises(ValidationError, match="zero at all"):
        RatioOfUniforms(lambda x: np.zeros_like(x)).sample(10, seed=0)
    with pytest.raises(ValidationError, match="negative"):
        RatioOfUniforms(lambda x: x).sample(10, seed=0)
    sampler = RatioOfUniforms(lambda x: np.exp(-0.5 * x * x)).setup()
    sampler.u_max_ *= 0.9  # a rectangle that cuts the region
    with pytest.raises(HatViolationError, match="outside the ratio-of-uniforms rectangle"):
        sampler.sample(10_000, seed=0)


def test_set_params_rebuilds_for_a_new_density():
    # Regression: the region built for the first pdf was kept after set_params.
    sampler = RatioOfUniforms(lambda x: np.exp(-0.5 * x * x))
    sampler.sample(1000, seed=0)
    sampler.set_params(pdf=lambda x: np.exp(-0.5 * (x - 5.0) ** 2))
    draws = sampler.sample(20_000, seed=1)
    assert stats.kstest(draws, stats.norm(5.0).cdf).pvalue > 1e-3
