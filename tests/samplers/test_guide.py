import numpy as np
import pytest

from stochgen._kernels.guide import build_guide, guide_lookup
from tests.reference import guide as reference


@pytest.mark.parametrize(("lo", "hi", "size"), [(0.0, 1.0, 64), (0.0, 7.5, 5), (-2.0, 3.0, 1000)])
def test_guide_matches_reference_and_search(lo, hi, size):
    rng = np.random.default_rng(size)
    inner = np.sort(rng.uniform(lo, hi, 40))
    # Uneven intervals, including a run of tiny ones and a repeated end.
    ends = np.concatenate([inner[:10], inner[10:11] + np.geomspace(1e-12, 1e-9, 5), inner[11:]])
    ends = np.append(np.sort(np.append(ends, ends[3])), hi)
    guide = build_guide(ends, lo, hi, size)
    np.testing.assert_array_equal(guide, reference.build_guide(ends, lo, hi, size))
    values = np.concatenate([rng.uniform(lo, hi, 5000), ends, [lo, hi], np.nextafter(ends, lo)])
    for v in values:
        q = (v - lo) / (hi - lo)
        assert guide_lookup(ends, guide, q, v) == reference.guide_lookup(ends, v)
    # A bucket position off by rounding still finds the right interval.
    v = ends[20]
    assert guide_lookup(ends, guide, min(1.0, (v - lo) / (hi - lo) + 1e-3), v) == (
        reference.guide_lookup(ends, v)
    )
