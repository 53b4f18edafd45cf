"""Fitting a table model from data read in chunks: iterators, files, Dask DataFrames.

A source yields DataFrame chunks and reduces a function of each chunk with a
merge, in a fixed order. The fit makes two passes (see
`stochgen.tabular.summaries`): exact reductions and quantile sketches, then
the cross-products of the latent scores. Memory is bounded by one chunk and
the summaries, whatever the number of rows.
"""

from __future__ import annotations

import glob
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.kinds import TIME_KINDS
from stochgen.tabular.columns import CategoricalColumn, NumericColumn
from stochgen.tabular.latent import LatentTable
from stochgen.tabular.moments import MAX_INDICATORS, ScoreMoments
from stochgen.tabular.prepared import PreparedTable
from stochgen.tabular.schema import Schema
from stochgen.tabular.sketches import DEFAULT_CAPACITY
from stochgen.tabular.summaries import TableSummary

__all__ = ["DaskChunks", "FileChunks", "FrameChunks", "chunk_source", "fit_from_chunks"]

T = TypeVar("T")
#: Rows per chunk read from files.
CHUNK_ROWS = 1 << 18
#: Rows scored at a time within a chunk (the score matrices are rows x latent dimensions).
PIECE_ROWS = 1 << 16


def _reduce_in_order(
    chunks: Iterable[pd.DataFrame], summarise: Callable[[pd.DataFrame], T], merge: Callable
) -> T:
    total = None
    for chunk in chunks:
        part = summarise(chunk)
        total = part if total is None else merge(total, part)
    if total is None:
        raise ValidationError("data holds no chunks; expected at least one row")
    return total


