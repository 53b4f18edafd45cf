import numpy as np
import pytest
from scipy import stats

from stochgen._kernels.discrete import alias_lookup, alias_setup, build_cdf_guide, guide_search
from stochgen.samplers.alias import AliasTable
from tests.reference import discrete as ref


@pytest.mark.parametrize("k", [1, 2, 7, 1000])
def test_alias_kernels_match_reference(k):
    probs = np.random.default_rng(k).dirichlet(np.full(k, 0.3))
    accept, alias = alias_setup(probs)
    r_accept, r_alias = ref.alias_setup(probs)
    np.testing.assert_allclose(accept, r_accept, rtol=1e-12)
    np.testing.assert_array_equal(alias, r_alias)
    u = np.random.default_rng(0).random(10_000)
    np.testing.assert_array_equal(
        alias_lookup(u, accept, alias), ref.alias_lookup(u, accept, alias)
    )
    # The table reproduces the probabilities exactly: mass of column i kept plus aliased in.
    mass = accept.copy()
    np.add.at(mass, alias, 1 - accept)
    np.testing.assert_allclose(mass / k, probs, atol=1e-12)


def test_guide_kernels_match_reference():
    cum = np.cumsum(np.random.default_rng(1).dirichlet(np.ones(50)))
    guide = build_cdf_guide(cum, 128)
    np.testing.assert_array_equal(guide, ref.build_cdf_guide(cum, 128))
    u = np.random.default_rng(2).random(10_000)
    np.testing.assert_array_equal(guide_search(u, cum, guide), ref.guide_search(u, cum))


def test_alias_sampling_chi_square():
    probs = np.array([0.05, 0.4, 0.0, 0.25, 0.3])
    table = AliasTable(probs)
    draws = table.sample(200_000, seed=4)
    counts = np.bincount(draws, minlength=probs.size)
    assert counts[2] == 0
    keep = probs > 0
    assert stats.chisquare(counts[keep], probs[keep] * draws.size).pvalue > 1e-3
    # power check: a 1% shift of mass would be seen
    shifted = probs[keep] + np.array([0.01, -0.01, 0, 0])
    assert stats.chisquare(counts[keep], shifted * draws.size).pvalue < 1e-3


def test_alias_bad_input():
    with pytest.raises(ValueError, match="negative"):
        AliasTable([0.5, -0.1])
    with pytest.raises(ValueError, match="all weights are zero"):
        AliasTable([0.0, 0.0])
    with pytest.raises(ValueError, match="NaN"):
        AliasTable([0.5, np.nan])
