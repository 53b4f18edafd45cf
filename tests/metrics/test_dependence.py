import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal, norm

import stochgen
from stochgen.exceptions import ValidationError
from stochgen.metrics.classes import fidelity_by_class
from stochgen.metrics.dependence import kendall_tau_distance, kendall_tau_matrix, tail_dependence

N = 20_000
KINDS = {"c": "continuous", "m": "continuous"}


def gaussian_pair(rho, n, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 2))
    y = rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
    # Marginals do not matter to tau or tail dependence: make one of them skewed.
    return pd.DataFrame({"x": z[:, 0], "y": np.exp(y)})


def clayton_pair(theta, n, seed):
    # Conditional inversion (Nelsen 2006, 4.2): V | U = u from a uniform W.
    rng = np.random.default_rng(seed)
    u, w = rng.random(n), rng.random(n)
    v = ((w ** (-theta / (1 + theta)) - 1) * u ** (-theta) + 1) ** (-1 / theta)
    return pd.DataFrame({"x": norm.ppf(u), "y": v})


def test_gaussian_tau_matches_arcsine_law():
    rho = 0.7
    tau = kendall_tau_matrix(gaussian_pair(rho, N, 0)).loc["x", "y"]
    # tau = 2 / pi * arcsin(rho); its standard error at n = 20,000 is about 0.004.
    assert tau == pytest.approx(2 / np.pi * np.arcsin(rho), abs=0.015)


def test_gaussian_finite_level_tail_dependence():
    rho, q = 0.7, 0.9
    real = gaussian_pair(rho, N, 1)
    result = tail_dependence(real, gaussian_pair(rho, N, 2), q=q)
    z = norm.ppf(q)
    joint_below = multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf([z, z])
    exact = (1 - 2 * q + joint_below) / (1 - q)  # = P(U > q, V > q) / (1 - q), = lower by symmetry
    # About n (1 - q) exact = 1,100 rows in the corner: standard error of the rate ~0.017.
    row = result.iloc[0]
    for column in ("real_lower", "real_upper", "synthetic_lower", "synthetic_upper"):
        assert row[column] == pytest.approx(exact, abs=0.06), column


def test_clayton_lower_tail_seen_and_missed_by_a_gaussian_with_equal_tau():
    theta, q = 2.0, 0.98
    real = clayton_pair(theta, N, 3)
    tau = theta / (theta + 2)  # Clayton's tau
    rho = np.sin(np.pi * tau / 2)  # the Gaussian with the same tau
    synthetic = gaussian_pair(rho, N, 4)
    result = tail_dependence(real, synthetic, q=q).iloc[0]
    u = 1 - q
    exact_lower = (2 * u ** (-theta) - 1) ** (-1 / theta) / u  # C(u, u) / u
    assert result["real_tau"] == pytest.approx(tau, abs=0.015)
    assert result["real_lower"] == pytest.approx(exact_lower, abs=0.1)
    assert result["real_upper"] < 0.3
    assert result["synthetic_lower"] < exact_lower - 0.25
    distance = kendall_tau_distance(real, synthetic)
    assert distance.attrs["max_abs"] < 0.03


def test_negative_dependence_read_on_the_counter_diagonal():
    table = clayton_pair(2.0, 5_000, 5)
    flipped = table.assign(y=-table["y"])
    a = tail_dependence(table, table, q=0.95).iloc[0]
    b = tail_dependence(flipped, flipped, q=0.95).iloc[0]
    assert b["direction"] == -1 and a["direction"] == 1
    assert b["real_tau"] == pytest.approx(-a["real_tau"])
    assert b["real_lower"] == pytest.approx(a["real_lower"])
    assert b["real_upper"] == pytest.approx(a["real_upper"])


def test_tau_distance_of_independent_synthetic():
    real = gaussian_pair(0.7, 5_000, 6)
    rng = np.random.default_rng(7)
    synthetic = real.apply(lambda c: c.to_numpy()[rng.permutation(len(c))])
    result = kendall_tau_distance(real, synthetic)
    tau = result.loc[0, "real_tau"]
    assert result.loc[0, "difference"] == pytest.approx(-tau, abs=0.03)
    assert result.attrs["frobenius"] == pytest.approx(np.sqrt(2) * tau, abs=0.05)
    same = kendall_tau_distance(real, real.copy())
    assert same.attrs == {"frobenius": 0.0, "rms": 0.0, "max_abs": 0.0}


def test_constant_and_missing_columns_give_nan_pairs():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": 5.0, "m": [np.nan, 1.0, np.nan, np.nan]})
    # One value each: inferred "constant"; scored as numbers when said so.
    tau = kendall_tau_matrix(df, kinds=KINDS)
    assert np.isnan(tau.loc["x", "c"]) and np.isnan(tau.loc["x", "m"])
    result = kendall_tau_distance(df, df, kinds=KINDS)
    assert np.isnan(result.attrs["frobenius"])
    assert len(tail_dependence(df, df, kinds=KINDS)) == 0


def test_by_class_finds_the_class_learned_badly():
    rng = np.random.default_rng(8)
    n = 3_000
    group = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    x = rng.normal(size=n) + (group == "c") * 3.0
    real = pd.DataFrame({"group": group, "x": x, "y": x + rng.normal(size=n)})
    # The synthesizer forgot that class c is shifted.
    synthetic = real.copy()
    c = synthetic["group"] == "c"
    synthetic.loc[c, "x"] = rng.normal(size=c.sum())
    result = fidelity_by_class(real, synthetic, "group").set_index("class")
    assert result.attrs["by"] == "group"
    assert list(result.index) == ["a", "b", "c"]
    assert result.loc["a", "score"] == 1.0 and result.loc["b", "score"] == 1.0
    assert result.loc["c", "column_shapes"] < 0.6
    report = stochgen.evaluate(real, synthetic, by="group", detection=False, privacy=False)
    assert "By class of group" in report.summary()
    pd.testing.assert_frame_equal(
        report.details["by_class"], fidelity_by_class(real, synthetic, "group")
    )


def test_by_class_missing_class_and_errors():
    real = pd.DataFrame({"g": ["a", "a", "b"], "x": [1.0, 2.0, 3.0]})
    synthetic = pd.DataFrame({"g": ["a", "a", "a"], "x": [1.0, 2.0, 3.0]})
    result = fidelity_by_class(real, synthetic, "g").set_index("class")
    assert result.loc["b", "n_synthetic"] == 0 and np.isnan(result.loc["b", "score"])
    with pytest.raises(ValidationError, match="by: column 'x' has kind 'integer'"):
        fidelity_by_class(real, synthetic, "x")
    with pytest.raises(ValidationError, match="by: unknown column 'z'"):
        fidelity_by_class(real, synthetic, "z")
    with pytest.raises(ValidationError, match="only column"):
        fidelity_by_class(real[["g"]], synthetic[["g"]], "g")


def test_report_has_dependence_details(real, synthetic):
    report = stochgen.evaluate(real, synthetic, detection=False, privacy=False)
    assert {"kendall_tau", "tail_dependence"} <= set(report.details)
    text = report.summary()
    assert "Kendall tau" in text and "Tail dependence" in text