class FrameChunks:
    """Chunks from an iterable of DataFrames, or a function returning such an iterable.

    A one-shot iterator (a generator) is written to temporary Parquet files
    during the first pass and read back for the second.
    """

    def __init__(self, frames: Any) -> None:
        self._frames = frames
        self._spilled: list[Path] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def _iterate(self) -> Iterator[pd.DataFrame]:
        if self._spilled is not None:
            for path in self._spilled:
                yield pd.read_parquet(path)
            return
        frames = self._frames() if callable(self._frames) else self._frames
        one_shot = iter(frames) is frames
        if one_shot:
            self._tmp = tempfile.TemporaryDirectory(prefix="stochgen-chunks-")
            self._spilled = []
        for i, frame in enumerate(frames):
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"data: chunk {i} is {type(frame).__name__}; expected DataFrame")
            if one_shot:
                path = Path(self._tmp.name) / f"part-{i:06d}.parquet"
                frame.to_parquet(path)
                self._spilled.append(path)
            yield frame

    def head(self) -> pd.DataFrame:
        """Return the first chunk (kinds are inferred from it)."""
        if self._spilled is not None:
            return pd.read_parquet(self._spilled[0])
        frames = self._frames() if callable(self._frames) else self._frames
        iterator = iter(frames)
        first = next(iterator, None)
        if first is None:
            raise ValidationError("data holds no chunks; expected at least one row")
        if iterator is frames:
            # A generator: the chunk read here is put back in front of the rest.
            def chained() -> Iterator[pd.DataFrame]:
                yield first
                yield from iterator

            self._frames = chained()
        return first

    def reduce(self, summarise: Callable[[pd.DataFrame], T], merge: Callable[[T, T], T]) -> T:
        """Apply ``summarise`` to every chunk and merge the results in order."""
        return _reduce_in_order(self._iterate(), summarise, merge)

    def close(self) -> None:
        """Remove the spilled chunks of a one-shot iterator."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp, self._spilled = None, None


class FileChunks:
    """Chunks of ``chunk_rows`` rows read from Parquet or CSV files (paths or a glob)."""

    def __init__(self, paths: list[Path], chunk_rows: int = CHUNK_ROWS) -> None:
        self.paths = paths
        self.chunk_rows = chunk_rows

    def _iterate(self) -> Iterator[pd.DataFrame]:
        for path in self.paths:
            if path.suffix == ".parquet":
                import pyarrow.parquet as pq

                with pq.ParquetFile(path) as handle:
                    for batch in handle.iter_batches(batch_size=self.chunk_rows):
                        yield batch.to_pandas()
            else:
                with pd.read_csv(path, chunksize=self.chunk_rows) as reader:
                    yield from reader

    def head(self) -> pd.DataFrame:
        """Return the first chunk of the first file."""
        return next(self._iterate())

    def reduce(self, summarise: Callable[[pd.DataFrame], T], merge: Callable[[T, T], T]) -> T:
        """Apply ``summarise`` to every chunk and merge the results in order."""
        return _reduce_in_order(self._iterate(), summarise, merge)


def _apply(function: list[Callable[[pd.DataFrame], T]], chunk: pd.DataFrame) -> T:
    return function[0](chunk)


def _tree_merge(merge: Callable[[T, T], T], *parts: T) -> T:
    total = parts[0]
    for part in parts[1:]:
        total = merge(total, part)
    return total


class DaskChunks:
    """The partitions of a Dask DataFrame, summarised where they live and merged in a tree.

    Partitions are merged in a fixed tree over their order, so a task run again
    (a worker lost) gives the same result. Runs on the scheduler in effect
    (a ``distributed.Client`` when one is active).
    """

    def __init__(self, frame: Any, split_every: int = 8) -> None:
        self.frame = frame
        self.split_every = split_every

    def head(self) -> pd.DataFrame:
        """Return the first partition, computed."""
        return self.frame.get_partition(0).compute()

    def reduce(self, summarise: Callable[[pd.DataFrame], T], merge: Callable[[T, T], T]) -> T:
        """Apply ``summarise`` to every partition on the workers, merge in a fixed tree."""
        import dask

        # One graph node holds the function (and the fitted models it carries) for every task.
        shared = dask.delayed([summarise], pure=True)
        level = [dask.delayed(_apply)(shared, part) for part in self.frame.to_delayed()]
        combine = dask.delayed(partial(_tree_merge, merge))
        while len(level) > 1:
            level = [
                combine(*level[i : i + self.split_every])
                for i in range(0, len(level), self.split_every)
            ]
        (result,) = dask.compute(level[0])
        return result


def chunk_source(data: Any, chunk_rows: int = CHUNK_ROWS) -> Any:
    """Return the chunk source for ``data`` (anything `CopulaSynthesizer.fit` takes but a frame).

    Parameters
    ----------
    data : str, path, list of paths, iterable of DataFrames, callable or Dask DataFrame
        A path or glob of ``.parquet`` / ``.csv`` files; DataFrames (a list, a
        generator, or a function returning an iterable of them); a Dask
        DataFrame.
    chunk_rows : int
        Rows per chunk read from files.

    Returns
    -------
    FileChunks, FrameChunks or DaskChunks

    Raises
    ------
    TypeError
        For anything else.
    stochgen.exceptions.ValidationError
        For a path or glob that matches no file.
    """
    if hasattr(data, "to_delayed") and hasattr(data, "npartitions"):
        return DaskChunks(data)
    if isinstance(data, np.ndarray | pd.Series | dict | bytes):
        raise TypeError(
            f"data must be a DataFrame, a Dask DataFrame, a path or glob of Parquet/CSV files, "
            f"or an iterable of DataFrames; got {type(data).__name__}"
        )
    if isinstance(data, str | os.PathLike) or (
        isinstance(data, list | tuple) and data and isinstance(data[0], str | os.PathLike)
    ):
        items = [data] if isinstance(data, str | os.PathLike) else list(data)
        paths: list[Path] = []
        for item in items:
            found = sorted(glob.glob(os.fspath(item)))
            if not found:
                raise ValidationError(f"data: no file matches {os.fspath(item)!r}")
            paths += [Path(p) for p in found]
        bad = [p.name for p in paths if p.suffix not in (".parquet", ".csv")]
        if bad:
            raise ValidationError(f"data: expected .parquet or .csv files; got {bad[:3]}")
        return FileChunks(paths, chunk_rows)
    if callable(data) or isinstance(data, Iterable):
        return FrameChunks(data)
    raise TypeError(
        "data must be a DataFrame, a Dask DataFrame, a path or glob of Parquet/CSV files, or an "
        f"iterable of DataFrames; got {type(data).__name__}"
    )


def _first_pass(
    chunk: pd.DataFrame, schema: Schema, groups: list[str], marginals: dict[str, Any], capacity: int
) -> TableSummary:
    summary = TableSummary(schema, groups, capacity)
    for name, spec in schema.columns_.items():
        if spec["kind"] == "constant" and chunk[name].nunique(dropna=False) > 1:
            raise ValidationError(
                f"column {name!r} is constant in the first chunk but not in every chunk; "
                "give its kind in kinds="
            )
    for piece in _pieces(_columns(chunk, schema)):
        summary.update(PreparedTable.from_frame(piece, schema, marginals))
    return summary


def _columns(chunk: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Return the schema's columns, in order (no copy when the chunk has just those)."""
    names = list(schema.columns_)
    return chunk if list(chunk.columns) == names else chunk[names]


