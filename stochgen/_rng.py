"""Seeds to generators, and independent streams for blocks, chains and workers.

Every public ``seed`` argument goes through `as_generator` or
`as_seed_sequence`. Sampling in blocks uses `block_generator`: block *i* draws
from child *i* of the seed's `numpy.random.SeedSequence`, so rows never
depend on how the work is split.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BLOCK_ROWS",
    "SeedLike",
    "as_generator",
    "as_seed_sequence",
    "block_generator",
    "block_states",
    "iter_blocks",
    "spawn_generators",
]

SeedLike: TypeAlias = (
    None | int | np.integer | np.random.SeedSequence | np.random.BitGenerator | np.random.Generator
)

#: Rows per sampling block. Fixed: changing it changes every seeded output.
BLOCK_ROWS = 65_536


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Turn any accepted seed into a fresh `numpy.random.SeedSequence`.

    A `SeedSequence` is copied, so spawning from the result never changes the
    caller's object: sampling with a given seed stays a pure function of it.
    A `Generator` (or `BitGenerator`) is consumed: four words are drawn from it.

    Parameters
    ----------
    seed : None, int, SeedSequence, BitGenerator or Generator
        None draws fresh entropy from the operating system.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    TypeError
        If ``seed`` is of another type.
    ValueError
        If ``seed`` is a negative integer.

    Examples
    --------
    >>> as_seed_sequence(42).entropy
    42
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool):
        raise TypeError(f"seed must be None, an int, a SeedSequence or a Generator; got {seed!r}")
    if isinstance(seed, int | np.integer):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {seed}")
        return np.random.SeedSequence(int(seed))
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(
            entropy=seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
        )
    if isinstance(seed, np.random.BitGenerator):
        seed = np.random.Generator(seed)
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**32, size=4, dtype=np.uint64).tolist())
    raise TypeError(
        f"seed must be None, an int, a SeedSequence or a Generator; got {type(seed).__name__}"
    )


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Turn any accepted seed into a `numpy.random.Generator`.

    A `Generator` is returned as it is (its state advances as it is used).

    Parameters
    ----------
    seed : None, int, SeedSequence, BitGenerator or Generator

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> float(as_generator(0).random()) == float(as_generator(0).random())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.BitGenerator):
        return np.random.Generator(seed)
    return np.random.Generator(np.random.PCG64(as_seed_sequence(seed)))


def _child(root: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    # Child `index` of `root`, as root.spawn() would give it, without spawning the others.
    return np.random.SeedSequence(
        entropy=root.entropy, spawn_key=(*root.spawn_key, index), pool_size=root.pool_size
    )


def block_generator(root: np.random.SeedSequence, index: int) -> np.random.Generator:
    """Return the generator for block (or chain, or partition) ``index``.

    Parameters
    ----------
    root : numpy.random.SeedSequence
        From `as_seed_sequence`.
    index : int
        Block number, from 0.

    Returns
    -------
    numpy.random.Generator
        Equal to ``Generator(PCG64(root.spawn(index + 1)[index]))`` on a fresh root.

    Examples
    --------
    >>> root = as_seed_sequence(7)
    >>> a = block_generator(root, 3).random()
    >>> b = np.random.Generator(np.random.PCG64(as_seed_sequence(7).spawn(4)[3])).random()
    >>> bool(a == b)
    True
    """
    return np.random.Generator(np.random.PCG64(_child(root, index)))


def block_states(root: np.random.SeedSequence, n_blocks: int) -> NDArray[np.uint64]:
    """Return the PCG64 states blocks ``0 .. n_blocks - 1`` start from, for kernels.

    Row ``i`` holds the four words of `stochgen._kernels.pcg64` that
    ``block_generator(root, i)``'s bit generator starts from: a kernel that
    steps them draws the same doubles as that generator, without making a
    generator object per block.

    Parameters
    ----------
    root : numpy.random.SeedSequence
        From `as_seed_sequence`.
    n_blocks : int
        Number of blocks.

    Returns
    -------
    numpy.ndarray
        ``(n_blocks, 4)`` uint64.

    Examples
    --------
    >>> from stochgen._kernels.pcg64 import next_double
    >>> state = block_states(as_seed_sequence(3), 2)[1]
    >>> bool(next_double(state) == block_generator(as_seed_sequence(3), 1).random())
    True
    """
    from stochgen._kernels.pcg64 import seed_state

    states = np.empty((n_blocks, 4), dtype=np.uint64)
    for i in range(n_blocks):
        states[i] = seed_state(_child(root, i))
    return states


def spawn_generators(seed: SeedLike, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent generators (chains, workers) from one seed.

    Parameters
    ----------
    seed : None, int, SeedSequence, BitGenerator or Generator
    n : int
        How many streams.

    Returns
    -------
    list of numpy.random.Generator

    Examples
    --------
    >>> len(spawn_generators(1, 3))
    3
    """
    root = as_seed_sequence(seed)
    return [block_generator(root, i) for i in range(n)]


def iter_blocks(
    n: int,
    seed: SeedLike,
    block_rows: int = BLOCK_ROWS,
    *,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[int, int, np.random.Generator]]:
    """Yield ``(start, stop, generator)`` for each fixed-size block of ``n`` rows.

    Block *i* covers rows ``[i * block_rows, (i + 1) * block_rows)`` and draws
    from stream *i* of the seed: the one place block streams are derived, so
    rows never depend on how the work is split.

    Parameters
    ----------
    n : int
        Total rows.
    seed : None, int, SeedSequence, BitGenerator or Generator
    block_rows : int
        Rows per block; keep the default wherever rows must match across runs.
    start, stop : int
        Yield only the blocks of rows ``[start, stop)`` (``start`` a multiple
        of ``block_rows``): a partition computed on its own.

    Yields
    ------
    tuple of (int, int, numpy.random.Generator)

    Examples
    --------
    >>> [(a, b) for a, b, _ in iter_blocks(5, 0, block_rows=2)]
    [(0, 2), (2, 4), (4, 5)]
    >>> [(a, b) for a, b, _ in iter_blocks(5, 0, block_rows=2, start=2)]
    [(2, 4), (4, 5)]
    """
    if start % block_rows:
        raise ValueError(f"start must be a multiple of block_rows={block_rows}; got {start}")
    stop = n if stop is None else min(stop, n)
    root = as_seed_sequence(seed)
    for first in range(start, stop, block_rows):
        yield first, min(first + block_rows, stop), block_generator(root, first // block_rows)
