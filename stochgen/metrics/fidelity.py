"""Fidelity: how closely synthetic columns and column pairs follow the real ones.

The column metrics (KS and TV complements) and pair metrics (correlation and
contingency similarity) compute exactly what SDMetrics' metrics of the same
names compute, on the same inputs, and `quality_scores` averages them the way
SDMetrics' ``QualityReport`` does for its Column Shapes and Column Pair Trends
properties (pairs count only where the real data is correlated: ``|Pearson| >
0.5`` or Cramér's V > 0.3). Everything here needs only numpy, scipy and pandas,
and is vectorized over rows; the pair loop is over the ``p (p - 1) / 2`` pairs.

One difference on purpose: SDMetrics draws an unseeded subsample of 50,000 rows
for contingency similarity on larger tables; stochgen always uses every row.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import wasserstein_distance
from scipy.stats.contingency import association

from stochgen.kinds import TIME_KINDS
from stochgen.metrics.tables import (
    check_tables,
    discrete_codes,
    is_continuous,
    is_label,
    time_integers,
    to_float,
)

__all__ = [
    "REAL_ASSOCIATION_THRESHOLD",
    "REAL_CORRELATION_THRESHOLD",
    "column_pair_trends",
    "column_shapes",
    "contingency_similarity",
    "correlation_similarity",
    "ks_complement",
    "missing_similarity",
    "quality_scores",
    "tv_complement",
]

#: A numeric pair counts towards Column Pair Trends when the real ``|Pearson|`` exceeds this.
REAL_CORRELATION_THRESHOLD = 0.5
#: A pair with a discrete side counts when the real Cramér's V exceeds this.
REAL_ASSOCIATION_THRESHOLD = 0.3

# SDMetrics rounds to float precision minus one digit before the KS test.
_KS_DECIMALS = sys.float_info.dig - 1
_ROUNDING_LIMIT = 1e15
# SDMetrics' regularization for categories seen only in the synthetic data.
_TV_REGULARIZATION = 1e-6
_N_BINS = 10


def _finite_values(column: pd.Series, kind: str) -> NDArray[Any]:
    if kind in TIME_KINDS:
        # int64 nanoseconds keep every distinct timestamp distinct (float64 would not).
        return time_integers(column)
    values = to_float(column, kind)
    values = values[~np.isnan(values)]
    # Rounding at 1e-14 changes nothing above 1e15 (the spacing of floats is coarser
    # there), and numpy's x * 1e14 would overflow to inf near the float maximum.
    small = np.abs(values) < _ROUNDING_LIMIT
    values[small] = np.round(values[small], _KS_DECIMALS)
    return values


def ks_statistic(a: ArrayLike, b: ArrayLike) -> float:
    """Two-sample Kolmogorov-Smirnov statistic ``sup |F_a - F_b|``.

    Parameters
    ----------
    a, b : array_like
        1-D samples without missing values.

    Returns
    -------
    float
        In [0, 1]; NaN when a sample is empty.

    Examples
    --------
    >>> ks_statistic([1, 2, 3], [1, 2, 3])
    0.0
    >>> ks_statistic([1, 2], [3, 4])
    1.0
    """
    a = np.sort(np.asarray(a))
    b = np.sort(np.asarray(b))
    if a.size == 0 or b.size == 0:
        return float("nan")
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / a.size
    cdf_b = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def ks_complement(real: pd.Series, synthetic: pd.Series, kind: str = "continuous") -> float:
    """One minus the two-sample KS statistic of a numeric or datetime column.

    Missing values are dropped; datetimes compare as nanoseconds. Equals
    SDMetrics' ``KSComplement``.

    Parameters
    ----------
    real, synthetic : pandas.Series
        The column in each table.
    kind : str
        The column's kind: a number kind (``"continuous"``, ``"integer"``) or a
        time kind (``"datetime"``, ``"date"``).

    Returns
    -------
    float
        1 for identical distributions, 0 for disjoint ones; NaN if a side has
        no values.

    Examples
    --------
    >>> import pandas as pd
    >>> ks_complement(pd.Series([1.0, 2.0, 3.0, None]), pd.Series([1.0, 2.0, 4.0]))
    0.6666666666666666
    """
    return 1.0 - ks_statistic(_finite_values(real, kind), _finite_values(synthetic, kind))


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    """One minus the total variation distance of a categorical or boolean column.

    Missing values are dropped. Equals SDMetrics' ``TVComplement``, including
    its 1e-6 pseudo-count for categories that appear only in the synthetic data.

    Parameters
    ----------
    real, synthetic : pandas.Series
        The column in each table.

    Returns
    -------
    float
        1 when the category frequencies agree, 0 when no category is shared;
        NaN if a side has no values.

    Examples
    --------
    >>> import pandas as pd
    >>> tv_complement(pd.Series(["a", "a", "b", "b"]), pd.Series(["a", "b", "b", "b"]))
    0.75
    """
    code_r, code_s, k = discrete_codes(real, synthetic)
    count_r = np.bincount(code_r, minlength=k)[:-1].astype(np.float64)
    count_s = np.bincount(code_s, minlength=k)[:-1].astype(np.float64)
    if count_r.sum() == 0 or count_s.sum() == 0:
        return float("nan")
    count_r[(count_r == 0) & (count_s > 0)] += _TV_REGULARIZATION
    total_variation = np.abs(count_s / count_s.sum() - count_r / count_r.sum()).sum()
    return float(1.0 - 0.5 * total_variation)


def missing_similarity(real: pd.Series, synthetic: pd.Series) -> float:
    """One minus the absolute difference of the missing-value rates.

    Parameters
    ----------
    real, synthetic : pandas.Series
        The column in each table.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> missing_similarity(pd.Series([1.0, None]), pd.Series([1.0, 2.0]))
    0.5
    """
    return float(1.0 - abs(real.isna().mean() - synthetic.isna().mean()))


def _scaled_wasserstein(real: NDArray, synthetic: NDArray) -> float:
    real = real[~np.isnan(real)]
    synthetic = synthetic[~np.isnan(synthetic)]
    if real.size == 0 or synthetic.size == 0:
        return float("nan")
    scale = float(np.std(real))
    distance = wasserstein_distance(real, synthetic)
    return float(distance / scale) if scale > 0 else float(distance)


def column_shapes(
    real: pd.DataFrame, synthetic: pd.DataFrame, kinds: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Score each column's distribution: KS or TV complement, Wasserstein, missing rate.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand (see `stochgen.metrics.infer_kinds`).

    Returns
    -------
    pandas.DataFrame
        One row per scored column (ID-like columns are skipped): ``column``,
        ``kind``, ``metric`` (``"KSComplement"`` or ``"TVComplement"``),
        ``score``, ``wasserstein`` (numeric and datetime columns: the
        Wasserstein-1 distance divided by the real standard deviation) and
        ``missing_similarity``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "g": ["a", "b", "a"]})
    >>> column_shapes(df, df)[["column", "metric", "score"]]
      column        metric  score
    0      x  KSComplement    1.0
    1      g  TVComplement    1.0
    """
    kinds = check_tables(real, synthetic, kinds)
    rows = []
    for name, kind in kinds.items():
        if kind == "id":
            continue
        r, s = real[name], synthetic[name]
        if is_continuous(kind):
            metric, score = "KSComplement", ks_complement(r, s, kind)
            distance = _scaled_wasserstein(to_float(r, kind), to_float(s, kind))
        else:
            metric, score, distance = "TVComplement", tv_complement(r, s), float("nan")
        rows.append((name, kind, metric, score, distance, missing_similarity(r, s)))
    columns = ["column", "kind", "metric", "score", "wasserstein", "missing_similarity"]
    dtypes = dict.fromkeys(columns, np.float64) | dict.fromkeys(columns[:3], object)
    return pd.DataFrame(rows, columns=columns).astype(dtypes)


