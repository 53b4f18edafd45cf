"""Dependence: Kendall's tau matrices and tail dependence, real against synthetic.

Pearson correlation (in `stochgen.metrics.fidelity`) sees only linear
association and is moved by the marginals; Kendall's tau depends on the copula
alone, so the distance between the real and synthetic tau matrices measures
how well the dependence itself was learned. Tail dependence asks whether
extremes come together: a Gaussian copula has none in the limit, a Clayton
copula has lower tail dependence ``2^(-1/theta)``; a synthesizer with the wrong
family matches tau and still misses joint extremes.

Both are computed on number and time columns (`stochgen.kinds.NUMERIC_KINDS`,
`stochgen.kinds.TIME_KINDS`), on rows where both columns of a pair are present.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import kendalltau, rankdata

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_n_samples, check_probability
from stochgen.metrics.tables import check_tables, is_continuous, to_float

__all__ = ["MAX_ROWS", "kendall_tau_matrix", "kendall_tau_distance", "tail_dependence"]

#: Rows per table used at most (seeded subsample): the standard error of tau at
#: 10,000 rows is below 0.01.
MAX_ROWS = 10_000
# Fewer rows than this expected in a tail (n (1 - q)) give NaN, not an estimate.
_MIN_TAIL_ROWS = 5


def _numbers(
    data: pd.DataFrame, kinds: Mapping[str, str], max_rows: int, rng: np.random.Generator
) -> pd.DataFrame:
    columns = [name for name, kind in kinds.items() if is_continuous(kind)]
    numbers = pd.DataFrame({name: to_float(data[name], kinds[name]) for name in columns})
    if len(numbers) > max_rows:
        rows = np.sort(rng.choice(len(numbers), size=max_rows, replace=False))
        numbers = numbers.iloc[rows].reset_index(drop=True)
    return numbers


def _pair_tau(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(kendalltau(a, b).statistic)


def kendall_tau_matrix(data: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Kendall's tau-b between every two number or time columns.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    kinds : mapping of str to str, optional
        Column kinds set by hand (`stochgen.kinds.KINDS`).

    Returns
    -------
    pandas.DataFrame
        Square, symmetric, ones on the diagonal; NaN for a pair with a
        constant column or fewer than two rows where both are present.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 3.0, 2.0, 4.0]})
    >>> kendall_tau_matrix(df).round(3)
           x      y
    x  1.000  0.667
    y  0.667  1.000
    """
    kinds = check_tables(data, data, kinds, synthetic_name="data")
    return _tau_matrix(_numbers(data, kinds, len(data), as_generator(0)))


def _tau_matrix(numbers: pd.DataFrame) -> pd.DataFrame:
    names = list(numbers.columns)
    matrix = np.eye(len(names))
    values = {name: numbers[name].to_numpy() for name in names}
    for i, j in itertools.combinations(range(len(names)), 2):
        matrix[i, j] = matrix[j, i] = _pair_tau(values[names[i]], values[names[j]])
    return pd.DataFrame(matrix, index=names, columns=names)


