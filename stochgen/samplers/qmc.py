"""Quasi-Monte Carlo point sets: scrambled Sobol' and Halton, Latin hypercubes, antithetic pairs.

Every point set is a pure function of ``(seed, method, dim)`` and the row
range asked for, so rows drawn at once, in blocks or on Dask workers are the
same (`uniform_points` with ``row_offset``). Sobol' points are randomized by
a random linear matrix scramble plus a digital shift (Matousek 1998; Owen
2003), which keeps the net structure and gives unbiased estimates whose
error can be estimated from independent randomizations (RQMC); Halton points
by scipy's random digit permutations. Latin hypercubes are one design of
``n`` rows and cannot be split into blocks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from stochgen._kernels.qmc import ndtri_inplace, ndtri_table, sobol_columns, sobol_points
from stochgen._rng import BLOCK_ROWS, SeedLike, as_seed_sequence, block_generator
from stochgen._validation import check_choice, check_n_samples
from stochgen.exceptions import ValidationError

__all__ = [
    "BLOCKABLE_METHODS",
    "METHODS",
    "SOBOL_BITS",
    "check_method",
    "normal_scores",
    "uniform_points",
]

#: Sampling methods accepted by every ``method=`` argument.
METHODS = ("random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic")
#: Methods whose rows can be drawn in any blocks (the others are one design of n rows).
BLOCKABLE_METHODS = ("random", "sobol", "halton", "antithetic")
#: Bits of the Sobol' integers: coordinates on a grid of 2**-52 (the scramble and shift
#: randomize the bits below the 30 of the direction numbers).
SOBOL_BITS = 52
#: Bits of the direction numbers (scipy's): at most 2**30 Sobol' rows.
_DIRECTION_BITS = 30
#: Largest dimension of the Sobol' sequence (scipy's direction numbers).
SOBOL_MAX_DIM = 21_201
#: Rows above which the maximin search of ``lhs_maximin`` is refused (it costs n log n per try).
MAXIMIN_MAX_ROWS = 200_000
#: Candidate designs compared by ``lhs_maximin``.
MAXIMIN_TRIES = 20


def check_method(method: object, *, blockable: bool = False) -> str:
    """Return ``method`` after checking it is a known sampling method.

    Parameters
    ----------
    method : str
        One of `METHODS`.
    blockable : bool
        Refuse the methods that cannot be split into blocks (Latin hypercubes).

    Returns
    -------
    str

    Raises
    ------
    stochgen.exceptions.ValidationError
        For an unknown method, or a design method where blocks are needed.

    Examples
    --------
    >>> check_method("sobol")
    'sobol'
    """
    check_choice(method, "method", METHODS)
    if blockable and method not in BLOCKABLE_METHODS:
        raise ValidationError(
            f"method={method!r} is one design of n rows and cannot be drawn in blocks, in "
            f"chunks or on Dask; use one of {list(BLOCKABLE_METHODS)} or draw all rows at once"
        )
    return str(method)


#: Direction numbers checked against scipy's public engine before its table is trusted.
_CHECKED_BITS = 12


@lru_cache(maxsize=1)
def ndtri_coefficients() -> NDArray[np.float64]:
    """Return the fast normal quantile's table (`stochgen._kernels.qmc.ndtri_table`).

    Built once per process (about a millisecond) and shared read-only.
    """
    table = ndtri_table()
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _direction_numbers(dim: int) -> NDArray[np.uint64]:
    # Direction number k of dimension j is the unscrambled point of index 2**(k+1) - 1
    # (gray code 2**k) of scipy's engine (Joe & Kuo 2008 numbers) with its 30 bits,
    # placed in the top bits of SOBOL_BITS: the scramble fills the low bits. Reading all
    # 30 through the public engine costs a 2**30-step fast_forward (seconds), so the
    # engine's own table is used when it agrees with the public route on the first bits.
    from scipy.stats import qmc

    engine = qmc.Sobol(dim, scramble=False, bits=_DIRECTION_BITS)
    scale = float(2**_DIRECTION_BITS)

    def public(k: int) -> NDArray[np.uint64]:
        engine.reset()
        engine.fast_forward(2 ** (k + 1) - 1)
        return np.round(engine.random(1)[0] * scale).astype(np.uint64)

    table = getattr(engine, "_sv", None)
    top = np.zeros((dim, _DIRECTION_BITS), dtype=np.uint64)
    if (
        isinstance(table, np.ndarray)
        and table.shape == (dim, _DIRECTION_BITS)
        and all(np.array_equal(public(k), table[:, k]) for k in range(_CHECKED_BITS))
    ):
        top[:] = table
    else:
        for k in range(_DIRECTION_BITS):
            top[:, k] = public(k)
    out = np.zeros((dim, SOBOL_BITS), dtype=np.uint64)
    out[:, :_DIRECTION_BITS] = top << np.uint64(SOBOL_BITS - _DIRECTION_BITS)
    out.flags.writeable = False
    return out


def _scrambled_sobol(dim: int, rng: np.random.Generator) -> tuple[NDArray, NDArray]:
    """Direction numbers times random lower-triangular matrices, and a digital shift."""
    v = _direction_numbers(dim)
    bits = SOBOL_BITS
    # Bit b of an integer counts from the most significant (b = 0 is 2**(bits-1)).
    weights = np.uint64(1) << np.arange(bits - 1, -1, -1, dtype=np.uint64)
    scrambled = np.empty_like(v)
    for j in range(dim):
        lower = np.tril(rng.integers(0, 2, size=(bits, bits), dtype=np.uint8), -1)
        np.fill_diagonal(lower, 1)
        vbits = ((v[j][:, None] & weights[None, :]) != 0).astype(np.uint8)  # (k, b)
        mixed = (vbits.astype(np.int64) @ lower.T.astype(np.int64)) & 1  # GF(2) product
        scrambled[j] = (mixed.astype(np.uint64) * weights[None, :]).sum(axis=1, dtype=np.uint64)
    shift = rng.integers(0, 2**bits, size=dim, dtype=np.uint64)
    return scrambled, shift


def _random_rows(root: np.random.SeedSequence, dim: int, start: int, stop: int) -> NDArray:
    # Rows [start, stop) of the block streams: block i holds rows [i B, (i + 1) B).
    out = np.empty((stop - start, dim))
    first, last = start // BLOCK_ROWS, (stop - 1) // BLOCK_ROWS if stop > start else -1
    for block in range(first, last + 1):
        b0 = block * BLOCK_ROWS
        rows = block_generator(root, block).random((BLOCK_ROWS, dim))
        lo, hi = max(start, b0), min(stop, b0 + BLOCK_ROWS)
        out[lo - start : hi - start] = rows[lo - b0 : hi - b0]
    return out


def uniform_points(
    n: int,
    dim: int,
    seed: SeedLike = None,
    method: str = "sobol",
    *,
    row_offset: int = 0,
) -> NDArray[np.float64]:
    """Rows ``[row_offset, row_offset + n)`` of a randomized point set in (0, 1)^dim.

    Parameters
    ----------
    n : int
        Number of rows.
    dim : int
        Dimension.
    seed : None, int, SeedSequence, BitGenerator or Generator
        The randomization (scramble and shift, or the random stream). The same
        seed gives the same sequence; pass a Generator and it is consumed.
    method : {"sobol", "halton", "random", "antithetic", "lhs", "lhs_maximin"}
        ``"sobol"``: Sobol' with linear matrix scramble and digital shift
        (balanced at powers of two: take n = 2**m); ``"halton"``: scrambled
        Halton; ``"random"``: i.i.d. uniforms from the block streams;
        ``"antithetic"``: rows ``2k`` and ``2k + 1`` are ``w`` and ``1 - w``;
        ``"lhs"``: a Latin hypercube (one stratum per row in every column);
        ``"lhs_maximin"``: the best of 20 Latin hypercubes by the smallest
        distance between rows (Morris & Mitchell 1995).
    row_offset : int
        First row (blocks of one sequence). Latin hypercubes refuse offsets.

    Returns
    -------
    numpy.ndarray
        Shape (n, dim), every value strictly inside (0, 1).

    Raises
    ------
    stochgen.exceptions.ValidationError
        For an unknown method, a bad dimension, an offset with a Latin
        hypercube, or more rows than the sequence holds.

    Examples
    --------
    >>> w = uniform_points(8, 2, seed=0)
    >>> w.shape
    (8, 2)
    >>> bool(np.array_equal(w[4:], uniform_points(4, 2, seed=0, row_offset=4)))
    True
    >>> sorted(np.floor(w[:, 0] * 8).astype(int).tolist())  # one point per eighth
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    return _points(n, dim, seed, method, row_offset, columns=False)


