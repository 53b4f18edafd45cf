import numba
import numpy as np
import pytest
from scipy import stats

from stochgen._kernels.rejection import drop_rejected, fill
from stochgen.exceptions import ValidationError
from stochgen.samplers.limits import SamplingLimitError
from stochgen.samplers.ratio_of_uniforms import RatioOfUniforms
from stochgen.samplers.rejection import HatViolationError, Rejection
from tests.reference import rejection as reference

N = 50_000


def _bimodal(x):
    return 0.3 * stats.norm.pdf(x, -3, 1) + 0.7 * stats.norm.pdf(x, 4, 0.5)


def _bimodal_cdf(x):
    return 0.3 * stats.norm.cdf(x, -3, 1) + 0.7 * stats.norm.cdf(x, 4, 0.5)


@numba.njit
def normal_kernel(x):
    return np.exp(-0.5 * x * x)


TARGETS = [
    ("normal", lambda x: np.exp(-0.5 * x * x), (-np.inf, np.inf), stats.norm.cdf),
    ("gamma", lambda x: x**2 * np.exp(-x), (0, np.inf), stats.gamma(3).cdf),
    ("beta", lambda x: x * (1 - x) ** 4, (0, 1), stats.beta(2, 5).cdf),
    ("bimodal", _bimodal, (-np.inf, np.inf), _bimodal_cdf),
    ("cauchy", lambda x: 1 / (1 + x * x), (-np.inf, np.inf), stats.cauchy.cdf),
    ("uniform", lambda x: np.ones_like(x), (2, 5), stats.uniform(2, 3).cdf),
]


@pytest.mark.parametrize(("name", "pdf", "support", "cdf"), TARGETS, ids=[t[0] for t in TARGETS])
def test_draws_follow_the_target(name, pdf, support, cdf):
    sampler = Rejection(pdf, support=support)
    x = sampler.sample(N, seed=7)
    assert x.shape == (N,)
    assert stats.kstest(x, cdf).pvalue > 1e-3
    assert sampler.acceptance_rate_ > 0.97
    assert abs(sampler.acceptance_rate_ - sampler.expected_acceptance_) < 0.01


def test_bimodal_mode_weights():
    x = Rejection(_bimodal).sample(N, seed=1)
    share = np.mean(x > 0.5)
    assert abs(share - 0.7) < 4 * np.sqrt(0.21 / N)


def test_numba_pdf_gives_the_same_draws():
    a = Rejection(normal_kernel).sample(10_000, seed=3)
    b = Rejection(lambda x: np.exp(-0.5 * x * x)).sample(10_000, seed=3)
    np.testing.assert_array_equal(a, b)


def test_pdf_is_called_in_batches():
    calls = []

    def pdf(x):
        calls.append(np.size(x))
        return np.exp(-0.5 * x * x)

    sampler = Rejection(pdf).setup()
    calls.clear()
    sampler.sample(200_000, seed=0)
    assert len(calls) <= 6
    assert sum(calls) < 0.02 * 200_000  # the squeeze decides almost all candidates


def test_determinism_and_prefix():
    sampler = Rejection(_bimodal)
    a = sampler.sample(30_000, seed=5)
    np.testing.assert_array_equal(a, sampler.sample(30_000, seed=5))
    np.testing.assert_array_equal(a[:1000], sampler.sample(1000, seed=5))
    assert not np.array_equal(a, sampler.sample(30_000, seed=6))


def test_kernel_matches_numpy_reference():
    # The piecewise hat of a Cauchy has 1e-6 of its area in the exponential
    # tails beyond +-1e6: 400,000 candidates visit both.
    sampler = Rejection(lambda x: 1 / (1 + x * x), hat="piecewise").setup()
    pieces = sampler._pieces
    m = 400_000
    out = np.empty(m)
    at, y, top = np.empty(m, dtype=np.int64), np.empty(m), np.empty(m)
    filled, used, pending = fill(np.random.default_rng(8), m, out, 0, *pieces, at, y, top)
    assert filled == used == m
    u = np.random.default_rng(8).random((m, 2))
    rx, ry, rstatus = reference.propose_candidates(u, *pieces)
    np.testing.assert_allclose(out, rx, rtol=1e-12)
    np.testing.assert_array_equal(at[:pending], np.flatnonzero(rstatus == 2))
    np.testing.assert_allclose(y[:pending], ry[rstatus == 2], rtol=1e-12)
    np.testing.assert_allclose(top[:pending] * u[rstatus == 2, 1], ry[rstatus == 2], rtol=1e-12)
    lo, hi = sampler.breakpoints_[0], sampler.breakpoints_[-1]
    assert np.sum(out < lo) > 0 and np.sum(out > hi) > 0
    assert np.all(np.isin(np.flatnonzero((out < lo) | (out > hi)), at[:pending]))
    # drop_rejected keeps the others in order.
    rejected = np.random.default_rng(1).random(pending) < 0.3
    kept = out.copy()
    new = drop_rejected(kept, filled, at, rejected, pending)
    np.testing.assert_array_equal(kept[:new], np.delete(out, at[:pending][rejected]))


def test_hat_majorizes_on_a_dense_grid():
    sampler = Rejection(_bimodal).setup()
    b, h, s = sampler.breakpoints_, sampler.heights_, sampler.squeeze_
    grid = np.linspace(0, 1, 257)
    xs = b[:-1, None] + grid * np.diff(b)[:, None]
    fx = _bimodal(xs)
    assert np.all(fx <= h[:, None])
    assert np.all(fx >= s[:, None])


