import numpy as np
import pytest

from stochgen._kernels.tabular import quantiles_from_normal
from stochgen.tabular.columns import guide_table
from tests.reference import tabular as reference


@pytest.mark.parametrize("flat_pieces", [False, True])
@pytest.mark.parametrize("buckets", [1, 7, 1_000])
def test_quantiles_from_normal_matches_numpy_twin(flat_pieces, buckets):
    rng = np.random.default_rng(0)
    z = rng.standard_normal(50_000) * 2.5
    z[[3, 7]] = np.nan
    z[[10, 11]] = [-np.inf, np.inf]
    knots_q = np.sort(np.r_[0.001, rng.random(500), 0.999])
    if flat_pieces:
        knots_q = np.repeat(knots_q, 2)[1:-1]
    knots_x = np.sort(rng.normal(size=knots_q.size))
    out = np.empty_like(z)
    quantiles_from_normal(z, knots_q, knots_x, guide_table(knots_q, buckets), out)
    expected = reference.quantiles_from_normal(z, knots_q, knots_x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    assert np.isnan(out[[3, 7]]).all()
    assert out[10] == knots_x[0]
    assert out[11] == knots_x[-1]