def uniform_columns(
    n: int,
    dim: int,
    seed: SeedLike = None,
    method: str = "sobol",
    *,
    row_offset: int = 0,
) -> NDArray[np.float64]:
    """`uniform_points` transposed: a C-ordered (dim, n) array, one coordinate per row.

    The same values as ``uniform_points(...).T``; Sobol' points are written
    in this layout directly, which is what column-wise kernels read fastest.

    Examples
    --------
    >>> w = uniform_columns(8, 2, seed=0)
    >>> bool(np.array_equal(w, uniform_points(8, 2, seed=0).T))
    True
    """
    points = _points(n, dim, seed, method, row_offset, columns=True)
    # Only the Sobol' kernel writes columns itself; the other point sets come as rows.
    return points if method == "sobol" else np.ascontiguousarray(points.T)


def _points(
    n: int, dim: int, seed: SeedLike, method: str, row_offset: int, *, columns: bool
) -> NDArray[np.float64]:
    # Rows (n, dim); with columns=True, Sobol' points come as (dim, n) instead.
    n = check_n_samples(n)
    dim = check_n_samples(dim, "dim")
    offset = check_n_samples(row_offset, "row_offset")
    check_method(method)
    if dim < 1:
        raise ValidationError(f"dim must be >= 1; got {dim}")
    root = as_seed_sequence(seed)
    if method == "random":
        return _random_rows(root, dim, offset, offset + n)
    if method == "antithetic":
        base = _random_rows(root, dim, offset // 2, (offset + n + 1) // 2)
        pairs = np.empty((2 * base.shape[0], dim))
        pairs[0::2] = base
        pairs[1::2] = 1.0 - base
        # 1 - w can round to 1.0 for w < 2**-54: keep it inside.
        np.clip(pairs, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg, out=pairs)
        return pairs[offset % 2 : offset % 2 + n]
    rng = np.random.Generator(np.random.PCG64(root))
    if method == "sobol":
        if dim > SOBOL_MAX_DIM:
            raise ValidationError(f"sobol: dim must be <= {SOBOL_MAX_DIM}; got {dim}")
        if offset + n > 2**_DIRECTION_BITS:
            raise ValidationError(
                f"sobol: at most 2**{_DIRECTION_BITS} rows; asked for {offset + n}"
            )
        directions, shift = _scrambled_sobol(dim, rng)
        if columns:
            return sobol_columns(directions, shift, offset, n, SOBOL_BITS)
        return sobol_points(directions, shift, offset, n, SOBOL_BITS)
    from scipy.stats import qmc

    if method == "halton":
        engine = qmc.Halton(dim, scramble=True, seed=rng)
        if offset:
            engine.fast_forward(offset)
        points = engine.random(n)
        return np.clip(points, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg, out=points)
    if offset:
        raise ValidationError(
            f"method={method!r} is one design of n rows: it cannot start at row_offset="
            f"{offset}; draw all rows at once"
        )
    if method == "lhs":
        return qmc.LatinHypercube(dim, seed=rng).random(n)
    if n > MAXIMIN_MAX_ROWS:
        raise ValidationError(
            f"lhs_maximin: at most {MAXIMIN_MAX_ROWS} rows (the search costs n log n per "
            f"candidate); got {n}; use method='lhs' or 'sobol'"
        )
    from scipy.spatial import cKDTree

    best, best_distance = None, -1.0
    for _ in range(MAXIMIN_TRIES):
        design = qmc.LatinHypercube(dim, seed=rng).random(n)
        distance = float(cKDTree(design).query(design, k=2)[0][:, 1].min()) if n > 1 else 0.0
        if distance > best_distance:
            best, best_distance = design, distance
    return best


def normal_scores(
    n_rows: int,
    dim: int,
    seed: SeedLike = None,
    method: str = "sobol",
    *,
    row_offset: int = 0,
) -> NDArray[np.float64]:
    """Independent standard normal scores from a randomized point set.

    ``Phi^-1`` of `uniform_points`: Wichura's (1988) algorithm AS 241,
    interpolated on 96% of (0, 1) by piecewise Chebyshev polynomials for
    speed (error against scipy's ``ndtri`` at most 7e-15). The table layer draws QMC rows
    through it: block ``[start, stop)`` of ``n`` rows is
    ``normal_scores(stop - start, dim, seed, method, row_offset=start)``.

    Parameters
    ----------
    n_rows : int
        Number of rows.
    dim : int
        Dimension.
    seed : None, int, SeedSequence, BitGenerator or Generator
    method : str
        As in `uniform_points`.
    row_offset : int
        First row.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, dim), finite.

    Examples
    --------
    >>> z = normal_scores(1024, 3, seed=1)
    >>> bool(abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01)
    True
    """
    # Contiguous, so that the flat view below is the array itself, not a copy.
    points = np.ascontiguousarray(uniform_points(n_rows, dim, seed, method, row_offset=row_offset))
    ndtri_inplace(points.reshape(-1), ndtri_coefficients())
    return points
