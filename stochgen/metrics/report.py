"""`evaluate`: one call that scores synthetic data, and the `Report` it returns."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stochgen._progress import progress_bar
from stochgen._rng import SeedLike, spawn_generators
from stochgen.io import atomic_path
from stochgen.metrics.classes import fidelity_by_class
from stochgen.metrics.dependence import kendall_tau_distance, tail_dependence
from stochgen.metrics.fidelity import column_pair_trends, column_shapes, quality_scores
from stochgen.metrics.tables import check_tables

__all__ = ["Report", "evaluate", "evaluate_files", "write_html_report"]


@dataclass
class Report:
    """The scores of a synthetic table against a real one.

    Built by `evaluate`; not meant to be built by hand.

    Attributes
    ----------
    score : float
        Overall fidelity in [0, 1]: the mean of `column_shapes` and
        `column_pair_trends`, as SDMetrics' ``QualityReport`` computes it.
    column_shapes : float
        Mean KS / TV complement over the columns.
    column_pair_trends : float
        Mean correlation / contingency similarity over the pairs correlated in
        the real data (NaN when there are none).
    details : dict of str to pandas.DataFrame
        ``"column_shapes"``, ``"column_pair_trends"``, ``"kendall_tau"`` (see
        `stochgen.metrics.dependence.kendall_tau_distance`) and
        ``"tail_dependence"`` always; ``"by_class"``, ``"detection"``,
        ``"privacy"`` and ``"utility"`` when computed.
    kinds : dict of str to str
        The column kinds used.
    n_rows : tuple of int
        Rows of the real and the synthetic table.
    """

    score: float
    column_shapes: float
    column_pair_trends: float
    details: dict[str, pd.DataFrame]
    kinds: dict[str, str]
    n_rows: tuple[int, int]
    _real: pd.DataFrame = field(repr=False)
    _synthetic: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """Return a short text summary (about ten lines).

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 5.0, 9.0]})
        >>> print(evaluate(df, df, detection=False, privacy=False).summary())
        Synthetic data evaluation: 4 real rows, 4 synthetic rows, 2 columns
          Fidelity score       100.0%  (Column Shapes 100.0%, Column Pair Trends 100.0%)
          Lowest columns       x 1.000 (KS), y 1.000 (KS)
          Lowest pairs         x~y 1.000
          Kendall tau          distance 0.000 (Frobenius), largest +0.000 at x~y
        """
        lines = [
            f"Synthetic data evaluation: {self.n_rows[0]:,} real rows, "
            f"{self.n_rows[1]:,} synthetic rows, {len(self.kinds)} columns",
            f"  Fidelity score       {_percent(self.score)}  "
            f"(Column Shapes {_percent(self.column_shapes)}, "
            f"Column Pair Trends {_percent(self.column_pair_trends)})",
        ]
        shapes = self.details["column_shapes"].sort_values("score").head(3)
        if len(shapes):
            # A column with no values to compare (all missing) has no score: "n/a", not nan.
            worst = ", ".join(
                f"{r.column} {_score_text(r.score)} ({r.metric[:2]})" for r in shapes.itertuples()
            )
            lines.append(f"  Lowest columns       {worst}")
        pairs = self.details["column_pair_trends"]
        pairs = pairs[pairs["contributes"]].sort_values("score").head(3)
        if len(pairs):
            worst = ", ".join(
                f"{r.column_1}~{r.column_2} {r.score:.3f}" for r in pairs.itertuples()
            )
            lines.append(f"  Lowest pairs         {worst}")
        lines.extend(_dependence_lines(self.details))
        if "by_class" in self.details:
            lines.append(_by_class_line(self.details["by_class"]))
        if "detection" in self.details:
            det = self.details["detection"].set_index("classifier")
            lines.append(
                "  Detection AUC        "
                + ", ".join(f"{name.split('_')[0]} {r.auc:.3f}" for name, r in det.iterrows())
                + f"  (0.5 = indistinguishable; score {det['score'].min():.3f})"
            )
        if "utility" in self.details:
            lines.extend(_utility_lines(self.details["utility"]))
        if "privacy" in self.details:
            lines.extend(_privacy_lines(self.details["privacy"]))
        return "\n".join(lines)

    def figures(self, seed: SeedLike = 0) -> dict:
        """Draw the report's figures with matplotlib.

        Parameters
        ----------
        seed : None, int, SeedSequence or Generator
            For the subsample of points drawn in scatter plots.

        Returns
        -------
        dict of str to matplotlib.figure.Figure
            ``"columns"`` (per-column histogram / bar overlays), ``"correlation"``
            (real, synthetic and difference heatmaps, when there are two or more
            numeric columns) and ``"pairs"`` (scatter plots of the most
            correlated real pairs, when any).

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        from stochgen.metrics.plots import report_figures

        return report_figures(self._real, self._synthetic, self.kinds, self.details, seed=seed)

    def plot(self, path: str | Path, seed: SeedLike = 0) -> list[Path]:
        """Save the figures as PNG files in a folder.

        Parameters
        ----------
        path : str or pathlib.Path
            A folder, created if missing.
        seed : None, int, SeedSequence or Generator
            For the subsample of points drawn in scatter plots.

        Returns
        -------
        list of pathlib.Path
            The files written, ``<name>.png`` for each of `figures`.

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, figure in self.figures(seed=seed).items():
            target = folder / f"{name}.png"
            # Written whole or not at all: an interrupted run leaves no half image.
            with atomic_path(target) as tmp:
                figure.savefig(tmp, dpi=100, format="png")
            written.append(target)
        return written

    def to_html(self, path: str | Path, seed: SeedLike = 0) -> Path:
        """Write one self-contained HTML file: summary, tables and embedded figures.

        Figures are embedded as base64 PNG images, so the file needs nothing else.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write.
        seed : None, int, SeedSequence or Generator
            For the subsample of points drawn in scatter plots.

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
            title="stochgen evaluation",
            heading="Synthetic data evaluation",
            summaries=[self.summary()],
            figures=self.figures(seed=seed),
            tables=self.details,
        )


