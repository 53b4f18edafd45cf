import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stochgen
from stochgen.exceptions import NotFittedError, ValidationError
from stochgen.tabular.synthesizer import CopulaSynthesizer

N = 2_000


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(7)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.7, 0.5], [0.7, 1, 0.3], [0.5, 0.3, 1]], size=N)
    income = np.round(np.exp(10 + 0.5 * z[:, 0]), 2)
    age = np.clip(np.round(40 + 12 * z[:, 1]), 18, 90).astype(np.int64)
    group = np.where(z[:, 2] > 0.5, "high", np.where(z[:, 2] < -0.5, "low", "mid"))
    score = np.where(rng.random(N) < 0.1, np.nan, z[:, 2] * 3 + 50)
    start = pd.Series(
        pd.Timestamp("2020-01-01") + pd.to_timedelta(np.round(100 + 30 * z[:, 0]), unit="D")
    ).dt.tz_localize("Europe/Oslo")
    return pd.DataFrame(
        {
            "income": income,
            "age": age,
            "group": group,
            "flag": z[:, 0] > 0,
            "score": score,
            "level": pd.Categorical(group, categories=["low", "mid", "high"], ordered=True),
            "nullable": pd.array(np.where(rng.random(N) < 0.2, None, age // 10), dtype="Int64"),
            "start": start,
            "const": "same",
            "key": [f"cust-{i:05d}" for i in range(N)],
        }
    )


@pytest.fixture(scope="module")
def model(mixed):
    return CopulaSynthesizer().fit(mixed)


def test_schema_inferred(model):
    kinds = model.schema_.describe()["kind"].to_dict()
    assert kinds == {
        "income": "continuous",
        "age": "integer",
        "group": "categorical",
        "flag": "boolean",
        "score": "continuous",
        "level": "ordinal",
        "nullable": "integer",
        "start": "datetime",
        "const": "constant",
        "key": "id",
    }


def test_dtypes_and_columns_round_trip(model, mixed):
    out = model.sample(3_000, seed=1)
    assert list(out.columns) == list(mixed.columns)
    pd.testing.assert_series_equal(out.dtypes, mixed.dtypes)
    assert out["level"].cat.ordered and list(out["level"].cat.categories) == ["low", "mid", "high"]
    assert str(out["start"].dt.tz) == "Europe/Oslo"
    assert (out["const"] == "same").all()
    assert out["key"].is_unique and not out["key"].isin(mixed["key"]).any()


def test_ranges_precision_and_missing_rates(model, mixed):
    out = model.sample(20_000, seed=2)
    assert out["income"].between(mixed["income"].min(), mixed["income"].max()).all()
    assert np.allclose(out["income"], out["income"].round(2))
    assert set(out["group"]) == {"high", "low", "mid"}
    assert (out["start"] == out["start"].dt.normalize()).all()
    for column in ("score", "nullable"):
        p = mixed[column].isna().mean()
        se = np.sqrt(p * (1 - p) / len(out))
        assert abs(out[column].isna().mean() - p) < 5 * se + 1e-3


def test_marginals_match(model, mixed):
    out = model.sample(20_000, seed=3)
    for column in ("income", "age", "score"):
        real, synth = mixed[column].dropna(), out[column].dropna()
        # Two-sample KS critical value at alpha=1e-3 for these sizes is ~0.047.
        assert stats.ks_2samp(real, synth).statistic < 0.047, column
    shares_real = mixed["group"].value_counts(normalize=True)
    shares_synth = out["group"].value_counts(normalize=True)
    assert np.allclose(shares_real, shares_synth[shares_real.index], atol=0.02)


def test_dependence_preserved(model, mixed):
    out = model.sample(20_000, seed=4)
    real = mixed[["income", "age", "score"]].corr(method="spearman")
    synth = out[["income", "age", "score"]].corr(method="spearman")
    assert np.abs(real - synth).to_numpy().max() < 0.06
    # Categorical association: mean score per group keeps its order and size.
    real_means = mixed.groupby("group")["score"].mean()
    synth_means = out.groupby("group")["score"].mean()
    assert np.abs(real_means - synth_means[real_means.index]).max() < 0.5
    # Missingness of score is independent of group in the data; stays so.
    assert out.groupby("group")["score"].apply(lambda s: s.isna().mean()).between(0.07, 0.13).all()


def test_missingness_dependence_kept():
    rng = np.random.default_rng(0)
    b = rng.normal(size=3_000)
    a = np.where(b > 1.0, np.nan, rng.normal(size=3_000))
    out = CopulaSynthesizer().fit(pd.DataFrame({"a": a, "b": b})).sample(10_000, seed=0)
    missing = out["a"].isna()
    assert out.loc[missing, "b"].mean() > 1.0
    assert out.loc[~missing, "b"].mean() < 0.0


def test_same_seed_same_rows_however_split(model):
    whole = model.sample(150_000, seed=11)
    pd.testing.assert_frame_equal(whole, model.sample(150_000, seed=np.random.SeedSequence(11)))
    pd.testing.assert_frame_equal(whole, pd.concat(list(model.iter_sample(150_000, seed=11))))
    assert not whole.head(100).equals(model.sample(150_000, seed=12).head(100))


def test_refit_is_deterministic(mixed):
    a = CopulaSynthesizer().fit(mixed).sample(500, seed=0)
    b = CopulaSynthesizer().fit(mixed).sample(500, seed=0)
    pd.testing.assert_frame_equal(a, b)


def test_zero_rows_keep_dtypes(model, mixed):
    out = model.sample(0, seed=0)
    assert out.empty and list(out.columns) == list(mixed.columns)
    pd.testing.assert_series_equal(out.dtypes, mixed.dtypes)


def test_kind_override():
    df = pd.DataFrame({"code": [1.0, 2.0, 3.0, 1.0, 2.0, 1.0] * 10})
    model = CopulaSynthesizer(kinds={"code": "categorical"}).fit(df)
    assert model.schema_.columns_["code"]["kind"] == "categorical"
    assert set(model.sample(200, seed=0)["code"]) <= {1.0, 2.0, 3.0}


def test_dates_outside_nanosecond_range():
    dates = pd.Series(np.array(["1500-03-01", "1600-07-15", "1650-12-31"], dtype="datetime64[s]"))
    df = pd.DataFrame({"when": dates, "x": [1.0, 2.0, 3.0]})
    out = CopulaSynthesizer().fit(df).sample(50, seed=0)
    assert out["when"].dtype == df["when"].dtype
    assert out["when"].between(dates.min(), dates.max()).all()


def test_all_nan_column_is_documented_as_constant_missing():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "empty": [np.nan] * 3})
    out = CopulaSynthesizer().fit(df).sample(10, seed=0)
    assert out["empty"].isna().all() and out["empty"].dtype == np.float64


