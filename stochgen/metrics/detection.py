"""Detection: how well a classifier tells synthetic rows from real ones.

A logistic regression (on standardized, one-hot features) and a gradient-boosted
tree ensemble (scikit-learn's ``HistGradientBoostingClassifier``, categories
handled natively) are trained to separate real from synthetic rows, with
k-fold cross-validation (identical rows share a fold). The ROC AUC of the out-of-fold predictions
near 0.5 means the tables cannot be told apart; the score ``1 - (2 AUC - 1)``,
clipped to [0, 1], is 1 then and 0 when every row is told apart (the score of
SDMetrics' ``LogisticDetection``).

Tables larger than ``max_rows`` are subsampled (without replacement, seeded)
to ``max_rows`` rows each before training: the AUC of a classifier trained and
tested on 2 x 10,000 rows has a standard error near 0.005, well below the
differences that matter, and the cost no longer grows with the table.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.metrics.encoding import encode_tables, row_hashes
from stochgen.metrics.tables import check_tables

__all__ = ["detection", "import_sklearn", "one_thread"]

#: Rows per table used for detection by default.
MAX_ROWS = 10_000
# Identical rows occurring at most this often are kept in one fold.
_MAX_GROUP_ROWS = 10


def import_sklearn(what: str) -> None:
    """Raise a clear `ImportError` when scikit-learn is not installed.

    Parameters
    ----------
    what : str
        What needs it, for the message.

    Raises
    ------
    ImportError
        Naming the extra to install.

    Examples
    --------
    >>> import_sklearn("detection")
    """
    try:
        import sklearn  # noqa: F401
    except ImportError as err:
        raise ImportError(f"{what} needs scikit-learn: pip install 'stochgen[evaluate]'") from err


def one_thread() -> Any:
    """Limit OpenMP and BLAS to one thread inside a ``with`` block.

    scikit-learn's tree ensembles start one OpenMP thread per core; on a busy or
    small machine, on tables of this size, the threads mostly wait for each other
    (measured: 0.25 s for one fit on one thread, 1.5 to 4.7 s on two shared cores).

    Returns
    -------
    context manager

    Examples
    --------
    >>> with one_thread():
    ...     pass
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _subsample(data: pd.DataFrame, max_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(data) <= max_rows:
        return data
    rows = np.sort(rng.choice(len(data), size=max_rows, replace=False))
    return data.iloc[rows]


def _grouped_folds(
    tables: list[pd.DataFrame],
    kinds: Mapping[str, str],
    columns: list[str],
    n_folds: int,
    rng: np.random.Generator,
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    # Rare identical rows share a fold. Otherwise a test row's twin with the other label
    # sits in the training folds and the classifier learns the opposite of the truth:
    # identical tables would score an AUC far below 0.5 instead of 0.5. Frequent rows (low
    # cardinality tables) are spread over folds as usual, so their class ratio is learned.
    hashes = np.concatenate(row_hashes(tables, kinds, columns))
    _, group, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    frequent = counts[group] > _MAX_GROUP_ROWS
    group = np.where(frequent, group.max() + 1 + np.arange(len(group)), group)
    _, group = np.unique(group, return_inverse=True)
    fold_of_group = rng.permutation(group.max() + 1) % n_folds
    fold = fold_of_group[group]
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_folds)]


def detection(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    kinds: Mapping[str, str] | None = None,
    n_folds: int = 3,
    max_rows: int = MAX_ROWS,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Cross-validated ROC AUC of classifiers telling real from synthetic rows.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns. ID-like columns are left out.
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    n_folds : int
        Folds of the cross-validation (at least 2).
    max_rows : int
        Rows used from each table at most (seeded subsample).
    seed : None, int, SeedSequence or Generator
        For the subsample, the folds and the tree ensemble.

    Returns
    -------
    pandas.DataFrame
        One row per classifier (``"logistic_regression"``,
        ``"gradient_boosting"``): ``auc`` (mean over folds), ``auc_std``,
        ``score`` (``clip(1 - (2 auc - 1), 0, 1)``), ``n_rows`` (rows of each
        table used) and ``converged`` (False if the logistic fit hit its
        iteration limit).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    stochgen.exceptions.ValidationError
        On mismatched tables, or too few rows for ``n_folds``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"x": rng.normal(size=400)})
    >>> shifted = pd.DataFrame({"x": rng.normal(3.0, size=400)})
    >>> result = detection(real, shifted, seed=0)
    >>> bool((result["auc"] > 0.95).all())
    True
    """
    import_sklearn("detection")
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    kinds = check_tables(real, synthetic, kinds)
    n_folds = check_n_samples(n_folds, "n_folds")
    max_rows = check_n_samples(max_rows, "max_rows")
    if n_folds < 2:
        raise ValidationError(f"n_folds must be at least 2; got {n_folds}")
    columns = [name for name, kind in kinds.items() if kind != "id"]
    if not columns:
        raise ValidationError("detection: no column to learn from (all columns are ID-like)")
    rng = as_generator(seed)
    real_part = _subsample(real, max_rows, rng)
    synthetic_part = _subsample(synthetic, max_rows, rng)
    if min(len(real_part), len(synthetic_part)) < n_folds:
        raise ValidationError(
            f"detection: each table needs at least n_folds={n_folds} rows; "
            f"got {len(real_part)} real and {len(synthetic_part)} synthetic "
            "(evaluate(..., detection=False) skips detection)"
        )
    labels = np.r_[np.zeros(len(real_part)), np.ones(len(synthetic_part))]
    split = _grouped_folds([real_part, synthetic_part], kinds, columns, n_folds, rng)
    tree_seed = int(rng.integers(2**31 - 1))
    rows = []
    for name, encoding in (("logistic_regression", "onehot"), ("gradient_boosting", "ordinal")):
        (x_real, x_synthetic), categorical = encode_tables(
            [real_part, synthetic_part], kinds, columns, encoding
        )
        features = np.vstack([x_real, x_synthetic])
        aucs, converged = [], True
        for train, test in split:
            if name == "logistic_regression":
                model = LogisticRegression(max_iter=500)
            else:
                model = HistGradientBoostingClassifier(
                    max_iter=100,
                    categorical_features=categorical if categorical.any() else None,
                    early_stopping=False,
                    random_state=tree_seed,
                )
            with warnings.catch_warnings(record=True) as caught, one_thread():
                warnings.simplefilter("always", ConvergenceWarning)
                model.fit(features[train], labels[train])
            for w in caught:
                if issubclass(w.category, ConvergenceWarning):
                    converged = False
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            if 0 < labels[test].sum() < len(test):
                proba = model.predict_proba(features[test])[:, 1]
                aucs.append(roc_auc_score(labels[test], proba))
        if not aucs:
            raise ValidationError(
                "detection: too few distinct rows to cross-validate; every fold held one class"
            )
        auc = float(np.mean(aucs))
        score = float(np.clip(1.0 - (2.0 * auc - 1.0), 0.0, 1.0))
        rows.append((name, auc, float(np.std(aucs)), score, len(real_part), converged))
    return pd.DataFrame(
        rows, columns=["classifier", "auc", "auc_std", "score", "n_rows", "converged"]
    )
