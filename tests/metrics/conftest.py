import numpy as np
import pandas as pd
import pytest


def pytest_configure(config):
    # Registered here too, so that this folder runs on its own with --strict-markers.
    config.addinivalue_line(
        "markers", "compat: agreement with other tools (SDMetrics); needs them installed"
    )


def make_table(n: int, seed: int, *, shift: float = 0.0) -> pd.DataFrame:
    """A mixed table: correlated numerics, a category tied to them, booleans, datetimes, NaN."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 3))
    x = z[:, 0] + shift
    y = 0.8 * z[:, 0] + 0.6 * z[:, 1]
    w = np.exp(z[:, 2])
    group = np.where(x + 0.3 * rng.standard_normal(n) > 0.3, "high", "low").astype(object)
    group[rng.random(n) < 0.1] = "mid"
    flag = (y + rng.standard_normal(n)) > 0
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        (50 * (x + 3) + rng.integers(0, 10, n)).round(), unit="D"
    )
    count = rng.poisson(3 + (w > 1), n)
    df = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "w": w,
            "group": group,
            "flag": flag,
            "when": when,
            "count": count,
        }
    )
    df.loc[rng.random(n) < 0.05, "w"] = np.nan
    df.loc[rng.random(n) < 0.05, "group"] = None
    df.loc[rng.random(n) < 0.03, "when"] = pd.NaT
    return df


@pytest.fixture(scope="session")
def real() -> pd.DataFrame:
    return make_table(2000, 0)


@pytest.fixture(scope="session")
def synthetic() -> pd.DataFrame:
    return make_table(1500, 1, shift=0.2)
