"""Bivariate families: densities, fitting, sampling, conditional sampling, rotations."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special, stats
from statsmodels.distributions.copula import api as smc

from stochgen.copulas import (
    ClaytonCopula,
    FrankCopula,
    GumbelCopula,
    JoeCopula,
    select_copula,
)
from stochgen.copulas import bivariate as bv

CLASSES = {"clayton": ClaytonCopula, "frank": FrankCopula, "gumbel": GumbelCopula, "joe": JoeCopula}
ROTATED = [(f, r) for f in ("clayton", "gumbel", "joe") for r in (0, 90, 180, 270)] + [("frank", 0)]


def test_logpdf_and_cdf_equal_statsmodels():
    # statsmodels' Frank log-density takes the log of a negative number for theta < 0,
    # so only positive Frank parameters are compared.
    u = np.random.default_rng(0).uniform(0.001, 0.999, (500, 2))
    for family, sm_cls, theta in [
        ("clayton", smc.ClaytonCopula, 2.5),
        ("frank", smc.FrankCopula, 0.4),
        ("frank", smc.FrankCopula, 7.0),
        ("gumbel", smc.GumbelCopula, 1.7),
    ]:
        cop = CLASSES[family].from_params(theta=theta)
        assert_allclose(cop.logpdf(u), sm_cls(theta).logpdf(u), rtol=1e-8)
        assert_allclose(cop.cdf(u), sm_cls(theta).cdf(u), rtol=1e-8)


@pytest.mark.parametrize(("family", "rotation"), ROTATED)
def test_density_integrates_to_one(family, rotation):
    # Midpoint rule in normal-score space, where every density here is smooth.
    z = np.linspace(-8.5, 8.5, 1201)
    mid = (z[1:] + z[:-1]) / 2
    x, y = np.meshgrid(mid, mid)
    u1, u2 = special.ndtr(x).ravel(), special.ndtr(y).ravel()
    ok = (u1 > 0) & (u1 < 1) & (u2 > 0) & (u2 < 1)
    theta = {"clayton": 3.0, "frank": 6.0, "gumbel": 2.5, "joe": 2.5}[family]
    dens = np.exp(bv.pair_logpdf(family, rotation, (theta,), u1[ok], u2[ok]))
    weight = (stats.norm.pdf(x) * stats.norm.pdf(y)).ravel()[ok] * (z[1] - z[0]) ** 2
    assert abs(np.sum(dens * weight) - 1.0) < 2e-3


TAUS = (0.15, 0.5, 0.8)


@pytest.mark.parametrize("family", ["clayton", "frank", "gumbel", "joe"])
@pytest.mark.parametrize("tau", TAUS)
def test_parameter_and_tau_recovered_at_n_20000(family, tau):
    n = 20_000
    for rotation in (0, 90) if family != "frank" else (0,):
        signed = tau if rotation == 0 else -tau
        (theta,) = bv.pair_param_from_tau(family, rotation, signed)
        assert bv.pair_tau(family, rotation, (theta,)) == pytest.approx(signed, abs=1e-9)
        u = CLASSES[family].from_params(theta=theta, rotation=rotation).sample(n, seed=7)
        fitted = CLASSES[family](rotation=rotation).fit(u)
        assert fitted.theta_ == pytest.approx(theta, rel=0.05), rotation
        # Tau inversion is less efficient: check it on the tau scale, 4 standard errors.
        itau = CLASSES[family](rotation=rotation, method="itau").fit(u)
        assert itau.kendall_tau == pytest.approx(signed, abs=4 / np.sqrt(n))
        # Kendall's tau of the sample: its standard error is below 1/sqrt(n) here.
        assert stats.kendalltau(u[:, 0], u[:, 1])[0] == pytest.approx(signed, abs=4 / np.sqrt(n))


def test_frank_negative_parameter_recovered():
    u = FrankCopula.from_params(theta=-5.0).sample(20_000, seed=1)
    assert FrankCopula().fit(u).theta_ == pytest.approx(-5.0, rel=0.05)


def _cvm(u, cdf):
    # Cramer-von Mises distance between the empirical copula of u and cdf.
    below = (u[:, None, 0] <= u[None, :, 0]) & (u[:, None, 1] <= u[None, :, 1])
    empirical = below.mean(axis=0)
    return float(np.sum((empirical - cdf(u)) ** 2))


@pytest.mark.parametrize(("family", "rotation"), ROTATED)
def test_samples_match_the_copula_cvm(family, rotation):
    theta = {"clayton": 2.0, "frank": 5.0, "gumbel": 2.0, "joe": 2.0}[family]
    cop = CLASSES[family].from_params(theta=theta, rotation=rotation)
    u = cop.sample(2000, seed=3)
    # Under the model the statistic is O(1) with mean ~0.03; 0.3 is far in its tail.
    assert _cvm(u, cop.cdf) < 0.3
    wrong = CLASSES[family].from_params(theta=theta * 1.6 if family != "frank" else -theta)
    if family != "frank":
        wrong.set_params(rotation=(rotation + 180) % 360)
    assert _cvm(u, wrong.cdf) > 0.3


def test_d_dimensional_frailty_samples_match_cdf():
    for cls, theta in [
        (ClaytonCopula, 1.5),
        (FrankCopula, 4.0),
        (GumbelCopula, 1.8),
        (JoeCopula, 2.0),
    ]:
        cop = cls.from_params(theta=theta, dim=4)
        u = cop.sample(2000, seed=5)
        pair = cls.from_params(theta=theta)
        assert _cvm(u[:, [0, 3]], pair.cdf) < 0.3, cls.__name__
        # cdf on the diagonal of the 4-d copula versus the empirical frequency
        q = np.full((1, 4), 0.5)
        assert np.mean(np.all(u <= 0.5, axis=1)) == pytest.approx(cop.cdf(q)[0], abs=0.04)
        assert cls().fit(u).theta_ == pytest.approx(theta, rel=0.1)


def test_clayton_d_dimensional_logpdf_integrates_over_margin():
    # Integrating out the last coordinate of a 3-d Clayton density gives the 2-d density.
    cop3, cop2 = ClaytonCopula.from_params(theta=2.0, dim=3), ClaytonCopula.from_params(theta=2.0)
    nodes, weights = np.polynomial.legendre.leggauss(400)
    t = (nodes + 1) / 2
    pts = np.column_stack([np.full(400, 0.3), np.full(400, 0.6), t])
    integral = np.sum(np.exp(cop3.logpdf(pts)) * weights / 2)
    assert integral == pytest.approx(np.exp(cop2.logpdf([[0.3, 0.6]])[0]), rel=1e-4)


@pytest.mark.parametrize(("family", "rotation"), ROTATED)
def test_conditional_sample_matches_conditional_cdf_ks(family, rotation):
    theta = {"clayton": 2.0, "frank": 5.0, "gumbel": 2.0, "joe": 2.0}[family]
    cop = CLASSES[family].from_params(theta=theta, rotation=rotation)
    rows = cop.conditional_sample(3000, {0: 0.2}, seed=4)
    assert np.all(rows[:, 0] == 0.2)
    cond = np.full(1, 0.2)

    def cdf1(x):
        return bv.pair_hfunc1(family, rotation, (theta,), np.full(x.shape, 0.2), x)

    assert stats.kstest(rows[:, 1], cdf1).pvalue > 1e-3
    rows = cop.conditional_sample(3000, {1: 0.9}, seed=4)

    def cdf2(x):
        return bv.pair_hfunc2(family, rotation, (theta,), x, np.full(x.shape, 0.9))

    assert stats.kstest(rows[:, 0], cdf2).pvalue > 1e-3
    # The conditional law differs from the marginal: a uniform fit is rejected.
    assert stats.kstest(rows[:, 0], "uniform").pvalue < 1e-3
    assert cond.shape == (1,)


@pytest.mark.parametrize("family", ["clayton", "gumbel", "joe"])
def test_rotations_move_tail_dependence(family):
    theta = 3.0
    base = CLASSES[family].from_params(theta=theta).tail_dependence
    lam = max(base["lower"], base["upper"])
    assert lam > 0.5
    r180 = CLASSES[family].from_params(theta=theta, rotation=180).tail_dependence
    assert (r180["lower"], r180["upper"]) == (base["upper"], base["lower"])
    r90 = CLASSES[family].from_params(theta=theta, rotation=90).tail_dependence
    r270 = CLASSES[family].from_params(theta=theta, rotation=270).tail_dependence
    assert r90["lower"] == r90["upper"] == r270["lower"] == r270["upper"] == 0.0
    assert r90["upper_lower"] == base["lower"] and r270["lower_upper"] == base["lower"]
    # Empirically: joint exceedances of a small quantile q, over q, in each corner.
    q = 0.01
    tail = "lower" if family == "clayton" else "upper"
    corner_of = {
        0: {"lower": "lower", "upper": "upper"},
        180: {"lower": "upper", "upper": "lower"},
        90: {"lower": "upper_lower", "upper": "lower_upper"},
        270: {"lower": "lower_upper", "upper": "upper_lower"},
    }
    for rotation, corners in corner_of.items():
        cop = CLASSES[family].from_params(theta=theta, rotation=rotation)
        u = cop.sample(200_000, seed=9)
        lo1, lo2 = u[:, 0] < q, u[:, 1] < q
        hi1, hi2 = u[:, 0] > 1 - q, u[:, 1] > 1 - q
        freq = {
            "lower": np.mean(lo1 & lo2) / q,
            "upper": np.mean(hi1 & hi2) / q,
            "upper_lower": np.mean(hi1 & lo2) / q,
            "lower_upper": np.mean(lo1 & hi2) / q,
        }
        corner = corners[tail]
        assert cop.tail_dependence[corner] == pytest.approx(lam)
        # At q = 0.01 the frequency is within 0.1 of its limit for theta = 3.
        assert freq[corner] == pytest.approx(lam, abs=0.1), (rotation, corner)
        discordant = ("upper_lower", "lower_upper") if rotation in (0, 180) else ("lower", "upper")
        assert all(freq[k] < 0.02 for k in discordant), (rotation, freq)


def test_select_copula_ranks_the_true_family_first():
    u = GumbelCopula.from_params(theta=2.5, rotation=270).sample(3000, seed=2)
    best, table = select_copula(u)
    assert (best.family, best.rotation) == ("gumbel", 270)
    assert list(table.columns) == [
        "family",
        "rotation",
        "params",
        "loglik",
        "n_params",
        "aic",
        "bic",
    ]
    assert table["aic"].is_monotonic_increasing
    best_bic, table_bic = select_copula(u, families=("gaussian", "gumbel"), criterion="bic")
    assert best_bic.family == "gumbel" and len(table_bic) == 3
