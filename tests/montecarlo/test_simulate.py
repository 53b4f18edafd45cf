"""simulate: RQMC error bars that cover the truth at their nominal rate; blocks; Dask."""

import numpy as np
import pytest

from stochgen.distributions import Normal, Uniform
from stochgen.exceptions import ValidationError
from stochgen.montecarlo import JointDistribution, simulate


def _smooth(x):
    # A smooth 4-d product with known mean: E[prod(1 + (x_j - 1/2) / (j + 1))] = 1.
    return np.prod(1.0 + (x - 0.5) / np.arange(1, x.shape[1] + 1), axis=1) + x[:, 0] ** 2


UNIFORM4 = JointDistribution([Uniform.from_params()] * 4)


def _truth():
    # E[prod] = 1; E[x0^2] = 1/3.
    return 1.0 + 1.0 / 3.0


@pytest.mark.parametrize("method", ["sobol", "halton", "random"])
def test_interval_covers_the_truth_at_the_nominal_rate(method):
    covered = 0
    runs = 60
    for seed in range(runs):
        res = simulate(_smooth, UNIFORM4, 256, seed=seed, method=method, replications=8)
        covered += res.ci_low <= _truth() <= res.ci_high
    # 95% intervals: with 60 runs, fewer than 50 covering has probability < 1e-3.
    assert covered >= 50


def test_rqmc_beats_mc_and_plain_mc_error_from_variance():
    sobol = simulate(_smooth, UNIFORM4, 4096, seed=1, method="sobol", replications=16)
    mc = simulate(_smooth, UNIFORM4, 4096, seed=1, method="random")
    assert sobol.std_error < mc.std_error / 10
    assert abs(mc.estimate - _truth()) < 4 * mc.std_error
    assert mc.replicates.shape == (1, 1)


def test_blocks_and_dask_give_the_same_estimate():
    joint = JointDistribution({"a": Normal.from_params(), "b": Uniform.from_params()})

    def f(df):
        return np.column_stack([df["a"] ** 2, df["a"] * df["b"]])

    whole = simulate(f, joint, 5000, seed=2, replications=4)
    blocks = simulate(f, joint, 5000, seed=2, replications=4, block_rows=777)
    np.testing.assert_allclose(blocks.replicates, whole.replicates, rtol=1e-12)
    assert whole.estimate.shape == (2,)
    pytest.importorskip("dask")
    on_dask = simulate(f, joint, 5000, seed=2, replications=4, block_rows=2000, dask=True)
    np.testing.assert_allclose(on_dask.replicates, whole.replicates, rtol=1e-12)


def test_errors_are_clear():
    with pytest.raises(ValidationError, match="replications"):
        simulate(_smooth, UNIFORM4, 64, seed=0, method="sobol", replications=1)
    with pytest.raises(ValidationError, match="f must return"):
        simulate(lambda x: x[:3, 0], UNIFORM4, 64, seed=0)
    lhs = simulate(_smooth, UNIFORM4, 100, seed=0, method="lhs", replications=4, block_rows=10)
    assert abs(lhs.estimate - _truth()) < 0.05
