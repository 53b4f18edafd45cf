"""Saved models the fuzz and mutation tests start from (fitted once, kept as bytes)."""

from __future__ import annotations

import functools
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import stochgen


def _mixed_table() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 240
    x = rng.normal(size=n)
    x[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "n": rng.poisson(3, size=n),
            "k": rng.choice(["a", "b", "c"], size=n),
            "b": rng.random(n) < 0.3,
            "t": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "s": "same",
        }
    )


def _build() -> dict[str, object]:
    from stochgen.copulas import GaussianCopula, VineCopula, pseudo_observations
    from stochgen.distributions import EmpiricalDistribution
    from stochgen.distributions.continuous import Gamma
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    rng = np.random.default_rng(5)
    z = rng.multivariate_normal(np.zeros(3), [[1, 0.6, 0.3], [0.6, 1, 0.2], [0.3, 0.2, 1]], 300)
    u = pseudo_observations(z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "synthesizer": CopulaSynthesizer().fit(_mixed_table()),
            "gamma": Gamma().fit(rng.gamma(2.0, 1.5, size=300)),
            "empirical": EmpiricalDistribution().fit(rng.lognormal(size=300)),
            "gaussian_copula": GaussianCopula().fit(u),
            "vine": VineCopula().fit(u),
        }


@functools.cache
def fitted_models() -> dict[str, object]:
    """Return the fitted models by name (fitted once per test session)."""
    return _build()


@functools.cache
def saved_models() -> dict[str, tuple[bytes, bytes | None]]:
    """Return each model's saved files as bytes: (model.json, model.npz or None)."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, model in fitted_models().items():
            path = stochgen.save(model, Path(folder) / f"{name}.json")
            npz = path.with_suffix(".npz")
            out[name] = (path.read_bytes(), npz.read_bytes() if npz.exists() else None)
    return out
