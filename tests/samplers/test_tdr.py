import math

import numba
import numpy as np
import pytest
from scipy import stats
from scipy.integrate import trapezoid

from stochgen._kernels.rejection import drop_rejected
from stochgen._kernels.tdr import fill, piece_areas
from stochgen.samplers.rejection import HatViolationError, Rejection
from stochgen.samplers.tdr import NotTConcaveError, is_t_concave
from tests.reference import tdr as reference

N = 50_000

T_CONCAVE = [
    ("normal", lambda x: np.exp(-0.5 * x * x), (-np.inf, np.inf), stats.norm),
    ("gamma(2.5)", lambda x: x**1.5 * np.exp(-x), (0.0, np.inf), stats.gamma(2.5)),
    ("beta(2,5)", lambda x: x * (1 - x) ** 4, (0.0, 1.0), stats.beta(2, 5)),
    ("cauchy", lambda x: 1 / (1 + x * x), (-np.inf, np.inf), stats.cauchy),
    ("t(3)", stats.t(3).pdf, (-np.inf, np.inf), stats.t(3)),
    ("uniform", lambda x: np.ones_like(x), (2.0, 5.0), stats.uniform(2, 3)),
    ("gamma(50)", stats.gamma(50).pdf, (0.0, np.inf), stats.gamma(50)),
]
IDS = [t[0] for t in T_CONCAVE]


def _bimodal(x):
    return 0.3 * stats.norm.pdf(x, -3, 1) + 0.7 * stats.norm.pdf(x, 4, 0.5)


def _bimodal_cdf(x):
    return 0.3 * stats.norm.cdf(x, -3, 1) + 0.7 * stats.norm.cdf(x, 4, 0.5)


@numba.njit
def gamma_kernel(x):
    return x**1.5 * math.exp(-x) if x > 0 else 0.0


@pytest.mark.parametrize(("name", "pdf", "support", "law"), T_CONCAVE, ids=IDS)
def test_t_concave_targets_get_a_tdr_hat_and_the_right_law(name, pdf, support, law):
    sampler = Rejection(pdf, support=support)
    x = sampler.sample(N, seed=11)
    assert sampler.hat_kind_ == "tdr"
    assert stats.kstest(x, law.cdf).pvalue > 1e-3
    # Chi-square on 40 equiprobable bins: catches local errors KS averages out.
    counts = np.bincount(np.minimum((law.cdf(x) * 40).astype(int), 39), minlength=40)
    assert stats.chisquare(counts).pvalue > 1e-3
    assert sampler.acceptance_rate_ > 0.98
    assert abs(sampler.acceptance_rate_ - sampler.expected_acceptance_) < 0.01


@pytest.mark.parametrize(("name", "pdf", "support", "law"), T_CONCAVE[:3], ids=IDS[:3])
def test_tdr_hat_above_and_squeeze_below_the_pdf(name, pdf, support, law):
    hat = Rejection(pdf, support=support).setup()._tdr
    s = (
        np.linspace(0.0, 1.0, 513)[None, :]
        * np.where(np.isinf(hat.width), 40.0, hat.width)[:, None]
    )
    x = hat.anchor[:, None] + hat.direction[:, None] * s
    inside = (x > support[0]) & (x < support[1])
    fx = np.where(inside, pdf(np.where(inside, x, 0.5)), 0.0)
    top = 1.0 / (hat.hat_a[:, None] + hat.hat_b[:, None] * s) ** 2
    assert np.all(fx <= top)
    has = np.isfinite(hat.sq_c)
    bottom = 1.0 / (hat.sq_a[has, None] + hat.sq_c[has, None] * s[has]) ** 2
    assert np.all(fx[has] >= bottom)
    # The areas kernel equals its twin, and the cumulative areas are its sums.
    area = piece_areas(hat.hat_a, hat.hat_b, hat.width)
    np.testing.assert_allclose(
        area, reference.piece_areas(hat.hat_a, hat.hat_b, hat.width), rtol=1e-12
    )
    np.testing.assert_allclose(hat.cum, np.cumsum(area), rtol=1e-12)
    # ... and the area is the integral of the hat (a finite piece, by quadrature).
    k = int(np.argmax(np.where(np.isfinite(hat.width), area, 0.0)))
    grid = np.linspace(0.0, hat.width[k], 20_001)
    quad = trapezoid(1.0 / (hat.hat_a[k] + hat.hat_b[k] * grid) ** 2, grid)
    np.testing.assert_allclose(area[k], quad, rtol=1e-8)


