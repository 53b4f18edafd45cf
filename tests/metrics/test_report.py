import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import ValidationError
from stochgen.metrics import evaluate, evaluate_files
from stochgen.metrics.report import Report
from stochgen.tabular.files import read_table


def test_identical_tables_score_one_and_detection_near_half(real):
    report = stochgen.evaluate(real, real.copy(), privacy=False, seed=0)
    assert isinstance(report, Report)
    assert report.score == pytest.approx(1.0)
    assert report.column_shapes == pytest.approx(1.0)
    assert report.column_pair_trends == pytest.approx(1.0)
    detection = report.details["detection"]
    assert np.all(np.abs(detection["auc"] - 0.5) < 0.05)
    assert np.all(detection["score"] > 0.9)


def test_shuffled_columns_score_low_on_pair_trends(real):
    rng = np.random.default_rng(3)
    shuffled = real.copy()
    for name in shuffled.columns:
        shuffled[name] = shuffled[name].to_numpy()[rng.permutation(len(shuffled))]
    report = evaluate(real, shuffled, detection=False, privacy=False)
    assert report.column_shapes == pytest.approx(1.0)
    assert report.column_pair_trends < 0.75
    assert report.score < 0.9


def test_shifted_table_detected(real, synthetic):
    report = evaluate(real, synthetic, privacy=False, seed=0)
    assert report.score < 0.97
    assert report.details["detection"]["auc"].max() > 0.6


def test_summary_is_short_and_names_scores(real, synthetic):
    holdout = real.iloc[1500:].reset_index(drop=True)
    train = real.iloc[:1500]
    report = evaluate(train, synthetic, target="flag", holdout=holdout, seed=0)
    text = report.summary()
    assert 4 <= len(text.splitlines()) <= 12
    for needle in ("Fidelity score", "Detection AUC", "ML utility", "Privacy"):
        assert needle in text
    assert set(report.details) == {
        "column_shapes",
        "column_pair_trends",
        "kendall_tau",
        "tail_dependence",
        "detection",
        "utility",
        "privacy",
    }


def test_same_seed_same_report(real, synthetic):
    real, synthetic = real.iloc[:400], synthetic.iloc[:300]
    a = evaluate(real, synthetic, target="group", seed=5)
    b = evaluate(real, synthetic, target="group", seed=5)
    for name in a.details:
        pd.testing.assert_frame_equal(a.details[name], b.details[name])


def test_unknown_target():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "a"]})
    with pytest.raises(ValidationError, match=r"target: unknown column\(s\) \['z'\]"):
        evaluate(df, df, target="z", detection=False, privacy=False)


def test_target_leakage_names_the_column(real):
    leaky = real.assign(flag_copy=real["flag"].map({True: "yes", False: "no"}))
    with pytest.raises(ValidationError, match="'flag_copy'.*target leakage"):
        evaluate(leaky, leaky, target="flag", detection=False, privacy=False)
    leaky = real.assign(x_scaled=3 * real["x"] + 1)
    with pytest.raises(ValidationError, match="'x_scaled'.*target leakage"):
        evaluate(leaky, leaky, target="x", detection=False, privacy=False)


def test_mismatched_columns_and_dtypes(real):
    with pytest.raises(ValidationError, match=r"missing \['x'\]"):
        evaluate(real, real.drop(columns="x"), detection=False, privacy=False)
    wrong = real.assign(x=real["x"].astype(str))
    with pytest.raises(TypeError, match="column 'x': synthetic has dtype (str|object)"):
        evaluate(real, wrong, detection=False, privacy=False)
    wrong = real.assign(when=real["x"])
    with pytest.raises(TypeError, match="column 'when'"):
        evaluate(real, wrong, detection=False, privacy=False)


def test_empty_and_non_frames(real):
    with pytest.raises(ValidationError, match="synthetic has no rows"):
        evaluate(real, real.iloc[:0], detection=False, privacy=False)
    with pytest.raises(TypeError, match="real must be a pandas DataFrame"):
        evaluate(real.to_numpy(), real)
    with pytest.raises(ValidationError, match="kinds: column 'x' has kind 'number'"):
        evaluate(real, real, kinds={"x": "number"}, detection=False, privacy=False)


def test_id_columns_are_skipped(real):
    with_id = real.assign(row=np.arange(len(real)), key=[f"k{i}" for i in range(len(real))])
    report = evaluate(with_id, with_id, detection=False, privacy=False)
    assert report.kinds["row"] == "id" and report.kinds["key"] == "id"
    assert "row" not in set(report.details["column_shapes"]["column"])


def test_all_missing_column_does_not_crash(real, synthetic):
    r = real.assign(w=np.nan)
    s = synthetic.assign(w=np.nan)
    report = evaluate(r, s, detection=False, privacy=False)
    assert np.isfinite(report.score)


def test_evaluate_files_round_trip(tmp_path, real, synthetic):
    real.to_csv(tmp_path / "real.csv", index=False)
    synthetic.to_csv(tmp_path / "synthetic.csv", index=False)
    assert pd.api.types.is_datetime64_any_dtype(read_table(tmp_path / "real.csv")["when"])
    report = evaluate_files(tmp_path / "real.csv", tmp_path / "synthetic.csv", target="group")
    direct = evaluate(real, synthetic, detection=False, privacy=False)
    assert report.score == pytest.approx(direct.score, abs=1e-9)
