"""The table core: latent layer, sampling plan, and the regressions the rebuild fixed."""

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stochgen
from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.constraints import Bounds, FixedCombinations, Inequality, Unique
from stochgen.tabular.latent import LatentTable, pairwise_correlation
from stochgen.tabular.plan import SamplingPlan
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(0)
    n = 600
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "n": np.round(np.exp(0.3 * x + 6.0) + rng.integers(0, 50, n)).astype(np.int64),
            "g": np.where(x + rng.normal(size=n) > 0, "hi", "lo"),
            "m": np.where(rng.random(n) < 0.2, np.nan, x * 2.0),
        }
    )


def test_latent_table_layout_scores_and_rows(mixed):
    table = LatentTable().fit(mixed)
    assert table.layout_ == [
        ("x", "value"),
        ("n", "value"),
        ("g", "label"),
        ("m", "value"),
        ("m", "missing"),
    ]
    assert table.corr_.shape == (5, 5)
    assert np.all(np.linalg.eigvalsh(table.corr_) > 0)
    scores = table.scores(mixed)
    assert scores.shape == (len(mixed), 5)
    assert np.array_equal(np.isnan(scores[:, 3]), mixed["m"].isna().to_numpy())
    rows = table.rows(np.zeros((3, 5)), row_offset=10)
    assert list(rows.index) == [10, 11, 12]
    assert rows.dtypes.astype(str).tolist() == [str(t) for t in mixed.dtypes]


def test_scores_are_under_the_fitted_model_row_by_row(mixed):
    table = LatentTable()
    fitted = table.fit_transform(mixed)
    scores = table.scores(mixed)
    # The real rows get the scores fit_transform gave them, whichever rows come along.
    np.testing.assert_allclose(fitted, scores, rtol=0, atol=1e-9)
    # A row's score does not depend on the rows passed with it (it did: ranks within them).
    for rows in ([0], [5, 400], list(range(0, 600, 7))):
        np.testing.assert_array_equal(table.scores(mixed.iloc[rows]), scores[rows])
    # New values fall between the scores of their neighbours.
    x = np.sort(mixed["x"].to_numpy())
    probe = mixed.iloc[[0, 1]].copy()
    probe["x"] = [(x[99] + x[100]) / 2, x[-1] + 1.0]
    z = table.scores(probe)[:, 0]
    below, above = table.scores(mixed.loc[mixed["x"].isin(x[[99, 100]])])[:, 0]
    assert min(below, above) < z[0] < max(below, above)
    assert z[1] >= scores[:, 0].max()


def test_pairwise_correlation_equals_pandas_pairwise_complete():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 6))
    x[:, 1] += x[:, 0]
    x[rng.random(x.shape) < 0.25] = np.nan
    x[:380, 4] = np.nan  # few rows shared with others
    x[:, 5] = np.nan  # never observed
    expected = pd.DataFrame(x).corr(min_periods=3).to_numpy()
    expected = np.where(np.isfinite(expected), expected, 0.0)
    np.testing.assert_allclose(pairwise_correlation(x), expected, rtol=1e-12, atol=1e-12)


def test_per_label_models_are_fitted_latent_tables(mixed):
    model = CopulaSynthesizer().fit(mixed)
    per_label = model.class_models_["g"]
    assert set(per_label) == {"hi", "lo"}
    for label, table in per_label.items():
        assert isinstance(table, LatentTable)
        assert table.n_rows_ == int((mixed["g"] == label).sum())
    # Each label's rows follow that label's real distribution.
    rows = model.sample(4_000, seed=3, conditions={"g": "hi"})
    real = mixed.loc[mixed["g"] == "hi", "x"]
    assert stats.ks_2samp(rows["x"], real).pvalue > 0.01


def test_small_label_correlation_is_shrunk_toward_the_whole_table():
    # 25 rows of 40 correlated columns: the label's sample correlation is
    # singular; shrunk toward the whole table's (weight d / (n + d)) it is
    # positive definite and between the two.
    rng = np.random.default_rng(5)
    n, d = 2_000, 40
    factor = rng.normal(size=(n, 1))
    values = 0.8 * factor + 0.6 * rng.normal(size=(n, d))
    table = pd.DataFrame(values, columns=[f"x{i}" for i in range(d)])
    table["g"] = np.where(np.arange(n) < 25, "rare", "common")
    whole = LatentTable().fit(table.drop(columns="g"))
    rare = table.loc[table["g"] == "rare"].drop(columns="g")
    alone = LatentTable().fit(rare)
    shrunk = LatentTable().fit(rare, prior=whole)
    weight = d / (25 + d)
    np.linalg.cholesky(shrunk.corr_)  # raises if not positive definite
    off = ~np.eye(d, dtype=bool)
    # The label's own correlation before any repair: corrected for the
    # attenuation of its 25-point empirical scores.
    attenuation = np.concatenate([c.attenuation for c in alone.columns_.values()])
    raw = pairwise_correlation(alone.fit_transform(rare)) / np.outer(attenuation, attenuation)
    expected = (1 - weight) * raw + weight * whole.corr_
    np.testing.assert_allclose(shrunk.corr_[off], expected[off], atol=1e-12)
    # Through the synthesizer: the rare label's model is shrunk toward the
    # whole table's, far from the singular correlation of its 25 rows.
    model = CopulaSynthesizer().fit(table)
    rare_corr = model.class_models_["g"]["rare"].corr_[:d, :d]
    whole_corr = model.latent_.corr_[:d, :d]
    assert np.abs(rare_corr - whole_corr)[off].max() < 0.5 * np.abs(raw - whole_corr)[off].max()


