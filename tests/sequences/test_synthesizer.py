import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen import SequenceSynthesizer
from stochgen.exceptions import NotFittedError, ValidationError
from stochgen.metrics.sequences import change_ks, sequence_lengths
from stochgen.sequences import plan as plan_module


def _panel(n_entities=60, seed=0):
    """Unbalanced panel: sector shapes length and level; x is AR(1); state is a sticky label."""
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(n_entities):
        sector = "ab"[firm % 2]
        length = int(rng.integers(3, 7) if sector == "a" else rng.integers(10, 16))
        start = int(rng.integers(1990, 1995))
        x = rng.normal() + (3.0 if sector == "b" else 0.0)
        state = rng.choice(["on", "off"])
        for step in range(length):
            x = (3.0 if sector == "b" else 0.0) * 0.3 + 0.7 * x + rng.normal()
            if rng.random() < 0.1:
                state = "off" if state == "on" else "on"
            rows.append((f"firm{firm}", start + step, sector, round(x, 3), state))
    return pd.DataFrame(rows, columns=["firm", "year", "sector", "x", "state"])


@pytest.fixture(scope="module")
def panel():
    return _panel()


@pytest.fixture(scope="module")
def model(panel):
    return SequenceSynthesizer(entity="firm", order="year").fit(panel)


def _ordered(frame, entity, order):
    return bool(
        frame.groupby(entity, sort=False)[order].apply(lambda s: s.is_monotonic_increasing).all()
    )


def test_layout_context_and_order_kept(panel, model):
    assert model.context_columns_ == ["sector"]
    assert model.varying_columns_ == ["x", "state"]
    out = model.sample(200, seed=0)
    assert list(out.columns) == list(panel.columns)
    pd.testing.assert_series_equal(out.dtypes, panel.dtypes)
    assert out["firm"].nunique() == 200
    assert _ordered(out, "firm", "year")
    # Yearly panel: consecutive years, context constant within each entity.
    assert (out.groupby("firm")["year"].diff().dropna() == 1).all()
    assert (out.groupby("firm")["sector"].nunique() == 1).all()
    # Rows of one entity are contiguous.
    assert (out["firm"] != out["firm"].shift()).sum() == 200


def test_lengths_follow_the_unbalanced_panel_and_its_context(panel, model):
    out = model.sample(2_000, seed=1)
    assert sequence_lengths(panel, out, "firm")["tv_complement"] >= 0.9
    lengths = out.groupby("firm").agg(sector=("sector", "first"), n=("year", "size"))
    by_sector = lengths.groupby("sector")["n"]
    assert by_sector.max()["a"] <= 6
    assert by_sector.min()["b"] >= 10


def test_dynamics_follow_the_real_ones(panel, model):
    out = model.sample(600, seed=2)
    # Levels depend on the sector through the context scores.
    means = out.groupby("sector")["x"].mean()
    # Real means 0 and 3.
    assert means["b"] - means["a"] > 2.5
    assert change_ks(panel, out, "firm", "year")["score"].min() >= 0.8
    # The sticky label stays sticky (independent draws would switch half the time).
    same = out.groupby("firm")["state"].transform(lambda s: s.eq(s.shift()))
    stay = same[out.groupby("firm").cumcount() > 0].mean()
    assert stay > 0.75


def test_conditions_on_context_and_fixed_length(model):
    out = model.sample(50, seed=3, conditions={"sector": "b"}, sequence_length=4)
    assert (out["sector"] == "b").all()
    assert (out.groupby("firm").size() == 4).all()
    with pytest.raises(ValidationError, match=r"\['x'\] are not context columns"):
        model.sample(5, seed=0, conditions={"x": 1.0})
    with pytest.raises(ValidationError, match="sequence_length must be at least 1"):
        model.sample(5, seed=0, sequence_length=0)
    with pytest.raises(TypeError, match="conditions must be a dict"):
        model.sample(5, seed=0, conditions=[("sector", "a")])


