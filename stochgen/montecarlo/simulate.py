"""Monte Carlo and randomized quasi-Monte Carlo estimates of expectations, with error bars."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from stochgen._rng import BLOCK_ROWS, SeedLike, as_seed_sequence
from stochgen._validation import check_n_samples, check_probability
from stochgen.exceptions import ValidationError
from stochgen.samplers.qmc import BLOCKABLE_METHODS, check_method

__all__ = ["SimulationResult", "simulate"]


@dataclass(frozen=True)
class SimulationResult:
    """An estimate of ``E[f(X)]`` with its standard error and confidence interval.

    Attributes
    ----------
    estimate : float or numpy.ndarray
        Mean over all replications (one value per output of ``f``).
    std_error : float or numpy.ndarray
        Standard error of ``estimate``: the spread of the independent
        replications over ``sqrt(replications)`` (RQMC), or ``sd / sqrt(n)``
        for a single plain Monte Carlo run.
    ci_low, ci_high : float or numpy.ndarray
        Confidence interval (Student-t on the replications; normal for one run).
    confidence : float
        Level of the interval.
    replicates : numpy.ndarray
        Estimate of each replication, shape (replications, k).
    n : int
        Points per replication.
    method : str
        Point set.
    """

    estimate: Any
    std_error: Any
    ci_low: Any
    ci_high: Any
    confidence: float
    replicates: NDArray[np.float64]
    n: int
    method: str

    def __repr__(self) -> str:
        return (
            f"SimulationResult(estimate={self.estimate!r}, std_error={self.std_error!r}, "
            f"ci=({self.ci_low!r}, {self.ci_high!r}), n={self.n}, "
            f"replications={self.replicates.shape[0]}, method={self.method!r})"
        )


def _block_sums(
    f: Callable[..., Any],
    joint: Any,
    seed: np.random.SeedSequence,
    method: str,
    start: int,
    stop: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rows = joint.sample(stop - start, seed, method, row_offset=start)
    values = np.asarray(f(rows), dtype=np.float64)
    m = stop - start
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != m:
        raise ValidationError(
            f"f must return {m} values or an ({m}, k) array for {m} rows; got shape "
            f"{np.shape(values)}"
        )
    return values.sum(axis=0), (values * values).sum(axis=0)


def simulate(
    f: Callable[[NDArray[np.float64] | pd.DataFrame], Any],
    joint: Any,
    n: int,
    seed: SeedLike = None,
    method: str = "sobol",
    replications: int | None = None,
    *,
    confidence: float = 0.95,
    block_rows: int = BLOCK_ROWS,
    dask: bool = False,
) -> SimulationResult:
    """Estimate ``E[f(X)]`` for ``X`` from ``joint``, with a standard error.

    Each replication draws ``n`` points of an independently randomized point
    set (RQMC: scrambled Sobol' or Halton; or plain Monte Carlo) and averages
    ``f`` over them, block by block so memory stays bounded by
    ``block_rows``. The replications' spread gives an unbiased standard error
    (L'Ecuyer & Lemieux 2002).

    Parameters
    ----------
    f : callable
        Takes an (m, d) array, or a DataFrame for named marginals, and
        returns m values or an (m, k) array.
    joint : JointDistribution
        The law of the inputs (anything with ``sample(n, seed, method, row_offset=)``).
    n : int
        Points per replication (a power of two for Sobol').
    seed : None, int, SeedSequence, BitGenerator or Generator
        Replication ``r`` uses child ``r`` of the seed's SeedSequence.
    method : {"sobol", "halton", "random", "antithetic", "lhs", "lhs_maximin"}
        Point set.
    replications : int or None
        Independent randomizations; default 16, or 1 for ``"random"`` (whose
        error then comes from the sample variance). QMC needs at least 2.
    confidence : float
        Level of the confidence interval.
    block_rows : int
        Rows evaluated at a time.
    dask : bool
        Evaluate the blocks as Dask tasks (needs dask; same numbers).

    Returns
    -------
    SimulationResult

    Raises
    ------
    stochgen.exceptions.ValidationError
        On a bad method, too few replications for a QMC error, or an ``f``
        that returns the wrong shape.

    Examples
    --------
    >>> from stochgen.distributions import Uniform
    >>> from stochgen.montecarlo import JointDistribution
    >>> joint = JointDistribution([Uniform.from_params(), Uniform.from_params()])
    >>> res = simulate(lambda x: x[:, 0] * x[:, 1], joint, 1024, seed=0)
    >>> round(float(res.estimate), 4), bool(res.std_error < 1e-4)
    (0.25, True)
    """
    n = check_n_samples(n)
    check_method(method)
    confidence = check_probability(confidence, "confidence")
    block_rows = check_n_samples(block_rows, "block_rows")
    if n < 2 or block_rows < 1:
        raise ValidationError(f"n must be >= 2 and block_rows >= 1; got n={n}, {block_rows=}")
    if replications is None:
        replications = 1 if method == "random" else 16
    replications = check_n_samples(replications, "replications")
    if replications < 1 or (replications < 2 and method != "random"):
        raise ValidationError(
            f"replications must be >= 2 for method={method!r} (the error of a randomized "
            f"point set comes from independent randomizations); got {replications}"
        )
    if n > block_rows and method not in BLOCKABLE_METHODS:
        block_rows = n  # one design: evaluated at once
    children = as_seed_sequence(seed).spawn(replications)
    tasks = [
        (r, start, min(start + block_rows, n))
        for r in range(replications)
        for start in range(0, n, block_rows)
    ]
    if dask:
        try:
            import dask as dask_module
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("simulate(dask=True) needs dask: pip install dask") from exc
        delayed = dask_module.delayed(_block_sums)
        parts = dask_module.compute(
            *[delayed(f, joint, children[r], method, a, b) for r, a, b in tasks]
        )
    else:
        parts = [_block_sums(f, joint, children[r], method, a, b) for r, a, b in tasks]
    k = parts[0][0].shape[0]
    sums = np.zeros((replications, k))
    squares = np.zeros((replications, k))
    for (r, _, _), (s, q) in zip(tasks, parts, strict=True):
        sums[r] += s
        squares[r] += q
    replicates = sums / n
    estimate = replicates.mean(axis=0)
    if replications == 1:
        variance = np.maximum(squares[0] / n - estimate**2, 0.0) * n / (n - 1)
        std_error = np.sqrt(variance / n)
        quantile = stats.norm.ppf(0.5 + confidence / 2.0)
    else:
        std_error = replicates.std(axis=0, ddof=1) / np.sqrt(replications)
        quantile = stats.t.ppf(0.5 + confidence / 2.0, replications - 1)
    low, high = estimate - quantile * std_error, estimate + quantile * std_error

    def out(x: NDArray[np.float64]) -> Any:
        return float(x[0]) if k == 1 else x

    return SimulationResult(
        estimate=out(estimate),
        std_error=out(std_error),
        ci_low=out(low),
        ci_high=out(high),
        confidence=confidence,
        replicates=replicates,
        n=n,
        method=method,
    )
