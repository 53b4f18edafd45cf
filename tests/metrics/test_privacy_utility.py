import numpy as np
import pandas as pd
import pytest

from stochgen.metrics.privacy import exact_match_rate, privacy
from stochgen.metrics.utility import utility
from tests.metrics.conftest import make_table


@pytest.fixture(scope="module")
def split():
    table = make_table(3000, 7)
    return table.iloc[:1500].reset_index(drop=True), table.iloc[1500:].reset_index(drop=True)


def test_copy_of_training_data_flagged_by_every_metric(split):
    train, holdout = split
    result = privacy(train, train.copy(), holdout, seed=0).set_index("metric")
    assert result.attrs["baseline"] == "holdout"
    assert result["flagged"].all(), result
    assert result.loc["exact_match_rate", "synthetic"] == 1.0
    assert result.loc["dcr_median", "synthetic"] == 0.0
    assert result.loc["share_closer_than_baseline", "synthetic"] > 0.95


def test_copy_flagged_without_holdout(split):
    train, _ = split
    result = privacy(train, train.copy(), seed=0)
    assert result["flagged"].all()


def test_fresh_draw_not_flagged(split):
    train, holdout = split
    fresh = make_table(1500, 99)
    result = privacy(train, fresh, holdout, seed=0).set_index("metric")
    assert not result["flagged"].any(), result
    assert 0.4 < result.loc["share_closer_than_baseline", "synthetic"] < 0.6


def test_exact_match_rate_normalizes_dtypes():
    a = pd.DataFrame({"x": [3, 1, 2], "g": ["u", "v", "u"]})
    b = pd.DataFrame({"x": [2.0, 5.0], "g": pd.Categorical(["u", "u"])})
    assert exact_match_rate(a, b) == 0.5


def test_utility_classification_with_holdout(split):
    train, holdout = split
    synthetic = make_table(1500, 11)
    result = utility(train, synthetic, "group", holdout, seed=0)
    assert result.attrs == {"task": "classification", "target": "group", "test": "holdout"}
    assert list(result.columns) == ["n_train", "accuracy", "f1_macro", "roc_auc"]
    # Same-population synthetic data: close to training on real data.
    assert result.loc["synthetic", "accuracy"] > result.loc["real", "accuracy"] - 0.05
    assert result.loc["real", "roc_auc"] > 0.7


def test_utility_regression_and_useless_synthetic(split):
    train, holdout = split
    rng = np.random.default_rng(0)
    noise = train.apply(lambda c: c.to_numpy()[rng.permutation(len(c))])
    good = utility(train, make_table(1500, 12), "y", holdout, seed=0)
    bad = utility(train, noise, "y", holdout, seed=0)
    assert list(good.columns) == ["n_train", "r2", "mae"]
    assert good.loc["synthetic", "r2"] > 0.5
    assert bad.loc["synthetic", "r2"] < 0.1
    assert good.loc["real+synthetic", "n_train"] == 3000
