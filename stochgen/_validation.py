"""Input checks shared by every public function.

Each check raises `stochgen.exceptions.ValidationError` (a `ValueError`) or a
`TypeError` whose message names the argument or column, echoes the value and
states what was expected. Nothing here changes or drops data silently.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from stochgen.exceptions import ValidationError

__all__ = [
    "MAX_N_SAMPLES",
    "available_memory",
    "check_array",
    "check_choice",
    "check_columns",
    "check_dataframe",
    "check_kinds",
    "check_memory",
    "check_n_samples",
    "check_positive",
    "check_probability",
    "check_unit_interval",
]

#: The largest row count any sampling call accepts (2**48, about 2.8e14):
#: beyond it no run could finish and row offsets would overflow. In-memory
#: sampling is further bounded by `check_memory`.
MAX_N_SAMPLES = 2**48


def check_n_samples(n: Any, name: str = "n") -> int:
    """Return ``n`` as an int, or raise unless it is a non-negative integer.

    Parameters
    ----------
    n : object
        The requested count.
    name : str
        Argument name for the message.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``n`` is not an integer: None, floats (``0.0``, ``2.5``), bools and
        strings are refused, never read as 0.
    ValidationError
        If ``n`` is negative or above `MAX_N_SAMPLES`.

    Examples
    --------
    >>> check_n_samples(3)
    3
    >>> check_n_samples(-1)
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: n must be a non-negative integer; got -1
    >>> check_n_samples(None)
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer; got None (NoneType)
    """
    if isinstance(n, bool | np.bool_) or not isinstance(n, int | np.integer):
        raise TypeError(f"{name} must be an integer; got {n!r} ({type(n).__name__})")
    if n < 0:
        raise ValidationError(f"{name} must be a non-negative integer; got {n}")
    if n > MAX_N_SAMPLES:
        raise ValidationError(
            f"{name} = {n:,} is above the limit of {MAX_N_SAMPLES:,} rows; no run could finish it"
        )
    return int(n)


def _format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.2f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def available_memory() -> int | None:
    """Return the physical memory available now, in bytes, or None where unknown.

    Read from ``os.sysconf`` (Linux and most Unix systems); ``None`` on
    systems that do not report it, where `check_memory` then only checks an
    explicit limit.

    Returns
    -------
    int or None

    Examples
    --------
    >>> available_memory() is None or available_memory() > 0
    True
    """
    import os

    try:
        pages = os.sysconf("SC_AVPHYS_PAGES")
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages <= 0 or page_size <= 0:
        return None
    return int(pages) * int(page_size)


def check_memory(
    n_rows: int, bytes_per_row: float, name: str = "n", *, limit: int | None = None
) -> int:
    """Refuse, before any work, a result that cannot fit in memory.

    Sampling calls this with the rows asked for and its estimate of the bytes
    one row takes (the output plus working arrays), so that a huge ``n``
    fails at once with a message rather than after a block is drawn with a
    bare `MemoryError`.

    Parameters
    ----------
    n_rows : int
        Rows to produce.
    bytes_per_row : float
        Estimated peak bytes per row.
    name : str
        Argument name for the message.
    limit : int, optional
        Bytes allowed; default: the memory available now (`available_memory`),
        no check where that is unknown.

    Returns
    -------
    int
        The estimated bytes.

    Raises
    ------
    ValidationError
        If the estimate exceeds the limit; the message gives both and suggests
        streaming.

    Examples
    --------
    >>> check_memory(1000, 80.0, limit=10**6)
    80000
    >>> check_memory(10**12, 80.0, limit=2**30)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: n = 1,000,000,000,000 rows need about 72.76 TiB ...
    """
    need = int(math.ceil(n_rows * float(bytes_per_row)))
    if limit is None:
        limit = available_memory()
    if limit is not None and need > limit:
        raise ValidationError(
            f"{name} = {n_rows:,} rows need about {_format_bytes(need)} "
            f"({bytes_per_row:,.0f} bytes a row), more than the {_format_bytes(limit)} of "
            "memory available; sample fewer rows, or stream them to a file with sample_to"
        )
    return need


def check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise unless it is finite and positive.

    Parameters
    ----------
    value : object
        The number to check.
    name : str
        Argument name for the message.
    allow_zero : bool
        Accept 0 as well.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValidationError
        If it is not finite, or not positive.

    Examples
    --------
    >>> check_positive(0.5, "scale")
    0.5
    >>> check_positive(0, "scale")
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: scale must be a finite number > 0; got 0
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    bound = ">= 0" if allow_zero else "> 0"
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(f"{name} must be a finite number {bound}; got {value}")
    return float(value)


def check_probability(value: Any, name: str, *, open_interval: bool = True) -> float:
    """Return ``value`` as a float in (0, 1) (or [0, 1]), else raise.

    Parameters
    ----------
    value : object
        The number to check.
    name : str
        Argument name for the message.
    open_interval : bool
        Exclude 0 and 1.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValidationError
        If it is outside the interval.

    Examples
    --------
    >>> check_probability(0.25, "q")
    0.25
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    ok = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not ok:
        interval = "(0, 1)" if open_interval else "[0, 1]"
        raise ValidationError(f"{name} must lie in {interval}; got {value}")
    return float(value)


