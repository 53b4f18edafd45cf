"""Sobol' indices against analytic values; dependent inputs warn."""

import numpy as np
import pytest

from stochgen.copulas import GaussianCopula
from stochgen.distributions import Normal, Uniform
from stochgen.exceptions import StochgenWarning
from stochgen.montecarlo import JointDistribution, sobol_indices


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_truth(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_ishigami_indices_match_analytic_values():
    joint = JointDistribution([Uniform.from_params(loc=-np.pi, scale=2 * np.pi)] * 3)
    res = sobol_indices(ishigami, joint, 8192, seed=0)
    first, total = ishigami_truth()
    np.testing.assert_allclose(res.first, first, atol=0.01)
    np.testing.assert_allclose(res.total, total, atol=0.01)
    assert np.all(res.first_ci[:, 0] <= res.first) and np.all(res.first <= res.first_ci[:, 1])
    # Intervals are honest: they cover the truth (95% each; all six hold here).
    assert np.all((res.total_ci[:, 0] - 0.005 <= total) & (total <= res.total_ci[:, 1] + 0.005))


def test_linear_model_with_named_inputs():
    joint = JointDistribution({"a": Normal.from_params(), "b": Normal.from_params(scale=2.0)})
    res = sobol_indices(lambda df: df["a"] + df["b"], joint, 4096, seed=1)
    assert res.names == ["a", "b"]
    np.testing.assert_allclose(res.first, [0.2, 0.8], atol=0.01)
    np.testing.assert_allclose(res.total, [0.2, 0.8], atol=0.01)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = res.plot()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]


def test_dependent_inputs_warn():
    joint = JointDistribution(
        [Normal.from_params()] * 2, GaussianCopula.from_params(corr=[[1, 0.5], [0.5, 1]])
    )
    with pytest.warns(StochgenWarning, match="dependent"):
        res = sobol_indices(lambda x: x[:, 0] + x[:, 1], joint, 1024, seed=2)
    # Rosenblatt order: x0 carries its own and the shared part, 0.75 of the variance.
    assert res.first[0] == pytest.approx(0.75, abs=0.03)