def correlation_similarity(
    real: pd.DataFrame, synthetic: pd.DataFrame, coefficient: str = "Pearson"
) -> float:
    """One minus half the absolute difference of a pair's real and synthetic correlation.

    Rows missing either value are dropped; datetimes compare as nanoseconds.
    Equals SDMetrics' ``CorrelationSimilarity`` (without a threshold).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Two numeric or datetime columns, the same in both.
    coefficient : {"Pearson", "Spearman"}
        The correlation coefficient.

    Returns
    -------
    float
        In [0, 1]; NaN if a column is constant.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})
    >>> synthetic = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    >>> correlation_similarity(real, synthetic)
    0.0
    """
    method = {"Pearson": "pearson", "Spearman": "spearman"}.get(coefficient)
    if method is None:
        raise ValueError(f"coefficient must be 'Pearson' or 'Spearman'; got {coefficient!r}")
    corr = []
    for table in (real, synthetic):
        a, b = (_continuous_array(table.iloc[:, i]) for i in (0, 1))
        corr.append(_pair_correlation(a, b, method))
    return float(1.0 - abs(corr[0] - corr[1]) / 2)


def _continuous_array(column: pd.Series) -> NDArray[np.float64]:
    kind = "datetime" if pd.api.types.is_datetime64_any_dtype(column.dtype) else "continuous"
    return to_float(column, kind)