def test_prior_with_fewer_dimensions_counts_the_missing_ones_as_uncorrelated(mixed):
    whole = LatentTable().fit(mixed[["x", "n"]])
    with_missing = LatentTable().fit(mixed, prior=whole)
    m_dims = [i for i, (column, _) in enumerate(with_missing.layout_) if column == "m"]
    target = with_missing._prior_correlation(whole)
    assert np.all(target[m_dims][:, [0]] == 0.0)
    assert target[0, 1] == whole.corr_[0, 1]


def test_plan_validates_eagerly_even_for_zero_rows(mixed):
    model = CopulaSynthesizer().fit(mixed)
    with pytest.raises(ValidationError, match="nope"):
        model.sample(0, conditions={"nope": 1}, seed=-5)
    with pytest.raises(ValueError, match="seed"):
        model.sample(0, seed=-5)
    plan = model.plan({"x": (0.0, None)})
    assert isinstance(plan, SamplingPlan)
    assert plan.sample(0, seed=1).dtypes.equals(mixed.dtypes)


def test_plan_blocks_equal_sample_whatever_the_split(mixed):
    model = CopulaSynthesizer(n_jobs=2).fit(mixed)
    plan = model.plan({"g": "lo"})
    whole = model.sample(150_000, seed=8, conditions={"g": "lo"})
    tail = plan.sample(150_000, seed=8, start=65_536)
    pd.testing.assert_frame_equal(tail, whole.iloc[65_536:])
    blocks = list(plan.iter_blocks(150_000, seed=8))
    assert [len(b) for b in blocks] == [65_536, 65_536, 18_928]
    pd.testing.assert_frame_equal(pd.concat(blocks), whole)


def test_range_condition_on_a_column_with_a_quote_in_its_name():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"it's": rng.normal(size=300), "y": rng.normal(size=300)})
    rows = CopulaSynthesizer().fit(df).sample(500, seed=0, conditions={"it's": (0.0, 1.0)})
    assert rows["it's"].between(0.0, 1.0).all()


def test_fixed_combinations_beside_a_column_named_like_its_key():
    rng = np.random.default_rng(3)
    a = rng.choice(["p", "q"], 300)
    df = pd.DataFrame({"a": a, "b": np.where(a == "p", "u", "v"), "a+b": rng.normal(size=300)})
    model = CopulaSynthesizer(constraints=[FixedCombinations(["a", "b"])]).fit(df)
    rows = model.sample(400, seed=0)
    assert list(rows.columns) == ["a", "b", "a+b"]
    assert rows["a+b"].dtype == np.float64
    assert set(zip(rows["a"], rows["b"], strict=True)) <= {("p", "u"), ("q", "v")}


def test_constraints_keep_learned_attributes_not_a_flag(mixed):
    real = mixed.head(60)
    model = CopulaSynthesizer(constraints=[Bounds("x", low=-1.0), Unique("n")])
    model.fit(real[real["x"] >= -1.0])
    for constraint in model.constraints_:
        assert not hasattr(constraint, "fitted_")
        assert hasattr(constraint, "dtype_")
    assert model.constraints_[0].met_by == "latent"
    assert model.constraints_[1].met_by == "rejection"
    assert Inequality("a", "b").replaced_columns() == ["b"]


def test_range_condition_on_a_bounds_column_under_copy_on_write(mixed):
    with pytest.warns(StochgenWarning, match="real rows break a constraint"):
        model = CopulaSynthesizer(constraints=[Bounds("x", low=-1.0, high=2.0)]).fit(mixed)
    rows = model.sample(2_000, seed=1, conditions={"x": (0.5, None)})
    assert rows["x"].between(0.5, 2.0).all()


def test_tz_aware_datetimes_in_a_repeated_hour_never_become_missing():
    # Hourly wall times across the autumn change in Berlin (02:00-03:00 happens twice).
    stamps = pd.date_range("2021-10-30", "2021-11-01", freq="30min", tz="Europe/Berlin")
    df = pd.DataFrame({"t": np.resize(stamps, 2_000), "v": np.arange(2_000.0)})
    rows = CopulaSynthesizer().fit(df).sample(50_000, seed=0)
    assert rows["t"].isna().sum() == 0
    assert str(rows["t"].dtype) == str(df["t"].dtype)


