"""Gaussian, Student-t and vine copulas; degenerate inputs; model files."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats
from statsmodels.distributions.copula import api as smc

import stochgen
from stochgen.copulas import (
    ClaytonCopula,
    FrankCopula,
    GaussianCopula,
    GumbelCopula,
    IndependenceCopula,
    JoeCopula,
    StudentTCopula,
    VineCopula,
)
from stochgen.copulas import bivariate as bv
from stochgen.exceptions import NotFittedError, ValidationError

CORR3 = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, -0.4], [0.3, -0.4, 1.0]])


def test_gaussian_and_t_logpdf_equal_statsmodels():
    u = np.random.default_rng(0).uniform(0.001, 0.999, (300, 3))
    assert_allclose(
        GaussianCopula.from_params(corr=CORR3).logpdf(u),
        smc.GaussianCopula(corr=CORR3, k_dim=3).logpdf(u),
        rtol=1e-8,
    )
    assert_allclose(
        StudentTCopula.from_params(corr=CORR3, df=4.5).logpdf(u),
        smc.StudentTCopula(corr=CORR3, df=4.5, k_dim=3).logpdf(u),
        rtol=1e-8,
    )


def test_t_parameters_recovered_at_n_20000():
    u = StudentTCopula.from_params(corr=CORR3, df=5.0).sample(20_000, seed=1)
    fitted = StudentTCopula().fit(u)
    assert_allclose(fitted.corr_, CORR3, atol=0.05 * 0.6)
    assert fitted.df_ == pytest.approx(5.0, rel=0.2)  # df is the hardest parameter
    mle = StudentTCopula(method="mle").fit(u[:, :2])
    assert mle.corr_[0, 1] == pytest.approx(0.6, rel=0.05)
    assert mle.df_ == pytest.approx(5.0, rel=0.2)
    g = GaussianCopula(method="itau").fit(
        GaussianCopula.from_params(corr=CORR3).sample(20_000, seed=2)
    )
    assert_allclose(g.corr_, CORR3, atol=0.02)


def test_t_tail_dependence_and_tau():
    cop = StudentTCopula.from_params(corr=CORR3, df=4.0)
    assert_allclose(cop.kendall_tau[0, 1], 2 / np.pi * np.arcsin(0.6))
    lam = 2 * stats.t.cdf(-np.sqrt(5 * 0.4 / 1.6), 5)
    assert cop.lower_tail_dependence[0, 1] == pytest.approx(lam)
    assert_array_equal(GaussianCopula.from_params(corr=CORR3).upper_tail_dependence, np.eye(3))


@pytest.mark.parametrize("given", [{0: 0.9}, {2: 0.05}, {0: 0.8, 2: 0.3}])
def test_conditional_samples_match_conditional_distribution_ks(given):
    idx = sorted(given)
    free = [j for j in range(3) if j not in given][0]
    for cop in (
        GaussianCopula.from_params(corr=CORR3),
        StudentTCopula.from_params(corr=CORR3, df=3.0),
    ):
        rows = cop.conditional_sample(3000, given, seed=6)
        for j, v in given.items():
            assert np.all(rows[:, j] == v)
        s = CORR3[np.ix_(idx, idx)]
        w = np.linalg.solve(s, CORR3[idx, free])
        var = 1 - CORR3[free, idx] @ w
        if isinstance(cop, GaussianCopula):
            xg = special.ndtri([given[i] for i in idx])
            dist = stats.norm(w @ xg, np.sqrt(var))
            scores = special.ndtri(rows[:, free])
        else:
            xg = special.stdtrit(3.0, [given[i] for i in idx])
            k = len(idx)
            scale = np.sqrt((3.0 + xg @ np.linalg.solve(s, xg)) / (3.0 + k) * var)
            dist = stats.t(3.0 + k, w @ xg, scale)
            scores = special.stdtrit(3.0, rows[:, free])
        assert stats.kstest(scores, dist.cdf).pvalue > 1e-3
        assert stats.kstest(scores, stats.norm(0, 1).cdf).pvalue < 1e-3


def test_vine_recovers_gaussian_dependence_and_likelihood():
    corr = np.array(
        [[1.0, 0.7, 0.4, 0.2], [0.7, 1.0, 0.5, 0.1], [0.4, 0.5, 1.0, 0.3], [0.2, 0.1, 0.3, 1.0]]
    )
    u = GaussianCopula.from_params(corr=corr).sample(5000, seed=3)
    gauss_ll = GaussianCopula().fit(u).logpdf(u).sum()
    for structure in ("rvine", "cvine", "dvine"):
        vine = VineCopula(structure=structure, family_set=("gaussian",), method="mle").fit(u)
        assert len(vine.edges_) == 6
        # A Gaussian vine is a Gaussian copula: same likelihood up to estimation noise.
        assert vine.loglik(u) == pytest.approx(gauss_ll, abs=10.0)
        assert vine.loglik(u) == pytest.approx(vine.loglik_, rel=1e-10)
        s = vine.sample(20_000, seed=4)
        assert_allclose(np.corrcoef(special.ndtri(s), rowvar=False), corr, atol=0.03)


def test_vine_selects_families_and_samples_match():
    # A 3-variable D-vine 0 - 1 - 2: Clayton(3) then rotated Gumbel(2); tree 2 independent.
    u = np.empty((4000, 3))
    u[:, :2] = ClaytonCopula.from_params(theta=3.0).sample(4000, seed=1)
    w = np.random.default_rng(5).random(4000)
    u[:, 2] = bv.pair_hinv1("gumbel", 90, (2.0,), u[:, 1], w)
    # Joe-180 is hard to tell from Clayton(3) at this n, so it is left out of the set.
    vine = VineCopula(
        method="mle", family_set=("independence", "gaussian", "clayton", "gumbel", "frank")
    ).fit(u)
    tree1 = {
        frozenset(e["conditioned"]): (e["family"], e["rotation"])
        for e in vine.edges_
        if e["tree"] == 1
    }
    assert tree1[frozenset((0, 1))] == ("clayton", 0)
    assert tree1[frozenset((1, 2))] == ("gumbel", 90)
    s = vine.sample(4000, seed=9)
    for j in range(3):
        assert stats.kstest(s[:, j], "uniform").pvalue > 1e-3
    tau_s = stats.kendalltau(s[:, 0], s[:, 2])[0]
    tau_u = stats.kendalltau(u[:, 0], u[:, 2])[0]
    assert tau_s == pytest.approx(tau_u, abs=0.05)


def test_vine_conditional_sample_is_exact_where_the_structure_allows():
    u = GaussianCopula.from_params(corr=CORR3).sample(4000, seed=7)
    vine = VineCopula(structure="dvine", family_set=("gaussian",)).fit(u)
    ends = [e["conditioned"] for e in vine.edges_ if e["tree"] == 2][0]
    rows = vine.conditional_sample(3000, {int(ends[0]): 0.9}, seed=1)
    gauss = GaussianCopula.from_params(corr=vine_corr(vine))
    free = [j for j in range(3) if j != ends[0]][0]
    expected = gauss.conditional_sample(200_000, {int(ends[0]): 0.9}, seed=2)[:, free]
    assert stats.ks_2samp(rows[:, free], expected).pvalue > 1e-3
    middle = ({0, 1, 2} - set(ends)).pop()
    rows = vine.conditional_sample(10, {middle: 0.5}, seed=1)
    assert np.all(rows[:, middle] == 0.5)
    with pytest.raises(ValidationError, match="cannot condition"):
        vine.conditional_sample(10, {int(ends[0]): 0.5, int(ends[1]): 0.5}, seed=1)


def vine_corr(vine):
    # Correlation implied by a 3-d Gaussian D-vine (partial correlation in tree 2).
    r = np.eye(3)
    for e in vine.edges_:
        if e["tree"] == 1:
            a, b = e["conditioned"]
            r[a, b] = r[b, a] = e["params"][0]
    (e2,) = [e for e in vine.edges_ if e["tree"] == 2]
    a, b = e2["conditioned"]
    (c,) = e2["conditioning"]
    p = e2["params"][0]
    r[a, b] = r[b, a] = p * np.sqrt((1 - r[a, c] ** 2) * (1 - r[b, c] ** 2)) + r[a, c] * r[b, c]
    return r


def test_vine_truncation_uses_independence_after_the_level():
    u = GaussianCopula.from_params(corr=CORR3).sample(2000, seed=3)
    vine = VineCopula(truncation_level=1).fit(u)
    assert all(e["family"] == "independence" for e in vine.edges_ if e["tree"] > 1)
    assert vine.n_params <= 2
    assert vine.loglik(u) == pytest.approx(vine.loglik_, rel=1e-10)


FITTED = [
    lambda u: GaussianCopula().fit(u),
    lambda u: StudentTCopula().fit(u),
    lambda u: ClaytonCopula(rotation=90).fit(u[:, :2]),
    lambda u: FrankCopula().fit(u[:, :2]),
    lambda u: GumbelCopula(rotation=270).fit(u[:, :2]),
    lambda u: JoeCopula().fit(u[:, :2]),
    lambda u: ClaytonCopula().fit(u),
    lambda u: IndependenceCopula().fit(u),
    lambda u: VineCopula().fit(u),
]


@pytest.mark.parametrize("build", FITTED)
def test_saved_and_loaded_copula_samples_identically(build, tmp_path):
    u = StudentTCopula.from_params(corr=np.abs(CORR3), df=5.0).sample(800, seed=0)
    model = build(u)
    path = stochgen.save(model, tmp_path / "cop.json")
    loaded = stochgen.load(path)
    assert type(loaded) is type(model)
    assert_array_equal(loaded.sample(300, seed=5), model.sample(300, seed=5))
    assert_array_equal(model.sample(300, seed=5), model.sample(300, seed=5))
    assert_allclose(
        loaded.logpdf(u[:20, : model.sample(1, seed=0).shape[1]]),
        model.logpdf(u[:20, : model.sample(1, seed=0).shape[1]]),
        rtol=1e-12,
    )


CLASSES = [
    GaussianCopula,
    StudentTCopula,
    ClaytonCopula,
    FrankCopula,
    GumbelCopula,
    JoeCopula,
    VineCopula,
]


@pytest.mark.parametrize("cls", CLASSES)
def test_degenerate_inputs_give_clear_errors(cls):
    rng = np.random.default_rng(0)
    u = rng.random((50, 2))
    with pytest.raises(NotFittedError, match="not fitted"):
        cls().sample(3, seed=0)
    constant = u.copy()
    constant[:, 1] = 0.5
    with pytest.raises(ValidationError, match=r"column\(s\) \[1\] are constant"):
        cls().fit(constant)
    with pytest.raises(ValidationError, match="outside the open interval"):
        cls().fit(np.vstack([u, [[1.0, 0.5]]]))
    with pytest.raises(ValidationError, match="at least max"):
        cls().fit(rng.random((2, 3))) if cls not in (FrankCopula, GumbelCopula) else cls().fit(
            rng.random((1, 2))
        )
    with pytest.raises(ValidationError, match="NaN"):
        cls().fit(np.vstack([u, [[np.nan, 0.5]]]))
    # Ties are allowed (Kendall's tau-b), and give a fit.
    ties = np.round(u, 1).clip(0.05, 0.95)
    fitted = cls().fit(ties)
    with pytest.raises(ValidationError, match="indices must lie in"):
        fitted.conditional_sample(3, {5: 0.5}, seed=0)
    with pytest.raises(ValidationError, match="outside the open interval"):
        fitted.conditional_sample(3, {0: 1.5}, seed=0)
    with pytest.raises(ValidationError, match="columns"):
        fitted.logpdf(rng.random((3, 4)))


def test_bad_settings_are_reported():
    u = np.random.default_rng(0).random((50, 3))
    with pytest.raises(ValidationError, match="rotation 90 is defined for d = 2 only"):
        ClaytonCopula(rotation=90).fit(u)
    with pytest.raises(ValidationError, match="radially symmetric"):
        FrankCopula.from_params(theta=2.0, rotation=90).sample(3, seed=0)
    with pytest.raises(ValidationError, match="method must be one of"):
        GaussianCopula(method="moments").fit(u)
    with pytest.raises(ValidationError, match="family_set"):
        VineCopula(family_set=("bb1",)).fit(u)
    with pytest.raises(ValidationError, match="d = 2 only"):
        StudentTCopula(method="mle").fit(u)
