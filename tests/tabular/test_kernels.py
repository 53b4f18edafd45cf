import numpy as np
import pytest

from stochgen._kernels.tabular import interp_scores, label_codes, matrix_apply, standard_normals
from stochgen.tabular.scores import guide_table, piece_slopes
from tests.reference import tabular as reference


@pytest.mark.parametrize("flat_pieces", [False, True])
@pytest.mark.parametrize("buckets", [1, 7, 1_000])
@pytest.mark.parametrize("inner_knots", [3, 500])  # under and over _FEW_KNOTS
def test_interp_scores_matches_numpy_twin(flat_pieces, buckets, inner_knots):
    rng = np.random.default_rng(0)
    z = rng.standard_normal(50_000) * 2.5
    z[[3, 7]] = np.nan
    z[[10, 11]] = [-np.inf, np.inf]
    knots_z = np.sort(np.r_[-3.1, rng.normal(size=inner_knots), 3.1])
    if flat_pieces:
        knots_z = np.repeat(knots_z, 2)[1:-1]
    knots_x = np.sort(rng.normal(size=knots_z.size))
    out = np.empty_like(z)
    slopes = piece_slopes(knots_z, knots_x)
    interp_scores(z, knots_z, knots_x, slopes, guide_table(knots_z, buckets), out)
    expected = reference.interp_scores(z, knots_z, knots_x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    assert np.isnan(out[[3, 7]]).all()
    assert out[10] == knots_x[0]
    assert out[11] == knots_x[-1]
    # Every value between the first and last knot, and each knot reproduced.
    assert np.all((out[np.isfinite(out)] >= knots_x[0]) & (out[np.isfinite(out)] <= knots_x[-1]))
    at_knots = np.empty_like(knots_z)
    interp_scores(knots_z, knots_z, knots_x, slopes, guide_table(knots_z, buckets), at_knots)
    np.testing.assert_allclose(at_knots, reference.interp_scores(knots_z, knots_z, knots_x))


def test_guide_table_points_at_last_knot_below_each_edge():
    knots = np.array([-2.0, -1.0, -1.0, 0.5, 2.0])
    guide = guide_table(knots, 4)  # edges -2, -1, 0, 1, 2
    np.testing.assert_array_equal(guide, [0, 2, 2, 3, 4])


@pytest.mark.parametrize(("d", "n"), [(1, 3), (5, 511), (16, 1_300)])  # around the 512-column tile
@pytest.mark.parametrize("lower", [True, False])
def test_matrix_apply_matches_numpy_twin(d, n, lower):
    rng = np.random.default_rng(1)
    factor = rng.normal(size=(d, d))
    factor[-1, 0] = 0.0  # a zero is skipped, not mis-summed
    g = rng.standard_normal((d, n))
    out = np.full_like(g, np.nan)
    matrix_apply(factor, g, out, lower)
    expected = reference.matrix_apply(factor, g, lower)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 100_003])
def test_standard_normals_equal_numpy_values_and_state(n):
    ours, theirs = np.random.default_rng(9), np.random.default_rng(9)
    out, expected = np.full(n, np.nan), np.full(n, np.nan)
    standard_normals(ours, out)
    reference.standard_normals(theirs, expected)
    np.testing.assert_array_equal(out, expected)
    assert ours.random() == theirs.random()  # the generator advanced alike


@pytest.mark.parametrize("missing", [0.0, 0.3])
def test_pairwise_moments_kernel_equals_the_reference(missing):
    from stochgen._kernels.tabular import pairwise_moments

    rng = np.random.default_rng(12)
    x = rng.standard_normal((500, 7))
    x[:, 1] += 0.8 * x[:, 0]
    x[:, 6] = 2.0  # constant: no correlation
    present = (rng.random(x.shape) >= missing).astype(np.float64)
    present[:498, 5] = 0.0  # two rows only: too few
    columns = np.ascontiguousarray(np.where(present > 0, x, 0.0).T)
    mask = np.ascontiguousarray(present.T)
    out = np.empty((7, 7))
    pairwise_moments(columns, mask, out)
    expected = reference.pairwise_moments(columns, mask)
    assert np.array_equal(np.isnan(out), np.isnan(expected))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("n_edges", [0, 1, 5, 32])
def test_label_codes_match_numpy_searchsorted(n_edges):
    rng = np.random.default_rng(3)
    edges = np.sort(rng.normal(size=n_edges))
    z = rng.normal(size=20_000) * 1.5
    z[:n_edges] = edges  # ties: an edge itself counts (side="right")
    z[[-1, -2, -3]] = [np.nan, -np.inf, np.inf]
    out = np.empty(z.size, dtype=np.int64)
    label_codes(z, edges, out)
    np.testing.assert_array_equal(out, reference.label_codes(z, edges))
