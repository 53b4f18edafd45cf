import numpy as np
import pandas as pd
import pytest

from stochgen.exceptions import ValidationError
from stochgen.metrics.sequences import (
    autocorrelation,
    change_ks,
    cross_correlation,
    plot_trajectories,
    sequence_lengths,
)


def ar1_panel(rho, n_entities, length, seed, *, beta=0.0):
    """AR(1) x per entity; y[t] = beta * x[t-1] + noise (x leads y by one step)."""
    rng = np.random.default_rng(seed)
    x = np.empty((n_entities, length))
    x[:, 0] = rng.standard_normal(n_entities) / np.sqrt(1 - rho**2)
    for t in range(1, length):
        x[:, t] = rho * x[:, t - 1] + rng.standard_normal(n_entities)
    y = rng.standard_normal((n_entities, length))
    y[:, 1:] += beta * x[:, :-1]
    table = pd.DataFrame(
        {
            "id": np.repeat([f"e{i}" for i in range(n_entities)], length),
            "t": np.tile(np.arange(length), n_entities),
            "x": x.ravel() + np.repeat(rng.normal(0, 5, n_entities), length),  # entity levels
            "y": y.ravel(),
        }
    )
    # Row order must not matter.
    return table.iloc[rng.permutation(len(table))].reset_index(drop=True)


def test_ar1_autocorrelation_recovers_rho():
    rho, length = 0.8, 200
    real = ar1_panel(rho, 60, length, 0)
    synthetic = ar1_panel(0.3, 60, length, 1)
    result = autocorrelation(real, synthetic, "id", "t", lags=3).set_index(["column", "lag"])
    # Mean of 60 per-entity estimates (sd ~0.006); at lag 1 the estimator's bias is
    # -(1 + 4 rho) / T (Marriott and Pope 1954), at lags 2 and 3 below 0.04 here.
    assert result.loc[("x", 1), "real"] == pytest.approx(rho - (1 + 4 * rho) / length, abs=0.02)
    for lag in (1, 2, 3):
        assert result.loc[("x", lag), "real"] == pytest.approx(rho**lag, abs=0.05)
        assert result.loc[("x", lag), "synthetic"] == pytest.approx(0.3**lag, abs=0.04)
        assert result.loc[("y", lag), "real"] == pytest.approx(0.0, abs=0.02)
    assert result.loc[("x", 1), "difference"] == pytest.approx(0.3 - 0.8, abs=0.05)


def test_change_ks_tells_dynamics_apart_with_equal_levels():
    rho = 0.9
    real = ar1_panel(rho, 40, 100, 2)
    same = ar1_panel(rho, 40, 100, 3)
    # Shuffling steps within entity keeps every entity's values, destroys the dynamics.
    rng = np.random.default_rng(4)
    shuffled = real.copy()
    shuffled["t"] = rng.permutation(len(real)) % 100 + 1000 * real["id"].str[1:].astype(int)
    good = change_ks(real, same, "id", "t").set_index("column")
    bad = change_ks(real, shuffled, "id", "t").set_index("column")
    assert good.loc["x", "score"] > 0.93
    assert bad.loc["x", "score"] < 0.8
    assert good.loc["x", "n_real"] == 40 * 99


def test_sequence_lengths_tv():
    real = pd.DataFrame({"id": np.repeat(np.arange(4), [2, 2, 3, 3])})
    synthetic = pd.DataFrame({"id": np.repeat(np.arange(4), [2, 3, 3, 5])})
    result = sequence_lengths(real, synthetic, "id")
    # Real lengths {2: 1/2, 3: 1/2}, synthetic {2: 1/4, 3: 1/2, 5: 1/4}: TV = 1/4.
    assert result["tv_complement"] == pytest.approx(0.75)
    assert result["real_mean"] == 2.5 and result["synthetic_max"] == 5.0


def test_cross_correlation_finds_the_lead():
    beta = 0.8
    real = ar1_panel(0.0, 50, 100, 5, beta=beta)
    synthetic = ar1_panel(0.0, 50, 100, 6, beta=0.0)
    result = cross_correlation(real, synthetic, "id", "t", lags=2)
    lead = result[(result["column_1"] == "x") & (result["column_2"] == "y")].set_index("lag")
    # x white noise (var 1), y[t] = beta x[t-1] + e: corr(x[t], y[t+1]) = beta / sqrt(1 + beta^2).
    assert lead.loc[1, "real"] == pytest.approx(beta / np.sqrt(1 + beta**2), abs=0.04)
    assert lead.loc[1, "synthetic"] == pytest.approx(0.0, abs=0.04)
    assert lead.loc[0, "real"] == pytest.approx(0.0, abs=0.04)
    assert lead.loc[2, "real"] == pytest.approx(0.0, abs=0.04)
    lag = result[(result["column_1"] == "y") & (result["column_2"] == "x")].set_index("lag")
    assert lag.loc[1, "real"] == pytest.approx(0.0, abs=0.04)


def test_bad_arguments_name_themselves():
    table = ar1_panel(0.5, 3, 5, 7)
    with pytest.raises(ValidationError, match="entity: unknown column 'who'"):
        autocorrelation(table, table, "who", "t")
    with pytest.raises(TypeError, match="order: column 'id' in real has dtype"):
        change_ks(table, table, "x", "id")
    with pytest.raises(ValidationError, match="lags must be at least 1"):
        autocorrelation(table, table, "id", "t", lags=0)
    gaps = table.assign(t=table["t"].where(table.index > 0))
    with pytest.raises(ValidationError, match="must have no missing values"):
        change_ks(gaps, table, "id", "t")
    with pytest.raises(ValidationError, match="entity: synthetic has no column 'id'"):
        sequence_lengths(table, table.drop(columns="id"), "id")


def test_short_and_constant_sequences_give_nan_not_errors():
    table = pd.DataFrame({"id": [0, 1, 1], "t": [0, 0, 1], "x": [1.0, 2.0, 2.0]})
    result = autocorrelation(table, table, "id", "t", lags=2)
    assert result["real"].isna().all()
    # Entity 1 has one change (0.0) in each table: identical, score 1.
    assert change_ks(table, table, "id", "t").loc[0, "score"] == 1.0
    single = pd.DataFrame({"id": [0, 1], "t": [0, 0], "x": [1.0, 2.0]})
    assert np.isnan(change_ks(single, single, "id", "t").loc[0, "score"])


def test_plot_trajectories():
    pytest.importorskip("matplotlib")
    table = ar1_panel(0.5, 5, 20, 8)
    figure = plot_trajectories(table, table, "id", "t", columns=["x", "y"], n_entities=2)
    assert len(figure.axes) == 4
    assert all(len(ax.lines) == 2 for ax in figure.axes)
    with pytest.raises(ValidationError, match="columns: \\['id'\\] are not number columns"):
        plot_trajectories(table, table, "id", "t", columns=["id"])
