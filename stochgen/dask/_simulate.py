"""Monte Carlo on Dask workers: draws made and reduced where they are computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stochgen._rng import BLOCK_ROWS, SeedLike, as_seed_sequence
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.tabular.sketches import QuantileSketch

__all__ = ["DistributedEstimate", "simulate"]


@dataclass(frozen=True)
class DistributedEstimate:
    """Moments, quantiles and histograms of ``f(X)``, reduced on the workers.

    Attributes
    ----------
    n : int
        Draws.
    mean, variance, std_error : numpy.ndarray
        Per output of ``f``: mean, sample variance, and ``sqrt(variance / n)``.
    quantiles : dict of float to numpy.ndarray
        Requested probability to the sketch's quantile of each output.
    rank_error : float
        Bound on the error of those quantiles in probability (see
        `stochgen.tabular.sketches.QuantileSketch`).
    histogram : numpy.ndarray or None
        Counts per bin, shape (k, len(bins) - 1); values outside are not counted.
    bins : numpy.ndarray or None
    """

    n: int
    mean: NDArray[np.float64]
    variance: NDArray[np.float64]
    std_error: NDArray[np.float64]
    quantiles: dict[float, NDArray[np.float64]]
    rank_error: float
    histogram: NDArray[np.int64] | None
    bins: NDArray[np.float64] | None


def _block_stats(
    f: Callable[..., Any],
    source: Any,
    root: np.random.SeedSequence,
    n: int,
    bounds: list[tuple[int, int]],
    bins: NDArray[np.float64] | None,
    capacity: int,
) -> list[tuple[int, NDArray[np.float64], NDArray[np.float64], list[QuantileSketch], Any]]:
    """Draw and reduce each block in ``bounds``; nothing but the summaries leaves the task."""
    out = []
    for start, stop in bounds:
        if callable(getattr(source, "plan", None)):
            rows = source.plan().sample(n, root, start=start, stop=stop)
        else:
            rows = source.sample(stop - start, root, "random", row_offset=start)
        values = np.asarray(f(rows), dtype=np.float64)
        if values.ndim == 1:
            values = values[:, None]
        m = stop - start
        if values.ndim != 2 or values.shape[0] != m:
            raise ValidationError(
                f"f must return {m} values or an ({m}, k) array for {m} rows; got shape "
                f"{np.shape(values)}"
            )
        mean = values.mean(axis=0)
        m2 = ((values - mean) ** 2).sum(axis=0)
        sketches = [QuantileSketch(capacity).update(values[:, j]) for j in range(values.shape[1])]
        counts = None
        if bins is not None:
            counts = np.stack([np.histogram(values[:, j], bins)[0] for j in range(values.shape[1])])
        out.append((m, mean, m2, sketches, counts))
    return out


def simulate(
    f: Callable[..., Any],
    source: Any,
    n: int,
    seed: SeedLike = None,
    *,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    bins: Any = None,
    block_rows: int = BLOCK_ROWS,
    blocks_per_task: int = 16,
    capacity: int = 4096,
    scheduler: Any = None,
) -> DistributedEstimate:
    """Estimate moments, quantiles and a histogram of ``f(X)`` on Dask workers.

    Each task draws its blocks of ``X`` (block *i* from stream *i* of the
    seed, as everywhere in stochgen), applies ``f`` and returns only block
    summaries: count, mean, sum of squared deviations (combined as in Chan,
    Golub & LeVeque 1979), a quantile sketch and histogram counts. The
    summaries are combined block by block in order, so the estimate does not
    depend on ``blocks_per_task`` or on which worker ran what, and a task run
    again after a lost worker gives the same numbers.

    Parameters
    ----------
    f : callable
        Takes the drawn rows (an array, or a DataFrame for a table model or
        named marginals) and returns m values or an (m, k) array.
    source : JointDistribution or fitted table model
        Anything with ``sample(n, seed, method, row_offset=)``, or with
        ``plan()`` (a fitted `CopulaSynthesizer`).
    n : int
        Draws.
    seed : None, int, SeedSequence, BitGenerator or Generator
    quantiles : sequence of float
        Probabilities to report.
    bins : array_like, optional
        Histogram edges (increasing).
    block_rows : int
        Rows per block; a multiple of 65,536 for a table model.
    blocks_per_task : int
        Blocks drawn by one task (the partitioning; the estimate does not
        depend on it).
    capacity : int
        Quantile sketch capacity.
    scheduler : distributed.Client, str or None
        Where to compute: a client (``Client("scheduler:8786")``), a Dask
        scheduler name, or None for the one in effect.

    Returns
    -------
    DistributedEstimate

    Raises
    ------
    stochgen.exceptions.ValidationError
        On bad sizes, probabilities or bins, or an ``f`` of the wrong shape.

    Examples
    --------
    >>> from stochgen.distributions import Normal
    >>> from stochgen.montecarlo import JointDistribution
    >>> joint = JointDistribution([Normal.from_params(), Normal.from_params()])
    >>> res = simulate(lambda x: x[:, 0] + x[:, 1], joint, 20_000, seed=0, block_rows=4096)
    >>> bool(abs(res.mean[0]) < 0.05), bool(abs(res.variance[0] - 2.0) < 0.1)
    (True, True)
    >>> again = simulate(
    ...     lambda x: x[:, 0] + x[:, 1], joint, 20_000, seed=0, block_rows=4096, blocks_per_task=1
    ... )
    >>> bool(again.quantiles[0.5][0] == res.quantiles[0.5][0])
    True
    """
    try:
        import dask
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        raise ImportError("simulate needs dask: pip install 'stochgen[dask]'") from exc
    n = check_n_samples(n)
    block_rows = check_n_samples(block_rows, "block_rows")
    blocks_per_task = check_n_samples(blocks_per_task, "blocks_per_task")
    if n < 2 or block_rows < 1 or blocks_per_task < 1:
        raise ValidationError(
            f"n must be >= 2, block_rows and blocks_per_task >= 1; got {n=}, {block_rows=}, "
            f"{blocks_per_task=}"
        )
    table_model = callable(getattr(source, "plan", None))
    if table_model and block_rows % BLOCK_ROWS:
        raise ValidationError(
            f"block_rows must be a multiple of {BLOCK_ROWS:,} for a table model; got {block_rows:,}"
        )
    if not table_model and not callable(getattr(source, "sample", None)):
        raise TypeError(
            f"source must be a JointDistribution or a fitted table model; got "
            f"{type(source).__name__}"
        )
    probabilities = np.asarray(quantiles, dtype=np.float64).ravel()
    if np.any((probabilities < 0) | (probabilities > 1) | np.isnan(probabilities)):
        raise ValidationError(f"quantiles must be probabilities in [0, 1]; got {quantiles!r}")
    edges = None
    if bins is not None:
        edges = np.asarray(bins, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValidationError("bins must be at least two increasing edges")
    root = as_seed_sequence(seed)
    bounds = [(a, min(a + block_rows, n)) for a in range(0, n, block_rows)]
    groups = [bounds[i : i + blocks_per_task] for i in range(0, len(bounds), blocks_per_task)]
    task = dask.delayed(_block_stats, pure=True)
    parts = dask.compute(
        *[task(f, source, root, n, group, edges, capacity) for group in groups],
        scheduler=scheduler,
    )
    blocks = [block for part in parts for block in part]
    count, mean, m2 = 0, np.zeros_like(blocks[0][1]), np.zeros_like(blocks[0][1])
    sketches = [QuantileSketch(capacity) for _ in range(mean.size)]
    histogram = None
    for m, block_mean, block_m2, block_sketches, counts in blocks:
        delta = block_mean - mean
        total = count + m
        mean = mean + delta * (m / total)
        m2 = m2 + block_m2 + delta**2 * (count * m / total)
        count = total
        for sketch, part in zip(sketches, block_sketches, strict=True):
            sketch.merge(part)
        if counts is not None:
            histogram = counts if histogram is None else histogram + counts
    variance = m2 / (count - 1)
    return DistributedEstimate(
        n=count,
        mean=mean,
        variance=variance,
        std_error=np.sqrt(variance / count),
        quantiles={
            float(q): np.array([s.quantiles([q])[0] for s in sketches]) for q in probabilities
        },
        rank_error=max(s.rank_error for s in sketches) / count,
        histogram=histogram,
        bins=edges,
    )
