"""ML utility: whether models trained on synthetic data work, and help, on real data.

For a target column, a gradient-boosted tree ensemble (scikit-learn's
``HistGradientBoosting*``) is trained three ways and tested on the same real
rows it never saw:

- ``"real"``: train on real rows (train-real-test-real, TRTR), the reference;
- ``"synthetic"``: train on synthetic rows (train-synthetic-test-real, TSTR);
- ``"real+synthetic"``: train on both (augmentation).

The test rows are the ``test`` table when one is given (a holdout the
synthesizer never saw: the honest setting), else a seeded 30% split of the
real table (optimistic when the synthesizer was fitted on all real rows,
which the result records in ``attrs["test"]``). Rows with a missing target are
dropped. Classification (categorical or boolean target) reports accuracy, F1
(macro) and ROC AUC (one-vs-rest, macro); regression (numeric target) reports
R^2 and mean absolute error.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_columns
from stochgen.exceptions import ValidationError
from stochgen.metrics.detection import import_sklearn, one_thread
from stochgen.metrics.encoding import encode_tables
from stochgen.metrics.tables import CONTINUOUS_KINDS, check_tables, to_float

__all__ = ["check_target", "utility"]

_TEST_SHARE = 0.3


def check_target(real: pd.DataFrame, target: str, kinds: Mapping[str, str]) -> str:
    """Check a target column and return its task, refusing leaking feature columns.

    A feature leaks the target when it is a copy of it under another name: for a
    discrete target, a column whose values and the target's determine each other
    (a one-to-one recoding); for a numeric target, a column with Spearman
    correlation +-1.

    Parameters
    ----------
    real : pandas.DataFrame
        The real table.
    target : str
        The target column.
    kinds : mapping of str to str
        Column kinds.

    Returns
    -------
    str
        ``"classification"`` or ``"regression"``.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the target is unknown, ID-like, has fewer than two distinct values, or
        a feature leaks it.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "b", "a", "b"],
    ...                    "y_copy": ["A", "B", "A", "B"]})
    >>> kinds = {"x": "continuous", "y": "categorical", "y_copy": "categorical"}
    >>> check_target(df, "y", kinds)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: target 'y': column 'y_copy' is a one-to-one ...
    """
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str); got {target!r}")
    check_columns([target], list(real.columns), "target")
    kind = kinds[target]
    if kind == "id":
        raise ValidationError(f"target {target!r} is ID-like (all values distinct); pick another")
    y = real[target]
    if y.nunique() < 2:
        raise ValidationError(
            f"target {target!r} has {y.nunique()} distinct value(s); expected at least 2"
        )
    task = "regression" if kind in CONTINUOUS_KINDS else "classification"
    y_codes = pd.factorize(y.astype(object))[0]
    y_float = to_float(y, kind) if task == "regression" else None
    for name, feature_kind in kinds.items():
        if name == target or feature_kind == "id":
            continue
        feature = real[name]
        if task == "classification":
            x_codes = pd.factorize(feature.astype(object))[0]
            pairs = pd.DataFrame({"x": x_codes, "y": y_codes}).drop_duplicates()
            leaks = len(pairs) == pairs["x"].nunique() == pairs["y"].nunique()
        elif feature_kind in CONTINUOUS_KINDS:
            frame = pd.DataFrame({"x": to_float(feature, feature_kind), "y": y_float})
            rho = frame.corr(method="spearman").iloc[0, 1]
            leaks = bool(abs(rho) > 1 - 1e-12)
        else:
            leaks = False
        if leaks:
            raise ValidationError(
                f"target {target!r}: column {name!r} is a one-to-one recoding of the target "
                "(target leakage); drop it before evaluating"
            )
    return task


def _fit_predict(task: str, x_train, y_train, x_test, categorical, n_classes, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    settings = {
        "max_iter": 100,
        "categorical_features": categorical if categorical.any() else None,
        "early_stopping": False,
        "random_state": seed,
    }
    if task == "regression":
        with one_thread():
            return HistGradientBoostingRegressor(**settings).fit(x_train, y_train).predict(x_test)
    classes = np.unique(y_train)
    proba = np.zeros((len(x_test), n_classes))
    if len(classes) < 2:
        proba[:, classes] = 1.0
        return proba
    with one_thread():
        model = HistGradientBoostingClassifier(**settings).fit(x_train, y_train)
    proba[:, model.classes_.astype(np.intp)] = model.predict_proba(x_test)
    return proba


def _scores(task: str, y_test: NDArray, prediction: NDArray) -> dict[str, float]:
    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        mean_absolute_error,
        r2_score,
        roc_auc_score,
    )

    if task == "regression":
        return {"r2": r2_score(y_test, prediction), "mae": mean_absolute_error(y_test, prediction)}
    labels = prediction.argmax(axis=1)
    aucs = [
        roc_auc_score(y_test == c, prediction[:, c])
        for c in np.unique(y_test)
        if 0 < (y_test == c).sum() < len(y_test)
    ]
    return {
        "accuracy": accuracy_score(y_test, labels),
        "f1_macro": f1_score(y_test, labels, average="macro"),
        "roc_auc": float(np.mean(aucs)) if aucs else float("nan"),
    }


def utility(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str,
    test: pd.DataFrame | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """Train on real, synthetic and both; test on held-out real rows.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    target : str
        The column to predict.
    test : pandas.DataFrame, optional
        Real rows the synthesizer never saw, to test on. Without one, 30% of
        ``real`` is held out (seeded).
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    seed : None, int, SeedSequence or Generator
        For the split and the models.

    Returns
    -------
    pandas.DataFrame
        One row per training set (``"real"``, ``"synthetic"``,
        ``"real+synthetic"``) with ``n_train`` and the metrics as columns;
        ``attrs["task"]``, ``attrs["target"]`` and ``attrs["test"]`` describe the set-up.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    stochgen.exceptions.ValidationError
        On an unknown or leaking target, or mismatched tables.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> def table(n):
    ...     x = rng.normal(size=n)
    ...     return pd.DataFrame({"x": x, "y": np.where(x > 0, "pos", "neg")})
    >>> result = utility(table(300), table(300), "y", seed=0)
    >>> result.index.tolist(), bool(result.loc["synthetic", "accuracy"] > 0.9)
    (['real', 'synthetic', 'real+synthetic'], True)
    """
    import_sklearn("ML utility")
    kinds = check_tables(real, synthetic, kinds)
    if test is not None:
        check_tables(real, test, kinds, synthetic_name="test")
    task = check_target(real, target, kinds)
    rng = as_generator(seed)
    real = real[real[target].notna()]
    synthetic = synthetic[synthetic[target].notna()]
    if test is None:
        order = rng.permutation(len(real))
        n_test = max(1, int(round(_TEST_SHARE * len(real))))
        test, real = real.iloc[np.sort(order[:n_test])], real.iloc[np.sort(order[n_test:])]
        test_kind = f"{_TEST_SHARE:.0%} of real rows (seen by the synthesizer: optimistic)"
    else:
        test = test[test[target].notna()]
        test_kind = "holdout"
    if min(len(real), len(synthetic), len(test)) < 2:
        raise ValidationError(
            f"target {target!r}: too few rows with a target value to train and test "
            f"({len(real)} real, {len(synthetic)} synthetic, {len(test)} test)"
        )
    features = [name for name, kind in kinds.items() if kind != "id" and name != target]
    (x_real, x_synthetic, x_test), categorical = encode_tables(
        [real, synthetic, test], kinds, features, "ordinal"
    )
    if task == "regression":
        y_real, y_synthetic, y_test = (
            to_float(t[target], kinds[target]) for t in (real, synthetic, test)
        )
        n_classes = 0
    else:
        pooled = pd.concat([real[target], synthetic[target], test[target]], ignore_index=True)
        codes, uniques = pd.factorize(pooled.astype(object))
        n_classes = len(uniques)
        y_real = codes[: len(real)]
        y_synthetic = codes[len(real) : len(real) + len(synthetic)]
        y_test = codes[len(real) + len(synthetic) :]
    model_seed = int(rng.integers(2**31 - 1))
    training = {
        "real": (x_real, y_real),
        "synthetic": (x_synthetic, y_synthetic),
        "real+synthetic": (np.vstack([x_real, x_synthetic]), np.r_[y_real, y_synthetic]),
    }
    rows = {}
    for name, (x_train, y_train) in training.items():
        prediction = _fit_predict(
            task, x_train, y_train, x_test, categorical, n_classes, model_seed
        )
        rows[name] = {"n_train": len(y_train), **_scores(task, y_test, prediction)}
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.attrs.update({"task": task, "target": target, "test": test_kind})
    return result
