"""`evaluate_sequences`: the sequence metrics and the row fidelity in one report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stochgen._rng import SeedLike
from stochgen.metrics.report import Report, evaluate, write_html_report
from stochgen.metrics.sequences import (
    autocorrelation,
    change_ks,
    cross_correlation,
    plot_trajectories,
    sequence_lengths,
)

__all__ = ["SequenceReport", "evaluate_sequences"]


@dataclass
class SequenceReport:
    """Scores of synthetic sequences against real ones.

    Built by `evaluate_sequences`; not meant to be built by hand.

    Attributes
    ----------
    rows : Report
        Fidelity of the rows as a table (the entity column left out), as
        `stochgen.evaluate` scores it.
    autocorrelation : pandas.DataFrame
        Lag 1..k autocorrelation per number column (`autocorrelation`).
    changes : pandas.DataFrame
        KS complement of the within-entity changes (`change_ks`).
    lengths : dict of str to float
        Sequence-length comparison (`sequence_lengths`).
    cross_correlation : pandas.DataFrame
        Correlation of ``x[t]`` with ``y[t + k]`` (`cross_correlation`).
    order_kept : float
        Share of synthetic sequences whose order column never decreases.
    """

    rows: Report
    autocorrelation: pd.DataFrame
    changes: pd.DataFrame
    lengths: dict[str, float]
    cross_correlation: pd.DataFrame
    order_kept: float
    entity: str
    order: str
    _real: pd.DataFrame = field(repr=False)
    _synthetic: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """Return a short text summary.

        Returns
        -------
        str
        """
        lag1 = self.autocorrelation[self.autocorrelation["lag"] == 1]
        lines = [
            f"Sequence evaluation: {self.lengths['real_mean']:.1f} real and "
            f"{self.lengths['synthetic_mean']:.1f} synthetic steps per entity on average",
            f"  Row fidelity         {self.rows.score:.1%}  (Column Shapes "
            f"{self.rows.column_shapes:.1%}, "
            f"Column Pair Trends {self.rows.column_pair_trends:.1%})",
            f"  Sequence lengths     TV complement {self.lengths['tv_complement']:.3f}",
            f"  Time order kept      {self.order_kept:.1%} of synthetic sequences",
        ]
        if len(lag1):
            worst = lag1.reindex(lag1["difference"].abs().sort_values(ascending=False).index)
            cells = ", ".join(
                f"{r.column} {r.real:.2f}->{r.synthetic:.2f}" for r in worst.head(3).itertuples()
            )
            lines.append(f"  Lag-1 autocorr.      largest gaps: {cells}")
        if len(self.changes):
            worst = self.changes.sort_values("score").head(3)
            cells = ", ".join(f"{r.column} {r.score:.3f}" for r in worst.itertuples())
            lines.append(f"  Changes (KS compl.)  lowest: {cells}")
        if len(self.cross_correlation):
            gap = self.cross_correlation["difference"].abs().max()
            lines.append(f"  Cross-correlation    largest gap {gap:.3f}")
        return "\n".join(lines)

    def figures(self, seed: SeedLike = 0) -> dict[str, Any]:
        """Draw the row figures and a few real and synthetic trajectories.

        Parameters
        ----------
        seed : None, int, SeedSequence or Generator

        Returns
        -------
        dict of str to matplotlib.figure.Figure
            The rows report's figures and ``"trajectories"`` (when the table
            has a number column).

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        out = dict(self.rows.figures(seed=seed))
        if len(self.changes):
            out["trajectories"] = plot_trajectories(
                self._real, self._synthetic, self.entity, self.order, seed=seed
            )
        return out

    def to_html(self, path: str | Path, seed: SeedLike = 0) -> Path:
        """Write one self-contained HTML file: summaries, tables and embedded figures.

        Parameters
        ----------
        path : str or pathlib.Path
        seed : None, int, SeedSequence or Generator

        Returns
        -------
        pathlib.Path

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        return write_html_report(
            path,
            title="stochgen sequence evaluation",
            heading="Synthetic sequence evaluation",
            summaries=[self.summary(), self.rows.summary()],
            figures=self.figures(seed=seed),
            tables={
                "autocorrelation": self.autocorrelation,
                "changes": self.changes,
                "cross correlation": self.cross_correlation,
                "sequence lengths": pd.DataFrame([self.lengths]),
            },
        )


def _order_kept(table: pd.DataFrame, entity: str, order: str) -> float:
    groups = table.groupby(table[entity].astype(object), sort=False)[order]
    kept = groups.apply(lambda values: bool(values.is_monotonic_increasing))
    return float(kept.mean()) if len(kept) else float("nan")


def evaluate_sequences(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    entity: str,
    order: str,
    *,
    lags: int = 3,
    kinds: Mapping[str, str] | None = None,
    seed: SeedLike = 0,
) -> SequenceReport:
    """Score synthetic sequences (panels, series) against the real ones.

    Rows are scored as a table without the entity column (`stochgen.evaluate`,
    fidelity and dependence only); the dynamics by `autocorrelation` at lags
    1..``lags``, `change_ks`, `sequence_lengths` and `cross_correlation` at
    lags 0..1; and the share of synthetic sequences whose ``order`` never
    decreases in their row order.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Long tables (one row per entity and step) with the same columns.
    entity : str
        The column naming each sequence.
    order : str
        The column ordering the steps (numbers or datetimes).
    lags : int
        Largest autocorrelation lag.
    kinds : mapping of str to str, optional
        Column kinds set by hand.
    seed : None, int, SeedSequence or Generator
        For the subsamples of the row scores and the plotted trajectories.

    Returns
    -------
    SequenceReport

    Raises
    ------
    TypeError, stochgen.exceptions.ValidationError
        As `stochgen.metrics.sequences.autocorrelation`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({
    ...     "id": np.repeat(np.arange(20), 10),
    ...     "t": np.tile(np.arange(10), 20),
    ...     "x": rng.normal(size=200).cumsum(),
    ... })
    >>> report = evaluate_sequences(real, real.copy(), "id", "t")
    >>> report.lengths["tv_complement"], report.order_kept, report.rows.score
    (1.0, 1.0, 1.0)
    """
    acf = autocorrelation(real, synthetic, entity, order, lags=lags, kinds=kinds)
    changes = change_ks(real, synthetic, entity, order, kinds=kinds)
    lengths = sequence_lengths(real, synthetic, entity)
    cross = cross_correlation(real, synthetic, entity, order, lags=1, kinds=kinds)
    row_kinds = None if kinds is None else {k: v for k, v in kinds.items() if k != entity}
    rows = evaluate(
        real.drop(columns=[entity]),
        synthetic.drop(columns=[entity]),
        kinds=row_kinds,
        detection=False,
        privacy=False,
        seed=seed,
    )
    return SequenceReport(
        rows=rows,
        autocorrelation=acf,
        changes=changes,
        lengths=lengths,
        cross_correlation=cross,
        order_kept=_order_kept(synthetic, entity, order),
        entity=entity,
        order=order,
        _real=real,
        _synthetic=synthetic,
    )