@pytest.mark.parametrize(
    ("pdf", "match"),
    [
        (lambda x: np.exp(-0.5 * x * x) - 0.5, "negative"),
        (lambda x: np.where(x > 1, np.nan, np.exp(-0.5 * x * x)), "nan"),
        (lambda x: np.zeros_like(x), "zero at all"),
        (lambda x: np.ones_like(x), "does not decay"),
        (lambda x: np.ones(3), "one value per point"),
        (lambda x: np.where(np.abs(x) < 1, np.inf, 1.0), "inf"),
    ],
)
def test_invalid_pdf_raises(pdf, match):
    with pytest.raises(ValidationError, match=match):
        Rejection(pdf).sample(10, seed=0)


def test_hat_violation_while_sampling_raises():
    # A hat that misses the pdf on one piece (as a spike between grid points
    # would): sampling must stop with an error, not return wrong draws.
    sampler = Rejection(lambda x: np.exp(-0.5 * x * x), hat="piecewise").setup()
    cum, guide, kind, left, width, rate, hat, squeeze = sampler._pieces
    middle = int(np.argmax(np.where(kind == 0, width * hat, 0.0)))
    hat[middle] *= 0.5
    squeeze[middle] = 0.0
    with pytest.raises(HatViolationError, match="exceeds the hat"):
        sampler.sample(100_000, seed=0)


def test_user_hat_is_checked_and_used():
    pdf = stats.beta(2, 5).pdf
    good = Rejection(pdf, support=(0, 1), hat=([0, 0.5, 1], [2.5, 1.0]))
    x = good.sample(20_000, seed=0)
    assert stats.kstest(x, stats.beta(2, 5).cdf).pvalue > 1e-3
    assert 0.5 < good.acceptance_rate_ < 0.7
    with pytest.raises(HatViolationError, match="exceeds the hat"):
        Rejection(pdf, support=(0, 1), hat=([0, 0.5, 1], [2.0, 1.0])).sample(10, seed=0)
    with pytest.raises(ValidationError, match="must cover"):
        Rejection(pdf, support=(0, 1), hat=([0, 0.5], [2.5])).sample(10, seed=0)
    with pytest.raises(ValidationError, match="hat must be 'auto', 'tdr', 'piecewise'"):
        Rejection(pdf, support=(0, 1), hat="tangents").sample(10, seed=0)


def test_bad_support_and_n():
    with pytest.raises(ValidationError, match="lo < hi"):
        Rejection(np.exp, support=(1, 0)).sample(10, seed=0)
    with pytest.raises(ValidationError, match="pair"):
        Rejection(np.exp, support=3).sample(10, seed=0)
    with pytest.raises(TypeError, match="integer"):
        Rejection(stats.norm.pdf).sample(1.5, seed=0)
    assert Rejection(stats.norm.pdf).sample(0, seed=0).shape == (0,)


def test_settings_are_checked_at_use():
    normal = lambda x: np.exp(-0.5 * x * x)  # noqa: E731
    Rejection(normal, max_intervals=0)  # __init__ only stores
    with pytest.raises(ValidationError, match="max_intervals must be at least 1; got 0"):
        Rejection(normal, max_intervals=0).setup()
    with pytest.raises(ValidationError, match=r"target_efficiency must be in \(0, 1\); got 2"):
        Rejection(normal, target_efficiency=2).setup()
    with pytest.raises(ValidationError, match="max_batches must be at least 1"):
        Rejection(normal, max_batches=0).sample(10, seed=0)
    with pytest.raises(ValidationError, match="max_time must be"):
        Rejection(normal, max_time=-1.0).sample(10, seed=0)


def test_caps_stop_a_hopeless_loop():
    # A valid but hopeless hat: acceptance 1e-6, so 1,000 draws need ~1e9 candidates.
    sampler = Rejection(lambda x: np.ones_like(x), support=(0.0, 1.0), hat=([0.0, 1.0], [1e6]),
                        max_batches=3)  # fmt: skip
    with pytest.raises(SamplingLimitError, match=r"max_batches=3: \d+ of 1,000 draws made, acc"):
        sampler.sample(1000, seed=0)
    with pytest.raises(SamplingLimitError, match="max_time=1e-09 s"):
        sampler.set_params(max_batches=10_000, max_time=1e-9).sample(1000, seed=0)
    ratio = RatioOfUniforms(lambda x: np.exp(-0.5 * x * x), max_batches=1)
    with pytest.raises(SamplingLimitError, match="RatioOfUniforms stopped after 1 batches"):
        ratio.sample(100_000, seed=0)


def test_integrable_pole_gives_a_clear_error():
    pole = lambda x: np.exp(-np.abs(x)) / np.sqrt(np.abs(x))  # noqa: E731
    for support in ((-1.0, 1.0), (-1.0, 1.3)):
        with (
            np.errstate(divide="ignore"),
            pytest.raises(ValidationError, match="pdf is inf|looks unbounded"),
        ):
            Rejection(pole, support=support, max_time=5.0).sample(10_000, seed=0)


def test_set_params_rebuilds_the_hat_for_a_new_density():
    # Regression: the hat built for the first pdf was kept, so draws followed the old density.
    sampler = Rejection(lambda x: np.exp(-0.5 * x * x))
    sampler.sample(1000, seed=0)
    assert sampler.hat_kind_ == "tdr"
    sampler.set_params(pdf=lambda x: np.exp(-0.5 * (x - 5.0) ** 2))
    draws = sampler.sample(20_000, seed=1)
    assert stats.kstest(draws, stats.norm(5.0).cdf).pvalue > 1e-3
    # A setting the hat does not depend on keeps the built hat.
    pieces = sampler._tdr
    sampler.set_params(max_time=30.0)
    sampler.sample(10, seed=2)
    assert sampler._tdr is pieces
