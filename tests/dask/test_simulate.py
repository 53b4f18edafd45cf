"""stochgen.dask.simulate without a cluster: estimates, determinism, table models, errors."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask")

from stochgen.dask import simulate  # noqa: E402
from stochgen.distributions import Exponential, Normal  # noqa: E402
from stochgen.exceptions import ValidationError  # noqa: E402
from stochgen.montecarlo import JointDistribution  # noqa: E402
from stochgen.tabular.synthesizer import CopulaSynthesizer  # noqa: E402


def test_moments_and_quantiles_of_a_known_law():
    joint = JointDistribution([Exponential.from_params(scale=2.0)])
    res = simulate(lambda x: x[:, 0], joint, 100_000, seed=1, block_rows=8_192, scheduler="sync")
    # Exponential(scale 2): mean 2, variance 4, median 2 log 2.
    assert abs(res.mean[0] - 2.0) < 4 * res.std_error[0]
    assert res.std_error[0] == pytest.approx(np.sqrt(4.0 / 100_000), rel=0.05)
    assert res.variance[0] == pytest.approx(4.0, rel=0.05)
    # Median: sampling error about 0.0063, plus the sketch's rank error.
    assert res.quantiles[0.5][0] == pytest.approx(2.0 * np.log(2.0), abs=0.03)
    assert res.rank_error < 0.01


def test_same_seed_same_estimate_whatever_the_partitioning():
    joint = JointDistribution([Normal.from_params(), Normal.from_params()])

    def f(x):
        return x[:, 0] - x[:, 1]

    runs = [
        simulate(f, joint, 50_000, seed=3, block_rows=4_096, blocks_per_task=k, scheduler=s)
        for k, s in ((1, "sync"), (5, "threads"), (100, "sync"))
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(other.mean, runs[0].mean)
        np.testing.assert_array_equal(other.variance, runs[0].variance)
        assert other.quantiles[0.05].tolist() == runs[0].quantiles[0.05].tolist()
    different = simulate(f, joint, 50_000, seed=4, block_rows=4_096, scheduler="sync")
    assert different.mean[0] != runs[0].mean[0]


def test_a_fitted_table_model_is_a_source():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(10.0, 2.0, 2_000), "g": rng.choice(list("ab"), 2_000)})
    model = CopulaSynthesizer().fit(real)
    res = simulate(
        lambda rows: rows["x"].to_numpy(),
        model,
        70_000,
        seed=0,
        block_rows=65_536,
        scheduler="sync",
    )
    direct = model.sample(70_000, seed=0)["x"].to_numpy()
    assert res.mean[0] == pytest.approx(direct.mean(), rel=1e-12)
    assert res.variance[0] == pytest.approx(direct.var(ddof=1), rel=1e-9)


def test_bad_arguments_are_named():
    joint = JointDistribution([Normal.from_params()])
    with pytest.raises(ValidationError, match="quantiles"):
        simulate(lambda x: x[:, 0], joint, 100, quantiles=[1.5])
    with pytest.raises(ValidationError, match="bins"):
        simulate(lambda x: x[:, 0], joint, 100, bins=[1.0, 0.0])
    with pytest.raises(ValidationError, match="f must return"):
        simulate(lambda x: x[:10, 0], joint, 100, scheduler="sync")
    with pytest.raises(TypeError, match="source"):
        simulate(lambda x: x, object(), 100)
    model = CopulaSynthesizer().fit(pd.DataFrame({"x": np.arange(30.0)}))
    with pytest.raises(ValidationError, match="multiple of"):
        simulate(lambda rows: rows["x"], model, 100, block_rows=1_000)
