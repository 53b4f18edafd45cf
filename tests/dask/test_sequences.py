import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
import dask  # noqa: E402

from stochgen import SequenceSynthesizer  # noqa: E402
from stochgen.dask import sequences_to_dask, to_dask  # noqa: E402
from stochgen.exceptions import NotFittedError, ValidationError  # noqa: E402
from stochgen.sequences import plan as plan_module  # noqa: E402


def _panel(seed=0):
    """Unbalanced panel with a context label, an AR(1) number and a sticky label."""
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(40):
        sector = "ab"[firm % 2]
        length = int(rng.integers(2, 6) if sector == "a" else rng.integers(8, 12))
        x = rng.normal()
        for step in range(length):
            x = 0.7 * x + rng.normal()
            rows.append((f"f{firm}", 2000 + step, sector, round(x, 3), rng.choice(["on", "off"])))
    return pd.DataFrame(rows, columns=["firm", "year", "sector", "x", "state"])


@pytest.fixture(scope="module")
def model():
    return SequenceSynthesizer(entity="firm", order="year").fit(_panel())


@pytest.fixture
def small_blocks(monkeypatch):
    # Blocks of 8 sequences: many blocks and partitions from a few hundred sequences.
    monkeypatch.setattr(plan_module, "BLOCK_SEQUENCES", 8)
    monkeypatch.setattr("stochgen.dask._sequences.BLOCK_SEQUENCES", 8)


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_partitions_equal_one_machine_sample(model, small_blocks, scheduler):
    n = 8 * 5 + 3  # a short last partition
    frame = sequences_to_dask(model, n, seed=7, partition_sequences=16)
    assert frame.npartitions == 3
    assert frame.known_divisions
    with dask.config.set(scheduler=scheduler):
        out = frame.compute()
    expected = model.sample(n, seed=7)
    pd.testing.assert_frame_equal(out, expected)
    # Whole sequences per partition: no entity is in two partitions.
    seen = [set(frame.get_partition(i).compute(scheduler="sync")["firm"]) for i in range(3)]
    assert sum(len(s) for s in seen) == n == len(set.union(*seen))


def test_rows_do_not_depend_on_partitioning(model, small_blocks):
    n = 8 * 6
    small = sequences_to_dask(model, n, seed=1, partition_sequences=8).compute(scheduler="sync")
    large = sequences_to_dask(model, n, seed=1, partition_sequences=24).compute(scheduler="sync")
    pd.testing.assert_frame_equal(small, large)
    # Blocks draw different streams: the first two blocks' x differ.
    firms = small["firm"].unique()
    first = small[small["firm"].isin(firms[:8])]["x"].to_numpy()
    second = small[small["firm"].isin(firms[8:16])]["x"].to_numpy()
    assert not np.array_equal(first[:5], second[:5])


def test_one_partition_alone_equals_its_slice(model, small_blocks):
    frame = sequences_to_dask(model, 32, seed=3, partition_sequences=16)
    second = frame.get_partition(1).compute(scheduler="sync")
    expected = model.sample(32, seed=3)
    firms = expected["firm"].unique()[16:]
    pd.testing.assert_frame_equal(second, expected[expected["firm"].isin(firms)])
    assert second.index[0] == frame.divisions[1]


def test_length_and_conditions_fixed_when_built(model):
    frame = sequences_to_dask(
        model, 20, sequence_length=4, conditions={"sector": "b"}, partition_sequences=4096
    )
    first = frame.compute(scheduler="sync")
    assert (first["sector"] == "b").all()
    assert (first.groupby("firm").size() == 4).all()
    pd.testing.assert_frame_equal(first, frame.compute(scheduler="threads"))
    seeded = to_dask(model, 20, seed=4, conditions={"sector": "b"}).compute(scheduler="sync")
    pd.testing.assert_frame_equal(seeded, model.sample(20, seed=4, conditions={"sector": "b"}))


def test_single_series_and_empty():
    rng = np.random.default_rng(2)
    z = np.zeros(80)
    for t in range(1, 80):
        z[t] = 0.8 * z[t - 1] + rng.normal()
    series = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=80, tz="UTC"), "z": z})
    model = SequenceSynthesizer(order="t").fit(series)
    out = to_dask(model, 3, seed=5).compute(scheduler="sync")
    pd.testing.assert_frame_equal(out, model.sample(3, seed=5))
    empty = to_dask(model, 0, seed=5).compute(scheduler="sync")
    assert empty.empty
    pd.testing.assert_series_equal(empty.dtypes, series.dtypes)


def test_bad_arguments(model):
    with pytest.raises(ValidationError, match="partition_sequences must be a positive multiple"):
        sequences_to_dask(model, 10, seed=0, partition_sequences=100)
    with pytest.raises(ValidationError, match="partition_rows and method do not apply"):
        to_dask(model, 10, seed=0, partition_rows=65_536 * 2)
    with pytest.raises(ValidationError, match="not context columns"):
        sequences_to_dask(model, 10, seed=0, conditions={"x": 1.0})
    with pytest.raises(NotFittedError):
        sequences_to_dask(SequenceSynthesizer(entity="firm"), 10)
    with pytest.raises(TypeError, match="needs a fitted SequenceSynthesizer"):
        sequences_to_dask(object(), 10)
