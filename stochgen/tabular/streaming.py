"""Write sampled tables to CSV or Parquet block by block, atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from stochgen.io import atomic_path, table_format

__all__ = ["write_blocks"]


def _regroup(blocks: Iterable[pd.DataFrame], block_rows: int) -> Iterable[pd.DataFrame]:
    """Re-cut a stream of frames into frames of ``block_rows`` rows (the last may be shorter)."""
    pending: list[pd.DataFrame] = []
    held = 0
    for block in blocks:
        start = 0
        while start < len(block):
            take = min(block_rows - held, len(block) - start)
            pending.append(block.iloc[start : start + take])
            held += take
            start += take
            if held == block_rows:
                yield pd.concat(pending) if len(pending) > 1 else pending[0]
                pending, held = [], 0
    if pending:
        yield pd.concat(pending) if len(pending) > 1 else pending[0]


def write_blocks(
    blocks: Iterable[pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    block_rows: int,
    fmt: str | None = None,
    empty: pd.DataFrame | None = None,
) -> Path:
    """Write frames to one CSV/Parquet file, holding at most ``block_rows`` rows at a time.

    The file appears under its name only when every block is written: rows go
    to a temporary file in the same folder, renamed at the end, so an
    interrupted run never leaves a file that looks complete.

    Parameters
    ----------
    blocks : iterable of pandas.DataFrame
        Consecutive parts of one table.
    path : str or path-like
        Destination; its folder must exist.
    block_rows : int
        Rows written per write call.
    fmt : {"csv", "parquet"}, optional
        Default: from the suffix (``.parquet`` / ``.pq``), else CSV; a format
        that contradicts a ``.csv`` / ``.parquet`` suffix is refused.
    empty : pandas.DataFrame, optional
        Zero-row frame with the table's columns, written when ``blocks`` is empty.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FileNotFoundError
        If the destination's folder does not exist.
    OSError
        If the file cannot be written or the disk fills (naming ``path``).
    """
    path = Path(path)
    fmt = table_format(path, fmt)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            _write_csv(_regroup(blocks, block_rows), tmp, empty)
        else:
            _write_parquet(_regroup(blocks, block_rows), tmp, empty)
    return path


def _write_csv(blocks: Iterable[pd.DataFrame], tmp: Path, empty: pd.DataFrame | None) -> None:
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        wrote = False
        for block in blocks:
            block.to_csv(handle, header=not wrote, index=False)
            wrote = True
        if not wrote and empty is not None:
            empty.to_csv(handle, index=False)


def _write_parquet(blocks: Iterable[pd.DataFrame], tmp: Path, empty: pd.DataFrame | None) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError("Parquet output needs pyarrow: pip install 'stochgen[parquet]'") from exc
    writer = None
    try:
        for block in blocks:
            table = pa.Table.from_pandas(block, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer is None and empty is not None:
            pq.write_table(pa.Table.from_pandas(empty, preserve_index=False), tmp)
    finally:
        if writer is not None:
            writer.close()
