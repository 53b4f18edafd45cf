"""Sequence metrics: how well synthetic sequences (panels, series) follow the real ones.

Every function takes the two tables in long form (one row per entity and time
step), the ``entity`` column that names each sequence and the ``order`` column
that orders the steps within it (numbers or datetimes). Rows are sorted by
entity and order first, so the tables may come in any row order. The number
columns (`stochgen.kinds.NUMERIC_KINDS`, entity and order left out) are scored.

- `autocorrelation`: lag-``k`` autocorrelation, per entity, averaged.
- `change_ks`: KS complement of the within-entity changes ``x[t] - x[t-1]``.
- `sequence_lengths`: TV complement of the distribution of sequence lengths.
- `cross_correlation`: correlation of ``x[t]`` with ``y[t + k]`` within entities.
- `plot_trajectories`: a few real and synthetic trajectories, side by side.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_n_samples
from stochgen.exceptions import ValidationError
from stochgen.kinds import NUMERIC_KINDS
from stochgen.metrics.fidelity import ks_statistic
from stochgen.metrics.tables import check_tables, to_float

__all__ = [
    "autocorrelation",
    "change_ks",
    "cross_correlation",
    "plot_trajectories",
    "sequence_lengths",
]


def _prepare(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    kinds: Mapping[str, str] | None,
) -> tuple[list[pd.DataFrame], list[str]]:
    # Both tables sorted by (entity, order), numbers as float64, entity as integer codes.
    kinds = check_tables(real, synthetic, kinds)
    for name, argument in ((entity, "entity"), (order, "order")):
        if not isinstance(name, str):
            raise TypeError(f"{argument} must be a column name (str); got {name!r}")
        if name not in kinds:
            raise ValidationError(
                f"{argument}: unknown column {name!r}; the table has {list(kinds)!r}"
            )
    if entity == order:
        raise ValidationError(f"entity and order are the same column {entity!r}")
    columns = [n for n, k in kinds.items() if k in NUMERIC_KINDS and n not in (entity, order)]
    tables = []
    for table, table_name in ((real, "real"), (synthetic, "synthetic")):
        key = table[order]
        if not (
            pd.api.types.is_numeric_dtype(key.dtype) or pd.api.types.is_datetime64_any_dtype(key)
        ):
            raise TypeError(
                f"order: column {order!r} in {table_name} has dtype {key.dtype}; "
                "expected numbers or datetimes"
            )
        if key.isna().any() or table[entity].isna().any():
            raise ValidationError(
                f"{table_name}: the entity and order columns ({entity!r}, {order!r}) "
                "must have no missing values"
            )
        frame = pd.DataFrame({n: to_float(table[n], kinds[n]) for n in columns})
        frame["_entity"] = pd.factorize(table[entity].astype(object))[0]
        frame["_order"] = key.to_numpy()
        frame = frame.sort_values(["_entity", "_order"], kind="stable").reset_index(drop=True)
        tables.append(frame)
    return tables, columns


def _entity_acf(frame: pd.DataFrame, column: str, lag: int) -> float:
    groups = frame.groupby("_entity", sort=False)[column]
    centered = frame[column] - groups.transform("mean")
    lagged = centered.groupby(frame["_entity"], sort=False).shift(lag)
    numerator = (centered * lagged).groupby(frame["_entity"], sort=False).sum(min_count=1)
    denominator = (centered**2).groupby(frame["_entity"], sort=False).sum(min_count=1)
    counts = groups.count()
    usable = (denominator > 0) & (counts > lag)
    if not usable.any():
        return float("nan")
    return float((numerator[usable] / denominator[usable]).mean())


def autocorrelation(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    *,
    lags: int = 5,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Autocorrelation at lags ``1..lags`` of each number column, mean over entities.

    For one entity with values ``x[0..T-1]`` and mean ``m``, the lag-``k``
    autocorrelation is ``sum((x[t] - m) (x[t+k] - m)) / sum((x[t] - m)^2)``
    (Box and Jenkins' estimator, biased towards 0 by about ``(1 + 4 rho) / T`` at
    lag 1 for short series, alike in both tables). Entities with fewer than
    ``k + 1`` present values or no variation are left out.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables with the same columns.
    entity : str
        The column naming each sequence.
    order : str
        The column ordering the steps (numbers or datetimes).
    lags : int
        The largest lag.
    kinds : mapping of str to str, optional
        Column kinds set by hand.

    Returns
    -------
    pandas.DataFrame
        One row per column and lag: ``column``, ``lag``, ``real``,
        ``synthetic``, ``difference`` (synthetic minus real).

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        On tables that cannot be compared, an unknown ``entity`` or ``order``
        column, missing entity or order values, or ``lags`` below 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [0] * 6, "t": range(6), "x": [1.0, -1.0] * 3})
    >>> autocorrelation(df, df, "id", "t", lags=2)[["lag", "real"]].round(3)
       lag   real
    0    1 -0.833
    1    2  0.667
    """
    lags = check_n_samples(lags, "lags")
    if lags < 1:
        raise ValidationError(f"lags must be at least 1; got {lags}")
    (frame_real, frame_synthetic), columns = _prepare(real, synthetic, entity, order, kinds)
    rows = []
    for column in columns:
        for lag in range(1, lags + 1):
            r = _entity_acf(frame_real, column, lag)
            s = _entity_acf(frame_synthetic, column, lag)
            rows.append((column, lag, r, s, s - r))
    result = pd.DataFrame(rows, columns=["column", "lag", "real", "synthetic", "difference"])
    return result.astype(
        {"column": object, "lag": np.int64} | dict.fromkeys(result.columns[2:], float)
    )


