"""Quality filter: drop generated rows a detection classifier finds clearly fake."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from stochgen._base import check_is_fitted
from stochgen._rng import SeedLike, spawn_generators
from stochgen._validation import check_dataframe, check_n_samples, check_probability
from stochgen.exceptions import ValidationError

__all__ = ["quality_filter"]

_FOLDS = 3


def quality_filter(
    model: object,
    real: pd.DataFrame,
    n: int,
    *,
    seed: SeedLike = None,
    threshold: float = 0.9,
    oversample: float = 1.5,
    max_real_rows: int = 10_000,
) -> pd.DataFrame:
    """Sample ``n`` rows, leaving out rows a classifier flags as clearly synthetic.

    ``ceil(n * oversample)`` rows are generated; a gradient-boosted tree
    ensemble learns to tell them from the real rows, and each generated row
    gets its out-of-fold probability of being synthetic (3-fold cross-fitting,
    so no row is scored by a classifier that saw it). Rows at or above
    ``threshold`` are dropped and the first ``n`` of the others are returned.
    How many were generated and dropped is in ``result.attrs["quality_filter"]``.

    Filtering pulls the output toward rows that look like real ones; check
    privacy (``stochgen.evaluate``) on the result.

    Parameters
    ----------
    model : CopulaSynthesizer or any fitted synthesizer with ``sample(n, seed)``
        The fitted model.
    real : pandas.DataFrame
        The real table the model was fitted to.
    n : int
        Rows to return.
    seed : None, int, SeedSequence, BitGenerator or Generator
    threshold : float
        Probability of being synthetic at which a row is dropped, in (0, 1).
    oversample : float
        Rows generated per row returned (at least 1).
    max_real_rows : int
        Real rows used to train the classifier at most (seeded subsample).

    Returns
    -------
    pandas.DataFrame
        Exactly ``n`` rows.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    stochgen.exceptions.ValidationError
        If fewer than ``n`` rows pass; the message gives the counts.
    """
    from stochgen.metrics.detection import import_sklearn, one_thread
    from stochgen.metrics.encoding import encode_tables
    from stochgen.metrics.tables import check_tables

    import_sklearn("the quality filter")
    from sklearn.ensemble import HistGradientBoostingClassifier

    check_is_fitted(model)
    check_dataframe(real, "real")
    n = check_n_samples(n)
    threshold = check_probability(threshold, "threshold")
    if not oversample >= 1:
        raise ValidationError(f"oversample must be at least 1; got {oversample}")
    sample_stream, fit_stream = spawn_generators(seed, 2)
    drawn = math.ceil(n * oversample)
    synthetic = model.sample(drawn, seed=sample_stream).reset_index(drop=True)
    if n == 0:
        return synthetic.iloc[:0]
    kinds = check_tables(real, synthetic, None)
    columns = [name for name, kind in kinds.items() if kind != "id"]
    if len(real) > max_real_rows:
        real = real.iloc[np.sort(fit_stream.choice(len(real), max_real_rows, replace=False))]
    (x_real, x_synth), categorical = encode_tables([real, synthetic], kinds, columns, "ordinal")
    features = np.vstack([x_real, x_synth])
    labels = np.r_[np.zeros(len(x_real)), np.ones(len(x_synth))]
    folds = fit_stream.permutation(len(features)) % _FOLDS
    fake = np.empty(len(x_synth))
    for fold in range(_FOLDS):
        train, test = folds != fold, folds == fold
        classifier = HistGradientBoostingClassifier(
            max_iter=100,
            categorical_features=categorical if categorical.any() else None,
            random_state=int(fit_stream.integers(2**31 - 1)),
        )
        with one_thread():
            classifier.fit(features[train], labels[train])
            probability = classifier.predict_proba(features[test])[:, 1]
        synthetic_rows = np.flatnonzero(test) - len(x_real)
        keep = synthetic_rows >= 0
        fake[synthetic_rows[keep]] = probability[keep]
    passed = np.flatnonzero(fake < threshold)
    if passed.size < n:
        raise ValidationError(
            f"quality filter: {passed.size} of {drawn} generated rows passed "
            f"(threshold {threshold}); {n} were asked for. Raise oversample or threshold"
        )
    out = synthetic.iloc[passed[:n]].reset_index(drop=True)
    out.attrs["quality_filter"] = {
        "generated": drawn,
        "dropped": int(drawn - passed.size),
        "threshold": threshold,
        "returned": n,
    }
    return out