def write_html_report(
    path: str | Path,
    *,
    title: str,
    heading: str,
    summaries: list[str],
    figures: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
) -> Path:
    """Write one self-contained HTML file: summaries, embedded figures, then tables.

    Figures are embedded as base64 PNG images; the file is written atomically.

    Parameters
    ----------
    path : str or pathlib.Path
    title, heading : str
        The page's title and top heading.
    summaries : list of str
        Plain-text summaries, each shown preformatted.
    figures : mapping of str to matplotlib Figure
    tables : mapping of str to pandas.DataFrame

    Returns
    -------
    pathlib.Path
    """
    from stochgen.metrics.plots import figure_to_base64

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        *(f"<pre>{html.escape(text)}</pre>" for text in summaries),
    ]
    for name, figure in figures.items():
        parts.append(f"<h2>{html.escape(name.replace('_', ' ').title())}</h2>")
        parts.append(
            f'<img alt="{html.escape(name)}" src="data:image/png;base64,'
            f'{figure_to_base64(figure)}">'
        )
    for name, table in tables.items():
        parts.append(f"<h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>")
        parts.append(table.to_html(float_format=lambda v: f"{v:.4f}", na_rep="", border=0))
    parts.append("</body></html>")
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text("\n".join(parts), encoding="utf-8")
        return target


