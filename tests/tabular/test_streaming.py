import numpy as np
import pandas as pd
import pytest

from stochgen.tabular.plan import SamplingPlan
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=500).round(4),
            "k": rng.choice(["a", "b"], size=500),
            "i": rng.integers(0, 100, size=500),
        }
    )
    return CopulaSynthesizer().fit(df)


@pytest.mark.parametrize("block_rows", [1_000, 65_536, 100_000])
def test_csv_stream_equals_in_memory(model, tmp_path, block_rows):
    path = model.sample_to(tmp_path / "out.csv", 70_000, seed=5, block_rows=block_rows)
    expected = model.sample(70_000, seed=5).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(path), expected, check_exact=False, rtol=1e-12)


def test_parquet_stream_equals_in_memory(model, tmp_path):
    path = model.sample_to(tmp_path / "out.parquet", 70_000, seed=6, block_rows=30_000)
    expected = model.sample(70_000, seed=6).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(path), expected)


def test_zero_rows_write_header(model, tmp_path):
    path = model.sample_to(tmp_path / "none.csv", 0, seed=0)
    assert list(pd.read_csv(path).columns) == ["x", "k", "i"]


def test_interrupted_stream_leaves_no_file(model, tmp_path, monkeypatch):
    first = model.sample(10, seed=0)

    def failing(self, n, seed=None, **kwargs):
        yield first
        raise RuntimeError("disk full")

    monkeypatch.setattr(SamplingPlan, "iter_blocks", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        model.sample_to(tmp_path / "out.csv", 100, seed=0)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(model, tmp_path):
    with pytest.raises(ValueError, match="format must be one of"):
        model.sample_to(tmp_path / "x.csv", 5, format="xlsx")
    with pytest.raises(ValueError, match="block_rows must be positive"):
        model.sample_to(tmp_path / "x.csv", 5, block_rows=0)