def _pieces(chunk: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Slices of a chunk small enough that the per-row score matrices stay small."""
    for start in range(0, max(len(chunk), 1), PIECE_ROWS):
        yield chunk.iloc[start : start + PIECE_ROWS]


def _merge_summaries(a: TableSummary, b: TableSummary) -> TableSummary:
    return a.merge(b)


def _second_pass(
    chunk: pd.DataFrame,
    schema: Schema,
    marginals: dict[str, Any],
    empty: dict[Any, ScoreMoments],
    groups: dict[str, list[Any]],
) -> dict[Any, ScoreMoments]:
    out = {key: moments.empty() for key, moments in empty.items()}
    for piece in _pieces(_columns(chunk, schema)):
        prepared = PreparedTable.from_frame(piece, schema, marginals)
        out[None].update(prepared, _time_scales(prepared, out[None]))
        for name, labels in groups.items():
            codes, found = prepared.parts[name]["codes"], prepared.parts[name]["labels"]
            for code, label in enumerate(found):
                if label in labels:
                    table = out[(name, label)]
                    part = prepared.take(np.flatnonzero(codes == code))
                    table.update(part, _time_scales(part, table))
    return out


def _time_scales(prepared: PreparedTable, moments: ScoreMoments) -> dict[str, float]:
    return {
        name: prepared.parts[name]["step"] / model.step_
        for name, model in moments.models.items()
        if isinstance(model, NumericColumn) and model.kind in TIME_KINDS
    }


def _merge_moments(
    a: dict[Any, ScoreMoments], b: dict[Any, ScoreMoments]
) -> dict[Any, ScoreMoments]:
    for key, moments in b.items():
        a[key].merge(moments)
    return a


def _moments_for(
    summary: TableSummary, marginals: dict[str, Any], columns: list[str], indicators: list[str]
) -> Any:
    samples = {
        name: summary.numeric_sample(name, summary.capacity)
        for name, tally in summary.numeric.items()
        if tally.count > tally.missing
    }
    models = summary.column_models(marginals)
    tables = summary.label_tables()
    for name, table in tables.items():
        if name not in indicators:
            # Ordered now: by rank (ordinal, ordered categories) or by frequency.
            models[name] = CategoricalColumn().fit_counts(
                table["labels"],
                table["counts"],
                dtype=table["dtype"],
                categories=table["categories"],
                ordered=table["ordered"],
                rank_by=table["rank_by"],
            )
    tables = {name: tables[name] for name in indicators if name in tables}
    labels = {name: table["labels"] for name, table in tables.items()}
    return ScoreMoments(models, samples, labels, columns), tables


def _indicator_columns(summary: TableSummary) -> list[str]:
    """Categorical columns whose label order waits for the second pass (by the numeric scores)."""
    if not any(tally.count > tally.missing for tally in summary.numeric.values()):
        return []  # nothing to order by: labels go by frequency
    waiting = {
        name: len(table["labels"])
        for name, table in summary.label_tables().items()
        if table["rank_by"] is None and not (table["ordered"] and table["categories"] is not None)
    }
    chosen, total = [], 0
    for name in sorted(waiting, key=waiting.__getitem__):
        if total + waiting[name] > MAX_INDICATORS:
            warnings.warn(
                f"column {name!r} has {waiting[name]:,} labels, past the {MAX_INDICATORS} label "
                "indicators a fit from chunks keeps: its labels are ordered by frequency, not by "
                "the numeric columns, so its dependence on them may come out weaker than in an "
                "in-memory fit (give kinds={...: 'id'} for identifiers)",
                StochgenWarning,
                stacklevel=5,
            )
            continue
        chosen.append(name)
        total += waiting[name]
    return chosen


def fit_from_chunks(
    source: Any,
    *,
    kinds: dict[str, str] | None,
    latent: LatentTable,
    conditioning: Callable[[Schema], list[str]],
    min_class_rows: int,
    max_classes: int,
    capacity: int = DEFAULT_CAPACITY,
) -> tuple[Schema, LatentTable, dict[str, dict[Any, LatentTable]], int]:
    """Fit a latent table (and per-label ones) from a chunk source in two passes.

    Parameters
    ----------
    source : FrameChunks, FileChunks or DaskChunks
    kinds : dict, optional
        Column kinds; the others are inferred from the first chunk.
    latent : LatentTable
        Unfitted, with the settings to use (fitted in place).
    conditioning : callable
        Schema to the columns that get per-label tables.
    min_class_rows, max_classes : int
        Labels with fewer rows get no table; columns with more labels none.
    capacity : int
        Quantile sketch capacity.

    Returns
    -------
    schema, latent, class_models, n_rows
    """
    try:
        return _fit_passes(
            source, kinds, latent, conditioning, min_class_rows, max_classes, capacity
        )
    finally:
        if isinstance(source, FrameChunks):
            source.close()


def _fit_passes(
    source: Any,
    kinds: dict[str, str] | None,
    latent: LatentTable,
    conditioning: Callable[[Schema], list[str]],
    min_class_rows: int,
    max_classes: int,
    capacity: int,
) -> tuple[Schema, LatentTable, dict[str, dict[Any, LatentTable]], int]:
    first = source.head()
    schema = Schema(kinds=kinds).fit(first)
    marginals = latent.marginal_settings(schema)
    groups = conditioning(schema)
    summary = source.reduce(
        partial(_first_pass, schema=schema, groups=groups, marginals=marginals, capacity=capacity),
        _merge_summaries,
    )
    for name, spec in schema.columns_.items():
        spec["dtype"] = summary.dtype(name)
        spec["missing_rate"] = summary.missing_rate(name)
        spec["nullable"] = spec["missing_rate"] > 0
    columns = list(schema.columns_)
    indicators = _indicator_columns(summary)
    whole, whole_tables = _moments_for(summary, marginals, columns, indicators)
    empty: dict[Any, ScoreMoments] = {None: whole}
    tables: dict[Any, dict[str, Any]] = {None: whole_tables}
    kept: dict[str, list[Any]] = {}
    for name, per_label in summary.groups.items():
        if per_label is None or not 2 <= len(per_label) <= max_classes:
            continue
        kept[name] = []
        for label, part in per_label.items():
            if part.n_rows >= min_class_rows:
                empty[(name, label)], tables[(name, label)] = _moments_for(
                    part, marginals, columns, indicators
                )
                kept[name].append(label)
    moments = source.reduce(
        partial(_second_pass, schema=schema, marginals=marginals, empty=empty, groups=kept),
        _merge_moments,
    )
    latent.fit_summary(moments[None].models, tables[None], moments[None])
    loading = latent.order_loading(moments[None].models, moments[None])
    class_models: dict[str, dict[Any, LatentTable]] = {}
    for name, labels in kept.items():
        class_models[name] = {
            label: latent.clone().fit_summary(
                moments[(name, label)].models,
                tables[(name, label)],
                moments[(name, label)],
                order_loading=loading,
            )
            for label in labels
        }
    return schema, latent, class_models, summary.n_rows
