import numpy as np
import pytest

import stochgen
from stochgen.exceptions import ValidationError


@pytest.mark.parametrize(
    "family", ["normal", "lognormal", "gamma", "weibull", "logistic", "gumbel", "loglogistic"]
)
def test_two_quantiles_matched_exactly(family):
    q = {0.5: 150_000.0, 0.9: 250_000.0}
    dist = stochgen.from_quantiles(q, family=family)
    np.testing.assert_allclose(dist.cdf(list(q.values())), list(q), atol=1e-9)


def test_three_quantiles_skewed_family():
    q = {0.1: 100.0, 0.5: 150.0, 0.9: 250.0}
    dist = stochgen.from_quantiles(q, family="gev")
    np.testing.assert_allclose(dist.ppf(list(q)), list(q.values()), rtol=1e-6)


def test_quantiles_no_member_matches():
    with pytest.raises(ValidationError, match="no student_t distribution has these quantiles"):
        stochgen.from_quantiles({0.1: 100.0, 0.5: 150.0, 0.9: 250.0}, family="student_t")
    with pytest.raises(ValidationError, match="increase"):
        stochgen.from_quantiles({0.1: 3.0, 0.9: 1.0})
    with pytest.raises(ValidationError, match="cannot determine"):
        stochgen.from_quantiles({0.5: 1.0}, family="normal")
    with pytest.raises(ValidationError, match="unknown"):
        stochgen.from_quantiles({0.5: 1.0, 0.9: 2.0}, family="zeta")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({}, "Normal"),
        ({"skew": 1.5}, "Pearson3"),
        ({"skew": -0.7}, "Pearson3"),
        ({"support": (0.0, None)}, "Gamma"),
        ({"support": (0.0, None), "skew": 1.2}, "Gamma"),
        ({"support": (None, 20.0)}, "Pearson3"),
        ({"support": (0.0, 30.0)}, "Beta"),
    ],
)
def test_moments_matched(kwargs, name):
    dist = stochgen.from_moments(10.0, 2.0, **kwargs)
    assert type(dist).__name__ == name
    mean, var, skew = (float(v) for v in dist.frozen_.stats(moments="mvs"))
    assert mean == pytest.approx(10.0) and np.sqrt(var) == pytest.approx(2.0)
    if kwargs.get("skew") is not None:
        assert skew == pytest.approx(kwargs["skew"])
    lo, hi = kwargs.get("support") or (None, None)
    if lo is not None:
        assert dist.support()[0] >= lo
    if hi is not None:
        assert dist.support()[1] <= hi + 1e-9


def test_moments_impossible():
    with pytest.raises(ValidationError, match="sd must be below"):
        stochgen.from_moments(0.5, 0.6, support=(0.0, 1.0))
    with pytest.raises(ValidationError, match="skew must be >="):
        stochgen.from_moments(10.0, 2.0, skew=0.1, support=(5.0, None))
    with pytest.raises(ValidationError, match="must exceed the lower bound"):
        stochgen.from_moments(-1.0, 2.0, support=(0.0, None))
    with pytest.raises(ValidationError, match="has skew"):
        stochgen.from_moments(10.0, 2.0, skew=3.0, support=(0.0, 30.0))
    with pytest.raises(ValidationError, match="sd must be a finite number > 0"):
        stochgen.from_moments(1.0, 0.0)
