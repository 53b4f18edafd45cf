"""Privacy: whether synthetic rows copy, or sit too close to, the rows learned from.

Rows are compared in one feature space (numbers standardized by the real mean
and standard deviation, categories one-hot; see `stochgen.metrics.encoding`)
with Euclidean distance, nearest neighbours from scikit-learn. Each metric is
set against a baseline of real rows the synthesizer never saw (a ``holdout``
table), or, without one, of the training rows against the other training rows
(leave-one-out), which is what a fresh draw from the same population looks like:

- ``exact_match_rate``: share of synthetic rows equal to a training row.
- ``dcr_median``: median distance to the closest training record (DCR).
- ``share_closer_than_baseline``: chance that a synthetic row is closer to the
  training data than a baseline row is (ties count half); 0.5 is ideal, near
  1 means synthetic rows hug the training rows.
- ``nndr_median``: median nearest-neighbour distance ratio (closest / second
  closest training record); near 0 means rows sit on top of single records.

A metric is flagged when the synthetic value is clearly worse than the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.metrics.detection import import_sklearn
from stochgen.metrics.encoding import encode_tables, row_hashes
from stochgen.metrics.tables import check_tables

__all__ = ["exact_match_rate", "privacy"]

#: Query rows (synthetic and baseline) used at most for the distance metrics.
MAX_ROWS = 2_000
# Leave-one-out needs a row's own match and its two nearest other rows.
_MIN_TRAIN_ROWS = 3


def exact_match_rate(
    train: pd.DataFrame, other: pd.DataFrame, kinds: Mapping[str, str] | None = None
) -> float:
    """Share of the rows of ``other`` that equal a row of ``train`` exactly.

    ID-like columns are left out of the comparison; missing values match missing values.

    Parameters
    ----------
    train, other : pandas.DataFrame
        Tables with the same columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "g": ["a", "b", "a"]})
    >>> exact_match_rate(train, pd.DataFrame({"x": [1.0, 2.0], "g": ["a", "a"]}))
    0.5
    """
    kinds = check_tables(train, other, kinds, synthetic_name="other")
    columns = [name for name, kind in kinds.items() if kind != "id"]
    hash_train, hash_other = row_hashes([train, other], kinds, columns)
    return float(np.isin(hash_other, hash_train).mean())


def _query(data: NDArray, max_rows: int, rng: np.random.Generator) -> NDArray:
    if len(data) <= max_rows:
        return data
    return data[np.sort(rng.choice(len(data), size=max_rows, replace=False))]


def _share_closer(synthetic: NDArray, baseline: NDArray) -> float:
    # P(D_syn < D_base) + P(D_syn == D_base) / 2 over all pairs, by sorted search.
    ordered = np.sort(baseline)
    below = np.searchsorted(ordered, synthetic, side="left")
    at_or_below = np.searchsorted(ordered, synthetic, side="right")
    greater = len(ordered) - at_or_below
    ties = at_or_below - below
    return float(np.mean((greater + 0.5 * ties) / len(ordered)))


def _ratio(nearest: NDArray, second: NDArray) -> NDArray:
    # A row with two equally close records at distance 0 is a copy: ratio 0.
    return np.divide(nearest, second, out=np.zeros_like(nearest), where=second > 0)


def privacy(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Exact matches, distance to closest record and distance ratios, against a baseline.

    Parameters
    ----------
    train : pandas.DataFrame
        The real rows the synthesizer was fitted on.
    synthetic : pandas.DataFrame
        The synthetic rows.
    holdout : pandas.DataFrame, optional
        Real rows from the same source that the synthesizer never saw. Without
        one, the baseline is each training row against the other training rows.
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    max_rows : int
        Synthetic and baseline rows queried at most (seeded subsample); the
        training table is always used whole.
    seed : None, int, SeedSequence or Generator
        For the subsamples.

    Returns
    -------
    pandas.DataFrame
        One row per metric: ``metric``, ``synthetic``, ``baseline`` and
        ``flagged``; ``.attrs["baseline"]`` says which baseline was used.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    stochgen.exceptions.ValidationError
        On mismatched or empty tables, fewer than 3 training rows, or only
        ID-like columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> train = pd.DataFrame({"x": rng.normal(size=300), "y": rng.normal(size=300)})
    >>> result = privacy(train, train.copy(), seed=0)
    >>> result["flagged"].tolist()
    [True, True, True, True]
    """
    import_sklearn("privacy")
    from sklearn.neighbors import NearestNeighbors

    kinds = check_tables(train, synthetic, kinds)
    if holdout is not None:
        check_tables(train, holdout, kinds, synthetic_name="holdout")
    max_rows = check_n_samples(max_rows, "max_rows")
    rng = as_generator(seed)
    columns = [name for name, kind in kinds.items() if kind != "id"]
    if not columns:
        raise ValidationError("privacy: no column to compare (all columns are ID-like)")
    if len(train) < _MIN_TRAIN_ROWS:
        raise ValidationError(
            f"privacy: train needs at least {_MIN_TRAIN_ROWS} rows for nearest-neighbour "
            f"distances; got {len(train)} (evaluate(..., privacy=False) skips privacy)"
        )
    tables = [train, synthetic] + ([holdout] if holdout is not None else [])
    hashes = row_hashes(tables, kinds, columns)
    match_synthetic = float(np.isin(hashes[1], hashes[0]).mean())
    (x_train, x_synthetic, *rest), _ = encode_tables(tables, kinds, columns, "onehot")
    neighbours = NearestNeighbors(n_neighbors=3).fit(x_train)
    distance_synthetic, _ = neighbours.kneighbors(_query(x_synthetic, max_rows, rng), 2)
    if holdout is not None:
        hashes_holdout = hashes[2]
        match_baseline = float(np.isin(hashes_holdout, hashes[0]).mean())
        distance_baseline, _ = neighbours.kneighbors(_query(rest[0], max_rows, rng), 2)
        baseline = "holdout"
    else:
        # Leave one out: a training row's nearest neighbour is itself; skip it. Rows that
        # duplicate another training row count as matches, as they would in a fresh draw.
        _, inverse, counts = np.unique(hashes[0], return_inverse=True, return_counts=True)
        match_baseline = float((counts[inverse] > 1).mean())
        distance_baseline, _ = neighbours.kneighbors(_query(x_train, max_rows, rng), 3)
        distance_baseline = distance_baseline[:, 1:]
        baseline = "train (leave-one-out)"
    dcr_s, dcr_b = distance_synthetic[:, 0], distance_baseline[:, 0]
    nndr_s = _ratio(dcr_s, distance_synthetic[:, 1])
    nndr_b = _ratio(dcr_b, distance_baseline[:, 1])
    share = _share_closer(dcr_s, dcr_b)
    rows = [
        (
            "exact_match_rate",
            match_synthetic,
            match_baseline,
            match_synthetic > match_baseline + 0.01,
        ),
        ("dcr_median", *_medians(dcr_s, dcr_b)),
        ("share_closer_than_baseline", share, 0.5, share > 0.6),
        ("nndr_median", *_medians(nndr_s, nndr_b)),
    ]
    result = pd.DataFrame(rows, columns=["metric", "synthetic", "baseline", "flagged"])
    result.attrs["baseline"] = baseline
    return result


def _medians(synthetic: NDArray, baseline: NDArray) -> tuple[float, float, bool]:
    m_s, m_b = float(np.median(synthetic)), float(np.median(baseline))
    return m_s, m_b, bool(m_s < 0.5 * m_b)
