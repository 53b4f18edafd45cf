"""JointDistribution: marginals and dependence under every method, densities, fit, files."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

import stochgen
from stochgen.copulas import ClaytonCopula, GaussianCopula, StudentTCopula
from stochgen.distributions import Gamma, LogNormal, Normal, Poisson, Uniform
from stochgen.exceptions import ValidationError
from stochgen.montecarlo import JointDistribution
from stochgen.samplers.qmc import METHODS

CORR = np.array([[1.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 1.0]])


def _gaussian_joint():
    return JointDistribution(
        {
            "n": Normal.from_params(loc=1.0, scale=2.0),
            "ln": LogNormal.from_params(s=0.4, scale=3.0),
            "u": Uniform.from_params(loc=-1.0, scale=2.0),
        },
        GaussianCopula.from_params(corr=CORR),
    )


@pytest.mark.parametrize("method", METHODS)
def test_gaussian_joint_marginals_and_dependence(method):
    rows = _gaussian_joint().sample(4096, seed=1, method=method)
    assert list(rows.columns) == ["n", "ln", "u"]
    for col, ref in [
        ("n", stats.norm(1.0, 2.0)),
        ("ln", stats.lognorm(0.4, scale=3.0)),
        ("u", stats.uniform(-1.0, 2.0)),
    ]:
        assert stats.kstest(rows[col], ref.cdf).pvalue > 1e-3, col
    tau = stats.kendalltau(rows["n"], rows["ln"]).statistic
    assert tau == pytest.approx(2 / np.pi * np.arcsin(0.6), abs=0.03)
    tau = stats.kendalltau(rows["ln"], rows["u"]).statistic
    assert tau == pytest.approx(2 / np.pi * np.arcsin(-0.3), abs=0.03)


def test_fast_path_equals_the_generic_quantile_path():
    joint = _gaussian_joint()
    w = np.random.default_rng(0).random((300, 3))
    fast = joint.from_uniforms(w).to_numpy()
    u = joint.copula.from_uniforms(w)
    generic = np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(joint.marginals.values())])
    assert_allclose(fast, generic, rtol=1e-9)


@pytest.mark.parametrize("method", ["random", "sobol"])
def test_uniform_first_coordinate_still_drives_the_next(method):
    # A uniform marginal whose row of the Cholesky factor is the unit vector keeps its
    # uniform, but the coordinates correlated with it must still see its normal score.
    joint = JointDistribution(
        [Uniform.from_params(loc=0.0, scale=1.0), Normal.from_params(loc=0.0, scale=1.0)],
        GaussianCopula.from_params(corr=[[1.0, 0.7], [0.7, 1.0]]),
    )
    rows = joint.sample(4096, seed=3, method=method)
    tau = stats.kendalltau(rows[:, 0], rows[:, 1]).statistic
    assert tau == pytest.approx(2 / np.pi * np.arcsin(0.7), abs=0.03)
    w = np.random.default_rng(4).random((300, 2))
    u = joint.copula.from_uniforms(w)
    generic = np.column_stack([u[:, 0], stats.norm.ppf(u[:, 1])])
    assert_allclose(joint.from_uniforms(w), generic, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", ["random", "sobol", "lhs"])
def test_mixed_marginals_with_archimedean_and_scipy(method):
    joint = JointDistribution(
        [Gamma.from_params(a=2.0), Poisson.from_params(mu=3.0), stats.norm(1.0, 2.0)],
        ClaytonCopula.from_params(theta=2.0, dim=3),
    )
    x = joint.sample(3000, seed=2, method=method)
    assert stats.kstest(x[:, 0], stats.gamma(2.0).cdf).pvalue > 1e-3
    assert stats.kstest(x[:, 2], stats.norm(1.0, 2.0).cdf).pvalue > 1e-3
    assert abs(x[:, 1].mean() - 3.0) < 0.15
    tau = stats.kendalltau(x[:, 0], x[:, 2]).statistic
    assert tau == pytest.approx(0.5, abs=0.04)


def test_from_kendall_tau_and_quantiles():
    radius = stochgen.from_quantiles({0.5: 2200.0, 0.9: 2600.0}, family="lognormal")
    joint = JointDistribution.from_kendall_tau(
        {"r": radius, "t": Normal.from_params()}, [[1.0, 0.4], [0.4, 1.0]]
    )
    rows = joint.sample(4096, seed=3, method="sobol")
    assert rows["r"].median() == pytest.approx(2200.0, rel=0.01)
    assert stats.kendalltau(rows["r"], rows["t"]).statistic == pytest.approx(0.4, abs=0.03)


def test_blocks_give_the_same_rows():
    joint = _gaussian_joint()
    whole = joint.sample(1000, seed=4, method="sobol")
    parts = pd.concat(
        [joint.sample(300, seed=4, method="sobol", row_offset=a) for a in (0, 300, 600)]
        + [joint.sample(100, seed=4, method="sobol", row_offset=900)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(parts, whole)


def test_logpdf_and_cdf():
    marg = [Normal.from_params(), Normal.from_params()]
    corr = np.array([[1.0, 0.5], [0.5, 1.0]])
    joint = JointDistribution(marg, GaussianCopula.from_params(corr=corr))
    x = np.random.default_rng(5).normal(size=(20, 2))
    assert_allclose(joint.logpdf(x), stats.multivariate_normal(cov=corr).logpdf(x), rtol=1e-9)
    indep = JointDistribution([Uniform.from_params(), Uniform.from_params()])
    assert_allclose(indep.cdf([[0.5, 0.4]]), [0.2])
    with pytest.raises(ValidationError, match="cdf"):
        joint.cdf(x)


def test_fit_recovers_marginals_and_copula_and_round_trips(tmp_path):
    data = _gaussian_joint().sample(3000, seed=6)
    spec = JointDistribution({"n": Normal(), "ln": LogNormal(), "u": Uniform()}, GaussianCopula())
    fitted = spec.fit(data)
    assert fitted.marginals_[0].params_["scale"] == pytest.approx(2.0, rel=0.05)
    assert_allclose(fitted.copula_.corr_, CORR, atol=0.05)
    loaded = stochgen.load(stochgen.save(fitted, tmp_path / "joint.json"))
    pd.testing.assert_frame_equal(loaded.sample(5, seed=1), fitted.sample(5, seed=1))
    with pytest.raises(TypeError, match="cannot be saved"):
        stochgen.save(JointDistribution([stats.norm()]), tmp_path / "bad.json")


def test_student_t_copula_uses_its_extra_uniform():
    joint = JointDistribution(
        [Normal.from_params()] * 2, StudentTCopula.from_params(corr=CORR[:2, :2], df=3.0)
    )
    assert joint.n_uniforms == 3
    x = joint.sample(2048, seed=7, method="sobol")
    assert stats.kstest(x[:, 0], "norm").pvalue > 1e-3


def test_bad_marginals_are_named():
    with pytest.raises(TypeError, match="ppf"):
        JointDistribution([object()]).sample(3, seed=0)
    with pytest.raises(TypeError, match="copula"):
        JointDistribution([Normal.from_params()], copula="gaussian").sample(3, seed=0)


def test_same_seed_same_rows_and_clone():
    joint = _gaussian_joint()
    assert_array_equal(joint.sample(10, seed=1).to_numpy(), joint.sample(10, seed=1).to_numpy())
    assert isinstance(joint.clone(), JointDistribution)
