"""The sampling plan of a SequenceSynthesizer: one row per sequence, then blocks of rows.

`SequenceSynthesizer.sequence_plan` draws the per-sequence table (context
columns, length, first values) and fixes the dynamics' seed; `SequencePlan`
then makes the rows of any run of whole blocks of `BLOCK_SEQUENCES`
sequences, block *i* drawing its dynamics from stream *i*. `sample`,
`iter_sample`, `sample_to` and the Dask partitions all go through it, so the
same seed gives the same rows, entity identifiers included, however the
sequences are split.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._rng import block_generator
from stochgen.exceptions import ValidationError

__all__ = ["BLOCK_SEQUENCES", "SequencePlan"]

#: Sequences per sampling block: block *i* draws its dynamics from stream *i*.
BLOCK_SEQUENCES = 4096


class SequencePlan:
    """The sequences of one sampling call, drawn one row each, sampled in blocks.

    Made by `SequenceSynthesizer.sequence_plan`; not built by hand.

    Parameters
    ----------
    model : SequenceSynthesizer
        The fitted model.
    rows : pandas.DataFrame
        One row per sequence of the whole call: context columns, length and
        first values.
    dynamics_seed : numpy.random.SeedSequence
        Root of the per-block dynamics streams.
    first_sequence : int
        Number of the plan's first sequence in the whole call (a multiple of
        `BLOCK_SEQUENCES`).
    first_row : int
        Global row number of its first row.

    Attributes
    ----------
    lengths : numpy.ndarray
        Steps of each sequence.
    """

    def __init__(
        self,
        model: Any,
        rows: pd.DataFrame,
        dynamics_seed: np.random.SeedSequence,
        first_sequence: int = 0,
        first_row: int = 0,
    ) -> None:
        self.model = model
        self.rows = rows.reset_index(drop=True)
        self.dynamics_seed = dynamics_seed
        self.first_sequence = first_sequence
        self.first_row = first_row
        self.lengths: NDArray[np.int64] = model.sequence_lengths(self.rows)

    @property
    def n_sequences(self) -> int:
        """Number of sequences in the plan."""
        return len(self.rows)

    @property
    def n_rows(self) -> int:
        """Number of rows the plan makes."""
        return int(self.lengths.sum())

    def part(self, start: int, stop: int) -> SequencePlan:
        """Return the plan of sequences ``start:stop`` (``start`` on a block boundary).

        Parameters
        ----------
        start, stop : int
            Sequence numbers within this plan.

        Returns
        -------
        SequencePlan
            Its rows equal rows ``start:stop`` of this plan's sample.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If ``start`` is not a multiple of `BLOCK_SEQUENCES` or the range
            is outside the plan.
        """
        if start % BLOCK_SEQUENCES or not 0 <= start <= stop <= self.n_sequences:
            raise ValidationError(
                f"part: sequences {start}:{stop} must lie within 0:{self.n_sequences} and "
                f"start on a block of {BLOCK_SEQUENCES:,} sequences"
            )
        first_row = self.first_row + int(self.lengths[:start].sum())
        return SequencePlan(
            self.model,
            self.rows.iloc[start:stop],
            self.dynamics_seed,
            self.first_sequence + start,
            first_row,
        )

    def iter_blocks(self) -> Iterator[pd.DataFrame]:
        """Yield the plan's rows in blocks of `BLOCK_SEQUENCES` sequences.

        Yields
        ------
        pandas.DataFrame
            Indexed by global row number.
        """
        if self.first_sequence % BLOCK_SEQUENCES:
            raise ValidationError(
                f"first_sequence must be a multiple of {BLOCK_SEQUENCES:,}; "
                f"got {self.first_sequence:,}"
            )
        first_row = self.first_row
        for start in range(0, self.n_sequences, BLOCK_SEQUENCES):
            part = self.rows.iloc[start : start + BLOCK_SEQUENCES].reset_index(drop=True)
            sequence = self.first_sequence + start
            rng = block_generator(self.dynamics_seed, sequence // BLOCK_SEQUENCES)
            block = self.model.sample_block(part, rng, sequence, first_row)
            first_row += len(block)
            yield block

    def sample(self) -> pd.DataFrame:
        """Return all the plan's rows (the empty table for no sequences).

        Returns
        -------
        pandas.DataFrame
        """
        blocks = list(self.iter_blocks())
        if not blocks:
            return self.empty()
        return pd.concat(blocks) if len(blocks) > 1 else blocks[0]

    def empty(self) -> pd.DataFrame:
        """Return the table with no rows, in the output's columns and dtypes.

        Returns
        -------
        pandas.DataFrame
        """
        return self.model.sample_block(
            self.rows.iloc[:0], np.random.default_rng(0), self.first_sequence, self.first_row
        )
