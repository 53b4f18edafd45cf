"""Class balancing: top up minority labels with synthetic rows of that label."""

from __future__ import annotations

from typing import Any

import pandas as pd

from stochgen._rng import SeedLike, spawn_generators
from stochgen._validation import check_columns, check_dataframe, check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.tabular.schema import infer_kind
from stochgen.tabular.synthesizer import CopulaSynthesizer

__all__ = ["MAX_LABELS", "balance", "balance_counts"]

#: Targets with more distinct labels than this are refused: they are measurements,
#: not classes, and topping each up would multiply the table.
MAX_LABELS = 100
_LABEL_KINDS = ("categorical", "ordinal", "boolean", "integer")


def _check_target(data: pd.DataFrame, target: str, kinds: dict[str, str]) -> None:
    """Refuse a target that is not a label column (continuous, dates, IDs, too many labels)."""
    column = data[target]
    n_labels = int(column.nunique())
    declared = kinds.get(target)
    kind = declared or infer_kind(column)
    if declared is None and kind not in _LABEL_KINDS:
        raise ValidationError(
            f"target {target!r} looks {kind} ({n_labels:,} distinct values, dtype "
            f"{column.dtype}); balancing tops up labels of a class column: bin it first "
            f"(e.g. pd.cut), or declare it with kinds={{{target!r}: 'categorical'}}"
        )
    if n_labels > MAX_LABELS:
        raise ValidationError(
            f"target {target!r} has {n_labels:,} distinct labels, more than {MAX_LABELS}; "
            "balancing each would multiply the table: bin it or pick a class column"
        )


def balance_counts(counts: pd.Series, strategy: str | dict[Any, int]) -> dict[Any, int]:
    """Return how many synthetic rows each label needs.

    Parameters
    ----------
    counts : pandas.Series
        Real rows per label.
    strategy : "equalize" or dict
        "equalize": every label up to the largest label's count. A dict gives
        the wanted total per label (labels left out are not topped up).

    Returns
    -------
    dict
        Label to the number of rows to generate (labels needing none left out).

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown strategy or label, or a total below the real count.

    Examples
    --------
    >>> balance_counts(pd.Series({"a": 90, "b": 10}), "equalize")
    {'b': 80}
    """
    if isinstance(strategy, str):
        if strategy != "equalize":
            raise ValidationError(f"strategy must be 'equalize' or a dict; got {strategy!r}")
        top = int(counts.max())
        return {label: top - int(c) for label, c in counts.items() if c < top}
    if not isinstance(strategy, dict):
        raise TypeError(f"strategy must be 'equalize' or a dict; got {type(strategy).__name__}")
    out = {}
    for label, total in strategy.items():
        if label not in counts.index:
            raise ValidationError(
                f"strategy: label {label!r} is not in the target column; labels: "
                f"{counts.index.tolist()[:10]}"
            )
        total = check_n_samples(total, f"strategy[{label!r}]")
        if total < counts[label]:
            raise ValidationError(
                f"strategy[{label!r}] = {total} is below the {int(counts[label])} real rows; "
                "balancing only adds rows"
            )
        if total > counts[label]:
            out[label] = total - int(counts[label])
    return out


def balance(
    data: pd.DataFrame,
    target: str,
    strategy: str | dict[Any, int] = "equalize",
    *,
    seed: SeedLike = None,
    synthesizer: CopulaSynthesizer | None = None,
) -> pd.DataFrame:
    """Return ``data`` topped up with synthetic rows of its minority labels.

    A `CopulaSynthesizer` keeps a model per label of ``target``, so the new
    rows of each label follow that label's own distribution (not a shift of
    the majority's), and each label's rows are drawn by exact conditioning.

    Parameters
    ----------
    data : pandas.DataFrame
        The real table.
    target : str
        The label column.
    strategy : "equalize" or dict
        "equalize": every label up to the largest label's count; a dict gives
        the wanted total per label.
    seed : None, int, SeedSequence, BitGenerator or Generator
        Each label draws from its own stream of this seed.
    synthesizer : CopulaSynthesizer, optional
        Unfitted settings to use; ``condition_columns`` is set to ``[target]``.

    Returns
    -------
    pandas.DataFrame
        The real rows, then the synthetic ones (index 0..n-1), same dtypes.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown target, a target with one label or missing labels, a
        target that is not a class column (continuous values, dates, IDs or
        more than `MAX_LABELS` labels, unless its kind is given in the
        synthesizer's ``kinds``), or a bad strategy.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=120), "y": ["a"] * 100 + ["b"] * 20})
    >>> balance(df, "y", seed=0)["y"].value_counts().to_dict()
    {'a': 100, 'b': 100}
    """
    check_dataframe(data)
    check_columns([target], data.columns, "target")
    if data[target].isna().any():
        raise ValidationError(
            f"target {target!r} has {int(data[target].isna().sum())} missing labels; "
            "drop or label them first"
        )
    counts = data[target].value_counts(sort=False)
    if len(counts) < 2:
        raise ValidationError(f"target {target!r} has one label; nothing to balance")
    base = synthesizer if synthesizer is not None else CopulaSynthesizer()
    if not isinstance(base, CopulaSynthesizer):
        raise TypeError(f"synthesizer must be a CopulaSynthesizer; got {type(base).__name__}")
    _check_target(data, target, dict(base.kinds or {}) if isinstance(base.kinds, dict) else {})
    needed = balance_counts(counts, strategy)
    kinds = dict(base.kinds or {})
    kinds.setdefault(target, "categorical")
    model = base.clone().set_params(kinds=kinds, condition_columns=[target]).fit(data)
    streams = spawn_generators(seed, len(counts))
    stream_of = dict(zip(counts.index, streams, strict=True))
    parts = [data]
    for label, count in needed.items():
        parts.append(model.sample(count, seed=stream_of[label], conditions={target: label}))
    out = pd.concat(parts, ignore_index=True)
    return out.astype(data.dtypes.to_dict())
