"""Reading and writing tables as CSV or Parquet, for the CLI and the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stochgen.exceptions import ValidationError

__all__ = ["read_table", "write_table"]

# ISO-8601 dates and date-times, as pandas and most tools write them.
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?$"


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError("Parquet needs pyarrow: pip install 'stochgen[parquet]'") from exc


def read_table(path: str | Path, kinds: dict[str, str] | None = None) -> pd.DataFrame:
    r"""Read a CSV or Parquet file; ISO-8601 text columns become datetimes.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` (optionally compressed) or ``.parquet`` file.
    kinds : dict, optional
        Column kinds; a ``datetime`` column is parsed whatever its text format,
        and a column given another kind is left as text.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    stochgen.exceptions.ValidationError
        On an unknown file type or a ``datetime`` column that does not parse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("when,x\n2020-01-02,1\n2021-03-04,2\n")
    >>> read_table(folder / "t.csv").dtypes.astype(str).tolist()
    ['datetime64[ns]', 'int64']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix in (".parquet", ".pq"):
        _need_pyarrow()
        data = pd.read_parquet(path)
    elif path.suffix in (".csv", ".txt", ".gz", ".bz2", ".zip", ".xz"):
        data = pd.read_csv(path)
    else:
        raise ValidationError(f"{path}: unknown table format {path.suffix!r}; use .csv or .parquet")
    kinds = kinds or {}
    for name in data.columns:
        column = data[name]
        is_text = column.dtype == object or pd.api.types.is_string_dtype(column.dtype)
        if not is_text or kinds.get(name, "datetime") != "datetime":
            continue
        if name in kinds:
            try:
                data[name] = pd.to_datetime(column)
            except (ValueError, TypeError) as exc:
                raise ValidationError(
                    f"column {name!r} cannot be read as datetimes: {exc}"
                ) from exc
            continue
        present = column.dropna().astype(str)
        if len(present) and present.str.fullmatch(_ISO_DATE).all():
            data[name] = pd.to_datetime(column, format="ISO8601")
    return data


def write_table(data: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write a table as CSV or Parquet (by ``fmt``, else by the file's suffix).

    Parameters
    ----------
    data : pandas.DataFrame
    path : str or pathlib.Path
    fmt : {"csv", "parquet"}, optional

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    fmt = fmt or ("parquet" if path.suffix in (".parquet", ".pq") else "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        _need_pyarrow()
        data.to_parquet(path, index=False)
    else:
        data.to_csv(path, index=False)
    return path
