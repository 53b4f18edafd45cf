"""The one Gaussian-conditioning routine, from_params constructors and old model files."""

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import stochgen
from stochgen.copulas import ClaytonCopula, GaussianCopula, IndependenceCopula, StudentTCopula
from stochgen.copulas.gaussian import gaussian_conditional, gaussian_fill
from stochgen.exceptions import ValidationError

CORR = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, -0.2], [0.3, -0.2, 1.0]])


def test_conditional_matches_the_joint_regression_for_many_rows():
    values = np.array([[0.5, -1.0], [2.0, 0.3]])
    cond = gaussian_conditional(CORR, [0, 2], values)
    assert cond.free.tolist() == [1]
    # Linear regression of X1 on (X0, X2) on a large sample gives the same weights.
    x = np.random.default_rng(0).multivariate_normal(np.zeros(3), CORR, 200_000)
    beta, *_ = np.linalg.lstsq(x[:, [0, 2]], x[:, 1], rcond=None)
    assert_allclose(cond.mean.ravel(), values @ beta, atol=0.01)
    resid = x[:, 1] - x[:, [0, 2]] @ beta
    assert cond.cov[0, 0] == pytest.approx(resid.var(), rel=0.01)


def test_conditional_with_mean_and_no_given():
    mean = np.array([1.0, 2.0, 3.0])
    cond = gaussian_conditional(CORR, [], np.empty((4, 0)), mean=mean)
    assert_allclose(cond.mean, np.tile(mean, (4, 1)))
    assert_allclose(cond.cov, CORR)
    with pytest.raises(ValidationError, match="given_index"):
        gaussian_conditional(CORR, [0, 0], [1.0, 1.0])
    with pytest.raises(ValidationError, match="given_values"):
        gaussian_conditional(CORR, [0], [1.0, 2.0])


def test_fill_handles_differing_patterns():
    z = np.array([[0.5, np.nan, np.nan], [np.nan, 1.0, np.nan], [0.1, 0.2, 0.3]])
    filled = gaussian_fill(z, CORR)
    assert not np.isnan(filled).any()
    assert_allclose(filled[2], z[2])
    assert_allclose(filled[0, 1:], gaussian_conditional(CORR, [0], [0.5]).mean)
    assert_allclose(filled[1, [0, 2]], gaussian_conditional(CORR, [1], [1.0]).mean)
    # A draw: the conditional law of X1, X2 | X0 = 0.5, checked by KS on many rows.
    many = np.tile([0.5, np.nan, np.nan], (4000, 1))
    draws = gaussian_fill(many, CORR, seed=3)
    cond = gaussian_conditional(CORR, [0], [0.5])
    sd = np.sqrt(cond.cov[0, 0])
    assert stats.kstest(draws[:, 1], "norm", args=(cond.mean[0], sd)).pvalue > 1e-3


def test_conditional_sample_uses_the_conditional_law():
    cop = GaussianCopula.from_params(corr=CORR)
    rows = cop.conditional_sample(4000, {0: 0.9}, seed=1)
    cond = gaussian_conditional(CORR, [0], [stats.norm.ppf(0.9)])
    z1 = stats.norm.ppf(rows[:, 1])
    assert stats.kstest(z1, "norm", args=(cond.mean[0], np.sqrt(cond.cov[0, 0]))).pvalue > 1e-3


def test_from_kendall_tau_and_spearman_recover_their_dependence():
    tau = np.array([[1.0, 0.4], [0.4, 1.0]])
    u = GaussianCopula.from_kendall_tau(tau).sample(5000, seed=0)
    assert stats.kendalltau(u[:, 0], u[:, 1]).statistic == pytest.approx(0.4, abs=0.02)
    u = GaussianCopula.from_spearman(tau).sample(5000, seed=0)
    assert stats.spearmanr(u[:, 0], u[:, 1]).statistic == pytest.approx(0.4, abs=0.02)
    cop = ClaytonCopula.from_kendall_tau(0.5, dim=3)
    assert cop.theta_ == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("GaussianCopula", {"corr": [[1.0, 0.5], [0.5, 1.0]], "method": "mle"}, "corr_"),
        ("StudentTCopula", {"corr": None, "df": None, "method": "itau", "max_rows_df": 10}, None),
        ("ClaytonCopula", {"theta": 2.0, "rotation": 0, "dim": 3, "method": "mle"}, "theta_"),
        ("IndependenceCopula", {"dim": 3}, "dim_"),
    ],
)
def test_model_files_with_the_former_parameter_settings_still_load(
    tmp_path, name, params, expected
):
    # A file as the previous release wrote it: parameters among the settings, unfitted.
    document = {
        "format": "stochgen-model",
        "format_version": 1,
        "stochgen_version": "0.1.0",
        "class": name,
        "model": {"__model__": {"class": name, "params": params, "state": None}},
        "arrays": None,
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    loaded = stochgen.load(path)
    assert type(loaded).__name__ == name
    if expected is None:
        assert not hasattr(loaded, "corr_")
    else:
        assert hasattr(loaded, expected)
        assert loaded.sample(3, seed=0).shape[0] == 3


def test_from_params_models_round_trip(tmp_path):
    for model in (
        GaussianCopula.from_params(corr=CORR),
        StudentTCopula.from_params(corr=CORR, df=4.0),
        ClaytonCopula.from_params(theta=2.0, dim=3),
        IndependenceCopula.from_params(dim=2),
    ):
        loaded = stochgen.load(stochgen.save(model, tmp_path / "m.json"))
        np.testing.assert_array_equal(loaded.sample(5, seed=1), model.sample(5, seed=1))