def test_fill_kernel_matches_numpy_reference():
    sampler = Rejection(lambda x: np.exp(-0.5 * x * x)).setup()
    hat = sampler._tdr
    m = 200_000
    out = np.empty(m)
    at, y, top = np.empty(m, dtype=np.int64), np.empty(m), np.empty(m)
    filled, used, pending = fill(np.random.default_rng(4), m, out, 0, *hat, at, y, top)
    assert filled == used == m
    u = np.random.default_rng(4).random((m, 2))
    rx, rat, ry, rtop = reference.fill(u, *hat)
    np.testing.assert_allclose(out, rx, rtol=1e-12)
    np.testing.assert_array_equal(at[:pending], rat)
    np.testing.assert_allclose(y[:pending], ry, rtol=1e-12)
    np.testing.assert_allclose(top[:pending], rtop, rtol=1e-12)
    # The outer tails (no squeeze) were visited, and their candidates are all pending.
    tails = (out < hat.anchor[0]) | (out > hat.anchor[-1])
    assert 0 < tails.sum() <= pending
    assert np.isin(np.flatnonzero(tails), at[:pending]).all()
    rejected = np.random.default_rng(0).random(pending) < 0.5
    kept = out.copy()
    new = drop_rejected(kept, filled, at, rejected, pending)
    np.testing.assert_array_equal(
        kept[:new], reference.drop_rejected(out, filled, at[:pending], rejected)
    )


def test_fill_stops_when_out_or_pending_buffer_is_full():
    hat = Rejection(lambda x: np.exp(-0.5 * x * x)).setup()._tdr
    out = np.empty(100_000)
    at, y, top = np.empty(3, dtype=np.int64), np.empty(3), np.empty(3)
    filled, used, pending = fill(np.random.default_rng(0), 10**6, out, 0, *hat, at, y, top)
    assert pending == 3 and filled == used < 100_000 and at[2] == filled - 1
    out = np.empty(1000)
    at, y, top = np.empty(1000, dtype=np.int64), np.empty(1000), np.empty(1000)
    filled, used, _ = fill(np.random.default_rng(0), 10**6, out, 990, *hat, at, y, top)
    assert filled == 1000 and used == 10


def test_bimodal_goes_the_piecewise_way_and_is_right():
    sampler = Rejection(_bimodal)
    x = sampler.sample(N, seed=2)
    assert sampler.hat_kind_ == "piecewise" and sampler.design_points_ is None
    assert stats.kstest(x, _bimodal_cdf).pvalue > 1e-3
    assert abs(np.mean(x > 0.5) - 0.7) < 4 * np.sqrt(0.21 / N)
    with pytest.raises(NotTConcaveError, match=r"hat='tdr' needs a T-concave pdf.*turns convex"):
        Rejection(_bimodal, hat="tdr").setup()
    assert (
        Rejection(lambda x: np.exp(-0.5 * x * x), hat="piecewise").setup().hat_kind_ == "piecewise"
    )


def test_t_concavity_check():
    x = np.linspace(-8, 8, 2001)
    assert is_t_concave(x, stats.norm.pdf(x))[0]
    assert is_t_concave(x, stats.t(1.5).pdf(x))[0]
    # t with df < 1 is not T-concave for T = -1/sqrt; a gap in the support is not either.
    assert not is_t_concave(x, stats.t(0.5).pdf(x))[0]
    ok, reason = is_t_concave(x, np.where(np.abs(x) < 1, 0.0, stats.norm.pdf(x)))
    assert not ok and "zero between" in reason
    ok, reason = is_t_concave(x, stats.norm.pdf(x, -6, 0.5) + stats.norm.pdf(x, 6, 0.5))
    assert not ok and "deep valley" in reason
    # Far tails with subnormal values (gamma(50) near 0) do not count against it.
    assert is_t_concave(
        np.geomspace(1e-8, 1e3, 3001), stats.gamma(50).pdf(np.geomspace(1e-8, 1e3, 3001))
    )[0]


def test_numba_pdf_gives_the_same_draws():
    a = Rejection(gamma_kernel, support=(0, np.inf))
    b = Rejection(lambda x: x**1.5 * np.exp(-x), support=(0, np.inf))
    np.testing.assert_array_equal(a.sample(20_000, seed=3), b.sample(20_000, seed=3))
    assert a.hat_kind_ == b.hat_kind_ == "tdr"


def test_determinism_prefix_and_rare_pdf_calls():
    calls = []

    def pdf(x):
        calls.append(np.size(x))
        return x * (1 - x) ** 4

    sampler = Rejection(pdf, support=(0, 1)).setup()
    calls.clear()
    a = sampler.sample(300_000, seed=5)
    assert len(calls) <= 6 and sum(calls) < 0.01 * 300_000
    np.testing.assert_array_equal(a[:1234], sampler.sample(1234, seed=5))
    np.testing.assert_array_equal(a, sampler.sample(300_000, seed=5))
    assert not np.array_equal(a[:1000], sampler.sample(1000, seed=6))


def test_tdr_hat_violation_while_sampling_raises():
    sampler = Rejection(lambda x: np.exp(-0.5 * x * x)).setup()
    hat = sampler._tdr
    # Lower the hat on the largest piece and drop its squeeze, so that the pdf,
    # now above the hat near the design point, is evaluated there.
    k = int(np.argmax(np.diff(hat.cum, prepend=0.0)))
    hat.hat_a[k] *= 1.05
    hat.sq_c[k] = np.nan
    with pytest.raises(HatViolationError, match="exceeds the hat"):
        sampler.sample(200_000, seed=0)
