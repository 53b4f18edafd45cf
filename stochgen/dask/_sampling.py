"""Synthetic tables as Dask DataFrames: partitions sampled where they are computed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stochgen._rng import BLOCK_ROWS, SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError

if TYPE_CHECKING:
    from stochgen.tabular.synthesizer import CopulaSynthesizer

__all__ = ["sample_partition", "to_dask"]


def sample_partition(
    bounds: tuple[int, int],
    synthesizer: CopulaSynthesizer,
    root: np.random.SeedSequence,
    conditions: dict[str, Any] | None,
) -> pd.DataFrame:
    """Return rows ``start:stop`` of ``synthesizer.sample(n, root, conditions)``.

    ``start`` must be a multiple of the 65,536-row sampling block: the rows
    are those blocks, each drawn from its own stream, so a partition needs
    nothing from the others.

    Parameters
    ----------
    bounds : tuple of int
        ``(start, stop)`` row numbers.
    synthesizer : CopulaSynthesizer
        A fitted model.
    root : numpy.random.SeedSequence
        The seed every partition shares.
    conditions : dict or None
        As in `CopulaSynthesizer.sample`.

    Returns
    -------
    pandas.DataFrame
        Indexed by global row number.
    """
    start, stop = bounds
    model, latent = synthesizer._plan(conditions)
    blocks = [
        synthesizer._fill(
            min(first + BLOCK_ROWS, stop) - first,
            block_generator(root, first // BLOCK_ROWS),
            first,
            model,
            latent,
            {},
        )
        for first in range(start, stop, BLOCK_ROWS)
    ]
    return pd.concat(blocks) if len(blocks) > 1 else blocks[0]


def to_dask(
    synthesizer: CopulaSynthesizer,
    n: int,
    seed: SeedLike = None,
    conditions: dict[str, Any] | None = None,
    *,
    partition_rows: int = 16 * BLOCK_ROWS,
) -> Any:
    """Return ``synthesizer.sample(n, seed, conditions)`` as a lazy Dask DataFrame.

    Parameters
    ----------
    synthesizer : CopulaSynthesizer
        A fitted model.
    n : int
        Total rows.
    seed : None, int, SeedSequence, BitGenerator or Generator
        Fixed when this is called (``None`` draws fresh entropy once).
    conditions : dict, optional
        As in `CopulaSynthesizer.sample`; checked now.
    partition_rows : int
        Rows per partition, a multiple of 65,536 (the sampling block).

    Returns
    -------
    dask.dataframe.DataFrame
        Computed, equal to ``synthesizer.sample(n, seed, conditions)``.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On a bad ``partition_rows`` or condition, or a `Unique` constraint.

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
    from stochgen.tabular.constraints import Unique

    n = check_n_samples(n)
    partition_rows = check_n_samples(partition_rows, "partition_rows")
    if partition_rows == 0 or partition_rows % BLOCK_ROWS:
        raise ValidationError(
            f"partition_rows must be a positive multiple of {BLOCK_ROWS:,} (the sampling "
            f"block); got {partition_rows:,}"
        )
    if any(isinstance(c, Unique) for c in synthesizer.constraints_):
        raise ValidationError(
            "to_dask cannot keep a Unique constraint across partitions computed apart; "
            "use sample_to, which streams the blocks in order"
        )
    synthesizer._plan(conditions)  # conditions are checked now, not when computed
    # One root for every partition, fixed now: seed=None draws fresh entropy once.
    root = as_seed_sequence(seed)
    meta = synthesizer.sample(0)
    # The fitted dtypes, not Dask's default conversion of object columns to pyarrow strings.
    with dask.config.set({"dataframe.convert-string": False}):
        if n == 0:
            return dd.from_pandas(meta, npartitions=1)
        bounds = [(start, min(start + partition_rows, n)) for start in range(0, n, partition_rows)]
        divisions = (*(start for start, _ in bounds), n - 1)
        return dd.from_map(
            sample_partition,
            bounds,
            synthesizer=synthesizer,
            root=root,
            conditions=conditions,
            meta=meta,
            divisions=divisions,
            enforce_metadata=False,
        )
