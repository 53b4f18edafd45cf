"""Synthetic tables as Dask DataFrames: partitions sampled where they are computed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stochgen._rng import BLOCK_ROWS, SeedLike, as_seed_sequence
from stochgen._validation import check_n_samples
from stochgen.dask._sequences import sequences_to_dask
from stochgen.exceptions import ValidationError

if TYPE_CHECKING:
    from stochgen.tabular.plan import SamplingPlan

__all__ = ["sample_partition", "to_dask"]


def sample_partition(
    bounds: tuple[int, int], plan: SamplingPlan, n: int, root: np.random.SeedSequence
) -> pd.DataFrame:
    """Return rows ``start:stop`` of ``plan.sample(n, root)``.

    ``start`` must be a multiple of the 65,536-row sampling block: the rows
    are those blocks, each drawn from its own stream, so a partition needs
    nothing from the others.

    Parameters
    ----------
    bounds : tuple of int
        ``(start, stop)`` row numbers.
    plan : SamplingPlan
        A model's plan (``model.plan(conditions)``).
    n : int
        Rows of the whole frame.
    root : numpy.random.SeedSequence
        The seed every partition shares.

    Returns
    -------
    pandas.DataFrame
        Indexed by global row number.
    """
    start, stop = bounds
    return plan.sample(n, root, start=start, stop=stop)


def to_dask(
    model: Any,
    n: int,
    seed: SeedLike = None,
    conditions: dict[str, Any] | None = None,
    *,
    partition_rows: int = 16 * BLOCK_ROWS,
    method: str = "random",
) -> Any:
    """Return ``model.sample(n, seed, conditions)`` as a lazy Dask DataFrame.

    Each partition is sampled where Dask computes it (threads, processes or a
    cluster), from the same per-block streams as ``sample``, so the computed
    frame equals ``model.sample(n, seed, conditions)`` row for row whatever
    the scheduler. Works for any fitted model with a ``plan`` method
    (`CopulaSynthesizer`, the torch synthesizers), and for a
    `SequenceSynthesizer`: then ``n`` counts sequences, each partition holds
    whole sequences and `sequences_to_dask` is called with its defaults (use
    it directly for ``sequence_length`` or the partition size).

    Parameters
    ----------
    model : CopulaSynthesizer, SequenceSynthesizer or another model with ``plan``
        A fitted model.
    n : int
        Total rows (sequences for a `SequenceSynthesizer`).
    seed : None, int, SeedSequence, BitGenerator or Generator
        Fixed when this is called (``None`` draws fresh entropy once).
    conditions : dict, optional
        As in the model's ``sample``; checked now.
    partition_rows : int
        Rows per partition, a multiple of 65,536 (the sampling block).
    method : str
        As in `CopulaSynthesizer.sample` (a point set read in blocks: every
        partition reads its own rows of the one sequence).

    Returns
    -------
    dask.dataframe.DataFrame
        Computed, equal to ``model.sample(n, seed, conditions)``.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On a bad ``partition_rows`` or condition, or a rule that looks across
        blocks (`Unique`: partitions are computed apart).

    Examples
    --------
    >>> import pandas as pd
    >>> from stochgen import CopulaSynthesizer
    >>> model = CopulaSynthesizer().fit(pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5]}))
    >>> frame = to_dask(model, 150_000, seed=0, partition_rows=65_536)
    >>> frame.npartitions
    3
    >>> frame.compute().equals(model.sample(150_000, seed=0))
    True
    """
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        raise ImportError("to_dask needs dask[dataframe]: pip install 'stochgen[dask]'") from exc

    if callable(getattr(model, "sequence_plan", None)):
        if partition_rows != 16 * BLOCK_ROWS or method != "random":
            raise ValidationError(
                "to_dask: partition_rows and method do not apply to a SequenceSynthesizer; "
                "use sequences_to_dask(..., partition_sequences=...)"
            )
        return sequences_to_dask(model, n, seed, conditions=conditions)
    n = check_n_samples(n)
    partition_rows = check_n_samples(partition_rows, "partition_rows")
    if partition_rows == 0 or partition_rows % BLOCK_ROWS:
        raise ValidationError(
            f"partition_rows must be a positive multiple of {BLOCK_ROWS:,} (the sampling "
            f"block); got {partition_rows:,}"
        )
    if not callable(getattr(model, "plan", None)):
        raise TypeError(
            f"to_dask needs a fitted table model with plan(); got {type(model).__name__}"
        )
    # One root for every partition, fixed now: seed=None draws fresh entropy once.
    root = as_seed_sequence(seed)
    # Conditions are checked now, not when computed.
    if method == "random":
        plan = model.plan(conditions)
    else:
        plan = model.plan(conditions, method=method, seed=root)
    # Partitions run at once on workers: no bar each (Dask has its own progress tools).
    plan.progress = False
    stateful = [rule.describe() for rule in plan.rules if rule.stateful]
    if stateful:
        raise ValidationError(
            f"to_dask cannot keep {stateful[0]} across partitions computed apart; "
            "use sample_to, which streams the blocks in order"
        )
    meta = plan.empty(root)
    # The fitted dtypes, not Dask's default conversion of object columns to pyarrow strings.
    with dask.config.set({"dataframe.convert-string": False}):
        if n == 0:
            return dd.from_pandas(meta, npartitions=1)
        bounds = [(start, min(start + partition_rows, n)) for start in range(0, n, partition_rows)]
        divisions = (*(start for start, _ in bounds), n - 1)
        return dd.from_map(
            sample_partition,
            bounds,
            plan=plan,
            n=n,
            root=root,
            meta=meta,
            divisions=divisions,
            enforce_metadata=False,
        )