def _changes(frame: pd.DataFrame, column: str) -> np.ndarray:
    change = frame[column].groupby(frame["_entity"], sort=False).diff().to_numpy()
    return change[~np.isnan(change)]


def change_ks(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    *,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """KS complement of the within-entity changes ``x[t] - x[t-1]`` of each number column.

    A synthesizer that gets the levels right but the dynamics wrong (steps too
    smooth or too rough) scores well on column shapes and badly here.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables with the same columns.
    entity, order : str
        The sequence and step columns.
    kinds : mapping of str to str, optional
        Column kinds set by hand.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``score`` (1 - KS statistic; NaN when a
        side has no change), ``n_real``, ``n_synthetic`` (changes compared).

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        As `autocorrelation`.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"id": [0, 0, 0], "t": [0, 1, 2], "x": [0.0, 1.0, 2.0]})
    >>> synthetic = real.assign(x=[0.0, 2.0, 4.0])
    >>> change_ks(real, synthetic, "id", "t")[["column", "score"]]
      column  score
    0      x    0.0
    """
    (frame_real, frame_synthetic), columns = _prepare(real, synthetic, entity, order, kinds)
    rows = []
    for column in columns:
        a, b = _changes(frame_real, column), _changes(frame_synthetic, column)
        rows.append((column, 1.0 - ks_statistic(a, b), a.size, b.size))
    result = pd.DataFrame(rows, columns=["column", "score", "n_real", "n_synthetic"])
    return result.astype({"column": object, "score": float, "n_real": int, "n_synthetic": int})


def sequence_lengths(real: pd.DataFrame, synthetic: pd.DataFrame, entity: str) -> dict[str, float]:
    """Compare the distributions of sequence lengths (rows per entity).

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables, each with the ``entity`` column.
    entity : str
        The column naming each sequence.

    Returns
    -------
    dict of str to float
        ``tv_complement`` (1 minus the total variation distance between the
        length distributions), ``real_mean``, ``synthetic_mean``,
        ``real_max``, ``synthetic_max``.

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        If ``entity`` is not a column of both tables, or has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"id": [1, 1, 2, 2]})
    >>> synthetic = pd.DataFrame({"id": [1, 1, 2, 3]})
    >>> round(sequence_lengths(real, synthetic, "id")["tv_complement"], 3)
    0.333
    """
    counts = []
    for table, table_name in ((real, "real"), (synthetic, "synthetic")):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"{table_name} must be a pandas DataFrame; got {type(table).__name__}")
        if not isinstance(entity, str):
            raise TypeError(f"entity must be a column name (str); got {entity!r}")
        if entity not in table.columns:
            raise ValidationError(f"entity: {table_name} has no column {entity!r}")
        if len(table) == 0:
            raise ValidationError(f"{table_name} has no rows; expected a non-empty table")
        if table[entity].isna().any():
            raise ValidationError(f"{table_name}: entity column {entity!r} has missing values")
        counts.append(table[entity].astype(object).value_counts().to_numpy())
    longest = max(int(c.max()) for c in counts)
    shares = [np.bincount(c, minlength=longest + 1) / c.size for c in counts]
    return {
        "tv_complement": float(1.0 - 0.5 * np.abs(shares[0] - shares[1]).sum()),
        "real_mean": float(counts[0].mean()),
        "synthetic_mean": float(counts[1].mean()),
        "real_max": float(counts[0].max()),
        "synthetic_max": float(counts[1].max()),
    }


def _pooled_cross_correlation(frame: pd.DataFrame, a: str, b: str, lag: int) -> float:
    # corr(x[t], y[t + lag]) over all entities, each series centred on its entity mean.
    by = frame["_entity"]
    x = frame[a] - frame[a].groupby(by, sort=False).transform("mean")
    y = frame[b] - frame[b].groupby(by, sort=False).transform("mean")
    y = y.groupby(by, sort=False).shift(-lag)
    both = pd.DataFrame({"x": x, "y": y}).dropna()
    if len(both) < 2 or both["x"].std() == 0 or both["y"].std() == 0:
        return float("nan")
    return float(np.corrcoef(both["x"], both["y"])[0, 1])