def test_many_categories():
    df = pd.DataFrame({"c": [f"v{i % 100_000}" for i in range(200_000)], "x": np.arange(200_000.0)})
    model = CopulaSynthesizer(kinds={"c": "categorical"}).fit(df)
    out = model.sample(1_000, seed=0)
    assert out["c"].isin(df["c"]).all()


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (pd.DataFrame(), ValidationError, "no columns"),
        (pd.DataFrame({"a": []}), ValidationError, "no rows"),
        (pd.DataFrame({"a": [1.0, np.inf]}), ValidationError, r"column 'a': 1 values are inf"),
        (pd.DataFrame({"a": ["x", 1]}), ValidationError, r"column 'a' mixes value types"),
        (pd.DataFrame({1: [1.0]}), TypeError, "column names must be strings"),
    ],
)
def test_hostile_input(frame, error, message):
    with pytest.raises(error, match=message):
        CopulaSynthesizer().fit(frame)


def test_bad_settings_and_calls():
    df = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ValidationError, match="unknown column"):
        CopulaSynthesizer(kinds={"b": "integer"}).fit(df)
    with pytest.raises(ValidationError, match=r"kinds\['a'\] must be one of"):
        CopulaSynthesizer(kinds={"a": "weird"}).fit(df)
    with pytest.raises(ValidationError, match="copula must be one of"):
        CopulaSynthesizer(copula="nope").fit(df)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        CopulaSynthesizer().sample(3)
    with pytest.raises(ValidationError, match="non-negative"):
        CopulaSynthesizer().fit(df).sample(-1)


def test_top_level_names():
    assert stochgen.CopulaSynthesizer is CopulaSynthesizer
    with pytest.raises(AttributeError):
        _ = stochgen.does_not_exist


def test_zero_inflated_column_keeps_both_dependences():
    # Whether a row is zero rises with x, while the size of non-zero values falls with x:
    # one latent axis cannot carry both; the spike dimension can.
    rng = np.random.default_rng(3)
    x = rng.normal(size=4_000)
    positive = rng.random(4_000) < 1 / (1 + np.exp(-1.5 * x))
    amount = np.where(positive, np.exp(1.0 - 0.8 * x + 0.3 * rng.normal(size=4_000)), 0.0)
    real = pd.DataFrame({"x": x, "amount": amount.round(3)})
    model = CopulaSynthesizer().fit(real)
    assert model.columns_["amount"].atom_ == 0.0
    out = model.sample(20_000, seed=1)
    assert abs((out["amount"] == 0).mean() - (real["amount"] == 0).mean()) < 0.02
    real_pos, out_pos = real[real["amount"] > 0], out[out["amount"] > 0]
    assert out_pos[["x", "amount"]].corr("spearman").iloc[0, 1] < -0.6
    assert real_pos[["x", "amount"]].corr("spearman").iloc[0, 1] < -0.6
    assert out.groupby(out["amount"] > 0)["x"].mean().diff().iloc[-1] > 0.8