def kendall_tau_distance(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    max_rows: int = MAX_ROWS,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Compare the Kendall tau matrices of two tables, pair by pair.

    The distances between the matrices (Frobenius norm of the difference, its
    root mean square and largest entry over the pairs) are in ``.attrs``.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    max_rows : int
        Rows of each table used at most (seeded subsample).
    seed : None, int, SeedSequence or Generator
        For the subsamples.

    Returns
    -------
    pandas.DataFrame
        One row per pair of number/time columns: ``column_1``, ``column_2``,
        ``real_tau``, ``synthetic_tau``, ``difference`` (synthetic minus real).
        ``.attrs``: ``frobenius`` (``||T_syn - T_real||_F`` over the full
        symmetric matrices), ``rms`` and ``max_abs`` (over the pairs), NaN
        pairs left out; all NaN when there is no pair.

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        On tables that cannot be compared (see `stochgen.metrics.tables.check_tables`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300)
    >>> real = pd.DataFrame({"x": x, "y": x + rng.normal(size=300)})
    >>> synthetic = pd.DataFrame({"x": x, "y": rng.normal(size=300)})
    >>> result = kendall_tau_distance(real, synthetic)
    >>> round(result.attrs["max_abs"], 1)
    0.5
    """
    kinds = check_tables(real, synthetic, kinds)
    max_rows = check_n_samples(max_rows, "max_rows")
    rng = as_generator(seed)
    tau_real = _tau_matrix(_numbers(real, kinds, max_rows, rng))
    tau_synthetic = _tau_matrix(_numbers(synthetic, kinds, max_rows, rng))
    rows = [
        (a, b, tau_real.loc[a, b], tau_synthetic.loc[a, b])
        for a, b in itertools.combinations(tau_real.columns, 2)
    ]
    result = pd.DataFrame(rows, columns=["column_1", "column_2", "real_tau", "synthetic_tau"])
    result = result.astype(
        {"column_1": object, "column_2": object, "real_tau": float, "synthetic_tau": float}
    )
    result["difference"] = result["synthetic_tau"] - result["real_tau"]
    present = result["difference"].dropna().to_numpy()
    result.attrs["frobenius"] = (
        float(np.sqrt(2 * np.sum(present**2))) if present.size else float("nan")
    )
    result.attrs["rms"] = float(np.sqrt(np.mean(present**2))) if present.size else float("nan")
    result.attrs["max_abs"] = float(np.max(np.abs(present))) if present.size else float("nan")
    return result


def _corner_rates(
    a: NDArray[np.float64], b: NDArray[np.float64], q: float
) -> tuple[float, float, int]:
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    n = a.size
    if n * (1 - q) < _MIN_TAIL_ROWS:
        return float("nan"), float("nan"), n
    # Pseudo-observations: ranks / (n + 1), ties at their average rank.
    u, v = rankdata(a) / (n + 1), rankdata(b) / (n + 1)
    lower = np.mean((u <= 1 - q) & (v <= 1 - q)) / (1 - q)
    upper = np.mean((u > q) & (v > q)) / (1 - q)
    return float(lower), float(upper), n


def tail_dependence(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    *,
    n_pairs: int = 5,
    q: float = 0.95,
    max_rows: int = MAX_ROWS,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Empirical lower and upper tail dependence of the most dependent real pairs.

    For a pair ``(X, Y)`` with pseudo-observations ``(U, V)`` (ranks scaled to
    (0, 1)), the estimates at level ``q`` are
    ``lower = P(U <= 1 - q, V <= 1 - q) / (1 - q)`` and
    ``upper = P(U > q, V > q) / (1 - q)``: 1 when extremes always come
    together, ``1 - q`` under independence, and for a Gaussian copula a value
    that falls to 0 as ``q`` grows. A pair with negative tau is read on the
    counter-diagonal (``V`` replaced by ``1 - V``, ``direction`` -1): ``lower``
    is then small X with large Y.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    n_pairs : int
        How many pairs, the largest real ``|tau|`` first.
    q : float
        The level, in (0, 1); ``n (1 - q)`` rows fall in each tail.
    max_rows : int
        Rows of each table used at most (seeded subsample).
    seed : None, int, SeedSequence or Generator
        For the subsamples.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``column_1``, ``column_2``, ``real_tau``,
        ``direction``, ``real_lower``, ``synthetic_lower``, ``real_upper``,
        ``synthetic_upper``; ``.attrs["q"]`` is the level. Estimates are NaN
        where fewer than 5 rows are expected in a tail (``n (1 - q) < 5``).

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        On tables that cannot be compared, or ``q`` outside (0, 1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000)
    >>> real = pd.DataFrame({"x": x, "y": x + 0.1 * rng.normal(size=2000)})
    >>> result = tail_dependence(real, real, q=0.9)
    >>> bool(result.loc[0, "real_upper"] > 0.8)
    True
    """
    kinds = check_tables(real, synthetic, kinds)
    n_pairs = check_n_samples(n_pairs, "n_pairs")
    q = check_probability(q, "q")
    max_rows = check_n_samples(max_rows, "max_rows")
    rng = as_generator(seed)
    numbers_real = _numbers(real, kinds, max_rows, rng)
    numbers_synthetic = _numbers(synthetic, kinds, max_rows, rng)
    tau = _tau_matrix(numbers_real)
    pairs = [
        (a, b, tau.loc[a, b])
        for a, b in itertools.combinations(tau.columns, 2)
        if not np.isnan(tau.loc[a, b])
    ]
    pairs.sort(key=lambda pair: -abs(pair[2]))
    rows = []
    for a, b, t in pairs[:n_pairs]:
        direction = 1 if t >= 0 else -1
        rates = []
        for numbers in (numbers_real, numbers_synthetic):
            x, y = numbers[a].to_numpy(), numbers[b].to_numpy()
            rates.append(_corner_rates(x, direction * y, q))
        (lower_r, upper_r, _), (lower_s, upper_s, _) = rates
        rows.append((a, b, t, direction, lower_r, lower_s, upper_r, upper_s))
    columns = [
        "column_1",
        "column_2",
        "real_tau",
        "direction",
        "real_lower",
        "synthetic_lower",
        "real_upper",
        "synthetic_upper",
    ]
    dtypes = dict.fromkeys(columns, np.float64) | {
        "column_1": object,
        "column_2": object,
        "direction": np.int64,
    }
    result = pd.DataFrame(rows, columns=columns).astype(dtypes)
    result.attrs["q"] = q
    return result