def check_choice(value: Any, name: str, options: Collection[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise.

    Parameters
    ----------
    value : object
        The setting to check.
    name : str
        Argument name for the message.
    options : collection
        The accepted values.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValidationError
        If ``value`` is not among ``options``.

    Examples
    --------
    >>> check_choice("bic", "criterion", ("aic", "bic"))
    'bic'
    """
    if value not in options:
        raise ValidationError(f"{name} must be one of {sorted(map(str, options))}; got {value!r}")
    return value


def _describe_bad(values: NDArray[np.float64]) -> str:
    n_nan = int(np.isnan(values).sum())
    n_inf = int(np.isinf(values).sum())
    parts = []
    if n_nan:
        parts.append(f"{n_nan} values are NaN")
    if n_inf:
        parts.append(f"{n_inf} values are inf")
    return " and ".join(parts)


def check_array(
    x: ArrayLike,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    allow_nan: bool = False,
    allow_inf: bool = False,
    min_size: int = 1,
) -> NDArray[np.float64]:
    """Return ``x`` as a C-contiguous float64 array after checking it.

    Parameters
    ----------
    x : array_like
        Numbers.
    name : str
        Argument name for the message.
    ndim : int or sequence of int, optional
        Accepted numbers of dimensions.
    allow_nan, allow_inf : bool
        Accept NaN / infinite values.
    min_size : int
        Minimum number of elements.

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex).
    ValidationError
        On wrong dimensions, too few values, NaN or inf where not allowed.

    Examples
    --------
    >>> check_array([1, 2, 3], "x")
    array([1., 2., 3.])
    >>> check_array([1.0, float("nan")], "x")
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: x: 1 values are NaN; expected finite numbers
    """
    if isinstance(x, pd.DataFrame | pd.Series):
        x = x.to_numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValidationError(
                f"{name} must have {' or '.join(map(str, allowed))} dimension(s); "
                f"got shape {arr.shape}"
            )
    if arr.size < min_size:
        raise ValidationError(f"{name} must hold at least {min_size} values; got {arr.size}")
    bad = np.zeros(arr.shape, dtype=bool)
    if not allow_nan:
        bad |= np.isnan(arr)
    if not allow_inf:
        bad |= np.isinf(arr)
    if bad.any():
        expected = "finite numbers" if not (allow_nan or allow_inf) else "no such values"
        raise ValidationError(f"{name}: {_describe_bad(arr[bad])}; expected {expected}")
    return arr


def check_unit_interval(u: ArrayLike, name: str = "u", *, ndim: int = 2) -> NDArray[np.float64]:
    """Return copula data as float64 after checking it lies strictly inside (0, 1).

    Parameters
    ----------
    u : array_like
        Pseudo-observations, shape (n, d) when ``ndim`` is 2.
    name : str
        Argument name for the message.
    ndim : int
        Expected number of dimensions.

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ValidationError
        If a value is not in the open interval (0, 1).

    Examples
    --------
    >>> check_unit_interval([[0.2, 0.5]]).shape
    (1, 2)
    >>> check_unit_interval([[0.0, 0.5]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: u: 1 values lie outside the open interval (0, 1) ...
    """
    arr = check_array(u, name, ndim=ndim)
    outside = (arr <= 0) | (arr >= 1)
    if outside.any():
        raise ValidationError(
            f"{name}: {int(outside.sum())} values lie outside the open interval (0, 1) "
            f"(min {arr.min()}, max {arr.max()}); use pseudo-observations (ranks / (n + 1))"
        )
    return arr


def check_dataframe(data: Any, name: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame with unique string column names.

    Parameters
    ----------
    data : object
        The table.
    name : str
        Argument name for the message.

    Returns
    -------
    pandas.DataFrame
        ``data`` itself (not copied).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame, a column name is not a string, or a
        column holds complex numbers.
    ValidationError
        If it has no rows or no columns, or duplicate column names.

    Examples
    --------
    >>> check_dataframe(pd.DataFrame({"a": []}))
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: data has no rows; expected a non-empty table
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(data).__name__}")
    if data.shape[1] == 0:
        raise ValidationError(f"{name} has no columns; expected a non-empty table")
    if data.shape[0] == 0:
        raise ValidationError(f"{name} has no rows; expected a non-empty table")
    non_str = [c for c in data.columns if not isinstance(c, str)]
    if non_str:
        raise TypeError(
            f"{name}: column names must be strings; got {non_str[:5]!r} "
            "(rename them, e.g. data.columns = data.columns.astype(str))"
        )
    duplicated = data.columns[data.columns.duplicated()].tolist()
    if duplicated:
        raise ValidationError(f"{name}: duplicate column names {duplicated!r}")
    for column in data.columns:
        if pd.api.types.is_complex_dtype(data[column].dtype):
            raise TypeError(
                f"column {column!r} holds complex numbers ({data[column].dtype}); stochgen "
                "models real values: split it into two columns (.real and .imag)"
            )
    return data


def check_columns(columns: Iterable[Any], known: Collection[str], name: str = "columns") -> list:
    """Return ``columns`` as a list after checking each is in ``known``.

    Parameters
    ----------
    columns : iterable
        Requested column names.
    known : collection of str
        The table's columns.
    name : str
        Argument name for the message.

    Returns
    -------
    list

    Raises
    ------
    TypeError
        If ``columns`` is a single string (it would be read letter by letter)
        or not iterable.
    ValidationError
        Naming the unknown columns and listing the known ones.

    Examples
    --------
    >>> check_columns(["b"], ["a"])
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: columns: unknown column(s) ['b']; the table has ['a']
    >>> check_columns("continuous", ["a"], "kinds")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: kinds must be a collection of column names ...; got the string 'continuous'
    """
    if isinstance(columns, str | bytes):
        raise TypeError(
            f"{name} must be a collection of column names (a list, or a dict by column); "
            f"got the string {columns!r}"
        )
    if not isinstance(columns, Iterable):
        raise TypeError(
            f"{name} must be a collection of column names; got {type(columns).__name__}"
        )
    columns = list(columns)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValidationError(
            f"{name}: unknown column(s) {unknown!r}; the table has {list(known)!r}"
        )
    return columns


def check_kinds(kinds: Any, known: Collection[str], kind_names: Collection[str]) -> dict:
    """Return ``kinds`` as a dict after checking its shape, columns and kind names.

    Parameters
    ----------
    kinds : dict or None
        Column name to kind.
    known : collection of str
        The table's columns.
    kind_names : collection of str
        The accepted kinds.

    Returns
    -------
    dict
        A copy (empty for None).

    Raises
    ------
    TypeError
        If ``kinds`` is not a dict (a string or a list of names included), or a
        kind is not a string.
    ValidationError
        On an unknown column or kind name.

    Examples
    --------
    >>> check_kinds({"a": "integer"}, ["a"], ["integer", "continuous"])
    {'a': 'integer'}
    >>> check_kinds(["a"], ["a"], ["integer"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: kinds must be a dict mapping column names to kinds, ...; got list ['a']
    """
    if kinds is None:
        return {}
    if not isinstance(kinds, Mapping):
        raise TypeError(
            "kinds must be a dict mapping column names to kinds, e.g. {'age': 'integer'}; "
            f"got {type(kinds).__name__} {kinds!r:.80}"
        )
    check_columns(kinds, known, "kinds")
    for column, kind in kinds.items():
        if not isinstance(kind, str):
            raise TypeError(f"kinds[{column!r}] must be a string; got {kind!r}")
        if kind not in kind_names:
            raise ValidationError(
                f"kinds[{column!r}] must be one of {list(kind_names)}; got {kind!r}"
            )
    return dict(kinds)
