"""Extreme parameters and boundary points give finite results or clear errors, never NaN."""

import numpy as np
import pytest

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

EDGE = np.array([0.0, 1e-300, 1e-12, 0.3, 0.5, 0.77, 1 - 1e-16, 1.0])
PAIRS = [
    ("clayton", (1e-6,)),
    ("clayton", (100.0,)),
    ("frank", (-80.0,)),
    ("frank", (1e-6,)),
    ("frank", (80.0,)),
    ("gumbel", (1.0,)),
    ("gumbel", (50.0,)),
    ("joe", (1.0,)),
    ("joe", (50.0,)),
    ("gaussian", (-0.9999,)),
    ("gaussian", (0.9999,)),
    ("student", (0.9999, 2.0)),
    ("student", (-0.9999, 50.0)),
]


@pytest.mark.parametrize(("family", "params"), PAIRS)
def test_h_functions_and_cdf_stay_in_unit_interval_at_the_corners(family, params):
    c, p = (a.ravel() for a in np.meshgrid(EDGE, EDGE))
    rotations = [0] if family in ("frank", "gaussian", "student") else list(bv.ROTATIONS)
    names = ["pair_hfunc1", "pair_hfunc2", "pair_hinv1", "pair_hinv2"]
    if family not in ("gaussian", "student"):
        names.append("pair_cdf")
    for rotation in rotations:
        for name in names:
            with np.errstate(all="ignore"):
                out = getattr(bv, name)(family, rotation, params, c.copy(), p.copy())
            assert np.all((out >= 0) & (out <= 1)), (name, rotation)
        inside = (c > 0) & (c < 1) & (p > 0) & (p < 1)
        with np.errstate(all="ignore"):
            logpdf = bv.pair_logpdf(family, rotation, params, c[inside], p[inside])
        assert not np.isnan(logpdf).any(), rotation


def test_frank_large_theta_h_function_is_accurate():
    # At u = v = 1/2 the conditional cdf of the symmetric copula is exactly 1/2.
    half = np.array([0.5])
    for theta in (40.0, 79.0, -79.0):
        assert bv.pair_hfunc1("frank", 0, (theta,), half, half)[0] == pytest.approx(0.5)
    cdf = bv.pair_cdf("frank", 0, (80.0,), half, half)[0]
    assert 0.49 < cdf < 0.5  # close to the comonotone bound min(u, v)


@pytest.mark.parametrize(
    ("cls", "theta", "dim"),
    [
        (ClaytonCopula, 100.0, 2),
        (ClaytonCopula, 100.0, 4),
        (GumbelCopula, 50.0, 4),
        (JoeCopula, 50.0, 2),
        (JoeCopula, 50.0, 4),
        (FrankCopula, 80.0, 2),
        (FrankCopula, 80.0, 4),
        (FrankCopula, -80.0, 2),
    ],
)
def test_extreme_archimedean_parameters_sample_inside_the_cube(cls, theta, dim):
    u = cls.from_params(theta=theta, dim=dim).sample(3000, seed=1)
    assert np.all((u > 0) & (u < 1))
    if dim == 2:
        rows = cls.from_params(theta=theta).conditional_sample(200, {0: 1e-300}, seed=0)
        assert np.all((rows >= 0) & (rows <= 1))


@pytest.mark.parametrize("cls", [ClaytonCopula, GumbelCopula, JoeCopula, FrankCopula])
def test_kendall_tau_near_one_gives_a_finite_strong_copula(cls):
    cop = cls.from_kendall_tau(1 - 1e-12)
    assert np.isfinite(cop.theta_)
    assert cop.kendall_tau > 0.9
    assert np.all(np.isfinite(cop.sample(500, seed=0)))


def test_elliptical_tau_near_one_is_repaired_not_nan():
    for tau in (1.0, -1.0, 1 - 1e-14):
        cop = GaussianCopula.from_kendall_tau([[1.0, tau], [tau, 1.0]])
        u = cop.sample(1000, seed=0)
        assert np.all((u > 0) & (u < 1))
        assert abs(np.corrcoef(u, rowvar=False)[0, 1]) > 0.99
    with pytest.raises(ValidationError, match="positive definite"):
        GaussianCopula.from_params(corr=[[1.0, 1.0], [1.0, 1.0]])


def test_student_t_huge_df_behaves_as_gaussian():
    corr = [[1.0, 0.5], [0.5, 1.0]]
    t = StudentTCopula.from_params(corr=corr, df=1e12)
    u = t.sample(2000, seed=0)
    assert np.isfinite(t.logpdf(u)).all()
    np.testing.assert_allclose(
        t.logpdf(u), GaussianCopula.from_params(corr=corr).logpdf(u), atol=1e-6
    )
    with pytest.raises(ValidationError, match="df"):
        StudentTCopula.from_params(corr=corr, df=np.inf)


@pytest.mark.parametrize(
    "cls",
    [
        GaussianCopula,
        StudentTCopula,
        ClaytonCopula,
        FrankCopula,
        GumbelCopula,
        JoeCopula,
        IndependenceCopula,
        VineCopula,
    ],
)
def test_sample_before_fit_raises_not_fitted(cls):
    with pytest.raises(NotFittedError, match="not fitted"):
        cls().sample(3, seed=0)