def _score_text(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"


def _percent(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:.1f}%"


def _dependence_lines(details: Mapping[str, pd.DataFrame]) -> list[str]:
    tau = details["kendall_tau"]
    lines = []
    if len(tau.dropna(subset=["difference"])):
        worst = tau.loc[tau["difference"].abs().idxmax()]
        lines.append(
            f"  Kendall tau          distance {tau.attrs['frobenius']:.3f} (Frobenius), "
            f"largest {worst['difference']:+.3f} at {worst['column_1']}~{worst['column_2']}"
        )
    tails = details["tail_dependence"].dropna(subset=["real_upper"])
    if len(tails):
        top = tails.iloc[0]
        lines.append(
            f"  Tail dependence      {top['column_1']}~{top['column_2']} "
            f"(q={tails.attrs['q']:g}): lower {top['synthetic_lower']:.2f} vs "
            f"{top['real_lower']:.2f}, upper {top['synthetic_upper']:.2f} vs "
            f"{top['real_upper']:.2f} (synthetic vs real)"
        )
    return lines


def _by_class_line(table: pd.DataFrame) -> str:
    cells = ", ".join(
        f"{r['class']!s} {_percent(r['score'])}" for _, r in table.sort_values("score").iterrows()
    )
    return f"  By class of {table.attrs['by']!s}".ljust(23) + cells


def _utility_lines(table: pd.DataFrame) -> list[str]:
    metrics = ["accuracy", "f1_macro", "roc_auc"] if "accuracy" in table else ["r2", "mae"]
    head = table.attrs.get("target", "")
    cells = []
    for metric in metrics[:2]:
        real, synthetic, both = (
            table.loc[k, metric] for k in ("real", "synthetic", "real+synthetic")
        )
        cells.append(f"{metric} {synthetic:.3f} vs {real:.3f} (augmented {both:.3f})")
    return [
        f"  ML utility ({head!s})".ljust(23)
        + "train synthetic vs real, test real: "
        + "; ".join(cells),
        f"  Test rows            {table.attrs.get('test', '')}",
    ]


def _privacy_lines(table: pd.DataFrame) -> list[str]:
    rows = table.set_index("metric")
    flagged = rows.index[rows["flagged"]].tolist()
    cells = [
        f"exact matches {rows.loc['exact_match_rate', 'synthetic']:.1%}",
        f"DCR median {rows.loc['dcr_median', 'synthetic']:.3g} "
        f"(baseline {rows.loc['dcr_median', 'baseline']:.3g})",
        f"closer than baseline {rows.loc['share_closer_than_baseline', 'synthetic']:.2f}",
    ]
    verdict = "FLAGGED: " + ", ".join(flagged) if flagged else "no flags"
    return [
        f"  Privacy              {'; '.join(cells)}",
        f"  Privacy verdict      {verdict} (baseline: {table.attrs.get('baseline', '')})",
    ]


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str | None = None,
    holdout: pd.DataFrame | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    by: str | None = None,
    detection: bool = True,
    privacy: bool = True,
    seed: SeedLike = 0,
    progress: bool | None = None,
) -> Report:
    """Score synthetic data against the real data it imitates.

    Fidelity (always; numpy, scipy and pandas only): per column KS / TV
    complement, Wasserstein distance and missing-rate similarity; per pair
    correlation (Pearson, Spearman) and contingency similarity; an overall
    score as SDMetrics' ``QualityReport`` computes it; the same scores per
    class of a label column (``by``). Dependence (always): the distance
    between the Kendall tau matrices and the tail dependence of the most
    dependent pairs. With scikit-learn:
    detection (``detection=True``), privacy (``privacy=True``) and ML utility
    (when ``target`` is given).

    Parameters
    ----------
    real : pandas.DataFrame
        The real rows the synthesizer was fitted on.
    synthetic : pandas.DataFrame
        Synthetic rows with the same columns.
    target : str, optional
        A column to predict, for the ML utility scores.
    holdout : pandas.DataFrame, optional
        Real rows from the same source that the synthesizer never saw: the
        test set for ML utility and the baseline for privacy.
    kinds : mapping of str to str, optional
        Kinds (`stochgen.kinds.KINDS`: ``"continuous"``, ``"categorical"``,
        ``"id"``, ...) for columns whose inferred kind is wrong; see
        `stochgen.kinds.infer_kind`.
    by : str, optional
        A label column: fidelity is also scored within each of its classes
        (``details["by_class"]``).
    detection : bool
        Train classifiers to tell real from synthetic rows.
    privacy : bool
        Compute exact matches and distances to the closest records.
    seed : None, int, SeedSequence or Generator
        For subsamples, folds, splits and models: the same seed gives the same report.
    progress : bool or None
        A progress bar over the scoring steps, once they have taken a second
        (None: see `stochgen.set_progress`).

    Returns
    -------
    Report

    Raises
    ------
    TypeError
        If a table is not a DataFrame, or a column's dtypes differ in kind.
    stochgen.exceptions.ValidationError
        On empty tables, mismatched columns, an unknown or leaking target.
    ImportError
        If scikit-learn is needed (detection, privacy or a target) but missing.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import stochgen
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500)
    >>> real = pd.DataFrame({"x": x, "y": x + rng.normal(size=500)})
    >>> report = stochgen.evaluate(real, real.copy(), seed=0)
    >>> report.score, report.column_shapes, report.column_pair_trends
    (1.0, 1.0, 1.0)
    >>> bool(abs(report.details["detection"]["auc"] - 0.5).max() < 0.1)
    True
    """
    kinds = check_tables(real, synthetic, kinds)
    if holdout is not None:
        check_tables(real, holdout, kinds, synthetic_name="holdout")
    if target is not None:
        from stochgen.metrics.utility import check_target

        check_target(real, target, kinds)
    n_steps = 4 + (by is not None) + detection + (target is not None) + privacy
    with progress_bar(n_steps, "evaluating", unit="step", progress=progress) as bar:
        shapes = column_shapes(real, synthetic, kinds)
        bar.update()
        pairs = column_pair_trends(real, synthetic, kinds)
        bar.update()
        scores = quality_scores(shapes, pairs)
        details = {"column_shapes": shapes, "column_pair_trends": pairs}
        # Streams 0-2 as before dependence was added, so those results did not change.
        seeds = spawn_generators(seed, 5)
        details["kendall_tau"] = kendall_tau_distance(real, synthetic, kinds, seed=seeds[3])
        bar.update()
        details["tail_dependence"] = tail_dependence(real, synthetic, kinds, seed=seeds[4])
        bar.update()
        if by is not None:
            details["by_class"] = fidelity_by_class(real, synthetic, by, kinds)
            bar.update()
        if detection:
            from stochgen.metrics.detection import detection as detect

            details["detection"] = detect(real, synthetic, kinds=kinds, seed=seeds[0])
            bar.update()
        if target is not None:
            from stochgen.metrics.utility import utility

            details["utility"] = utility(
                real, synthetic, target, holdout, kinds=kinds, seed=seeds[1]
            )
            bar.update()
        if privacy:
            from stochgen.metrics.privacy import privacy as private

            details["privacy"] = private(real, synthetic, holdout, kinds=kinds, seed=seeds[2])
            bar.update()
    return Report(
        score=scores["score"],
        column_shapes=scores["column_shapes"],
        column_pair_trends=scores["column_pair_trends"],
        details=details,
        kinds=kinds,
        n_rows=(len(real), len(synthetic)),
        _real=real,
        _synthetic=synthetic,
    )


def evaluate_files(
    real_path: str | Path,
    synthetic_path: str | Path,
    target: str | None = None,
    html: str | Path | None = None,
    *,
    holdout_path: str | Path | None = None,
    seed: SeedLike = 0,
) -> Report:
    """Evaluate two files, as ``stochgen evaluate real.csv synthetic.csv`` does.

    Parameters
    ----------
    real_path, synthetic_path : str or pathlib.Path
        CSV or Parquet files (see `stochgen.tabular.files.read_table`).
    target : str, optional
        A column to predict, for ML utility.
    html : str or pathlib.Path, optional
        Write the HTML report here.
    holdout_path : str or pathlib.Path, optional
        Real rows the synthesizer never saw.
    seed : None, int, SeedSequence or Generator
        See `evaluate`.

    Returns
    -------
    Report
        Print ``report.summary()`` to show it.
    """
    from stochgen.tabular.files import read_table

    holdout = read_table(holdout_path) if holdout_path is not None else None
    report = evaluate(read_table(real_path), read_table(synthetic_path), target, holdout, seed=seed)
    if html is not None:
        report.to_html(html)
    return report