def cross_correlation(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    *,
    lags: int = 1,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Correlation of ``x[t]`` with ``y[t + k]`` for every ordered pair of number columns.

    Values are centred on their entity's mean, so differences between
    entities' levels do not count as co-movement; pairs ``(x[t], y[t+k])`` are
    pooled over entities. Lag 0 is the contemporaneous correlation; positive
    lags show whether ``x`` leads ``y``.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables with the same columns.
    entity, order : str
        The sequence and step columns.
    lags : int
        Lags ``0..lags`` are computed.
    kinds : mapping of str to str, optional
        Column kinds set by hand.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair and lag: ``column_1``, ``column_2``, ``lag``,
        ``real``, ``synthetic``, ``difference`` (lag 0 once per unordered pair).

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        As `autocorrelation`.

    Examples
    --------
    >>> import pandas as pd
    >>> x = [0.0, 1.0, 0.0, 2.0, 0.0, 1.0]
    >>> df = pd.DataFrame({"id": 0, "t": range(6), "x": x, "y": [0.0] + x[:-1]})
    >>> result = cross_correlation(df, df, "id", "t", lags=1)
    >>> result.loc[(result["column_1"] == "x") & (result["lag"] == 1), "real"].round(3).tolist()
    [1.0]
    """
    lags = check_n_samples(lags, "lags")
    (frame_real, frame_synthetic), columns = _prepare(real, synthetic, entity, order, kinds)
    rows = []
    for a, b in itertools.permutations(columns, 2):
        for lag in range(lags + 1):
            if lag == 0 and a > b:
                continue
            r = _pooled_cross_correlation(frame_real, a, b, lag)
            s = _pooled_cross_correlation(frame_synthetic, a, b, lag)
            rows.append((a, b, lag, r, s, s - r))
    names = ["column_1", "column_2", "lag", "real", "synthetic", "difference"]
    result = pd.DataFrame(rows, columns=names)
    return result.astype(
        {"column_1": object, "column_2": object, "lag": np.int64} | dict.fromkeys(names[3:], float)
    )


def plot_trajectories(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    *,
    columns: list[str] | None = None,
    n_entities: int = 3,
    seed: SeedLike = 0,
) -> Any:
    """Draw a few real and synthetic trajectories, one row of panels per column.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables with the same columns.
    entity, order : str
        The sequence and step columns.
    columns : list of str, optional
        Number columns to draw (default: the first three).
    n_entities : int
        Entities drawn from each table (picked at random, seeded).
    seed : None, int, SeedSequence or Generator
        For the choice of entities.

    Returns
    -------
    matplotlib.figure.Figure
        Real on the left, synthetic on the right.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    TypeError, stochgen.exceptions.ValidationError
        As `autocorrelation`, or ``columns`` naming a column that is not a number column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [0, 0, 1, 1], "t": [0, 1, 0, 1], "x": [1.0, 2.0, 0.0, 1.0]})
    >>> figure = plot_trajectories(df, df, "id", "t")
    >>> len(figure.axes)
    2
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("trajectory plots need matplotlib: pip install 'stochgen[plot]'") from err
    n_entities = check_n_samples(n_entities, "n_entities")
    (frame_real, frame_synthetic), numeric = _prepare(real, synthetic, entity, order, None)
    if columns is None:
        columns = numeric[:3]
    unknown = [c for c in columns if c not in numeric]
    if unknown:
        raise ValidationError(
            f"columns: {unknown!r} are not number columns; choose from {numeric!r}"
        )
    if not columns:
        raise ValidationError("plot_trajectories: no number column to draw")
    rng = as_generator(seed)
    figure = Figure(figsize=(10, 2.6 * len(columns)), layout="constrained")
    axes = np.asarray(figure.subplots(len(columns), 2, squeeze=False))
    for side, (frame, title) in enumerate(((frame_real, "real"), (frame_synthetic, "synthetic"))):
        ids = np.unique(frame["_entity"].to_numpy())
        chosen = rng.choice(ids, size=min(n_entities, ids.size), replace=False)
        for row, column in enumerate(columns):
            ax = axes[row, side]
            for key in np.sort(chosen):
                part = frame[frame["_entity"] == key]
                ax.plot(part["_order"].to_numpy(), part[column].to_numpy(), lw=1)
            ax.set_title(f"{column}: {title}", fontsize=9)
            ax.tick_params(labelsize=7)
    return figure
