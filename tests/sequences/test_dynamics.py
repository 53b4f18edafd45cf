import numpy as np
import pandas as pd
import pytest

from stochgen import SequenceSynthesizer
from stochgen._kernels.sequences import var_recursion
from stochgen.sequences.dynamics import fit_var, simulate_var, spectral_radius
from tests.reference import sequences as reference


@pytest.mark.parametrize(("p", "d"), [(0, 2), (1, 1), (3, 3)])
def test_var_recursion_matches_numpy_twin(p, d):
    rng = np.random.default_rng(0)
    n, steps = 7, 12
    base = rng.normal(size=(n, steps, d))
    lag_coef = rng.normal(scale=0.3, size=(p + 1, p, d, d))
    chol = np.tril(rng.normal(size=(p + 1, d, d)))
    noise = rng.standard_normal((n, steps, d))
    out = np.empty((n, steps, d))
    var_recursion(base, lag_coef, chol, noise, out)
    np.testing.assert_allclose(
        out, reference.var_recursion(base, lag_coef, chol, noise), rtol=1e-12
    )


def _var_panel(a, n_entities, steps, seed):
    # Gaussian VAR(1) started from its stationary law, so every step has one marginal.
    rng = np.random.default_rng(seed)
    d = a.shape[0]
    cov = np.eye(d)
    for _ in range(500):
        cov = a @ cov @ a.T + np.eye(d)
    x = np.empty((n_entities, steps, d))
    x[:, 0] = rng.multivariate_normal(np.zeros(d), cov, size=n_entities)
    for t in range(1, steps):
        x[:, t] = x[:, t - 1] @ a.T + rng.standard_normal((n_entities, d))
    return x, np.sqrt(np.diag(cov))


def test_fit_var_recovers_a_known_var1():
    a = np.array([[0.5, 0.2], [-0.1, 0.6]])
    x, _ = _var_panel(a, 1, 20_000, seed=1)
    fit = fit_var(x[0], np.arange(20_000), np.ones((20_000, 1)), 4, "bic")
    assert fit.order == 1
    # Standard errors are about 0.007: 0.03 is over four of them.
    np.testing.assert_allclose(fit.lag_coef[1, 0], a, atol=0.03)
    np.testing.assert_allclose(fit.noise_chol[1] @ fit.noise_chol[1].T, np.eye(2), atol=0.05)


def test_fit_var_matches_statsmodels():
    statsmodels = pytest.importorskip("statsmodels.tsa.api")
    a = np.array([[0.4, 0.3, 0.0], [0.0, 0.5, -0.2], [0.1, 0.0, 0.3]])
    x, _ = _var_panel(a, 1, 400, seed=2)
    y = x[0]
    ours = fit_var(y, np.arange(400), np.ones((400, 1)), 5, "aic")
    theirs = statsmodels.VAR(y)
    chosen = theirs.select_order(5).selected_orders["aic"]
    assert ours.order == chosen
    result = theirs.fit(ours.order)
    np.testing.assert_allclose(
        ours.exog_coef[ours.order][0], result.intercept, rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        np.stack(list(ours.lag_coef[ours.order])), result.coefs, rtol=1e-5, atol=1e-7
    )
    ours_cov = ours.noise_chol[ours.order] @ ours.noise_chol[ours.order].T
    np.testing.assert_allclose(ours_cov, result.sigma_u, rtol=1e-5)


def test_orders_that_explode_are_not_chosen():
    # A random walk fitted with a trend: the explosive over-fit orders are skipped.
    lag = np.array([[[1.2]]])
    assert spectral_radius(lag) == pytest.approx(1.2)
    rng = np.random.default_rng(3)
    z = np.cumsum(rng.standard_normal(60))[:, None]
    fit = fit_var(z, np.arange(60), np.ones((60, 1)), 4)
    assert spectral_radius(fit.lag_coef[fit.order]) ** 61 <= 2.0


def test_ar1_recovered_through_the_synthesizer_and_its_samples():
    phi = 0.7
    x, _ = _var_panel(np.array([[phi]]), 1, 5_000, seed=4)
    real = pd.DataFrame({"t": np.arange(5_000), "x": x[0, :, 0] * 3.0 + 10.0})
    model = SequenceSynthesizer(order="t", trend=False, criterion="bic").fit(real)
    assert model.dynamics_["order"] == 1
    # Latent scores of a Gaussian column are its standardized values: the coefficient is phi.
    assert model.dynamics_["lag_coef"][1, 0, 0, 0] == pytest.approx(phi, abs=0.03)
    synthetic = model.sample(1, seed=0)
    again = SequenceSynthesizer(order="t", trend=False, criterion="bic").fit(synthetic)
    assert again.dynamics_["lag_coef"][1, 0, 0, 0] == pytest.approx(phi, abs=0.04)
    # Levels keep the marginal: mean 10, sd 3 / sqrt(1 - phi^2) within a few standard errors.
    assert synthetic["x"].mean() == pytest.approx(10.0, abs=0.5)
    assert synthetic["x"].std() == pytest.approx(3.0 / np.sqrt(1 - phi**2), rel=0.08)


def test_var1_panel_recovered_in_latent_units():
    a = np.array([[0.5, 0.2], [-0.1, 0.6]])
    x, sd = _var_panel(a, 300, 25, seed=5)
    real = pd.DataFrame(
        {
            "id": np.repeat(np.arange(300), 25),
            "step": np.tile(np.arange(25), 300),
            "u": x[:, :, 0].ravel(),
            "v": x[:, :, 1].ravel(),
        }
    )
    model = SequenceSynthesizer(entity="id", order="step", trend=False, criterion="bic").fit(real)
    assert model.dynamics_["order"] == 1
    # Scores are values over their stationary sd: coefficients D^-1 A D, standard errors ~0.01.
    expected = a * sd[None, :] / sd[:, None]
    np.testing.assert_allclose(model.dynamics_["lag_coef"][1, 0], expected, atol=0.05)
    synthetic = model.sample(300, seed=1)
    refit = SequenceSynthesizer(entity="id", order="step", trend=False, criterion="bic")
    refit.fit(synthetic)
    np.testing.assert_allclose(refit.dynamics_["lag_coef"][1, 0], expected, atol=0.07)


def test_simulate_var_first_steps_use_lower_orders():
    rng = np.random.default_rng(6)
    z = np.zeros(3_000)
    for t in range(2, 3_000):
        z[t] = 0.5 * z[t - 1] + 0.3 * z[t - 2] + rng.standard_normal()
    fit = fit_var(z[:, None], np.arange(3_000), np.ones((3_000, 1)), 3, "bic")
    assert fit.order == 2
    assert fit.lag_coef.shape == (3, 2, 1, 1)
    assert fit.lag_coef[1, 1, 0, 0] == 0.0  # the one-lag model has no second lag
    out = simulate_var(fit, np.ones((2, 5, 1)), np.zeros((2, 5, 1)))
    assert out.shape == (2, 5, 1)
    np.testing.assert_allclose(out[:, 0, 0], fit.exog_coef[0, 0, 0])
