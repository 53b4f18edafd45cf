import numpy as np
import pytest
from scipy import stats

import stochgen
from stochgen.distributions import (
    Binomial,
    Categorical,
    EmpiricalDiscrete,
    FitError,
    Geometric,
    NegativeBinomial,
    Poisson,
)
from stochgen.exceptions import ValidationError

CASES = {
    Poisson: ({"mu": 3.5}, {}),
    NegativeBinomial: ({"n": 2.0, "p": 0.4}, {}),
    Binomial: ({"n": 12.0, "p": 0.3}, {"n": 12.0}),
    Geometric: ({"p": 0.25}, {}),
}
IDS = [c.__name__ for c in CASES]


def chi_square_pvalue(x, pmf):
    values, counts = np.unique(x, return_counts=True)
    expected = pmf(values) * x.size
    # pool the cells with small expectations into their neighbours' tail
    keep = expected >= 5
    obs = np.append(counts[keep], counts[~keep].sum())
    exp = np.append(expected[keep], x.size - expected[keep].sum())
    if exp[-1] < 5:
        obs, exp = obs[:-1], exp[:-1]
        exp *= obs.sum() / exp.sum()
    return stats.chisquare(obs, exp).pvalue


@pytest.mark.parametrize("cls", CASES, ids=IDS)
def test_samples_pass_chi_square(cls):
    params, _ = CASES[cls]
    dist = cls.from_params(**params)
    x = dist.sample(100_000, seed=3)
    assert chi_square_pvalue(x, lambda v: np.exp(dist.logpdf(v))) > 1e-3
    assert np.all(x == np.round(x)) and x.min() >= 0


@pytest.mark.parametrize("cls", CASES, ids=IDS)
def test_parameter_recovery(cls):
    params, fixed = CASES[cls]
    n = 50_000
    x = cls.from_params(**params).sample(n, seed=4)
    fitted = cls(**fixed).fit(x)
    free = [name for name in params if name not in fixed]
    theta = np.array([params[n] for n in free])

    def loglik(t):
        return float(np.sum(cls()._freeze({**params, **dict(zip(free, t, strict=True))}).logpmf(x)))

    k = theta.size
    h = 1e-4 * np.maximum(np.abs(theta), 0.1)
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            hess[i, j] = (
                loglik(theta + ei + ej)
                - loglik(theta + ei - ej)
                - loglik(theta - ei + ej)
                + loglik(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    for name, true, s in zip(free, theta, se, strict=True):
        assert abs(fitted.params_[name] - true) < 5 * s, (name, fitted.params_[name], true, s)


@pytest.mark.parametrize("cls", CASES, ids=IDS)
def test_save_load(cls, tmp_path):
    params, fixed = CASES[cls]
    dist = cls(**fixed).fit(cls.from_params(**params).sample(2000, seed=1))
    loaded = stochgen.load(stochgen.save(dist, tmp_path / "d"))
    np.testing.assert_array_equal(loaded.sample(3000, seed=2), dist.sample(3000, seed=2))


def test_counts_refuse_bad_data():
    with pytest.raises(ValidationError, match="non-negative integers"):
        Poisson().fit([1.0, 2.5])
    with pytest.raises(ValidationError, match="non-negative integers"):
        Poisson().fit([1, -2])
    with pytest.raises(FitError, match="not over-dispersed"):
        NegativeBinomial().fit(Binomial.from_params(n=10, p=0.5).sample(1000, seed=0))


def test_categorical_any_hashable_labels(tmp_path):
    labels = ["red", 3, ("a", 1), None, "red", 3, "red"]
    dist = Categorical().fit(labels)
    assert dist.categories_.tolist() == ["red", 3, ("a", 1), None]
    x = dist.sample(70_000, seed=0)
    counts = [sum(1 for v in x if v == c) for c in ["red", 3]]
    assert (
        stats.chisquare([*counts, x.size - sum(counts)], np.array([3, 2, 2]) / 7 * x.size).pvalue
        > 1e-3
    )
    np.testing.assert_allclose(dist.logpdf(["red", "blue"]), [np.log(3 / 7), -np.inf])
    loaded = stochgen.load(stochgen.save(dist, tmp_path / "c"))
    assert list(loaded.sample(50, seed=1)) == list(dist.sample(50, seed=1))
    with pytest.raises(ValidationError, match="unknown label"):
        dist.cdf(["blue"])


def test_empirical_discrete_chi_square_and_ppf():
    data = np.repeat([0.5, 1.0, 7.0], [10, 60, 30])
    dist = EmpiricalDiscrete().fit(data)
    x = dist.sample(100_000, seed=5)
    counts = np.array([(x == v).sum() for v in [0.5, 1.0, 7.0]])
    assert stats.chisquare(counts, np.array([0.1, 0.6, 0.3]) * x.size).pvalue > 1e-3
    np.testing.assert_array_equal(dist.ppf([0.05, 0.1, 0.11, 0.7, 0.71]), [0.5, 0.5, 1.0, 1.0, 7.0])
    np.testing.assert_allclose(dist.cdf([0.4, 0.5, 6.9, 7.0]), [0.0, 0.1, 0.7, 1.0])