def test_determinism_blocks_and_files(model, monkeypatch, tmp_path):
    monkeypatch.setattr(plan_module, "BLOCK_SEQUENCES", 7)
    a = model.sample(30, seed=7)
    assert a.equals(model.sample(30, seed=7))
    assert not a.equals(model.sample(30, seed=8))
    blocks = list(model.iter_sample(30, seed=7))
    assert len(blocks) == 5
    pd.testing.assert_frame_equal(pd.concat(blocks), a)
    path = model.sample_to(tmp_path / "rows.csv", 30, seed=7)
    written = pd.read_csv(path)
    np.testing.assert_allclose(written["x"], a["x"])
    assert written["firm"].tolist() == a["firm"].tolist()


def test_save_load_round_trip(model, tmp_path):
    loaded = stochgen.load(stochgen.save(model, tmp_path / "seq.json"))
    assert loaded.sample(20, seed=4).equals(model.sample(20, seed=4))


@pytest.mark.parametrize(
    ("values", "expected_step"),
    [
        (lambda start, n: np.arange(start, start + 2 * n, 2, dtype=np.int64) + 1990, 2),
        (
            lambda start, n: (
                pd.date_range("2021-01-04", periods=n, freq="7D").astype("datetime64[s]")
                + pd.Timedelta(days=start)
            ),
            pd.Timedelta(days=7),
        ),
        (
            lambda start, n: (
                pd.date_range("2021-03-27", periods=n, freq="h", tz="Europe/Paris").astype(
                    "datetime64[us, Europe/Paris]"
                )
                + pd.Timedelta(hours=start)
            ),
            pd.Timedelta(hours=1),
        ),
    ],
    ids=["int", "date", "datetime-tz"],
)
def test_round_trip_of_order_types(values, expected_step, tmp_path):
    rng = np.random.default_rng(9)
    parts = []
    for entity in range(20):
        n = int(rng.integers(20, 40))
        parts.append(
            pd.DataFrame(
                {
                    "id": entity,
                    "t": values(int(rng.integers(0, 5)), n),
                    "y": np.cumsum(rng.normal(size=n)),
                }
            )
        )
    real = pd.concat(parts, ignore_index=True)
    model = SequenceSynthesizer(entity="id", order="t").fit(real)
    out = model.sample(40, seed=0)
    assert out["t"].dtype == real["t"].dtype
    assert _ordered(out, "id", "t")
    # A regular grid stays regular (daylight saving included: UTC hours).
    gaps = out.groupby("id")["t"].diff().dropna()
    assert (gaps == expected_step).all()
    assert out["t"].min() >= real["t"].min()
    loaded = stochgen.load(stochgen.save(model, tmp_path / "m.json"))
    pd.testing.assert_frame_equal(loaded.sample(10, seed=1), model.sample(10, seed=1))


def test_irregular_gaps_are_non_negative_and_follow_the_real_ones():
    rng = np.random.default_rng(10)
    parts = []
    for entity in range(80):
        gaps = rng.choice([1, 2, 3, 30], size=15, p=[0.5, 0.2, 0.2, 0.1])
        days = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.cumsum(gaps), unit="D")
        parts.append(
            pd.DataFrame({"patient": entity, "visit": days, "dose": rng.gamma(2.0, size=15)})
        )
    real = pd.concat(parts, ignore_index=True)
    out = SequenceSynthesizer(entity="patient", order="visit").fit(real).sample(400, seed=0)
    real_gaps = real.groupby("patient")["visit"].diff().dropna().dt.days
    gaps = out.groupby("patient")["visit"].diff().dropna().dt.days
    assert gaps.min() >= 1
    assert set(gaps.unique()) <= {1, 2, 3, 30}
    shares = gaps.value_counts(normalize=True)
    real_shares = real_gaps.value_counts(normalize=True)
    # 5,600 gaps: shares within 0.03 (about four standard errors).
    assert (shares - real_shares).abs().max() < 0.03


