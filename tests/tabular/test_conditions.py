import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.synthesizer import CopulaSynthesizer


def _ks_critical(n1, n2, alpha=1e-3):
    # Asymptotic two-sample KS critical value.
    return np.sqrt(-np.log(alpha / 2) / 2) * np.sqrt((n1 + n2) / (n1 * n2))


@pytest.fixture(scope="module")
def rare_table():
    # A 3% class whose numeric columns have their own, differently shaped distributions.
    rng = np.random.default_rng(42)
    n = 6_000
    label = np.where(rng.random(n) < 0.03, "rare", np.where(rng.random(n) < 0.5, "a", "b"))
    rare = label == "rare"
    x = np.where(rare, rng.gamma(2.0, 2.0, n) + 8.0, rng.normal(0.0, 1.0, n))
    y = np.where(rare, rng.uniform(-1, 1, n), 0.8 * x + 0.6 * rng.normal(size=n))
    w = np.where(rare, rng.exponential(1.0, n), rng.lognormal(0.0, 0.5, n))
    return pd.DataFrame({"label": label, "x": x.round(4), "y": y.round(4), "w": w.round(4)})


@pytest.fixture(scope="module")
def model(rare_table):
    return CopulaSynthesizer().fit(rare_table)


def test_rare_class_rows_follow_the_class_distribution(model, rare_table):
    real = rare_table[rare_table["label"] == "rare"]
    out = model.sample(1_000, seed=1, conditions={"label": "rare"})
    assert (out["label"] == "rare").all()
    for column in ("x", "y", "w"):
        statistic = stats.ks_2samp(real[column], out[column]).statistic
        assert statistic < _ks_critical(len(real), len(out)), (column, statistic)


@pytest.fixture(scope="module")
def gaussian_table():
    # Data a Gaussian copula describes exactly: conditioning must reproduce its conditionals.
    rng = np.random.default_rng(5)
    x = rng.normal(size=8_000)
    y = 0.8 * x + 0.6 * rng.normal(size=8_000)
    w = np.exp(0.5 * y + 0.5 * rng.normal(size=8_000))
    return pd.DataFrame({"x": x.round(4), "y": y.round(4), "w": w.round(4)})


def test_range_condition_is_met_exactly_and_follows_the_model(gaussian_table):
    model = CopulaSynthesizer().fit(gaussian_table)
    out = model.sample(3_000, seed=2, conditions={"x": (0.5, 1.5)})
    assert out["x"].between(0.5, 1.5).all()
    real = gaussian_table[gaussian_table["x"].between(0.5, 1.5)]
    for column in ("x", "y", "w"):
        statistic = stats.ks_2samp(real[column], out[column]).statistic
        assert statistic < _ks_critical(len(real), len(out)), (column, statistic)


def test_two_ranges_at_once(gaussian_table):
    model = CopulaSynthesizer().fit(gaussian_table)
    conditions = {"x": (1.0, None), "w": (None, 1.0)}
    out = model.sample(2_000, seed=3, conditions=conditions)
    assert (out["x"] >= 1.0).all()
    assert (out["w"] <= 1.0).all()
    real = gaussian_table[(gaussian_table["x"] >= 1.0) & (gaussian_table["w"] <= 1.0)]
    assert stats.ks_2samp(real["y"], out["y"]).statistic < _ks_critical(len(real), len(out))


def test_open_range_and_combined_conditions(model):
    out = model.sample(500, seed=3, conditions={"label": "a", "x": (None, -1.0)})
    assert (out["label"] == "a").all()
    assert (out["x"] <= -1.0).all()


def test_equality_on_a_continuous_value(gaussian_table):
    model = CopulaSynthesizer().fit(gaussian_table)
    out = model.sample(4_000, seed=4, conditions={"x": 1.0})
    assert (out["x"] == 1.0).all()
    # y | x = 1 is N(0.8, 0.6^2): mean within 5 standard errors, sd within 5%.
    assert abs(out["y"].mean() - 0.8) < 5 * 0.6 / np.sqrt(4_000)
    assert abs(out["y"].std() / 0.6 - 1) < 0.05


def test_missing_value_condition():
    rng = np.random.default_rng(0)
    b = rng.normal(size=3_000)
    a = np.where(b > 0.8, np.nan, rng.normal(size=3_000))
    model = CopulaSynthesizer().fit(pd.DataFrame({"a": a, "b": b}))
    out = model.sample(2_000, seed=0, conditions={"a": None})
    assert out["a"].isna().all()
    assert out["b"].mean() > 0.8


def test_range_over_a_spike_is_met(rare_table):
    rng = np.random.default_rng(1)
    amount = np.where(rng.random(3_000) < 0.5, 0.0, rng.exponential(5.0, 3_000).round(2))
    model = CopulaSynthesizer().fit(pd.DataFrame({"amount": amount, "z": rng.normal(size=3_000)}))
    out = model.sample(1_000, seed=0, conditions={"amount": (0.0, 2.0)})
    assert out["amount"].between(0.0, 2.0).all()
    share_zero = (amount == 0).sum() / ((amount >= 0) & (amount <= 2)).sum()
    assert abs((out["amount"] == 0).mean() - share_zero) < 0.05


def test_conditional_sampling_is_reproducible_and_blockwise(model):
    a = model.sample(70_000, seed=9, conditions={"label": "b"})
    b = model.sample(70_000, seed=9, conditions={"label": "b"})
    pd.testing.assert_frame_equal(a, b)
    parts = list(model.iter_sample(70_000, seed=9, conditions={"label": "b"}))
    pd.testing.assert_frame_equal(a, pd.concat(parts))


def test_small_class_warns_and_uses_the_joint_model():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"c": ["big"] * 500 + ["tiny"] * 5, "v": rng.normal(size=505)})
    model = CopulaSynthesizer().fit(df)
    assert "tiny" not in model.class_models_["c"]
    with pytest.warns(StochgenWarning, match="fewer than 20 rows"):
        out = model.sample(50, seed=0, conditions={"c": "tiny"})
    assert (out["c"] == "tiny").all()


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"label": "nope"}, "never appears"),
        ({"x": (100.0, 200.0)}, "does not meet the fitted values"),
        ({"x": (2.0, 1.0)}, "does not meet the fitted values"),
        ({"x": 1e9}, "outside the fitted values"),
        ({"label": ["a", "b"]}, "give one label"),
        ({"x": None}, "no missing values"),
        ({"zzz": 1}, "unknown column"),
        ({"x": "text"}, "expected a number"),
    ],
)
def test_impossible_or_bad_conditions(model, conditions, message):
    with pytest.raises(ValidationError, match=message):
        model.sample(10, seed=0, conditions=conditions)


def test_condition_columns_setting_checked(rare_table):
    with pytest.raises(ValidationError, match="per-class models are kept for categorical"):
        CopulaSynthesizer(condition_columns=["x"]).fit(rare_table)
    model = CopulaSynthesizer(condition_columns=None).fit(rare_table)
    assert model.class_models_ == {}
    out = model.sample(100, seed=0, conditions={"label": "rare"})
    assert (out["label"] == "rare").all()
