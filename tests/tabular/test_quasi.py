"""Quasi-Monte Carlo tables: ``CopulaSynthesizer.sample(method=...)``."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stochgen import CopulaSynthesizer
from stochgen.exceptions import ValidationError
from stochgen.tabular.constraints import Inequality, Unique


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(11)
    n = 3_000
    x = rng.normal(size=n)
    real = pd.DataFrame(
        {
            "x": x,
            "y": np.exp(0.5 * x + 0.5 * rng.normal(size=n)),
            "k": np.where(x + rng.normal(size=n) > 0.5, "a", "b"),
        }
    )
    return real, CopulaSynthesizer(condition_columns=None).fit(real)


@pytest.mark.parametrize("method", ["sobol", "halton", "antithetic"])
def test_marginals_and_dependence_match_the_random_draw(model, method):
    real, fitted = model
    rows = fitted.sample(4_096, seed=1, method=method)
    for column in ("x", "y"):
        assert stats.ks_2samp(rows[column], real[column]).pvalue > 0.01
    share = (rows["k"] == "a").mean()
    # A point set balances the label share far inside the binomial noise (sd 0.0074).
    assert abs(share - (real["k"] == "a").mean()) < 0.02
    tau_real = stats.kendalltau(real["x"], real["y"]).statistic
    assert abs(stats.kendalltau(rows["x"], rows["y"]).statistic - tau_real) < 0.05


def test_sobol_means_have_a_smaller_error_than_random_rows(model):
    _, fitted = model
    # The model's own mean of x, from a large random draw.
    truth = fitted.sample(2**20, seed=99)["x"].mean()
    n, reps = 1_024, 16
    err = {
        method: np.sqrt(
            np.mean(
                [
                    (fitted.sample(n, seed=r, method=method)["x"].mean() - truth) ** 2
                    for r in range(reps)
                ]
            )
        )
        for method in ("random", "sobol")
    }
    # MC's RMSE is about sd/sqrt(n) = 0.031; scrambled Sobol' several times smaller.
    assert err["sobol"] < err["random"] / 3


def test_same_rows_at_once_in_blocks_and_threads(model):
    _, fitted = model
    n = 150_000
    once = fitted.sample(n, seed=4, method="sobol")
    blocks = pd.concat(list(fitted.iter_sample(n, seed=4, method="sobol")))
    assert once.equals(blocks)
    single = CopulaSynthesizer(condition_columns=None, n_jobs=1).fit(model[0])
    assert single.sample(n, seed=4, method="sobol").equals(once)
    assert not once.equals(fitted.sample(n, seed=5, method="sobol"))


def test_same_rows_on_dask(model):
    pytest.importorskip("dask.dataframe")
    from stochgen.dask import to_dask

    _, fitted = model
    frame = to_dask(fitted, 140_000, seed=2, partition_rows=65_536, method="sobol")
    assert frame.compute().equals(fitted.sample(140_000, seed=2, method="sobol"))


def test_point_sets_refuse_what_they_cannot_drive(model):
    real, fitted = model
    with pytest.raises(ValidationError, match="conditions"):
        fitted.sample(10, seed=0, conditions={"x": (0.0, 1.0)}, method="sobol")
    with pytest.raises(ValidationError, match="method"):
        fitted.sample(10, seed=0, method="sobel")
    with pytest.raises(ValidationError, match="blocks"):
        fitted.sample(10, seed=0, method="lhs")
    student = CopulaSynthesizer(copula="student_t", condition_columns=None).fit(real[["x", "y"]])
    with pytest.raises(ValidationError, match="Gaussian"):
        student.sample(10, seed=0, method="sobol")
    unique = CopulaSynthesizer(condition_columns=None, constraints=[Unique("x")]).fit(real)
    with pytest.raises(ValidationError, match="rejection"):
        unique.sample(10, seed=0, method="sobol")


def test_transform_constraints_hold_under_a_point_set(model):
    real, _ = model
    ordered = CopulaSynthesizer(condition_columns=None, constraints=[Inequality("x", "y")]).fit(
        real.assign(y=real["x"] + np.abs(real["y"]))
    )
    rows = ordered.sample(1_024, seed=0, method="sobol")
    assert (rows["x"] <= rows["y"]).all()