def test_single_series_with_a_drifting_column():
    rng = np.random.default_rng(11)
    n = 300
    level = 100.0 + np.cumsum(1.0 + 0.5 * rng.standard_normal(n))
    rate = np.zeros(n)
    for t in range(1, n):
        rate[t] = 0.8 * rate[t - 1] + rng.standard_normal()
    real = pd.DataFrame(
        {"date": pd.date_range("1950-01-01", periods=n, freq="MS"), "gdp": level, "rate": rate}
    )
    model = SequenceSynthesizer(order="date").fit(real)
    assert model.integrated_columns_ == ["gdp"]
    assert model.varying_columns_ == ["rate"]
    out = model.sample(3, seed=0, sequence_length=n)
    assert len(out) == 3 * n
    assert out["date"].iloc[0] == real["date"].iloc[0]
    assert out["gdp"].iloc[0] == real["gdp"].iloc[0]
    assert out["gdp"].between(real["gdp"].min(), real["gdp"].max()).all()
    # Monthly: every gap one calendar month (28 to 31 days) within each stacked series.
    within = out["date"].diff().dropna().dt.days
    assert within[within > 0].between(28, 31).all()
    changes = np.diff(out["gdp"].to_numpy().reshape(3, n), axis=1).ravel()
    real_changes = np.diff(level)
    assert abs(changes.mean() - real_changes.mean()) < 0.15
    assert changes.std() == pytest.approx(real_changes.std(), rel=0.2)


def test_missing_values_in_a_varying_column_keep_their_rate():
    real = _panel(seed=12)
    real.loc[real.index % 5 == 0, "x"] = np.nan
    out = SequenceSynthesizer(entity="firm", order="year").fit(real).sample(500, seed=0)
    assert out["x"].isna().mean() == pytest.approx(0.2, abs=0.04)


def test_no_order_and_no_varying_columns():
    real = pd.DataFrame({"g": [1, 1, 2, 2, 2, 3], "c": ["a", "a", "b", "b", "b", "a"]})
    model = SequenceSynthesizer(entity="g").fit(real)
    assert model.context_columns_ == ["c"]
    out = model.sample(10, seed=0)
    assert list(out.columns) == ["g", "c"]
    assert out.groupby("g").size().isin([1, 2, 3]).all()


def test_bad_input_errors(panel):
    with pytest.raises(NotFittedError):
        SequenceSynthesizer(entity="firm").sample(3)
    with pytest.raises(ValidationError, match="entity: unknown column 'nope'"):
        SequenceSynthesizer(entity="nope").fit(panel)
    with pytest.raises(TypeError, match="order: column 'sector' has dtype"):
        SequenceSynthesizer(entity="firm", order="sector").fit(panel)
    with pytest.raises(ValidationError, match="entity and order are the same column"):
        SequenceSynthesizer(entity="firm", order="firm").fit(panel)
    broken = panel.copy()
    broken.loc[3, "firm"] = None
    with pytest.raises(ValidationError, match="entity: column 'firm' has 1 missing values"):
        SequenceSynthesizer(entity="firm").fit(broken)
    broken = panel.copy()
    broken.loc[3, "year"] = np.nan
    with pytest.raises(ValidationError, match="order: column 'year' has 1 missing values"):
        SequenceSynthesizer(entity="firm", order="year").fit(broken)
    with pytest.raises(ValidationError, match=r"context: columns \['x'\] change within an entity"):
        SequenceSynthesizer(entity="firm", context=["x"]).fit(panel)
    with pytest.raises(ValidationError, match="needs entity"):
        SequenceSynthesizer(order="year", context=["sector"]).fit(panel)
    with pytest.raises(ValidationError, match="max_lags must be a non-negative integer"):
        SequenceSynthesizer(entity="firm", max_lags=-1).fit(panel)
    with pytest.raises(ValidationError, match="criterion"):
        SequenceSynthesizer(entity="firm", criterion="hqic").fit(panel)
    with pytest.raises(ValidationError, match=r"differences: \['state'\] are not time-varying"):
        SequenceSynthesizer(entity="firm", differences=["state"]).fit(panel)
    with pytest.raises(ValidationError, match="reserved"):
        SequenceSynthesizer(entity="firm").fit(panel.assign(__length__=1))
    with pytest.raises(TypeError, match="entity must be a column name"):
        SequenceSynthesizer(entity=3).fit(panel)
    single = SequenceSynthesizer(order="year").fit(panel[["year", "x"]].drop_duplicates("year"))
    with pytest.raises(ValidationError, match="single series"):
        single.sample(2, conditions={"x": 1.0})


