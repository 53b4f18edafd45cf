"""Tables to numeric matrices for the classifiers, regressors and nearest neighbours.

Two encodings, both learned on a reference table (the real data) and applied
unchanged to the others, so every table lands in the same feature space:

- ``"ordinal"`` for tree ensembles: numbers as they are (NaN kept, the trees
  route it), categories as integer codes (the 254 most frequent real ones,
  the rest and unseen ones sharing one code), flagged as categorical features.
- ``"onehot"`` for linear models and distances: numbers standardized by the
  real mean and standard deviation, missing values imputed with the real
  mean and flagged in an indicator column; categories one-hot on the 20 most
  frequent real ones plus "other" and "missing".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.metrics.tables import CONTINUOUS_KINDS, discrete_codes, to_float

__all__ = ["encode_tables", "row_hashes"]

_MAX_ORDINAL_CATEGORIES = 254
_MAX_ONEHOT_CATEGORIES = 20


def _category_index(reference: pd.Series, limit: int) -> pd.Index:
    counts = reference.dropna().astype(object).value_counts(sort=True)
    return pd.Index(counts.index[:limit])


def encode_tables(
    tables: Sequence[pd.DataFrame],
    kinds: Mapping[str, str],
    columns: Sequence[str],
    encoding: str,
) -> tuple[list[NDArray[np.float64]], NDArray[np.bool_]]:
    """Encode tables column by column, learning the encoding on ``tables[0]``.

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        The reference (real) table first, then the tables to encode alike.
    kinds : mapping of str to str
        Column kinds.
    columns : sequence of str
        The columns to encode (ID-like and target columns left out by the caller).
    encoding : {"ordinal", "onehot"}
        See the module docstring.

    Returns
    -------
    matrices : list of numpy.ndarray of float64
        One ``(n_rows, n_features)`` matrix per table.
    categorical : numpy.ndarray of bool
        Which features are categorical codes (``"ordinal"`` only).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 3.0], "g": ["a", "b"]})
    >>> kinds = {"x": "continuous", "g": "categorical"}
    >>> (m,), cat = encode_tables([df], kinds, ["x", "g"], "ordinal")
    >>> m.tolist(), cat.tolist()
    ([[1.0, 0.0], [3.0, 1.0]], [False, True])
    """
    reference = tables[0]
    blocks: list[list[NDArray[np.float64]]] = [[] for _ in tables]
    categorical: list[bool] = []
    for name in columns:
        kind = kinds[name]
        if kind in CONTINUOUS_KINDS:
            values = [to_float(t[name], kind) for t in tables]
            if encoding == "ordinal":
                for block, v in zip(blocks, values, strict=True):
                    block.append(v[:, None])
                categorical.append(False)
                continue
            present = values[0][~np.isnan(values[0])]
            center = float(present.mean()) if present.size else 0.0
            scale = float(present.std()) if present.size else 1.0
            scale = scale if scale > 0 else 1.0
            has_missing = any(np.isnan(v).any() for v in values)
            for block, v in zip(blocks, values, strict=True):
                missing = np.isnan(v)
                block.append((np.where(missing, center, v) - center)[:, None] / scale)
                if has_missing:
                    block.append(missing[:, None].astype(np.float64))
            categorical.extend([False] * (2 if has_missing else 1))
            continue
        limit = _MAX_ORDINAL_CATEGORIES if encoding == "ordinal" else _MAX_ONEHOT_CATEGORIES
        index = _category_index(reference[name], limit)
        codes = []
        for t in tables:
            column = t[name].astype(object)
            code = index.get_indexer(column).astype(np.float64)
            # Known categories keep their code; others share code len(index), missing the next.
            code[code < 0] = len(index)
            code[column.isna().to_numpy()] = len(index) + 1
            codes.append(code)
        if encoding == "ordinal":
            for block, code in zip(blocks, codes, strict=True):
                block.append(code[:, None])
            categorical.append(True)
        else:
            width = len(index) + 2
            for block, code in zip(blocks, codes, strict=True):
                block.append(np.eye(width)[code.astype(np.intp)])
            categorical.extend([False] * width)
    matrices = [
        np.hstack(block) if block else np.empty((len(t), 0))
        for block, t in zip(blocks, tables, strict=True)
    ]
    return matrices, np.array(categorical, dtype=bool)


def row_hashes(
    tables: list[pd.DataFrame], kinds: Mapping[str, str], columns: list[str]
) -> list[NDArray[np.uint64]]:
    """Hash each row of each table on normalized values, for exact-match tests.

    Values are normalized first, so that 1 (int) and 1.0 (float), or "a" as a string
    and as a category, hash alike across tables; missing values hash alike.

    Parameters
    ----------
    tables : list of pandas.DataFrame
        Tables with the given columns.
    kinds : mapping of str to str
        Column kinds.
    columns : list of str
        The columns to hash.

    Returns
    -------
    list of numpy.ndarray of uint64
        One hash per row, per table.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> b = pd.DataFrame({"x": [2.0, 3.0]})
    >>> ha, hb = row_hashes([a, b], {"x": "continuous"}, ["x"])
    >>> bool(ha[1] == hb[0]), bool(ha[0] == hb[1])
    (True, False)
    """
    normalized: list[dict[str, NDArray]] = [{} for _ in tables]
    for name in columns:
        if kinds[name] in CONTINUOUS_KINDS:
            for out, t in zip(normalized, tables, strict=True):
                out[name] = to_float(t[name], kinds[name])
        else:
            pooled = pd.concat([t[name] for t in tables], ignore_index=True)
            codes, _, _ = discrete_codes(pooled, pooled.iloc[:0])
            start = 0
            for out, t in zip(normalized, tables, strict=True):
                out[name] = codes[start : start + len(t)]
                start += len(t)
    return [
        pd.util.hash_pandas_object(pd.DataFrame(out), index=False).to_numpy() for out in normalized
    ]