def _pair_correlation(a: NDArray, b: NDArray, method: str) -> float:
    frame = pd.DataFrame({"a": a, "b": b})
    if (frame.nunique() <= 1).any():
        return float("nan")
    return float(frame.corr(method=method).iloc[0, 1])


def contingency_similarity(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """One minus the total variation distance of a pair's joint frequency table.

    Missing values form their own category. Equals SDMetrics'
    ``ContingencySimilarity`` on two discrete columns.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Two discrete columns (categories, booleans or bin numbers), the same in both.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"a": ["x", "y"], "b": [True, False]})
    >>> synthetic = pd.DataFrame({"a": ["x", "y"], "b": [False, True]})
    >>> contingency_similarity(real, synthetic)
    0.0
    """
    score, _ = _contingency([discrete_codes(real.iloc[:, i], synthetic.iloc[:, i]) for i in (0, 1)])
    return score


def _contingency(codes: list[tuple[NDArray, NDArray, int]]) -> tuple[float, float]:
    # Returns the similarity score and the real table's Cramér's V (NaN if undefined).
    (a_r, a_s, ka), (b_r, b_s, kb) = codes
    counts_r = np.bincount(a_r * kb + b_r, minlength=ka * kb)
    counts_s = np.bincount(a_s * kb + b_s, minlength=ka * kb)
    score = 1.0 - 0.5 * np.abs(counts_r / counts_r.sum() - counts_s / counts_s.sum()).sum()
    table = counts_r.reshape(ka, kb)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    cramer_v = float("nan")
    if min(table.shape) >= 2:
        cramer_v = float(association(table, method="cramer"))
    return float(score), cramer_v


def _bin_codes(values: NDArray[np.float64]) -> NDArray[np.intp]:
    # SDMetrics' binning for pair trends: 10 equal-width bins over this table's own
    # values, np.digitize against the 11 edges (so the maximum and NaN get codes 11).
    # The edges are np.histogram_bin_edges' (linspace over the range), built here so
    # that a range too narrow for numpy (one value, nanoseconds apart) cannot fail.
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.full(values.shape, _N_BINS + 1, dtype=np.intp)
    low, high = float(present.min()), float(present.max())
    if not high > low:
        # numpy's range for one value, [v - 0.5, v + 0.5], puts v in bin 6.
        return np.where(np.isnan(values), _N_BINS + 1, _N_BINS // 2 + 1).astype(np.intp)
    edges = np.linspace(low, high, _N_BINS + 1)
    return np.digitize(values, bins=edges)


def column_pair_trends(
    real: pd.DataFrame, synthetic: pd.DataFrame, kinds: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Score each column pair: correlation similarity or contingency similarity.

    Two numeric/datetime columns: Pearson `correlation_similarity` (Spearman
    reported beside it). Otherwise `contingency_similarity`, numeric and
    datetime columns first cut into 10 equal-width bins (each table on its own
    range, as SDMetrics does).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``column_1``, ``column_2``, ``metric``, ``score``,
        ``spearman_score``, ``real_correlation``, ``synthetic_correlation``,
        ``real_association`` (Cramér's V) and ``contributes`` (whether the pair
        counts in the Column Pair Trends average: real ``|Pearson| > 0.5`` or
        real Cramér's V > 0.3, as in SDMetrics' ``QualityReport``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.arange(20.0)
    >>> df = pd.DataFrame({"x": x, "y": 2 * x, "g": np.where(x < 10, "lo", "hi")})
    >>> column_pair_trends(df, df)[["column_1", "column_2", "metric", "score"]]
      column_1 column_2                 metric  score
    0        x        y  CorrelationSimilarity    1.0
    1        x        g  ContingencySimilarity    1.0
    2        y        g  ContingencySimilarity    1.0
    """
    kinds = check_tables(real, synthetic, kinds)
    scored = [name for name, kind in kinds.items() if kind != "id"]
    continuous = [name for name in scored if is_continuous(kinds[name])]
    numbers_r = pd.DataFrame({n: to_float(real[n], kinds[n]) for n in continuous})
    numbers_s = pd.DataFrame({n: to_float(synthetic[n], kinds[n]) for n in continuous})
    corr = {}
    for method in ("pearson", "spearman"):
        corr[method] = [_masked_corr(numbers, method) for numbers in (numbers_r, numbers_s)]
    codes = {}
    for name in scored:
        if is_label(kinds[name]):
            codes[name] = discrete_codes(real[name], synthetic[name])
        else:
            codes[name] = (
                _bin_codes(numbers_r[name].to_numpy()),
                _bin_codes(numbers_s[name].to_numpy()),
                _N_BINS + 2,
            )
    rows = []
    for a, b in itertools.combinations(scored, 2):
        if a in continuous and b in continuous:
            r_p, s_p = (c.loc[a, b] for c in corr["pearson"])
            r_s, s_s = (c.loc[a, b] for c in corr["spearman"])
            score = 1.0 - abs(r_p - s_p) / 2
            spearman = 1.0 - abs(r_s - s_s) / 2
            contributes = bool(abs(r_p) > REAL_CORRELATION_THRESHOLD) and not np.isnan(score)
            rows.append(
                (a, b, "CorrelationSimilarity", score, spearman, r_p, s_p, np.nan, contributes)
            )
        else:
            score, cramer_v = _contingency([codes[a], codes[b]])
            contributes = bool(cramer_v > REAL_ASSOCIATION_THRESHOLD)
            rows.append(
                (
                    a,
                    b,
                    "ContingencySimilarity",
                    score,
                    np.nan,
                    np.nan,
                    np.nan,
                    cramer_v,
                    contributes,
                )
            )
    columns = [
        "column_1",
        "column_2",
        "metric",
        "score",
        "spearman_score",
        "real_correlation",
        "synthetic_correlation",
        "real_association",
        "contributes",
    ]
    # Typed even when empty (a one-column table has no pair), so masks and sorts work.
    dtypes = dict.fromkeys(columns, np.float64) | {
        "column_1": object,
        "column_2": object,
        "metric": object,
        "contributes": bool,
    }
    return pd.DataFrame(rows, columns=columns).astype(dtypes)


def _masked_corr(numbers: pd.DataFrame, method: str) -> pd.DataFrame:
    # Pairwise-complete correlations; constant columns (SDMetrics refuses them) give NaN.
    corr = numbers.corr(method=method) if numbers.shape[1] else numbers
    constant = numbers.columns[numbers.nunique() <= 1]
    corr.loc[constant, :] = np.nan
    corr.loc[:, constant] = np.nan
    return corr


def quality_scores(shapes: pd.DataFrame, pair_trends: pd.DataFrame) -> dict[str, float]:
    """Average column and pair scores into SDMetrics' QualityReport scores.

    Column Shapes is the mean column score; Column Pair Trends the mean score
    of the pairs that ``contribute``; the overall score the mean of the two,
    ignoring one that is undefined (no scored column, or no correlated pair).

    Parameters
    ----------
    shapes : pandas.DataFrame
        From `column_shapes`.
    pair_trends : pandas.DataFrame
        From `column_pair_trends`.

    Returns
    -------
    dict
        ``{"score", "column_shapes", "column_pair_trends"}``, NaN where undefined.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]})
    >>> quality_scores(column_shapes(df, df), column_pair_trends(df, df))
    {'score': 1.0, 'column_shapes': 1.0, 'column_pair_trends': 1.0}
    """
    shape_score = float(shapes["score"].mean()) if len(shapes) else float("nan")
    contributing = pair_trends.loc[pair_trends["contributes"], "score"]
    pair_score = float(contributing.mean()) if len(contributing) else float("nan")
    parts = [s for s in (shape_score, pair_score) if not np.isnan(s)]
    overall = float(np.mean(parts)) if parts else float("nan")
    return {"score": overall, "column_shapes": shape_score, "column_pair_trends": pair_score}
