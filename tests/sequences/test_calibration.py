import numpy as np
import pandas as pd
import pytest

from stochgen import SequenceSynthesizer
from stochgen.exceptions import ValidationError
from stochgen.metrics.sequences import autocorrelation, change_ks
from stochgen.sequences import calibration
from stochgen.sequences.calibration import mean_autocorrelation, within_changes


def _persistent_peaks(n=40, steps=30, seed=0):
    """Large values persist (a slow log-normal part), middling ones are noise.

    Through normal scores a Gaussian VAR keeps the persistence of the ranks but
    not that of the values: uncalibrated, the values' lag-1 autocorrelation
    comes out about 0.05 low.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for entity in range(n):
        u = rng.normal()
        for t in range(steps):
            u = 0.9 * u + np.sqrt(1 - 0.81) * rng.normal()
            rows.append((entity, t, np.exp(2.0 * u) + 2.0 * rng.normal()))
    return pd.DataFrame(rows, columns=["id", "t", "x"])


@pytest.fixture(scope="module")
def peaks():
    return _persistent_peaks()


def _lag1_gap(real, model, seed=0):
    out = autocorrelation(real, model.sample(400, seed=seed), "id", "t", lags=1)
    return float(out["difference"].iloc[0])


def test_mean_autocorrelation_and_changes_equal_the_metrics():
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 9, size=25)
    rows = [(e, t, rng.normal()) for e, n in enumerate(lengths) for t in range(n)]
    frame = pd.DataFrame(rows, columns=["id", "t", "x"])
    frame.loc[rng.random(len(frame)) < 0.15, "x"] = np.nan
    frame.loc[frame["id"] == 4, "x"] = 1.0  # no variation: left out by both
    codes = frame["id"].to_numpy()
    values = frame["x"].to_numpy()
    expected = autocorrelation(frame, frame, "id", "t", lags=1)["real"].iloc[0]
    np.testing.assert_allclose(mean_autocorrelation(values, codes), expected, rtol=1e-12)
    changes = frame.groupby("id")["x"].diff().dropna().to_numpy()
    np.testing.assert_array_equal(within_changes(values, codes), changes)
    assert np.isnan(mean_autocorrelation(np.ones(6), np.repeat([0, 1], 3)))


def test_large_panels_simulate_a_bounded_subset(monkeypatch):
    # Fewer cells allowed than the copies need: a subset of the sequences, once each.
    monkeypatch.setattr(calibration, "_MAX_CELLS", 300)
    shapes = []
    simulate = calibration.simulate_var

    def recorded(model, exog, noise):
        shapes.append(noise.shape)
        return simulate(model, exog, noise)

    monkeypatch.setattr(calibration, "simulate_var", recorded)
    SequenceSynthesizer(entity="id", order="t").fit(_persistent_peaks(n=40, steps=30))
    # 300 cells / (30 steps x 1 dimension): 10 distinct sequences, not 40 x 17 copies.
    assert shapes
    assert set(shapes) == {(10, 30, 1)}


def test_calibration_matches_the_values_autocorrelation(peaks):
    plain = SequenceSynthesizer(entity="id", order="t", calibrate=0).fit(peaks)
    calibrated = SequenceSynthesizer(entity="id", order="t").fit(peaks)
    before, after = _lag1_gap(peaks, plain), _lag1_gap(peaks, calibrated)
    # About 0.05 low before (a standard error near 0.01 at 400 sequences), within
    # 0.025 after.
    assert before < -0.03
    assert abs(after) < 0.025
    assert after > before + 0.025
    # Only the own lag coefficient and the noise scale move; the changes stay.
    lag_plain, lag_cal = plain.dynamics_["lag_coef"], calibrated.dynamics_["lag_coef"]
    assert lag_cal[-1, 0, 0, 0] > lag_plain[-1, 0, 0, 0] + 0.02
    np.testing.assert_array_equal(plain.dynamics_["exog_coef"], calibrated.dynamics_["exog_coef"])
    ks_plain = change_ks(peaks, plain.sample(400, seed=1), "id", "t")["score"].min()
    ks_cal = change_ks(peaks, calibrated.sample(400, seed=1), "id", "t")["score"].min()
    assert ks_cal > ks_plain - 0.03


def test_calibration_is_a_pure_function_of_table_and_settings(peaks):
    a = SequenceSynthesizer(entity="id", order="t").fit(peaks).dynamics_
    b = SequenceSynthesizer(entity="id", order="t").fit(peaks).dynamics_
    c = SequenceSynthesizer(entity="id", order="t", fit_seed=5).fit(peaks).dynamics_
    np.testing.assert_array_equal(a["lag_coef"], b["lag_coef"])
    np.testing.assert_array_equal(a["noise_chol"], b["noise_chol"])
    assert not np.array_equal(a["lag_coef"], c["lag_coef"])


def test_well_fitted_and_near_unit_root_columns_stay():
    rng = np.random.default_rng(1)
    rows = []
    for entity in range(30):
        x, w = rng.normal(), rng.normal()
        for t in range(25):
            x = 0.5 * x + rng.normal()  # Gaussian AR(1): nothing to correct
            w = 0.97 * w + 0.3 * rng.normal()  # near a unit root: never pushed
            rows.append((entity, t, x, w))
    real = pd.DataFrame(rows, columns=["id", "t", "x", "w"])
    plain = SequenceSynthesizer(entity="id", order="t", calibrate=0, trend=False).fit(real)
    calibrated = SequenceSynthesizer(entity="id", order="t", trend=False).fit(real)
    for name in ("lag_coef", "noise_chol"):
        np.testing.assert_array_equal(plain.dynamics_[name], calibrated.dynamics_[name])


@pytest.mark.parametrize(
    ("setting", "value"), [("calibrate", -1), ("calibrate", 1.5), ("fit_seed", True)]
)
def test_bad_calibration_settings(peaks, setting, value):
    with pytest.raises(ValidationError, match=f"{setting} must be a non-negative integer"):
        SequenceSynthesizer(entity="id", order="t", **{setting: value}).fit(peaks)
