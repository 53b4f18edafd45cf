"""Synthetic panels as Dask DataFrames: whole sequences per partition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from stochgen._rng import SeedLike
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.sequences.plan import BLOCK_SEQUENCES

if TYPE_CHECKING:
    from stochgen.sequences.plan import SequencePlan

__all__ = ["sample_sequence_partition", "sequences_to_dask"]


def sample_sequence_partition(plan: SequencePlan) -> pd.DataFrame:
    """Return the rows of a part of a `SequencePlan` (one Dask partition).

    Parameters
    ----------
    plan : SequencePlan
        ``plan.part(start, stop)`` of the whole call's plan.

    Returns
    -------
    pandas.DataFrame
        Indexed by global row number.
    """
    return plan.sample()


def sequences_to_dask(
    model: Any,
    n_sequences: int,
    seed: SeedLike = None,
    *,
    sequence_length: int | None = None,
    conditions: dict[str, Any] | None = None,
    partition_sequences: int = 4 * BLOCK_SEQUENCES,
) -> Any:
    """Return ``model.sample(n_sequences, seed, ...)`` as a lazy Dask DataFrame.

    The one row per sequence (context columns, lengths, first values) is
    drawn when this is called, as ``sample`` draws it; each partition then
    runs the dynamics of its own whole sequences where Dask computes it,
    block *i* of `BLOCK_SEQUENCES` sequences from stream *i*. The computed
    frame equals ``model.sample(n_sequences, seed, ...)`` row for row, entity
    identifiers and index included, whatever the partitioning or scheduler;
    no sequence is split between partitions.

    Parameters
    ----------
    model : SequenceSynthesizer
        A fitted model.
    n_sequences : int
        Number of sequences.
    seed : None, int, SeedSequence, BitGenerator or Generator
        Fixed when this is called (``None`` draws fresh entropy once).
    sequence_length, conditions
        As in `SequenceSynthesizer.sample`; checked now.
    partition_sequences : int
        Sequences per partition, a multiple of `BLOCK_SEQUENCES` (4,096).

    Returns
    -------
    dask.dataframe.DataFrame
        With known divisions (global row numbers).

    Raises
    ------
    stochgen.exceptions.ValidationError
        On a bad ``partition_sequences``, ``sequence_length`` or condition.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from stochgen import SequenceSynthesizer
    >>> real = pd.DataFrame({"id": np.repeat([1, 2, 3], 4), "t": np.tile(np.arange(4), 3),
    ...                      "x": [0.1, 0.4, 0.3, 0.9, 1.2, 1.0, 1.5, 1.1, 0.2, 0.0, 0.5, 0.3]})
    >>> model = SequenceSynthesizer(entity="id", order="t").fit(real)
    >>> frame = sequences_to_dask(model, 9_000, seed=0, partition_sequences=4_096)
    >>> frame.npartitions
    3
    >>> frame.compute().equals(model.sample(9_000, seed=0))
    True
    """
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        raise ImportError(
            "sequences_to_dask needs dask[dataframe]: pip install 'stochgen[dask]'"
        ) from exc

    if not callable(getattr(model, "sequence_plan", None)):
        raise TypeError(
            "sequences_to_dask needs a fitted SequenceSynthesizer (with sequence_plan); "
            f"got {type(model).__name__}"
        )
    size = check_n_samples(partition_sequences, "partition_sequences")
    if size == 0 or size % BLOCK_SEQUENCES:
        raise ValidationError(
            f"partition_sequences must be a positive multiple of {BLOCK_SEQUENCES:,} (the "
            f"sampling block of sequences); got {size:,}"
        )
    plan = model.sequence_plan(
        n_sequences, seed, sequence_length=sequence_length, conditions=conditions
    )
    meta = plan.empty()
    # The fitted dtypes, not Dask's default conversion of object columns to pyarrow strings.
    with dask.config.set({"dataframe.convert-string": False}):
        if plan.n_sequences == 0:
            return dd.from_pandas(meta, npartitions=1)
        parts = [
            plan.part(start, min(start + size, plan.n_sequences))
            for start in range(0, plan.n_sequences, size)
        ]
        divisions = (*(part.first_row for part in parts), plan.n_rows - 1)
        return dd.from_map(
            sample_sequence_partition,
            parts,
            meta=meta,
            divisions=divisions,
            enforce_metadata=False,
        )