def test_cli_fits_and_samples_sequences(panel, tmp_path, capsys):
    from stochgen.cli import main

    data = tmp_path / "panel.csv"
    panel.to_csv(data, index=False)
    model = tmp_path / "seq.json"
    assert main(["fit", str(data), "-o", str(model), "--entity", "firm", "--order", "year"]) == 0
    out = tmp_path / "out.csv"
    assert main(["sample", str(model), "-n", "12", "-o", str(out), "--seed", "3"]) == 0
    assert "wrote 12 sequences" in capsys.readouterr().out
    rows = pd.read_csv(out)
    assert rows["firm"].nunique() == 12
    assert _ordered(rows, "firm", "year")
    loaded = stochgen.load(model)
    expected = loaded.sample(12, seed=3)
    np.testing.assert_allclose(rows["x"], expected["x"])
    args = ["sample", str(model), "-n", "2", "-o", str(tmp_path / "b.csv"), "--balance", "sector"]
    assert main(args) == 2


def test_evaluate_sequences_reports_the_dynamics(panel, model, tmp_path):
    pytest.importorskip("matplotlib")
    out = model.sample(100, seed=5)
    report = stochgen.evaluate_sequences(panel, out, "firm", "year", lags=2)
    assert report.order_kept == 1.0
    assert report.lengths["tv_complement"] > 0.8
    assert set(report.autocorrelation["lag"]) == {1, 2}
    assert report.changes["column"].tolist() == ["x"]
    assert report.rows.score > 0.8
    assert "Time order kept      100.0%" in report.summary()
    shuffled = out.sample(frac=1.0, random_state=0)
    assert stochgen.evaluate_sequences(panel, shuffled, "firm", "year").order_kept < 0.5
    path = report.to_html(tmp_path / "report.html")
    text = path.read_text()
    assert "Trajectories" in text and "data:image/png;base64" in text


def test_a_numeric_context_drives_the_dynamics_under_conditions():
    # The context scores of sampled sequences are taken under the fitted marginals, not
    # ranked among the sequences of a block: a block whose sequences all share one
    # conditioned value used to get the median's score, whatever the value.
    rng = np.random.default_rng(4)
    rows = []
    for firm in range(120):
        size = round(float(rng.uniform(0.0, 10.0)), 2)
        x = size
        for step in range(8):
            x = 0.5 * size + 0.5 * x + 0.3 * rng.normal()
            rows.append((f"f{firm}", 2000 + step, size, round(x, 3)))
    panel = pd.DataFrame(rows, columns=["firm", "year", "size", "x"])
    model = SequenceSynthesizer(entity="firm", order="year", context=["size"]).fit(panel)
    sizes = np.sort(panel["size"].unique())
    low, high = float(sizes[5]), float(sizes[-6])
    for size in (low, high):
        out = model.sample(40, seed=5, conditions={"size": size})
        assert (out["size"] == size).all()
        assert out["x"].mean() == pytest.approx(size, abs=1.0)
    one = model.sample(1, seed=6, conditions={"size": high})
    assert one["x"].mean() == pytest.approx(high, abs=1.5)
