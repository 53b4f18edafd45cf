"""Fitting from chunks: sketches against exact quantiles, chunked fits against in-memory fits."""

import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.sketches import QuantileSketch
from stochgen.tabular.synthesizer import CopulaSynthesizer

N = 30_000


def _table(n=N, seed=0):
    rng = np.random.default_rng(seed)
    cov = [[1.0, 0.6, 0.3], [0.6, 1.0, -0.4], [0.3, -0.4, 1.0]]
    z = rng.multivariate_normal(np.zeros(3), cov, size=n)
    label = np.where(z[:, 2] > 0.6, "x", np.where(z[:, 2] > -0.4, "y", "z"))
    return pd.DataFrame(
        {
            "income": np.exp(z[:, 0]).round(3),
            "age": (40 + 12 * z[:, 1]).round().astype(np.int64),
            "label": label,
            "debt": np.where(z[:, 1] > 0.8, np.nan, np.where(z[:, 0] < -0.5, 0.0, z[:, 0] + 2)),
            "joined": pd.Timestamp("2020-01-01")
            + pd.to_timedelta((z[:, 2] * 3e6).round() + 5e7, unit="s"),
            "active": z[:, 0] + rng.normal(size=n) > 0,
        }
    )


@pytest.fixture(scope="module")
def table():
    return _table()


@pytest.fixture(scope="module")
def fits(table):
    chunks = [table.iloc[i : i + 4_000] for i in range(0, N, 4_000)]
    return CopulaSynthesizer().fit(table), CopulaSynthesizer().fit(chunks)


def test_sketch_quantiles_within_the_stated_rank_error():
    rng = np.random.default_rng(3)
    data = rng.lognormal(size=400_000)
    sketch = QuantileSketch(capacity=512)
    for part in np.array_split(data, 13):
        sketch.merge(QuantileSketch(capacity=512).update(part))
    q = np.linspace(0.0005, 0.9995, 1999)
    ranks = np.searchsorted(np.sort(data), sketch.quantiles(q), side="right") / data.size
    bound = sketch.rank_error / sketch.n
    assert 0 < bound < 0.03
    assert np.abs(ranks - q).max() <= bound + 1.0 / data.size
    assert sketch.items()[0].size < 512 * 12  # a few levels, not the data


def test_sketch_is_exact_until_it_compacts_and_deterministic():
    values = np.random.default_rng(0).normal(size=1_000)
    sketch = QuantileSketch(capacity=2_048).update(values)
    assert sketch.rank_error == 0
    np.testing.assert_array_equal(sketch.representative(2_048), np.sort(values))
    np.testing.assert_array_equal(sketch.rank([0.0, np.inf]), [np.sum(values <= 0.0), 1_000])
    big = np.random.default_rng(1).normal(size=50_000)
    a = QuantileSketch(64).update(big[:20_000]).merge(QuantileSketch(64).update(big[20_000:]))
    b = QuantileSketch(64).update(big[:20_000]).merge(QuantileSketch(64).update(big[20_000:]))
    np.testing.assert_array_equal(a.items()[0], b.items()[0])


def test_sketch_refuses_bad_input():
    with pytest.raises(ValidationError, match="capacity"):
        QuantileSketch(capacity=4)
    with pytest.raises(ValidationError):
        QuantileSketch().update([1.0, np.inf])
    with pytest.raises(ValidationError, match="q must"):
        QuantileSketch().update([1.0]).quantiles([1.5])


def test_chunked_fit_matches_the_in_memory_fit(table, fits):
    memory, chunked = fits
    assert chunked.latent_.layout_ == memory.latent_.layout_
    np.testing.assert_allclose(chunked.latent_.corr_, memory.latent_.corr_, atol=0.01)
    for name in ("income", "age", "debt"):
        ours, theirs = chunked.columns_[name], memory.columns_[name]
        assert ours.missing_rate_ == theirs.missing_rate_
        assert (ours.minimum_, ours.maximum_, ours.decimals_) == (
            theirs.minimum_,
            theirs.maximum_,
            theirs.decimals_,
        )
        assert ours.atom_ == theirs.atom_
    assert chunked.columns_["debt"].atom_rate_ == pytest.approx(
        memory.columns_["debt"].atom_rate_, abs=0.01
    )
    joined, joined_memory = chunked.columns_["joined"], memory.columns_["joined"]
    assert (joined.step_, joined.minimum_, joined.maximum_) == (
        joined_memory.step_,
        joined_memory.minimum_,
        joined_memory.maximum_,
    )
    assert list(chunked.columns_["label"].labels_) == list(memory.columns_["label"].labels_)
    np.testing.assert_array_equal(
        chunked.columns_["label"].probabilities_, memory.columns_["label"].probabilities_
    )


