import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
import dask  # noqa: E402

from stochgen.dask import to_dask  # noqa: E402
from stochgen.exceptions import NotFittedError, ValidationError  # noqa: E402
from stochgen.tabular.constraints import Unique  # noqa: E402
from stochgen.tabular.synthesizer import CopulaSynthesizer  # noqa: E402

BLOCK = 65_536


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    n = 600
    label = rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.3, 0.1])
    x = rng.normal(size=n) + (label == "c") * 3.0
    y = np.where(rng.random(n) < 0.1, np.nan, 2.0 * x + rng.normal(size=n)).round(2)
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    table = pd.DataFrame({"label": label, "x": x, "y": y, "count": rng.poisson(3, n), "when": when})
    return CopulaSynthesizer().fit(table)


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_partitions_equal_one_machine_sample(model, scheduler):
    n = 2 * BLOCK + 1_000  # a short last partition
    frame = to_dask(model, n, seed=7, partition_rows=BLOCK)
    assert frame.npartitions == 3
    assert list(frame.columns) == list(model.output_columns_)
    with dask.config.set(scheduler=scheduler):
        out = frame.compute()
    pd.testing.assert_frame_equal(out, model.sample(n, seed=7))


def test_rows_do_not_depend_on_partition_size(model):
    n = 3 * BLOCK
    small = to_dask(model, n, seed=1, partition_rows=BLOCK).compute(scheduler="sync")
    large = to_dask(model, n, seed=1, partition_rows=4 * BLOCK).compute(scheduler="sync")
    pd.testing.assert_frame_equal(small, large)
    assert not small.iloc[:BLOCK].equals(small.iloc[BLOCK : 2 * BLOCK].set_axis(range(BLOCK)))


def test_one_partition_alone_equals_its_slice(model):
    frame = to_dask(model, 2 * BLOCK, seed=3, partition_rows=BLOCK)
    second = frame.get_partition(1).compute(scheduler="sync")
    expected = model.sample(2 * BLOCK, seed=3).iloc[BLOCK:]
    pd.testing.assert_frame_equal(second, expected)


def test_conditions_and_unseeded_runs_are_fixed_when_built(model):
    frame = to_dask(model, 5_000, conditions={"label": "c"})
    first = frame.compute(scheduler="sync")
    assert (first["label"] == "c").all()
    pd.testing.assert_frame_equal(first, frame.compute(scheduler="threads"))
    seeded = to_dask(model, 5_000, seed=4, conditions={"label": "c"}).compute(scheduler="sync")
    pd.testing.assert_frame_equal(seeded, model.sample(5_000, seed=4, conditions={"label": "c"}))


def test_zero_rows_keep_dtypes(model):
    out = to_dask(model, 0, seed=0).compute(scheduler="sync")
    assert len(out) == 0
    pd.testing.assert_series_equal(out.dtypes, model.sample(0).dtypes)


@pytest.mark.parametrize("rows", [0, 1_000, BLOCK + 1, -BLOCK])
def test_partition_rows_must_be_whole_blocks(model, rows):
    with pytest.raises(ValidationError, match="partition_rows"):
        to_dask(model, 10, seed=0, partition_rows=rows)


def test_errors_are_raised_when_built_not_when_computed(model):
    with pytest.raises(ValidationError, match="nope"):
        to_dask(model, 10, seed=0, conditions={"nope": 1})
    with pytest.raises(NotFittedError):
        to_dask(CopulaSynthesizer(), 10)
    unique = CopulaSynthesizer(constraints=[Unique("x")]).fit(
        pd.DataFrame({"x": np.arange(50.0), "y": np.arange(50.0) % 7})
    )
    with pytest.raises(ValidationError, match=r"unique\(x\)"):
        to_dask(unique, 10, seed=0)


def test_partitions_sampled_in_other_processes_equal_one_machine_sample(model):
    frame = to_dask(model, 2 * BLOCK, seed=11, partition_rows=BLOCK)
    out = frame.compute(scheduler="processes", num_workers=2)
    pd.testing.assert_frame_equal(out, model.sample(2 * BLOCK, seed=11))
