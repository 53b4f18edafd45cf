import warnings

import numpy as np
import pytest

from stochgen.exceptions import StochgenWarning
from stochgen.samplers.diagnostics import (
    autocorrelation,
    autocovariance,
    effective_sample_size,
    mcse,
    split_rhat,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    az = pytest.importorskip("arviz")


def _ar1(chains, n, dim, rho, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((chains, n, dim))
    x = np.empty_like(eps)
    x[:, 0] = eps[:, 0]
    for t in range(1, n):
        x[:, t] = rho * x[:, t - 1] + np.sqrt(1 - rho**2) * eps[:, t]
    x[0] += shift
    return x


def _arviz(fn, draws, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = az.convert_to_dataset(draws)  # (chain, draw, dim)
        return fn(data, **kwargs)["x"].values


@pytest.mark.parametrize(("chains", "n", "rho"), [(4, 1000, 0.9), (1, 501, 0.5), (3, 37, 0.0)])
def test_ess_rhat_mcse_match_arviz(chains, n, rho):
    draws = _ar1(chains, n, 3, rho, seed=chains, shift=0.3)
    np.testing.assert_allclose(
        effective_sample_size(draws), _arviz(az.ess, draws, method="mean"), rtol=1e-10
    )
    np.testing.assert_allclose(mcse(draws), _arviz(az.mcse, draws, method="mean"), rtol=1e-10)
    if chains > 1:
        np.testing.assert_allclose(
            split_rhat(draws), _arviz(az.rhat, draws, method="split"), rtol=1e-10
        )


def test_ess_tracks_the_autocorrelation_time():
    rho = 0.8
    draws = _ar1(4, 20_000, 1, rho, seed=1)
    expected = draws.size * (1 - rho) / (1 + rho)
    assert abs(effective_sample_size(draws)[0] / expected - 1) < 0.15


def test_rhat_flags_disagreeing_chains():
    draws = _ar1(4, 500, 2, 0.5, seed=2)
    assert np.all(split_rhat(draws) < 1.01)
    draws[0] += 2.0
    assert np.all(split_rhat(draws) > 1.1)


def test_autocorrelation_matches_direct_sums():
    x = np.random.default_rng(3).standard_normal(50)
    c = x - x.mean()
    direct = np.array([np.sum(c[: 50 - k] * c[k:]) / 50 for k in range(50)])
    np.testing.assert_allclose(autocovariance(x), direct, atol=1e-12)
    np.testing.assert_allclose(autocorrelation(x), direct / direct[0], atol=1e-12)
    two = np.stack([x, 2 * x], axis=1)
    np.testing.assert_allclose(autocorrelation(two, axis=0)[:, 1], direct / direct[0], atol=1e-12)


def test_short_constant_and_nonfinite_chains_never_crash():
    with pytest.warns(StochgenWarning, match="too short"):
        assert np.isnan(effective_sample_size(np.ones((2, 3)))).all()
    with pytest.warns(StochgenWarning, match="too short"):
        assert np.isnan(split_rhat(np.ones((2, 3, 2)))).all()
    constant = np.ones((2, 10))
    assert effective_sample_size(constant)[0] == 20
    assert np.isnan(split_rhat(constant)[0])
    bad = np.zeros((2, 10))
    bad[0, 3] = np.nan
    assert np.isnan(effective_sample_size(bad)[0])
    assert np.isnan(split_rhat(bad)[0])
    with pytest.raises(ValueError, match="dimension"):
        effective_sample_size(np.zeros((1, 2, 3, 4)))
