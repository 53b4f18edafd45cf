"""The sampling plan: everything one sampling call needs, and the one block function.

A model's ``plan(conditions)`` validates the conditions at once and returns a
`SamplingPlan`: the latent table that maps latent rows to a table, a draw of
latent rows (a Gaussian copula, a conditional one, another copula, a neural
network), the values conditions write, the rules met by rejection and the
constraints that rebuild columns. `SamplingPlan.block` makes the rows of one
block; `sample`, `iter_sample`, `sample_to`, Dask partitions and the torch
synthesizers all go through it, so the same seed gives the same rows however
the work is split.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from stochgen._kernels.tabular import matrix_apply, standard_normals
from stochgen._progress import progress_bar
from stochgen._rng import SeedLike, as_generator, as_seed_sequence, iter_blocks
from stochgen._validation import check_memory, check_n_samples
from stochgen.copulas import Copula
from stochgen.exceptions import ValidationError
from stochgen.tabular.conditions import LatentConstraints, RowRule
from stochgen.tabular.constraints import Constraint
from stochgen.tabular.latent import LatentTable
from stochgen.tabular.truncated import conditional_normal

__all__ = [
    "CopulaDraw",
    "GaussianDraw",
    "LatentDraw",
    "QuasiGaussianDraw",
    "SamplingPlan",
    "assemble_blocks",
    "default_threads",
]

#: A draw of latent rows: ``draw(n_rows, rng, row_offset) -> z`` of shape
#: (n_rows, n_latent); ``row_offset`` numbers the first row within the run.
LatentDraw = Callable[[int, np.random.Generator, int], NDArray[np.float64]]

# Rejection (rules no latent interval expresses): give up below this acceptance, after
# at least this many draws, and draw at most this many rows at once.
_MIN_CHECK_ACCEPTANCE = 1e-3
_MIN_DRAWS_BEFORE_GIVING_UP = 10_000
_MAX_DRAW_ROWS = 1_000_000
_MAX_REJECTION_ROUNDS = 50
# Threads used by default at most (sampling is bound by memory bandwidth beyond this).
_MAX_THREADS = 8


def default_threads(n_jobs: int | None) -> int:
    """Return the sampling threads for an ``n_jobs`` setting (None: one per core, at most 8).

    Examples
    --------
    >>> default_threads(2)
    2
    """
    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, _MAX_THREADS))
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValidationError(f"n_jobs must be a positive integer or None; got {n_jobs!r}")
    return n_jobs


class GaussianDraw:
    """Latent rows from a Gaussian copula: ``z = L g`` with ``L L' = corr``.

    The Cholesky factor is computed once per plan. Draws are dimension-major
    (each dimension's scores contiguous) and the product is a serial kernel,
    not BLAS, whose thread pool would oversubscribe the sampling threads.

    Parameters
    ----------
    corr : numpy.ndarray
        A positive-definite correlation matrix.
    """

    def __init__(self, corr: NDArray[np.float64]) -> None:
        self.chol = np.linalg.cholesky(corr) if corr.size else np.ones((0, 0))

    def __call__(
        self, n_rows: int, rng: np.random.Generator, row_offset: int = 0
    ) -> NDArray[np.float64]:
        """Return ``n_rows`` latent rows (``row_offset`` is not needed)."""
        g = np.empty((self.chol.shape[0], n_rows))
        standard_normals(rng, g.reshape(-1))  # rng.standard_normal's values, faster
        z = np.empty_like(g)
        matrix_apply(self.chol, g, z, True)
        return z.T


class QuasiGaussianDraw:
    """Latent rows from a Gaussian copula driven by a randomized point set.

    ``z = L g`` as in `GaussianDraw`, where ``g`` are the normal scores of rows
    ``[row_offset, row_offset + n_rows)`` of one scrambled sequence (see
    `stochgen.samplers.qmc.normal_scores`): every block of a run reads its own
    rows of the same sequence, so blocks, chunks and Dask partitions give the
    rows drawn at once. The block streams are not used.

    Parameters
    ----------
    corr : numpy.ndarray
        A positive-definite correlation matrix.
    method : {"sobol", "halton", "antithetic"}
        A sequence that can be read in blocks.
    seed : None, int, SeedSequence, BitGenerator or Generator
        The randomization (scramble and shift), fixed for the whole run.
    """

    def __init__(self, corr: NDArray[np.float64], method: str, seed: SeedLike) -> None:
        from stochgen.samplers.qmc import check_method

        self.method = check_method(method, blockable=True)
        self.chol = np.linalg.cholesky(corr) if corr.size else np.ones((0, 0))
        self.seed = as_seed_sequence(seed)

    def __call__(
        self, n_rows: int, rng: np.random.Generator, row_offset: int = 0
    ) -> NDArray[np.float64]:
        """Return latent rows ``[row_offset, row_offset + n_rows)`` of the run."""
        from stochgen.samplers.qmc import normal_scores

        d = self.chol.shape[0]
        if d == 0:
            return np.empty((n_rows, 0))
        g = np.ascontiguousarray(
            normal_scores(n_rows, d, self.seed, self.method, row_offset=row_offset).T
        )
        z = np.empty_like(g)
        matrix_apply(self.chol, g, z, True)
        return z.T


class ConditionalGaussianDraw:
    """Latent rows from a Gaussian copula given exact values and intervals.

    Parameters
    ----------
    corr : numpy.ndarray
    latent : LatentConstraints
    """

    def __init__(self, corr: NDArray[np.float64], latent: LatentConstraints) -> None:
        self.corr = corr
        self.points = dict(latent.points)
        self.boxes = dict(latent.boxes)

    def __call__(
        self, n_rows: int, rng: np.random.Generator, row_offset: int = 0
    ) -> NDArray[np.float64]:
        """Return ``n_rows`` latent rows meeting the points and boxes."""
        return conditional_normal(self.corr, self.points, self.boxes, n_rows, rng)


class CopulaDraw:
    """Latent rows as normal scores of a copula's draws.

    Parameters
    ----------
    copula : Copula
        Fitted, over the latent dimensions.
    """

    def __init__(self, copula: Copula) -> None:
        self.copula = copula

    def __call__(
        self, n_rows: int, rng: np.random.Generator, row_offset: int = 0
    ) -> NDArray[np.float64]:
        """Return ``n_rows`` latent rows."""
        return special.ndtri(self.copula.sample(n_rows, seed=rng))


class SamplingPlan:
    """What every block of one sampling call needs; `block` is the one block function.

    Parameters
    ----------
    latent : LatentTable
        Maps latent rows to the learned table.
    draw : callable
        ``draw(n_rows, rng, row_offset) -> z``, latent rows of shape
        (n_rows, n_latent).
    forced : dict, optional
        Column to the value every row takes (exact conditions).
    rules : sequence of RowRule
        Rules met by rejection.
    constraints : sequence of Constraint
        Fitted constraints; their ``reverse`` rebuilds the original columns.
    output_columns : list of str, optional
        Columns of the returned rows, in order (default: the latent table's).
    n_jobs : int or None
        Threads for blocks (rules that look across blocks force one).
    progress : bool or None
        Show a progress bar over the rows (None: see `stochgen.set_progress`).

    Examples
    --------
    >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5, 2.0]})
    >>> table = LatentTable().fit(real)
    >>> plan = SamplingPlan(table, GaussianDraw(table.corr_), n_jobs=1)
    >>> plan.sample(3, seed=0).equals(plan.sample(3, seed=0))
    True
    """

    def __init__(
        self,
        latent: LatentTable,
        draw: LatentDraw,
        *,
        forced: dict[str, Any] | None = None,
        rules: Sequence[RowRule] = (),
        constraints: Sequence[Constraint] = (),
        output_columns: list[str] | None = None,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.latent = latent
        self.draw = draw
        self.forced = dict(forced or {})
        self.rules = tuple(rules)
        self.constraints = tuple(constraints)
        self.output_columns = list(output_columns or latent.columns_)
        self.threads = default_threads(n_jobs)
        self.sequential = self.threads == 1 or any(rule.stateful for rule in self.rules)
        self.progress = progress

    def _rows(self, n_rows: int, rng: np.random.Generator, row_offset: int) -> pd.DataFrame:
        """Draw rows (before rejection) in the original layout."""
        # No rows: no draw (a conditional draw of zero rows has nothing to condition).
        if n_rows:
            z = self.draw(n_rows, rng, row_offset)
        else:
            z = np.empty((0, len(self.latent.layout_)))
        rows = self.latent.rows(z, row_offset)
        for name, value in self.forced.items():
            rows[name] = pd.Series([value] * n_rows, index=rows.index).astype(rows[name].dtype)
        for constraint in reversed(self.constraints):
            rows = constraint.reverse(rows)
        if list(rows.columns) == self.output_columns:
            return rows
        return rows[self.output_columns]

    def block(
        self,
        n_rows: int,
        rng: np.random.Generator,
        row_offset: int = 0,
        history: dict[Any, Any] | None = None,
    ) -> pd.DataFrame:
        """Return exactly ``n_rows`` rows meeting every rule, or raise naming the rule.

        Parameters
        ----------
        n_rows : int
            Rows of this block.
        rng : numpy.random.Generator
            The block's own stream.
        row_offset : int
            Global number of the block's first row (its index starts there).
        history : dict, optional
            What rules that look across blocks remember (shared by the blocks
            of one run, which then run in order).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        stochgen.exceptions.ValidationError
            When the rules held too rarely to fill the block.
        """
        history = {} if history is None else history
        rows = self._rows(n_rows, rng, row_offset)
        if not self.rules:
            return rows
        parts: list[pd.DataFrame] = []
        have, drawn = 0, 0
        held = [0] * len(self.rules)
        for _ in range(_MAX_REJECTION_ROUNDS):
            ok = np.ones(len(rows), dtype=bool)
            for i, rule in enumerate(self.rules):
                mask = rule.check(rows, history)
                held[i] += int(mask.sum())
                ok &= mask
            kept = rows[ok].iloc[: n_rows - have]
            for rule in self.rules:
                rule.keep(kept, history)
            parts.append(kept)
            have += len(kept)
            drawn += len(rows)
            if have >= n_rows:
                break
            rate = have / drawn
            if drawn >= _MIN_DRAWS_BEFORE_GIVING_UP and rate < _MIN_CHECK_ACCEPTANCE:
                break
            extra = int(np.ceil(1.2 * (n_rows - have) / max(rate, _MIN_CHECK_ACCEPTANCE))) + 16
            rows = self._rows(min(extra, _MAX_DRAW_ROWS), rng, row_offset)
        if have < n_rows:
            report = ", ".join(
                f"{rule.describe()} held for {count / drawn:.3%}"
                for rule, count in zip(self.rules, held, strict=True)
            )
            raise ValidationError(
                f"could not generate {n_rows} rows meeting every rule from {drawn:,} draws "
                f"({have} met all): {report}"
            )
        out = pd.concat(parts) if len(parts) > 1 else parts[0]
        out.index = pd.RangeIndex(row_offset, row_offset + n_rows)
        # Keys are numbered by final row position, so re-drawn rows never repeat a key.
        return self.latent.renumber(out, row_offset)

    def iter_blocks(
        self, n: int, seed: SeedLike = None, *, start: int = 0, stop: int | None = None
    ) -> Iterator[pd.DataFrame]:
        """Yield the blocks of rows ``[start, stop)`` of ``n`` rows drawn with ``seed``.

        Block *i* (65,536 rows) draws from stream *i* of the seed; blocks run
        in threads unless a rule looks across blocks. Memory stays bounded by
        a few blocks per thread.

        Parameters
        ----------
        n : int
            Total rows of the run.
        seed : None, int, SeedSequence, BitGenerator or Generator
        start, stop : int
            Rows to yield (``start`` a multiple of 65,536; default: all).

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks, indexed by global row number.
        """
        n = check_n_samples(n)
        first = min(start, n)
        last = n if stop is None else min(stop, n)
        bar = progress_bar(max(last - first, 0), "sampling", unit="row", progress=self.progress)
        with bar:
            for rows in self._blocks(n, seed, start, stop):
                bar.update(len(rows))
                yield rows

    def _blocks(
        self, n: int, seed: SeedLike, start: int, stop: int | None
    ) -> Iterator[pd.DataFrame]:
        blocks = iter_blocks(n, seed, start=start, stop=stop)
        history: dict[Any, Any] = {}
        if self.sequential:
            for first, last, rng in blocks:
                yield self.block(last - first, rng, first, history)
            return
        with ThreadPoolExecutor(self.threads) as pool:
            pending: deque[Future[pd.DataFrame]] = deque()
            for first, last, rng in blocks:
                pending.append(pool.submit(self.block, last - first, rng, first, {}))
                # At most two blocks per thread wait in memory.
                if len(pending) >= 2 * self.threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _bytes_per_row(self) -> float:
        """Estimated bytes of one output row (text and objects at 64 bytes a value)."""
        dtypes = self.empty(np.random.SeedSequence(0)).dtypes
        return float(
            sum(t.itemsize if isinstance(t, np.dtype) and t.kind != "O" else 64 for t in dtypes)
        )

    def empty(self, seed: SeedLike = None) -> pd.DataFrame:
        """Return zero rows with the output columns and dtypes (``seed`` is checked)."""
        return self._rows(0, as_generator(seed), 0)

    def sample(
        self, n: int, seed: SeedLike = None, *, start: int = 0, stop: int | None = None
    ) -> pd.DataFrame:
        """Return rows ``[start, stop)`` of ``n`` rows drawn with ``seed``, as one frame.

        Parameters
        ----------
        n : int
        seed : None, int, SeedSequence, BitGenerator or Generator
        start, stop : int
            As in `iter_blocks`.

        Returns
        -------
        pandas.DataFrame
        """
        n = check_n_samples(n)
        stop = n if stop is None else min(stop, n)
        if stop <= start:
            return self.empty(seed)
        # The whole result is held at once: refuse before any work what memory cannot hold.
        check_memory(stop - start, self._bytes_per_row())
        rows = assemble_blocks(self.iter_blocks(n, seed, start=start, stop=stop), stop - start)
        return self.empty(seed) if rows is None else rows


def assemble_blocks(blocks: Iterator[pd.DataFrame], n: int) -> pd.DataFrame | None:
    """Concatenate consecutive blocks of ``n`` rows in all, as they arrive.

    Numeric columns are copied into arrays allocated once, block by block,
    while the sampling threads work on later blocks (numpy releases the GIL
    for those copies); other columns are concatenated at the end. Cheaper than
    pandas.concat, and a block is freed once copied. None if ``n`` is 0.

    Parameters
    ----------
    blocks : iterator of pandas.DataFrame
        Consecutive, indexed by row number.
    n : int
        Their total rows.

    Returns
    -------
    pandas.DataFrame or None
    """
    first = next(blocks, None) if n else None
    if first is None:
        return None
    if len(first) == n:
        return first
    filled: dict[str, NDArray[Any]] = {}
    parts: dict[str, list[Any]] = {}
    for name in first.columns:
        dtype = first[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind != "O":
            filled[name] = np.empty(n, dtype=dtype)
        else:
            parts[name] = []
    start = int(first.index[0])
    for block in itertools.chain([first], blocks):
        begin = int(block.index[0]) - start
        stop = begin + len(block)
        for name, values in filled.items():
            values[begin:stop] = block[name].to_numpy()
        for name, pieces in parts.items():
            pieces.append(block[name])
    columns: dict[str, Any] = {}
    for name in first.columns:
        if name in filled:
            columns[name] = filled[name]
        elif isinstance(first[name].dtype, np.dtype):
            columns[name] = np.concatenate([piece.to_numpy() for piece in parts[name]])
        else:
            columns[name] = pd.concat(parts[name]).array
    return pd.DataFrame(columns, index=pd.RangeIndex(start, start + n), copy=False)
