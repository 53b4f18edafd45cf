"""Fidelity per class: the fidelity scores within each value of a chosen label column.

An overall score can hide a class the synthesizer learned badly (a rare
category whose rows look like the majority's). Scoring the rows of each class
on their own shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.metrics.fidelity import column_pair_trends, column_shapes, quality_scores
from stochgen.metrics.tables import check_tables, is_label

__all__ = ["fidelity_by_class"]


def fidelity_by_class(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    by: str,
    kinds: Mapping[str, str] | None = None,
    *,
    max_classes: int = 10,
) -> pd.DataFrame:
    """Fidelity scores computed on the rows of each class of a label column.

    The rows of ``real`` and of ``synthetic`` with ``by`` equal to a class are
    scored like whole tables (`column_shapes`, `column_pair_trends`,
    `quality_scores`), the ``by`` column left out.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Tables with the same columns.
    by : str
        A label column (categorical, ordinal, boolean or constant kind).
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    max_classes : int
        Classes scored at most, the most frequent in ``real`` first.

    Returns
    -------
    pandas.DataFrame
        One row per class: ``class``, ``n_real``, ``n_synthetic``,
        ``real_share``, ``synthetic_share``, ``score``, ``column_shapes``,
        ``column_pair_trends``. Scores are NaN for a class the synthetic table
        does not have. ``.attrs["by"]`` names the column.

    Raises
    ------
    TypeError
        If ``by`` is not a string.
    stochgen.exceptions.ValidationError
        If ``by`` is not a column, is not a label column, or is the only column.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 2.0, 10.0, 11.0]})
    >>> synthetic = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 2.0, 1.0, 2.0]})
    >>> fidelity_by_class(real, synthetic, "g")[["class", "n_real", "score"]]
      class  n_real  score
    0     a       2    1.0
    1     b       2    0.0
    """
    kinds = check_tables(real, synthetic, kinds)
    if not isinstance(by, str):
        raise TypeError(f"by must be a column name (str); got {by!r}")
    if by not in kinds:
        raise ValidationError(f"by: unknown column {by!r}; the table has {list(kinds)!r}")
    if not is_label(kinds[by]):
        raise ValidationError(
            f"by: column {by!r} has kind {kinds[by]!r}; expected a label column "
            "(categorical, ordinal, boolean)"
        )
    others = {name: kind for name, kind in kinds.items() if name != by}
    if not others:
        raise ValidationError(f"by: column {by!r} is the only column; nothing to score per class")
    max_classes = check_n_samples(max_classes, "max_classes")
    labels_real = real[by].astype(object)
    labels_synthetic = synthetic[by].astype(object)
    classes = labels_real.value_counts(dropna=True).index[:max_classes]
    columns = list(others)
    rows = []
    for label in classes:
        part_real = real.loc[(labels_real == label).to_numpy(), columns]
        part_synthetic = synthetic.loc[(labels_synthetic == label).to_numpy(), columns]
        scores = dict.fromkeys(("score", "column_shapes", "column_pair_trends"), np.nan)
        if len(part_synthetic):
            shapes = column_shapes(part_real, part_synthetic, others)
            trends = column_pair_trends(part_real, part_synthetic, others)
            scores = quality_scores(shapes, trends)
        rows.append(
            (
                label,
                len(part_real),
                len(part_synthetic),
                len(part_real) / len(real),
                len(part_synthetic) / len(synthetic),
                scores["score"],
                scores["column_shapes"],
                scores["column_pair_trends"],
            )
        )
    names = [
        "class",
        "n_real",
        "n_synthetic",
        "real_share",
        "synthetic_share",
        "score",
        "column_shapes",
        "column_pair_trends",
    ]
    dtypes = dict.fromkeys(names, np.float64) | {
        "class": object,
        "n_real": np.int64,
        "n_synthetic": np.int64,
    }
    result = pd.DataFrame(rows, columns=names).astype(dtypes)
    result.attrs["by"] = by
    return result
