"""Extreme parameters give finite outputs or clear errors; max_samples is validated."""

import numpy as np
import pytest

from stochgen.distributions import LogNormal, Normal, StudentT, Uniform
from stochgen.distributions.selection import fit_distribution
from stochgen.exceptions import StochgenWarning, ValidationError


def test_tiny_scale_is_finite_and_ordered():
    dist = Normal.from_params(loc=3.0, scale=1e-300)
    q = dist.ppf([1e-300, 0.5, 1 - 1e-16])
    assert np.isfinite(q).all() and np.all(np.diff(q) >= 0)
    assert np.isfinite(dist.logpdf([3.0]))[0]
    # The table cannot resolve a density this narrow in double precision: it says so.
    with pytest.warns(StochgenWarning, match="u-error"):
        draws = LogNormal.from_params(s=1e-8).sample(2000, seed=0)
    assert np.isfinite(draws).all()
    assert abs(np.log(draws).std() - 1e-8) < 1e-9


def test_ppf_at_exactly_zero_and_one_is_the_support_not_nan():
    for dist, support in [
        (Normal.from_params(), (-np.inf, np.inf)),
        (Uniform.from_params(loc=2.0, scale=3.0), (2.0, 5.0)),
        (StudentT.from_params(df=1e12), (-np.inf, np.inf)),
    ]:
        np.testing.assert_array_equal(dist.ppf([0.0, 1.0]), support)


def test_huge_df_student_t_samples_like_a_normal():
    x = StudentT.from_params(df=1e12).sample(4000, seed=1)
    assert np.isfinite(x).all()
    assert abs(x.std() - 1.0) < 0.05


@pytest.mark.parametrize("bad", [2.5, "10"])
def test_fit_distribution_refuses_non_integer_max_samples(bad):
    x = np.random.default_rng(0).normal(size=100)
    with pytest.raises(TypeError, match="max_samples"):
        fit_distribution(x, families=["normal"], max_samples=bad)


@pytest.mark.parametrize("bad", [0, 1])
def test_fit_distribution_refuses_too_few_max_samples(bad):
    x = np.random.default_rng(0).normal(size=100)
    with pytest.raises(ValidationError, match="max_samples"):
        fit_distribution(x, families=["normal"], max_samples=bad)