def test_marginal_settings():
    from stochgen.distributions import Gamma

    rng = np.random.default_rng(8)
    df = pd.DataFrame({"g": rng.gamma(3.0, 2.0, 3_000), "n": rng.normal(5, 1, 3_000)})
    auto = CopulaSynthesizer(marginals="auto").fit(df)
    assert type(auto.columns_["g"].marginal_).__name__ in ("Gamma", "LogNormal")
    assert type(auto.columns_["n"].marginal_).__name__ == "Normal"
    out = auto.sample(20_000, seed=0)
    # A fitted family reproduces the shape: KS against the true law within noise.
    assert stats.kstest(out["g"], stats.gamma(3.0, scale=2.0).cdf).statistic < 0.03
    assert out["g"].between(df["g"].min(), df["g"].max()).all()
    chosen = CopulaSynthesizer(marginals={"g": Gamma(loc=0.0), "n": "normal"}).fit(df)
    assert chosen.columns_["g"].marginal_.params_["loc"] == 0.0
    with pytest.raises(ValidationError, match="unknown column"):
        CopulaSynthesizer(marginals={"zzz": "normal"}).fit(df)
    with pytest.raises(ValidationError, match="marginals\\['g'\\] must be one of"):
        CopulaSynthesizer(marginals={"g": "nonsense"}).fit(df)


def test_auto_marginals_keep_empirical_where_families_fail():
    rng = np.random.default_rng(9)
    bimodal = np.r_[rng.normal(-3, 0.5, 2_000), rng.normal(3, 0.5, 2_000)]
    model = CopulaSynthesizer(marginals="auto").fit(pd.DataFrame({"b": bimodal}))
    assert type(model.columns_["b"].marginal_).__name__ == "EmpiricalDistribution"


def test_ordinal_labels_keep_their_order_on_the_latent_axis():
    rng = np.random.default_rng(4)
    score = rng.normal(size=3_000)
    # Frequency order (mid, low, high) differs from the labels' own order.
    grade = np.where(score > 0.8, "3-high", np.where(score < -0.3, "1-low", "2-mid"))
    df = pd.DataFrame({"grade": grade, "score": score.round(3)})
    model = CopulaSynthesizer(kinds={"grade": "ordinal"}).fit(df)
    assert list(model.columns_["grade"].labels_) == ["1-low", "2-mid", "3-high"]
    out = model.sample(5_000, seed=0)
    means = out.groupby("grade")["score"].mean()
    assert means["1-low"] < means["2-mid"] < means["3-high"]


def test_date_objects_round_trip():
    import datetime as dt

    rng = np.random.default_rng(5)
    days = rng.integers(0, 400, 500)
    dates = [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    dates[3] = None
    df = pd.DataFrame({"day": pd.Series(dates, dtype=object), "x": days * 1.5})
    model = CopulaSynthesizer().fit(df)
    assert model.schema_.columns_["day"]["kind"] == "date"
    out = model.sample(2_000, seed=0)
    present = out["day"].dropna()
    assert all(type(v) is dt.date for v in present)
    assert present.min() >= min(d for d in dates if d) and present.max() <= max(
        d for d in dates if d
    )
    assert out["day"].isna().any()
    # Dates follow x (x = 1.5 * days since 2023-01-01).
    gap = (pd.to_datetime(present) - pd.Timestamp("2023-01-01")).dt.days * 1.5
    assert np.corrcoef(gap, out.loc[present.index, "x"])[0, 1] > 0.95


def test_category_scores_from_fit_labels_equal_lookup_by_value():
    from stochgen.tabular.columns import CategoricalColumn

    column = pd.Series(["b", None, "a", "c", "b", "b", None, "a"], dtype=object)
    codes, labels = CategoricalColumn.prepare(column)
    rows = np.flatnonzero(codes != codes[3])  # a subset in which one label has no rows
    model = CategoricalColumn().fit_codes(codes[rows], labels, dtype="object")
    fast = model.scores_from_codes(codes[rows], labels)
    by_value = model.scores_from_codes(codes[rows], labels.copy())  # another object: lookup
    np.testing.assert_array_equal(fast, by_value)
    assert len(model.labels_) == len(labels) - 1
    assert np.unique(fast).size == len(model.labels_)
