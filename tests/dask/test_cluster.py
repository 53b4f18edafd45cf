"""Fitting and Monte Carlo on a real dask.distributed LocalCluster with two worker processes."""

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import stochgen.dask as sgd  # noqa: E402
from stochgen.distributions import Normal  # noqa: E402
from stochgen.montecarlo import JointDistribution  # noqa: E402
from stochgen.tabular.sketches import QuantileSketch  # noqa: E402
from stochgen.tabular.synthesizer import CopulaSynthesizer  # noqa: E402

pytestmark = [
    pytest.mark.cluster,
    # distributed's own comms leave sockets to the garbage collector at shutdown.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

N_PARTS = 8
PART_ROWS = 5_000


def _part(i, delay=0.0):
    """Partition ``i`` of a fixed table (the same rows however often it is computed)."""
    time.sleep(delay)
    rng = np.random.default_rng([7, i])
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.7], [0.7, 1.0]], size=PART_ROWS)
    return pd.DataFrame(
        {
            "x": np.exp(z[:, 0]).round(2),
            "y": np.where(z[:, 1] > 1.2, np.nan, z[:, 1] * 3.0),
            "g": np.where(z[:, 0] + z[:, 1] > 0.5, "hi", "lo"),
        }
    )


def _frame(delay=0.0):
    meta = _part(0).iloc[:0]
    return dd.from_map(_part, list(range(N_PARTS)), delay=delay, meta=meta, enforce_metadata=False)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", scheduler_port=0
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_cluster_fit_matches_in_memory_fit(client):
    table = pd.concat([_part(i) for i in range(N_PARTS)], ignore_index=True)
    memory = CopulaSynthesizer().fit(table)
    on_cluster = sgd.fit(CopulaSynthesizer(), _frame(), scheduler=client)
    assert on_cluster.latent_.layout_ == memory.latent_.layout_
    np.testing.assert_allclose(on_cluster.latent_.corr_, memory.latent_.corr_, atol=0.01)
    assert on_cluster.columns_["y"].missing_rate_ == memory.columns_["y"].missing_rate_
    # Marginal quantiles: inside the data's rank interval, within the sketch's bound
    # (8 partitions merged) plus the 1/8,192 spacing of the quantiles it keeps.
    data = np.sort(table["x"].to_numpy())
    q = np.linspace(0.001, 0.999, 999)
    values = on_cluster.columns_["x"].marginal_.ppf(q)
    below = np.searchsorted(data, values, side="left") / data.size
    upto = np.searchsorted(data, values, side="right") / data.size
    sketch = QuantileSketch()
    for i in range(N_PARTS):
        sketch.merge(QuantileSketch().update(data[i::N_PARTS]))
    tolerance = sketch.rank_error / sketch.n + 1.0 / sketch.capacity
    assert np.maximum.reduce([below - q, q - upto, np.zeros_like(q)]).max() <= tolerance
    for label, model in memory.class_models_["g"].items():
        np.testing.assert_allclose(
            on_cluster.class_models_["g"][label].corr_, model.corr_, atol=0.01
        )
    # model.fit(ddf) under the active client is the same computation.
    direct = CopulaSynthesizer().fit(_frame())
    np.testing.assert_array_equal(direct.latent_.corr_, on_cluster.latent_.corr_)


def test_simulate_on_workers_does_not_depend_on_partitioning(client):
    joint = JointDistribution([Normal.from_params(), Normal.from_params(loc=1.0)])

    def f(x):
        return np.column_stack([x[:, 0] * x[:, 1], x[:, 1]])

    kwargs = {"block_rows": 10_000, "bins": np.linspace(-4, 4, 17)}
    one = sgd.simulate(f, joint, 200_000, seed=5, blocks_per_task=1, scheduler=client, **kwargs)
    many = sgd.simulate(f, joint, 200_000, seed=5, blocks_per_task=7, scheduler=client, **kwargs)
    local = sgd.simulate(f, joint, 200_000, seed=5, blocks_per_task=3, scheduler="sync", **kwargs)
    for other in (many, local):
        np.testing.assert_array_equal(other.mean, one.mean)
        np.testing.assert_array_equal(other.variance, one.variance)
        np.testing.assert_array_equal(other.histogram, one.histogram)
        assert other.quantiles[0.5].tolist() == one.quantiles[0.5].tolist()
    # E[X0 X1] = 0, Var = 2; the mean of X1 is 1: within 4 standard errors.
    assert abs(one.mean[0]) < 4 * one.std_error[0]
    assert abs(one.mean[1] - 1.0) < 4 * one.std_error[1]
    assert one.variance[0] == pytest.approx(2.0, rel=0.03)
    assert abs(one.quantiles[0.5][1] - 1.0) < 0.02
    # Bin [0.5, 1.0) of X1 ~ N(1, 1) holds Phi(0) - Phi(-0.5) = 0.19146: binomial error 0.0009.
    share = one.histogram[1, 9] / one.n
    assert share == pytest.approx(0.19146, abs=0.004)


def test_sequences_sampled_on_worker_processes_equal_one_machine_sample(client):
    from stochgen import SequenceSynthesizer

    rng = np.random.default_rng(4)
    rows = [
        (f"e{e}", 2000 + t, "ab"[e % 2], float(rng.normal()))
        for e in range(30)
        for t in range(int(rng.integers(2, 9)))
    ]
    panel = pd.DataFrame(rows, columns=["id", "year", "group", "x"])
    model = SequenceSynthesizer(entity="id", order="year").fit(panel)
    n = 9_000  # three partitions of whole sequences, the last one short
    frame = sgd.sequences_to_dask(model, n, seed=2, partition_sequences=4_096)
    assert frame.npartitions == 3
    pd.testing.assert_frame_equal(client.compute(frame).result(), model.sample(n, seed=2))


def test_killed_worker_is_retried_and_the_fit_does_not_change():
    # A cluster of its own: the killed worker's nanny may not bring it back here.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", scheduler_port=0
    )
    with distributed.Client(cluster) as client:
        _kill_one_worker_mid_fit(client)
    cluster.close()


def _kill_one_worker_mid_fit(client):
    reference = sgd.fit(CopulaSynthesizer(), _frame(), scheduler=client)
    result = {}

    def run():
        result["model"] = sgd.fit(CopulaSynthesizer(), _frame(delay=0.5), scheduler=client)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while not any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    victim = next(addr for addr, tasks in client.processing().items() if tasks)
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    assert "model" in result, "the fit did not finish after a worker was killed"
    np.testing.assert_array_equal(result["model"].latent_.corr_, reference.latent_.corr_)
    pd.testing.assert_frame_equal(
        result["model"].sample(200, seed=3), reference.sample(200, seed=3)
    )
