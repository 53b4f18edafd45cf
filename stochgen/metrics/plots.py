"""Figures for the evaluation report, drawn with matplotlib's object API.

Figures are built as `matplotlib.figure.Figure` objects, never through
``pyplot``: no global figure state, no GUI backend, safe in threads and servers.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from stochgen._rng import SeedLike, as_generator
from stochgen.kinds import TIME_KINDS
from stochgen.metrics.tables import CONTINUOUS_KINDS, to_float

__all__ = ["figure_to_base64", "report_figures"]

_REAL, _SYNTHETIC = "#1f77b4", "#ff7f0e"
_MAX_CATEGORIES = 10
_MAX_POINTS = 1_000
_N_PAIRS = 3


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("report figures need matplotlib: pip install 'stochgen[plot]'") from err
    return Figure


def figure_to_base64(figure: Any) -> str:
    """Render a figure as a base64-encoded PNG.

    Parameters
    ----------
    figure : matplotlib.figure.Figure

    Returns
    -------
    str
        ASCII text for a ``data:image/png;base64,...`` URL.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_to_base64(Figure(figsize=(1, 1)))[:8]
    'iVBORw0K'
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _column_axes(ax: Any, name: str, kind: str, real: pd.Series, synthetic: pd.Series) -> None:
    if kind in CONTINUOUS_KINDS:
        r, s = to_float(real, kind), to_float(synthetic, kind)
        r, s = r[~np.isnan(r)], s[~np.isnan(s)]
        both = np.concatenate([r, s])
        if both.size:
            low, high = np.quantile(both, [0.005, 0.995])
            bins = np.linspace(low, high, 31) if high > low else 10
            scale = 86_400e9 if kind in TIME_KINDS else 1.0
            for values, color, label in ((r, _REAL, "real"), (s, _SYNTHETIC, "synthetic")):
                if values.size:
                    ax.hist(
                        values / scale,
                        bins=np.asarray(bins) / scale if high > low else bins,
                        density=True,
                        alpha=0.5,
                        color=color,
                        label=label,
                    )
            if kind in TIME_KINDS:
                ax.set_xlabel("days since 1970-01-01")
    else:
        freq_r = real.astype(object).value_counts(normalize=True)
        freq_s = synthetic.astype(object).value_counts(normalize=True)
        top = freq_r.index[:_MAX_CATEGORIES]
        positions = np.arange(len(top))
        ax.bar(positions - 0.2, freq_r.reindex(top).fillna(0), 0.4, color=_REAL, label="real")
        ax.bar(
            positions + 0.2,
            freq_s.reindex(top).fillna(0),
            0.4,
            color=_SYNTHETIC,
            label="synthetic",
        )
        ax.set_xticks(positions, [str(v)[:12] for v in top], rotation=45, ha="right", fontsize=7)
    ax.set_title(name, fontsize=9)
    ax.tick_params(labelsize=7)


def _columns_figure(real: pd.DataFrame, synthetic: pd.DataFrame, kinds: Mapping[str, str]) -> Any:
    names = [n for n, k in kinds.items() if k != "id"]
    n_cols = min(4, max(1, len(names)))
    n_rows = max(1, -(-len(names) // n_cols))
    figure = _figure_class()(figsize=(3.2 * n_cols, 2.6 * n_rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(n_rows, n_cols)).ravel()
    for ax, name in zip(axes, names, strict=False):
        _column_axes(ax, name, kinds[name], real[name], synthetic[name])
    for ax in axes[len(names) :]:
        ax.set_axis_off()
    if names:
        axes[0].legend(fontsize=7)
    figure.suptitle("Column distributions: real vs synthetic")
    return figure


def _correlation_figure(corr_real: pd.DataFrame, corr_synthetic: pd.DataFrame) -> Any:
    figure = _figure_class()(figsize=(13, 4.4), layout="constrained")
    axes = figure.subplots(1, 3)
    names = list(corr_real.columns)
    panels = (
        ("real", corr_real, "RdBu_r", -1, 1),
        ("synthetic", corr_synthetic, "RdBu_r", -1, 1),
        ("synthetic - real", corr_synthetic - corr_real, "PuOr_r", -1, 1),
    )
    for ax, (title, matrix, cmap, vmin, vmax) in zip(axes, panels, strict=True):
        image = ax.imshow(matrix.to_numpy(dtype=float), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_title(f"Pearson correlation: {title}", fontsize=9)
    figure.colorbar(image, ax=list(axes), shrink=0.8)
    return figure


def _pairs_figure(
    numbers_real: pd.DataFrame,
    numbers_synthetic: pd.DataFrame,
    pairs: list[tuple[str, str]],
    rng: np.random.Generator,
) -> Any:
    figure = _figure_class()(figsize=(4 * len(pairs), 3.6), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(pairs))).ravel()
    for ax, (a, b) in zip(axes, pairs, strict=True):
        for numbers, color, label in (
            (numbers_real, _REAL, "real"),
            (numbers_synthetic, _SYNTHETIC, "synthetic"),
        ):
            points = numbers[[a, b]].dropna().to_numpy()
            if len(points) > _MAX_POINTS:
                points = points[rng.choice(len(points), size=_MAX_POINTS, replace=False)]
            ax.scatter(points[:, 0], points[:, 1], s=4, alpha=0.4, color=color, label=label)
        ax.set_xlabel(a, fontsize=8)
        ax.set_ylabel(b, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, markerscale=3)
    figure.suptitle("Most correlated real pairs: real vs synthetic")
    return figure


def report_figures(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    kinds: Mapping[str, str],
    details: Mapping[str, pd.DataFrame],
    *,
    seed: SeedLike = 0,
) -> dict[str, Any]:
    """Draw the report's figures.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        The two tables.
    kinds : mapping of str to str
        Column kinds.
    details : mapping of str to pandas.DataFrame
        The report's details (``"column_pair_trends"`` picks the scatter pairs).
    seed : None, int, SeedSequence or Generator
        For the subsample of scatter points.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        ``"columns"``; ``"correlation"`` with two or more numeric or datetime
        columns; ``"pairs"`` when such columns are correlated in the real data.

    Raises
    ------
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import pandas as pd
    >>> from stochgen.metrics.fidelity import column_pair_trends
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 3.0, 2.0, 5.0]})
    >>> kinds = {"x": "continuous", "y": "continuous"}
    >>> details = {"column_pair_trends": column_pair_trends(df, df)}
    >>> sorted(report_figures(df, df, kinds, details))
    ['columns', 'correlation', 'pairs']
    """
    rng = as_generator(seed)
    figures = {"columns": _columns_figure(real, synthetic, kinds)}
    continuous = [n for n, k in kinds.items() if k in CONTINUOUS_KINDS]
    if len(continuous) >= 2:
        numbers_real = pd.DataFrame({n: to_float(real[n], kinds[n]) for n in continuous})
        numbers_synthetic = pd.DataFrame({n: to_float(synthetic[n], kinds[n]) for n in continuous})
        figures["correlation"] = _correlation_figure(numbers_real.corr(), numbers_synthetic.corr())
        trends = details["column_pair_trends"]
        trends = trends[trends["metric"] == "CorrelationSimilarity"].dropna(
            subset=["real_correlation"]
        )
        strongest = trends.reindex(
            trends["real_correlation"].abs().sort_values(ascending=False).index
        ).head(_N_PAIRS)
        pairs = list(zip(strongest["column_1"], strongest["column_2"], strict=True))
        if pairs:
            figures["pairs"] = _pairs_figure(numbers_real, numbers_synthetic, pairs, rng)
    return figures