def test_chunked_marginal_quantiles_within_rank_error(table, fits):
    _, chunked = fits
    marginal = chunked.columns_["income"].marginal_
    q = np.linspace(0.001, 0.999, 999)
    data = np.sort(table["income"].to_numpy())
    values = marginal.ppf(q)
    # Ties (three decimals): q only has to fall inside the value's own rank interval.
    below = np.searchsorted(data, values, side="left") / data.size
    upto = np.searchsorted(data, values, side="right") / data.size
    distance = np.maximum.reduce([below - q, q - upto, np.zeros_like(q)])
    # The fit's sketches (chunks of 4,000 merged) carry about this bound; the marginal
    # is then built on 8,192 equal shares.
    sketch = QuantileSketch()
    for start in range(0, N, 4_000):
        sketch.merge(QuantileSketch().update(table["income"].to_numpy()[start : start + 4_000]))
    tolerance = sketch.rank_error / sketch.n + 1.0 / sketch.capacity
    assert distance.max() <= tolerance


def test_per_label_models_match(fits):
    memory, chunked = fits
    assert set(chunked.class_models_["label"]) == set(memory.class_models_["label"])
    for label, model in memory.class_models_["label"].items():
        np.testing.assert_allclose(
            chunked.class_models_["label"][label].corr_, model.corr_, atol=0.01
        )


def test_chunked_model_saves_loads_and_samples(table, fits, tmp_path):
    _, chunked = fits
    rows = chunked.sample(500, seed=4)
    assert rows.dtypes.equals(table.dtypes)
    path = stochgen.save(chunked, tmp_path / "model.json")
    pd.testing.assert_frame_equal(stochgen.load(path).sample(500, seed=4), rows)
    assert chunked.sample(50, seed=1, conditions={"label": "x"})["label"].eq("x").all()


def test_files_and_generators_give_the_same_fit(table, fits, tmp_path):
    _, chunked = fits
    for i in range(3):
        table.iloc[i * 10_000 : (i + 1) * 10_000].to_parquet(tmp_path / f"part-{i}.parquet")
    from_parquet = CopulaSynthesizer().fit(str(tmp_path / "part-*.parquet"))
    from_generator = CopulaSynthesizer().fit(table.iloc[i : i + 7_000] for i in range(0, N, 7_000))
    for model in (from_parquet, from_generator):
        assert model.n_rows_ == N
        np.testing.assert_allclose(model.latent_.corr_, chunked.latent_.corr_, atol=0.005)
    # CSV holds no dtypes: compare with the in-memory fit of what it reads back.
    table.drop(columns="joined").to_csv(tmp_path / "all.csv", index=False)
    from_csv = CopulaSynthesizer().fit(tmp_path / "all.csv")
    memory = CopulaSynthesizer().fit(pd.read_csv(tmp_path / "all.csv"))
    assert from_csv.latent_.layout_ == memory.latent_.layout_
    np.testing.assert_allclose(from_csv.latent_.corr_, memory.latent_.corr_, atol=0.01)


def test_many_labels_are_ordered_by_frequency_with_a_warning():
    rng = np.random.default_rng(5)
    n = 6_000
    x = rng.normal(size=n)
    code = np.clip(np.round(x * 60 + 150 + rng.normal(size=n) * 5), 0, 299).astype(int)
    frame = pd.DataFrame({"x": x, "code": [f"c{i}" for i in code], "g": rng.choice(list("ab"), n)})
    chunks = [frame.iloc[i : i + 1_500] for i in range(0, n, 1_500)]
    with pytest.warns(StochgenWarning, match=f"'code' has {frame['code'].nunique()} labels"):
        model = CopulaSynthesizer().fit(chunks)
    memory = CopulaSynthesizer().fit(frame)
    column = model.columns_["code"]
    # By frequency: the most frequent label first.
    assert column.probabilities_[0] == column.probabilities_.max()
    assert model.latent_.layout_ == memory.latent_.layout_
    # The small column keeps its indicators: it matches the in-memory fit.
    g = model.latent_.layout_.index(("g", "label"))
    np.testing.assert_allclose(model.latent_.corr_[g], memory.latent_.corr_[g], atol=0.01)
    assert model.sample(100, seed=0)["code"].isin(frame["code"]).all()


def test_chunked_fit_refuses_what_it_cannot_do(table, tmp_path):
    with pytest.raises(ValidationError, match="copula='gaussian'"):
        CopulaSynthesizer(copula="vine").fit([table])
    with pytest.raises(ValidationError, match="no file matches"):
        CopulaSynthesizer().fit(str(tmp_path / "missing-*.parquet"))
    for bad in (42, table.to_numpy(), table["age"], {"age": [1, 2]}):
        with pytest.raises(TypeError, match="DataFrame"):
            CopulaSynthesizer().fit(bad)
    with pytest.raises(TypeError, match="chunk 1"):
        CopulaSynthesizer().fit([table, "not a frame"])
    with pytest.raises(ValidationError, match="no chunks"):
        CopulaSynthesizer().fit([])
    first = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["k", "k", "k"]})
    with pytest.raises(ValidationError, match="'c' is constant in the first chunk"):
        CopulaSynthesizer().fit([first, first.assign(c=["j", "j", "j"])])
    with pytest.raises(ValidationError, match="column 'x': 1 values are inf"):
        CopulaSynthesizer().fit([first, first.assign(x=[1.0, np.inf, 2.0])])
    with pytest.raises(ValidationError, match="'c' is constant in the first chunk"):
        CopulaSynthesizer().fit([first, first.assign(c=["k", "j", "k"])])