def test_date_conditions_take_dates_and_iso_text():
    days = pd.Series(pd.date_range("2020-01-01", periods=365).date, dtype=object)
    df = pd.DataFrame({"day": days, "v": np.arange(365.0)})
    model = CopulaSynthesizer(kinds={"day": "date"}).fit(df)
    rows = model.sample(200, seed=0, conditions={"day": ("2020-03-01", dt.date(2020, 3, 31))})
    assert all(dt.date(2020, 3, 1) <= d <= dt.date(2020, 3, 31) for d in rows["day"])
    exact = model.sample(5, seed=0, conditions={"day": "2020-06-15"})
    assert set(exact["day"]) == {dt.date(2020, 6, 15)}
    with pytest.raises(ValidationError, match="from 2020-01-01 to 2020-12-30"):
        model.sample(5, seed=0, conditions={"day": "2021-06-15"})


def test_tz_aware_condition_on_a_naive_column_is_a_clear_error():
    df = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=100, freq="h")})
    model = CopulaSynthesizer().fit(df)
    with pytest.raises(ValidationError, match="has a time zone but the column holds naive"):
        model.sample(5, seed=0, conditions={"t": pd.Timestamp("2020-01-02", tz="UTC")})


def test_constant_datetime_column_saves_and_loads(tmp_path):
    df = pd.DataFrame({"when": pd.Timestamp("2024-05-01")}, index=range(30))
    df["x"] = np.arange(30.0)
    model = CopulaSynthesizer().fit(df)
    loaded = stochgen.load(stochgen.save(model, tmp_path / "m.json"))
    rows = loaded.sample(10, seed=0)
    assert (rows["when"] == pd.Timestamp("2024-05-01")).all()
    assert rows.dtypes.equals(df.dtypes)


def test_no_package_imports_another_packages_private_names():
    root = Path(stochgen.__file__).parent
    shared = {"_rng", "_validation", "_base", "_numba", "_kernels", "exceptions", "io", "kinds"}
    offenders = []
    for path in root.rglob("*.py"):
        own = path.relative_to(root).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stochgen."):
                parts = node.module.split(".")
                if parts[1] == own or parts[1] in shared:
                    continue
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or any(p.startswith("_") for p in parts[2:]):
                    offenders.append(f"{path.relative_to(root)}: {node.module}")
    assert not offenders, offenders


def test_tabular_never_imports_dask():
    root = Path(stochgen.__file__).parent / "tabular"
    for path in root.rglob("*.py"):
        assert "stochgen.dask" not in path.read_text(encoding="utf-8"), path


def _models(node, name):
    """Yield every nested model dict of class ``name`` in a model file document."""
    if isinstance(node, dict):
        if node.get("class") == name and "state" in node:
            yield node
        for value in node.values():
            yield from _models(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _models(value, name)


def test_model_files_with_broken_values_are_refused(mixed, tmp_path):
    import json

    from stochgen.exceptions import ModelFileError

    path = stochgen.save(CopulaSynthesizer().fit(mixed), tmp_path / "m.json")

    def load_mutated(name, change):
        document = json.loads(path.read_text())
        change(next(_models(document, name))["state"])
        target = tmp_path / "bad.json"
        target.write_text(json.dumps(document))
        (tmp_path / "bad.npz").write_bytes((tmp_path / "m.npz").read_bytes())
        return stochgen.load(target)

    with pytest.raises(ModelFileError, match="output_columns_"):
        load_mutated("CopulaSynthesizer", lambda s: s.update(output_columns_=["x", "n", "g", "z"]))
    with pytest.raises(ModelFileError, match="dtype_"):
        load_mutated("NumericColumn", lambda s: s.update(dtype_="no such dtype"))
    with pytest.raises(ModelFileError, match="minimum_"):
        load_mutated("NumericColumn", lambda s: s.update(minimum_=s["maximum_"] + 1.0))
    with pytest.raises(ModelFileError, match="probabilities_"):
        load_mutated("CategoricalColumn", lambda s: s.update(probabilities_=[0.5, 0.6]))


def test_per_label_models_keep_the_whole_tables_decimal_places():
    # The rows of label "b" happen to hold whole numbers only: their own
    # decimals would be 0, but the column has two places.
    rng = np.random.default_rng(8)
    x = np.r_[np.round(rng.normal(size=60), 2), np.round(rng.normal(size=60) * 5)]
    table = pd.DataFrame({"x": x, "g": ["a"] * 60 + ["b"] * 60})
    model = CopulaSynthesizer().fit(table)
    assert model.latent_.columns_["x"].decimals_ == 2
    assert model.class_models_["g"]["b"].columns_["x"].decimals_ == 2
    assert LatentTable().fit(table[table["g"] == "b"]).columns_["x"].decimals_ == 0
