"""QMC engines: kernels against twins, discrepancy, equidistribution, block determinism."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special, stats
from scipy.stats import qmc

from stochgen._kernels import qmc as kq
from stochgen.distributions import Gamma, Normal, Poisson
from stochgen.exceptions import ValidationError
from stochgen.samplers.inverse import InverseTransform
from stochgen.samplers.qmc import METHODS, normal_scores, uniform_points
from tests.reference import qmc as rq


def test_ndtri_table_matches_twin():
    ours = kq.ndtri_table()
    assert ours.shape == (kq.NDTRI_INTERVALS, 6)
    assert_allclose(ours, rq.ndtri_table(), rtol=1e-10, atol=1e-13)


def test_ndtri_kernel_matches_twin_and_scipy():
    table = kq.ndtri_table()
    rng = np.random.default_rng(0)
    edges = [1e-300, 1e-20, 0.02, 0.0200001, 0.075, 0.5, 0.925, 0.98, 1 - 1e-16]
    p = np.r_[rng.random(20_000), rng.uniform(0.45, 0.55, 2_000), edges]
    ours = kq.ndtri_inplace(p.copy(), table)
    assert_allclose(ours, rq.ndtri_fast(p, rq.ndtri_table()), rtol=1e-12, atol=1e-15)
    # The interpolated quantile is as good as AS 241 to 1e-14, at every scale.
    assert_allclose(ours, special.ndtri(p), rtol=1e-14, atol=1e-14)
    assert_array_equal(kq.ndtri_inplace(np.array([0.0, 1.0]), table), [-np.inf, np.inf])
    assert np.isnan(kq.ndtri_inplace(np.array([np.nan]), table)[0])


def test_sobol_kernel_matches_twin():
    rng = np.random.default_rng(1)
    directions = rng.integers(0, 2**52, size=(3, 52), dtype=np.uint64)
    shift = rng.integers(0, 2**52, size=3, dtype=np.uint64)
    for start, n in [(0, 100), (37, 9000), (2**20 - 5, 20)]:
        expected = rq.sobol_points(directions, shift, start, n, 52)
        assert_allclose(kq.sobol_points(directions, shift, start, n, 52), expected, rtol=1e-12)
        columns = kq.sobol_columns(directions, shift, start, n, 52)
        assert columns.flags.c_contiguous
        assert_array_equal(columns, kq.sobol_points(directions, shift, start, n, 52).T)


@pytest.mark.parametrize(
    ("corr", "kind"),
    [
        ([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]], [0, 1, 2]),
        # A uniform coordinate that passes through alone in its row of L but that a later
        # coordinate depends on: its normal score must still be computed.
        ([[1.0, 0.0, 0.0], [0.0, 1.0, -0.3], [0.0, -0.3, 1.0]], [0, 2, 0]),
        ([[1.0, 0.4, 0.2], [0.4, 1.0, 0.3], [0.2, 0.3, 1.0]], [2, 2, 1]),
    ],
)
def test_correlated_normal_columns_matches_twin(corr, kind):
    u = np.random.default_rng(2).random((500, 3))
    chol = np.linalg.cholesky(corr)
    args = (chol, np.array(kind), np.array([1.0, 0.5, -1.0]), np.array([2.0, 3.0, 4.0]))
    c2 = np.array([1.0, 0.2, 1.0])
    table = kq.ndtri_table()
    expected = rq.correlated_normal_map(u, *args, c2, rq.ndtri_table())
    ours = kq.correlated_normal_columns(np.ascontiguousarray(u.T), *args, c2, table).T
    assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)


def test_direction_numbers_equal_the_public_engine_route():
    from stochgen.samplers import qmc as sq

    fast = sq._direction_numbers(5)
    engine = qmc.Sobol(5, scramble=False, bits=30)
    for k in (0, 1, 7, 13, 19):  # beyond the bits checked at start-up
        engine.reset()
        engine.fast_forward(2 ** (k + 1) - 1)
        top = np.round(engine.random(1)[0] * 2.0**30).astype(np.uint64)
        assert_array_equal(fast[:, k] >> np.uint64(sq.SOBOL_BITS - 30), top)
    assert not fast.flags.writeable


def test_unscrambled_directions_reproduce_scipy_sobol():
    from stochgen.samplers.qmc import _direction_numbers

    v = _direction_numbers(4)
    ours = kq.sobol_points(v, np.zeros(4, dtype=np.uint64), 0, 256, 52)
    scipy_points = qmc.Sobol(4, scramble=False).random(256)
    assert_allclose(ours, scipy_points + 0.5 / 2**52, atol=1e-15)


@pytest.mark.parametrize("method", ["sobol", "halton", "lhs"])
def test_discrepancy_beats_random_points(method):
    w = uniform_points(1024, 5, seed=3, method=method)
    mc = uniform_points(1024, 5, seed=3, method="random")
    assert qmc.discrepancy(w) < 0.3 * qmc.discrepancy(mc)


def test_sobol_is_a_net_in_each_pair_of_dimensions():
    # Scrambled Sobol' keeps the (t, m, s)-net property: 2**m points, each elementary
    # 2**-a x 2**-b box with a + b = m - t holds 2**t points; in 2-d, t = 0 for the first pair.
    w = uniform_points(256, 2, seed=4)
    for a in range(9):
        cells = np.floor(w[:, 0] * 2**a) * 2 ** (8 - a) + np.floor(w[:, 1] * 2 ** (8 - a))
        assert np.unique(cells).size == 256
    # Every coordinate is stratified: one point per interval of width 1 / n.
    w = uniform_points(1024, 6, seed=5)
    for j in range(6):
        assert np.unique(np.floor(w[:, j] * 1024)).size == 1024


def test_lhs_has_one_point_per_stratum_and_maximin_is_not_worse():
    w = uniform_points(200, 3, seed=6, method="lhs")
    for j in range(3):
        assert np.unique(np.floor(w[:, j] * 200)).size == 200
    m = uniform_points(200, 3, seed=6, method="lhs_maximin")
    for j in range(3):
        assert np.unique(np.floor(m[:, j] * 200)).size == 200

    def min_dist(x):
        d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
        return d[np.triu_indices(len(x), 1)].min()

    assert min_dist(m) >= min_dist(w) * 0.999


@pytest.mark.parametrize("method", ["random", "sobol", "halton", "antithetic"])
def test_blocks_give_the_same_rows(method):
    whole = uniform_points(70_000, 3, seed=7, method=method)
    parts = [
        uniform_points(b - a, 3, seed=7, method=method, row_offset=a)
        for a, b in [(0, 1), (1, 65_537), (65_537, 70_000)]
    ]
    assert_array_equal(np.vstack(parts), whole)


def test_designs_refuse_blocks_and_bad_arguments_are_named():
    with pytest.raises(ValidationError, match="row_offset"):
        uniform_points(10, 2, seed=0, method="lhs", row_offset=5)
    with pytest.raises(ValidationError, match="method"):
        uniform_points(10, 2, seed=0, method="owen")
    with pytest.raises(TypeError, match="dim"):
        uniform_points(10, 2.5, seed=0)


def test_antithetic_pairs_and_seeds():
    w = uniform_points(10, 2, seed=8, method="antithetic")
    assert_allclose(w[0::2] + w[1::2], 1.0)
    assert not np.array_equal(uniform_points(8, 2, seed=1), uniform_points(8, 2, seed=2))
    assert_array_equal(uniform_points(8, 2, seed=1), uniform_points(8, 2, seed=1))


def test_normal_scores_are_standard_normal():
    z = normal_scores(4096, 2, seed=9)
    for j in range(2):
        assert stats.kstest(z[:, j], "norm").pvalue > 0.01


@pytest.mark.parametrize("method", METHODS)
def test_distribution_and_inverse_transform_marginals_match_under_every_method(method):
    for dist, ref in [
        (Normal.from_params(loc=1.0, scale=2.0), stats.norm(1.0, 2.0)),
        (Gamma.from_params(a=2.0), stats.gamma(2.0)),
    ]:
        x = dist.sample(2000, seed=10, method=method)
        assert stats.kstest(x, ref.cdf).pvalue > 1e-3
    y = InverseTransform(stats.norm()).sample(2000, seed=11, method=method)
    assert stats.kstest(y, "norm").pvalue > 1e-3
    counts = Poisson.from_params(mu=3.0).sample(4000, seed=12, method=method)
    observed = np.bincount(counts.astype(int), minlength=12)[:12]
    expected = 4000 * stats.poisson.pmf(np.arange(12), 3.0)
    keep = expected > 20
    assert (
        stats.chisquare(
            observed[keep], expected[keep] * observed[keep].sum() / expected[keep].sum()
        ).pvalue
        > 1e-3
    )
