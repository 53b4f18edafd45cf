import numpy as np
import pytest
from scipy import integrate, stats

import stochgen
from stochgen.distributions import (
    AtomMixture,
    EmpiricalDistribution,
    Gamma,
    GaussianKDE,
    GaussianMixture,
    Normal,
)
from stochgen.exceptions import ConvergenceWarning, ValidationError


@pytest.fixture(scope="module")
def expo_data():
    return np.random.default_rng(0).exponential(2.0, size=3000)


def test_kde_reflection_keeps_mass_inside_and_density_integrates(expo_data):
    kde = GaussianKDE(bounds=(0.0, None)).fit(expo_data)
    assert kde.cdf(0.0) == 0.0
    total, _ = integrate.quad(lambda t: float(np.exp(kde.logpdf(t))), 0, 60, limit=200)
    assert abs(total - 1) < 1e-6
    plain = GaussianKDE().fit(expo_data)
    assert plain.cdf(0.0) > 0.02  # without reflection mass leaks below 0
    x = kde.sample(50_000, seed=1)
    assert x.min() >= 0
    # samples follow the KDE's own cdf (through the table), and the data roughly
    assert stats.kstest(x, kde.cdf).pvalue > 1e-3
    assert stats.ks_2samp(x, expo_data).statistic < 0.05


def test_kde_ppf_is_the_table_inverse_of_cdf(expo_data):
    kde = GaussianKDE(bandwidth="silverman", bounds="data", max_points=500).fit(expo_data)
    u = np.random.default_rng(3).random(20_000)
    assert np.abs(kde.cdf(kde.ppf(u)) - u).max() < 1e-10
    assert kde.points_.size == 500  # binned
    assert kde.bandwidth_ == pytest.approx(
        __import__("statsmodels").nonparametric.bandwidths.bw_silverman(expo_data)
    )


def test_kde_bad_settings(expo_data):
    with pytest.raises(ValidationError, match="bandwidth"):
        GaussianKDE(bandwidth="wide").fit(expo_data)
    with pytest.raises(ValidationError, match="outside bounds"):
        GaussianKDE(bounds=(1.0, None)).fit(expo_data)
    with pytest.raises(ValidationError, match="spread"):
        GaussianKDE().fit([2.0, 2.0])


def test_gaussian_mixture_recovers_components():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(-2, 0.5, 6000), rng.normal(2, 1.0, 14000)])
    gm = GaussianMixture().fit(x)
    assert gm.weights_.size == 2
    np.testing.assert_allclose(gm.weights_, [0.3, 0.7], atol=0.02)
    np.testing.assert_allclose(gm.means_, [-2, 2], atol=0.05)
    np.testing.assert_allclose(gm.sds_, [0.5, 1.0], atol=0.05)
    y = gm.sample(100_000, seed=2)
    assert stats.kstest(y, gm.cdf).pvalue > 1e-3
    u = np.random.default_rng(0).random(10_000)
    assert np.abs(gm.cdf(gm.ppf(u)) - u).max() < 1e-10


def test_gaussian_mixture_warns_when_not_converged():
    x = np.random.default_rng(0).normal(size=500)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        GaussianMixture(n_components=3, max_iter=2).fit(x)


def test_atom_mixture_zero_inflated():
    rng = np.random.default_rng(0)
    n = 20_000
    x = np.where(rng.random(n) < 0.35, 0.0, rng.gamma(2.0, 10.0, n))
    x[:500] = 100.0  # a spike at a bound (2.5%)
    dist = AtomMixture().fit(x)
    np.testing.assert_array_equal(dist.atoms_, [0.0, 100.0])
    y = dist.sample(100_000, seed=3)
    share0 = np.mean(y == 0)
    share100 = np.mean(y == 100.0)
    p0, p100 = dist.atom_probs_
    assert abs(share0 - p0) < 4 * np.sqrt(p0 * (1 - p0) / y.size)
    assert abs(share100 - p100) < 4 * np.sqrt(p100 * (1 - p100) / y.size)
    rest = y[(y != 0) & (y != 100.0)]
    assert stats.kstest(rest, dist.continuous_.cdf).pvalue > 1e-3
    # cdf jumps by the atom's mass; ppf is its generalised inverse
    assert dist.cdf(0.0) - dist.cdf(-1e-12) == pytest.approx(p0)
    q = np.random.default_rng(1).random(2000)
    xq = dist.ppf(q)
    assert np.all(dist.cdf(xq) >= q - 1e-9)


