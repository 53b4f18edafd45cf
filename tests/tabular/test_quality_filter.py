import numpy as np
import pandas as pd
import pytest

from stochgen.exceptions import ValidationError
from stochgen.tabular.quality_filter import quality_filter
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture(scope="module")
def setup():
    # A ring: a Gaussian copula cannot model it, so many generated rows are clearly off it.
    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 2 * np.pi, 2_000)
    real = pd.DataFrame({"x": np.cos(angle), "y": np.sin(angle)}) + rng.normal(0, 0.05, (2_000, 2))
    return real.round(4), CopulaSynthesizer().fit(real.round(4))


def _radius_spread(frame):
    return np.abs(np.hypot(frame["x"], frame["y"]) - 1).mean()


def test_filter_keeps_size_drops_fake_rows_and_reports(setup):
    real, model = setup
    out = quality_filter(model, real, 600, seed=0, threshold=0.8, oversample=3.0)
    assert len(out) == 600
    info = out.attrs["quality_filter"]
    assert info["generated"] == 1_800
    assert info["dropped"] > 0
    plain = model.sample(600, seed=0)
    # Kept rows lie closer to the ring than unfiltered ones.
    assert _radius_spread(out) < 0.8 * _radius_spread(plain)


def test_filter_is_reproducible(setup):
    real, model = setup
    a = quality_filter(model, real, 300, seed=5, oversample=3.0)
    b = quality_filter(model, real, 300, seed=5, oversample=3.0)
    pd.testing.assert_frame_equal(a, b)


def test_too_strict_filter_raises_with_counts(setup):
    real, model = setup
    with pytest.raises(ValidationError, match=r"passed \(threshold 0.01\)"):
        quality_filter(model, real, 500, seed=0, threshold=0.01, oversample=1.0)


def test_bad_arguments(setup):
    real, model = setup
    with pytest.raises(ValidationError, match="oversample"):
        quality_filter(model, real, 5, oversample=0.5)
    with pytest.raises(ValidationError, match="threshold"):
        quality_filter(model, real, 5, threshold=1.5)
