"""Propose rules that hold in a table, for a person to review before using them."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from stochgen._validation import check_dataframe
from stochgen.exceptions import ValidationError
from stochgen.tabular.rule_parser import quote_column
from stochgen.tabular.rules import _as_numbers

__all__ = ["detect_constraints"]

# Rows screened before a candidate sum is checked on the whole table.
_SCREEN_ROWS = 256
_RTOL = 1e-9


def detect_constraints(
    data: pd.DataFrame, *, min_rows: int = 20, max_labels: int = 50, max_columns: int = 60
) -> list[str]:
    """Return rules that hold on every row of ``data``, as text to review.

    Proposed, in this order: fixed combinations of categorical columns (one
    column determines another, e.g. city -> country; linked pairs are merged
    into one group), one-hot groups (adjacent 0/1 columns with exactly one 1
    per row), sums (``a + b == c``) and inequalities between numeric or
    datetime columns (``a <= b``) whose ranges overlap, so that independent
    marginals could break them; inequalities implied by two others are left
    out. A rule holding in the data may still be a coincidence: read the list
    before passing it to ``CopulaSynthesizer(constraints=...)``.

    Parameters
    ----------
    data : pandas.DataFrame
        The real table.
    min_rows : int
        Fewest rows (with the values a rule reads present) for a rule to be proposed.
    max_labels : int
        Categorical columns with more labels are not tried in combinations.
    max_columns : int
        Sums are tried among at most this many numeric columns (the first ones).

    Returns
    -------
    list of str
        Rules, each accepted by `stochgen.parse_rule`.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    stochgen.exceptions.ValidationError
        If a setting is not a positive integer.

    Examples
    --------
    >>> real = pd.DataFrame({
    ...     "start": [1.0, 2.0, 3.0, 4.0] * 10,
    ...     "end": [3.0, 2.5, 7.0, 4.5] * 10,
    ...     "country": ["NO", "NO", "IT", "IT"] * 10,
    ...     "city": ["Oslo", "Bergen", "Rome", "Pisa"] * 10,
    ... })
    >>> real["length"] = real["end"] - real["start"]
    >>> detect_constraints(real)
    ['fixed_combinations(country, city)', 'start + length == end', 'start <= end', 'length <= end']
    """
    check_dataframe(data)
    for name, value in {"min_rows": min_rows, "max_labels": max_labels}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(f"{name} must be a positive integer; got {value!r}")
    if isinstance(max_columns, bool) or not isinstance(max_columns, int) or max_columns < 3:
        raise ValidationError(f"max_columns must be an integer of at least 3; got {max_columns!r}")
    rules = _fixed_combinations(data, min_rows, max_labels)
    rules += _one_hot_groups(data, min_rows)
    numeric = [c for c in data.columns if _kind(data[c]) == "number"]
    rules += _sums(data, numeric[:max_columns], min_rows)
    rules += _inequalities(data, min_rows)
    return rules


def _kind(series: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return "label"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(series):
        return "label"
    if pd.api.types.is_string_dtype(series):
        return "label"
    return None


def _fixed_combinations(data: pd.DataFrame, min_rows: int, max_labels: int) -> list[str]:
    """Return groups of categorical columns linked by one determining another."""
    labels = [
        c
        for c in data.columns
        if _kind(data[c]) == "label" and 2 <= data[c].nunique(dropna=False) <= max_labels
    ]
    parent = {c: c for c in labels}

    def root(c: Any) -> Any:
        while parent[c] != c:
            c = parent[c]
        return c

    for a, b in combinations(labels, 2):
        pairs = data[[a, b]].astype(object).fillna("\x00missing")
        if len(pairs) < min_rows:
            continue
        n_combos = len(pairs.drop_duplicates())
        n_a, n_b = pairs[a].nunique(), pairs[b].nunique()
        if n_combos < n_a * n_b and n_combos == max(n_a, n_b):
            parent[root(b)] = root(a)
    groups: dict[Any, list[str]] = {}
    for c in labels:
        groups.setdefault(root(c), []).append(c)
    return [
        f"fixed_combinations({', '.join(map(quote_column, group))})"
        for group in groups.values()
        if len(group) > 1
    ]


def _one_hot_groups(data: pd.DataFrame, min_rows: int) -> list[str]:
    """Return runs of adjacent 0/1 columns with exactly one 1 in every row."""
    if len(data) < min_rows:
        return []
    binary = {name: _as_numbers(data[name]) for name in _binary_columns(data)}
    names = list(data.columns)
    out, i = [], 0
    while i < len(names):
        if names[i] not in binary:
            i += 1
            continue
        total = binary[names[i]].copy()
        j = i + 1
        while j < len(names) and names[j] in binary and (total + binary[names[j]] <= 1).all():
            total += binary[names[j]]
            j += 1
            if (total == 1).all():
                out.append(f"one_hot({', '.join(map(quote_column, names[i:j]))})")
                break
        i = j
    return out


def _binary_columns(data: pd.DataFrame) -> list[str]:
    """Return the boolean and 0/1 columns without missing values."""
    out = []
    for name in data.columns:
        series = data[name]
        if not pd.api.types.is_numeric_dtype(series) or series.isna().any():
            continue
        if pd.api.types.is_bool_dtype(series) or np.isin(_as_numbers(series), (0.0, 1.0)).all():
            out.append(name)
    return out


def _sums(data: pd.DataFrame, numeric: list[str], min_rows: int) -> list[str]:
    """Return ``a + b == c`` among non-constant numeric columns (screened on a few rows first).

    Each relation is found once: from its pair of summands.
    """
    columns = [c for c in numeric if data[c].nunique() > 1]
    if len(columns) < 3:
        return []
    values = np.column_stack([_as_numbers(data[c]) for c in columns])
    complete = values[~np.isnan(values).any(axis=1)]
    if len(complete) < min_rows:
        return []
    screen = complete[:_SCREEN_ROWS]
    out = []
    for i, j in combinations(range(len(columns)), 2):
        total = screen[:, i] + screen[:, j]
        size = np.abs(screen[:, i]) + np.abs(screen[:, j])
        close = np.abs(total[:, None] - screen) <= _RTOL * size[:, None] + 1e-300
        for k in np.flatnonzero(close.all(axis=0)):
            if k in (i, j):
                continue
            full = complete[:, i] + complete[:, j]
            tol = _RTOL * (np.abs(complete[:, i]) + np.abs(complete[:, j]))
            if (np.abs(full - complete[:, k]) <= tol).all():
                a, b, c = (quote_column(columns[x]) for x in (i, j, k))
                out.append(f"{a} + {b} == {c}")
    return out


def _inequalities(data: pd.DataFrame, min_rows: int) -> list[str]:
    """Return ``a <= b`` between columns of one order kind whose ranges overlap.

    Transitively reduced: ``a <= c`` is left out where ``a <= b`` and ``b <= c`` hold.
    """
    kinds = {c: _kind(data[c]) for c in data.columns}
    flags = set(_binary_columns(data))  # 0/1 columns: an order against them is a coincidence
    ordered = [c for c in data.columns if kinds[c] in ("number", "datetime") and c not in flags]
    values = {c: _as_numbers(data[c]) for c in ordered}
    edges = []
    for a, b in combinations(ordered, 2):
        if kinds[a] != kinds[b]:
            continue
        x, y = values[a], values[b]
        both = ~(np.isnan(x) | np.isnan(y))
        if both.sum() < min_rows or (x[both] == y[both]).all():
            continue
        x, y = x[both], y[both]
        if (x <= y).all() and x.max() > y.min():
            edges.append((a, b))
        elif (y <= x).all() and y.max() > x.min():
            edges.append((b, a))
    pairs = set(edges)
    kept = [
        (a, c) for a, c in edges if not any((a, b) in pairs and (b, c) in pairs for b in ordered)
    ]
    return [f"{quote_column(a)} <= {quote_column(c)}" for a, c in kept]