def test_atom_mixture_all_atoms_and_save_load(tmp_path):
    x = np.repeat([1.0, 2.0, 5.0], [3, 5, 2])
    dist = AtomMixture().fit(x)
    assert dist.continuous_ is None and dist.continuous_weight_ == 0
    np.testing.assert_array_equal(np.unique(dist.sample(100, seed=0)), [1.0, 2.0, 5.0])
    loaded = stochgen.load(stochgen.save(dist, tmp_path / "a"))
    np.testing.assert_array_equal(loaded.sample(100, seed=0), dist.sample(100, seed=0))


def test_atom_mixture_with_given_continuous_part(tmp_path):
    rng = np.random.default_rng(2)
    x = np.where(rng.random(5000) < 0.2, 0.0, rng.normal(10, 2, 5000))
    dist = AtomMixture(continuous=Normal()).fit(x)
    assert isinstance(dist.continuous_, Normal)
    assert dist.continuous_.params_["loc"] == pytest.approx(10, abs=0.1)
    loaded = stochgen.load(stochgen.save(dist, tmp_path / "a"))
    np.testing.assert_array_equal(loaded.sample(1000, seed=4), dist.sample(1000, seed=4))


def test_empirical_smooth_api_unchanged():
    dist = EmpiricalDistribution().fit([0.0, 0.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(dist.ppf([0.0, 0.3, 1.0]), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(dist.tail_scales_, [0.0, 0.0])


def test_empirical_smooth_tails():
    data = np.random.default_rng(0).exponential(1.0, 2000) + 5.0
    plain = EmpiricalDistribution().fit(data)
    dist = EmpiricalDistribution(smooth_tails=True).fit(data)
    # interior unchanged
    q = np.linspace(0.01, 0.99, 50)
    np.testing.assert_array_equal(dist.ppf(q), plain.ppf(q))
    # tails pass the data's range, and cdf inverts ppf there
    qt = np.array([1e-6, 1e-4, 1 - 1e-4, 1 - 1e-6])
    xt = dist.ppf(qt)
    assert xt[0] < data.min() and xt[-1] > data.max()
    np.testing.assert_allclose(dist.cdf(xt), qt, rtol=1e-9)
    # the upper tail scale estimates the exponential's scale (1.0)
    assert abs(dist.tail_scales_[1] - 1.0) < 0.3
    # each tail's density integrates to the probability it holds (1 / 2n)
    lo, hi = data.min(), data.max()
    low_mass, _ = integrate.quad(lambda t: float(np.exp(dist.logpdf(t))), lo - 50, lo)
    high_mass, _ = integrate.quad(lambda t: float(np.exp(dist.logpdf(t))), hi, hi + 50)
    np.testing.assert_allclose([low_mass, high_mass], [0.5 / data.size] * 2, rtol=1e-6)
    y = dist.sample(200_000, seed=1)
    assert y.max() > data.max()


@pytest.mark.parametrize(
    "make",
    [
        lambda: GaussianKDE(bounds="data"),
        lambda: GaussianMixture(n_components=2),
        lambda: AtomMixture(continuous=Gamma()),
        lambda: EmpiricalDistribution(),
    ],
)
def test_nonparametric_save_load_same_samples(make, tmp_path):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.gamma(2, 1, 1500), np.zeros(300)])
    dist = make().fit(
        x if not isinstance(make(), GaussianMixture) else x + rng.normal(0, 0.1, x.size)
    )
    loaded = stochgen.load(stochgen.save(dist, tmp_path / "m"))
    np.testing.assert_array_equal(loaded.sample(4000, seed=8), dist.sample(4000, seed=8))


def test_fit_counts_equals_fit_on_the_repeated_values():
    from stochgen.distributions.empirical import EmpiricalDistribution
    from stochgen.exceptions import ValidationError

    rng = np.random.default_rng(4)
    data = np.round(rng.gamma(2.0, size=500), 1)
    values, counts = np.unique(data, return_counts=True)
    counted = EmpiricalDistribution().fit_counts(values, counts)
    direct = EmpiricalDistribution().fit(data)
    for name in ("values_", "lower_q_", "upper_q_", "tail_scales_"):
        np.testing.assert_array_equal(getattr(counted, name), getattr(direct, name))
    with pytest.raises(ValidationError, match="increasing"):
        EmpiricalDistribution().fit_counts(values[::-1], counts[::-1])
    with pytest.raises(ValidationError, match="positive"):
        EmpiricalDistribution().fit_counts(values, np.zeros_like(counts))
    with pytest.raises(ValidationError, match="smooth_tails"):
        EmpiricalDistribution(smooth_tails=True).fit_counts(values, counts)
