"""Copulas under every sampling method: uniform margins and the dependence they promise."""

import numpy as np
import pytest
from scipy import stats

from stochgen.copulas import (
    ClaytonCopula,
    FrankCopula,
    GaussianCopula,
    GumbelCopula,
    IndependenceCopula,
    JoeCopula,
    StudentTCopula,
    VineCopula,
)
from stochgen.exceptions import ValidationError
from stochgen.samplers.qmc import METHODS

CORR = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.1], [0.2, 0.1, 1.0]])


def _cases():
    cases = [
        ("gaussian", GaussianCopula.from_params(corr=CORR), 2 / np.pi * np.arcsin(0.5)),
        ("student", StudentTCopula.from_params(corr=CORR, df=4.0), 2 / np.pi * np.arcsin(0.5)),
        ("independence", IndependenceCopula.from_params(dim=3), 0.0),
    ]
    for cls, theta in [
        (ClaytonCopula, 2.0),
        (GumbelCopula, 2.0),
        (JoeCopula, 2.0),
        (FrankCopula, 5.0),
    ]:
        for dim in (2, 3):
            cop = cls.from_params(theta=theta, dim=dim)
            cases.append((f"{cls.__name__}-{dim}", cop, cop.kendall_tau))
    return cases


CASES = _cases()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "cop", "tau"), CASES, ids=[c[0] for c in CASES])
def test_margins_uniform_and_tau_recovered(method, name, cop, tau):
    u = cop.sample(2048, seed=1, method=method)
    assert np.all((u > 0) & (u < 1))
    for j in range(u.shape[1]):
        assert stats.kstest(u[:, j], "uniform").pvalue > 1e-3, j
    # Kendall's tau of 2048 pairs has a standard deviation below 0.015.
    assert stats.kendalltau(u[:, 0], u[:, 1]).statistic == pytest.approx(tau, abs=0.05)


def test_vine_from_uniforms_and_qmc():
    u0 = GaussianCopula.from_params(corr=CORR).sample(1000, seed=0)
    vine = VineCopula(family_set=("gaussian",)).fit(u0)
    u = vine.sample(2048, seed=2, method="sobol")
    assert stats.kendalltau(u[:, 0], u[:, 1]).statistic == pytest.approx(1 / 3, abs=0.06)
    np.testing.assert_array_equal(
        vine.sample(64, seed=3, method="sobol"), vine.sample(64, seed=3, method="sobol")
    )


def test_from_uniforms_checks_its_columns():
    with pytest.raises(ValidationError, match="w must have 4 columns"):
        StudentTCopula.from_params(corr=CORR, df=3.0).from_uniforms(np.full((2, 3), 0.5))
    with pytest.raises(ValidationError, match="theta <= 10"):
        FrankCopula.from_params(theta=30.0, dim=3).sample(4, seed=0, method="sobol")
