"""privacy="aggregate": no real value and no real row can be read from the model file."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stochgen
from stochgen.distributions.empirical import EmpiricalDistribution
from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.aggregate import quantile_knots
from stochgen.tabular.constraints import FixedCombinations

N_ROWS = 3000
MIN_COUNT = 10


@pytest.fixture(scope="module")
def real():
    rng = np.random.default_rng(7)
    common = ["Oslo", "Rome", "Lima", "Pune"]
    rare = [f"village-{i:02d}" for i in range(40)]  # each seen 1 to 9 times
    rare_rows = np.repeat(rare, rng.integers(1, MIN_COUNT, size=len(rare)))
    city = np.concatenate([rng.choice(common, size=N_ROWS - rare_rows.size), rare_rows])
    return pd.DataFrame(
        {
            # Unrounded measurements: a copied value could not match by chance.
            "height": rng.normal(170.0, 9.0, size=N_ROWS),
            # Zero-inflated: the zero is held by about 30% of the rows, an aggregate itself.
            "amount": np.where(rng.random(N_ROWS) < 0.3, 0.0, rng.lognormal(3.0, 1.0, N_ROWS)),
            "visits": rng.poisson(4.0, size=N_ROWS),
            "city": rng.permutation(city),
            "member": rng.random(N_ROWS) < 0.6,
            "signup": pd.Timestamp("2015-01-01")
            + pd.to_timedelta(rng.integers(0, 300_000_000, size=N_ROWS), unit="s"),
            "level": pd.Categorical(
                rng.choice(
                    ["bronze", "silver", "gold", "platinum"], N_ROWS, p=[0.5, 0.3, 0.198, 0.002]
                ),
                categories=["bronze", "silver", "gold", "platinum"],
                ordered=True,
            ),
        }
    )


def _scalars(value, out):
    """Collect every scalar a JSON document or array holds, strings and numbers apart."""
    if isinstance(value, dict):
        for key, item in value.items():
            out["text"].add(str(key))
            _scalars(item, out)
    elif isinstance(value, list):
        for item in value:
            _scalars(item, out)
    elif isinstance(value, str):
        out["text"].add(value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int | float):
        out["numbers"].add(float(value))
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "USO":
            out["text"].update(str(v) for v in value.ravel())
        elif value.dtype.kind == "M":
            out["numbers"].update(value.astype("datetime64[ns]").astype(np.int64).astype(float))
        elif value.dtype.kind in "iuf":
            out["numbers"].update(value.astype(float).ravel().tolist())


def _file_scalars(path):
    out = {"text": set(), "numbers": set()}
    _scalars(json.loads(path.read_text()), out)
    npz = path.with_suffix(".npz")
    if npz.exists():
        with np.load(npz, allow_pickle=False) as arrays:
            for name in arrays.files:
                _scalars(arrays[name], out)
    return out


def _rare(column, k):
    counts = column.value_counts()
    return set(counts[counts < k].index)


@pytest.fixture(scope="module")
def saved(real, tmp_path_factory):
    model = stochgen.CopulaSynthesizer(privacy="aggregate", min_count=MIN_COUNT, progress=False)
    model.fit(real)
    path = stochgen.save(model, tmp_path_factory.mktemp("aggregate") / "model.json")
    return model, path


def test_no_real_value_or_row_in_the_file(real, saved):
    model, path = saved
    found = _file_scalars(path)
    assert found["numbers"] and found["text"]  # the scan reads the file
    # Numbers: no measurement, amount off the spike or date/time of the table.
    height = set(real["height"])
    amount = set(real["amount"][real["amount"] > 0])
    stamps = real["signup"].astype("datetime64[ns]").astype(np.int64)
    times = set(stamps.astype(float)) | set((stamps // 10**9).astype(float))
    assert not found["numbers"] & height
    assert not found["numbers"] & amount
    assert not found["numbers"] & times
    iso = {t.isoformat() for t in real["signup"]}
    assert not any(text in iso for text in found["text"])
    # Labels seen fewer than MIN_COUNT times (villages, the platinum level) are not in it.
    rare = _rare(real["city"], MIN_COUNT) | _rare(real["level"].astype(str), MIN_COUNT)
    assert len(rare) >= 30
    assert not found["text"] & {str(v) for v in rare}
    # Without a height, an amount or a date of the table, no real row can be read back.
    rows_readable = [
        row
        for row in real.itertuples(index=False)
        if row.height in found["numbers"] or row.signup.isoformat() in found["text"]
    ]
    assert rows_readable == []
    # The file without privacy holds them all: the scan would see them.
    plain = stochgen.CopulaSynthesizer(progress=False).fit(real)
    plain_path = stochgen.save(plain, path.with_name("plain.json"))
    plain_found = _file_scalars(plain_path)
    assert height <= plain_found["numbers"]
    assert {str(v) for v in rare} <= plain_found["text"]


def test_loaded_model_samples_the_same_and_keeps_the_rules(real, saved):
    model, path = saved
    loaded = stochgen.load(path)
    rows = model.sample(2000, seed=3)
    assert rows.equals(loaded.sample(2000, seed=3))
    assert rows.dtypes.drop("level").equals(real.dtypes.drop("level"))
    # Suppressed labels never come back; the rest keep their shares.
    assert set(rows["city"]) == {"Oslo", "Rome", "Lima", "Pune"}
    assert "platinum" not in set(rows["level"].astype(str))
    assert list(rows["level"].cat.categories) == ["bronze", "silver", "gold"]
    share = real["city"].value_counts(normalize=True)["Oslo"]
    assert abs((rows["city"] == "Oslo").mean() - share) < 4 * np.sqrt(share * (1 - share) / 2000)
    # The spike, and the range: extrapolated from the outer knots, near the real one
    # (amounts, all >= 0, stay >= 0).
    assert 0.25 < (rows["amount"] == 0).mean() < 0.35
    assert (rows["amount"] >= 0).all()
    low, high = real["height"].min(), real["height"].max()
    slack = 0.1 * (high - low)
    assert rows["height"].between(low - slack, high + slack).all()
    knots = model.columns_["height"].marginal_.values_
    assert abs(knots[0] - low) < slack and abs(knots[-1] - high) < slack


def test_marginals_close_to_the_data(real, saved):
    model, _ = saved
    rows = model.sample(N_ROWS, seed=1)
    # KS between real and synthetic: at n = m = 3000 the 1% critical distance is 0.042.
    for name in ("height", "amount", "visits"):
        assert stats.ks_2samp(real[name], rows[name]).statistic < 0.042, name
    corr_real = real[["height", "visits"]].corr().iloc[0, 1]
    corr_synth = rows[["height", "visits"]].corr().iloc[0, 1]
    assert abs(corr_real - corr_synth) < 0.06


def test_per_label_models_follow_the_rule(real, saved):
    model, _ = saved
    per_city = model.class_models_["city"]
    assert set(per_city) == {"Oslo", "Rome", "Lima", "Pune"}
    for table in per_city.values():
        assert table.columns_["height"].marginal_.values_.size <= 102
        assert not set(table.columns_["height"].marginal_.values_) & set(real["height"])
    rows = model.sample(500, seed=0, conditions={"city": "Pune"})
    assert (rows["city"] == "Pune").all()


def test_bigger_min_count_drops_per_label_models(real):
    model = stochgen.CopulaSynthesizer(privacy="aggregate", min_count=700, progress=False)
    model.fit(real[["height", "city"]])
    kept = set(model.class_models_["city"])
    assert set(model.columns_["city"].labels_) == {"Pune", "Rome"}
    counts = real["city"].value_counts()
    assert kept == set(counts[counts >= 700].index)
    # N_ROWS // 700 bin means, and the two extremes extrapolated from them.
    assert model.columns_["height"].marginal_.values_.size <= N_ROWS // 700 + 2


def test_quantile_knots_are_bin_means():
    data = np.repeat([1.0, 2.0, 3.0], [30, 5, 25])
    knots = quantile_knots(EmpiricalDistribution().fit(data), 6, 10)
    # Six bins of ten: three of ones, one of five 2s and five 3s, two of threes.
    assert knots.values_.tolist() == [1.0, 2.5, 3.0]
    # The ones keep their flat piece, from the extreme's probability to the third bin's middle.
    assert knots.lower_q_[0] == pytest.approx(0.5 / 60)
    assert knots.upper_q_[0] == pytest.approx(25 / 60)
    assert knots.upper_q_[-1] == pytest.approx(1 - 0.5 / 60)
    # Fewer rows than knots * min_count: fewer knots.
    assert quantile_knots(EmpiricalDistribution().fit(np.arange(35.0)), 100, 10).values_.size == 3


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"privacy": "private"}, "privacy"),
        ({"privacy": "aggregate", "quantile_knots": 1}, "quantile_knots"),
        ({"privacy": "aggregate", "min_count": 0}, "min_count"),
        ({"privacy": "aggregate", "marginals": "auto"}, "marginals"),
        ({"privacy": "aggregate", "marginals": {"height": "normal"}}, "marginals"),
        (
            {"privacy": "aggregate", "constraints": [FixedCombinations(["city", "member"])]},
            "fixed_combinations",
        ),
    ],
)
def test_bad_settings_are_refused(real, settings, match):
    with pytest.raises(ValidationError, match=match):
        stochgen.CopulaSynthesizer(progress=False, **settings).fit(real.head(200))


def test_too_few_rows_and_all_rare_labels(real):
    with pytest.raises(ValidationError, match="min_count=10 rows"):
        stochgen.CopulaSynthesizer(privacy="aggregate", progress=False).fit(real.head(9))
    names = real.head(200).assign(name=[f"person {i % 150}" for i in range(200)])
    with pytest.warns(StochgenWarning, match="pii"):
        model = stochgen.CopulaSynthesizer(
            privacy="aggregate", kinds={"name": "categorical"}, progress=False
        ).fit(names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.sample(50, seed=0)["name"].isna().all()


def test_per_label_columns_too_thin_for_an_aggregate_take_the_whole_tables():
    rng = np.random.default_rng(3)
    n = 600
    group = np.repeat(["big", "small"], [560, 40])
    # In the 40 "small" rows, every shop is seen fewer than 10 times; "rate" has 6 values.
    shop = np.where(
        group == "big", rng.choice(["s1", "s2", "s3"], n), rng.choice(list("abcdefgh"), n)
    )
    rate = np.where((group == "small") & (rng.random(n) < 0.85), np.nan, rng.normal(size=n))
    real = pd.DataFrame({"group": group, "shop": shop, "rate": rate, "x": rng.normal(size=n)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = stochgen.CopulaSynthesizer(
            privacy="aggregate", condition_columns=["group"], progress=False
        ).fit(real)
    small = model.class_models_["group"]["small"]
    assert list(small.columns_["shop"].labels_) == list(model.columns_["shop"].labels_)
    assert small.columns_["rate"].marginal_ is model.columns_["rate"].marginal_
    rows = model.sample(300, seed=0, conditions={"group": "small"})
    assert set(rows["shop"]) <= {"s1", "s2", "s3"}
    # The whole table's own column with fewer than min_count values is refused, named.
    thin = real.assign(rate=np.where(np.arange(n) < 5, 1.5 + np.arange(n), np.nan))
    with pytest.raises(ValidationError, match="'rate' has 5 values"):
        stochgen.CopulaSynthesizer(privacy="aggregate", progress=False).fit(thin)
