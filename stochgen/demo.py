"""The demo job: fit a real table that ships with statsmodels, sample, save, score."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

__all__ = ["load_demo_table", "run_demo"]

# The Fair (1978) extramarital-affairs survey codes these answers as numbers;
# they are categories, and the demo says so through the schema.
_CODED_COLUMNS = ("rate_marriage", "religious", "occupation", "occupation_husb")


def load_demo_table() -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the statsmodels ``fair`` table (6,366 x 9) and its column kinds.

    Returns
    -------
    pandas.DataFrame
        Numeric columns, and the coded answers as string categories.
    dict of str to str
        Kinds for the coded columns (``categorical``).

    Examples
    --------
    >>> table, kinds = load_demo_table()
    >>> table.shape
    (6366, 9)
    """
    from statsmodels.datasets import fair

    table = fair.load_pandas().data.copy()
    for column in _CODED_COLUMNS:
        table[column] = table[column].astype(int).astype(str)
    return table, dict.fromkeys(_CODED_COLUMNS, "categorical")


def run_demo(output: str | Path = "demo-output", seed: int = 0) -> Path:
    """Fit a CopulaSynthesizer to the demo table and write its outputs.

    Writes ``synthetic.csv``, ``model.json`` (and ``model.npz``), ``report.html``
    and, when matplotlib is installed, comparison plots (``columns.png``,
    ``correlation.png``, ``pairs.png``); prints a quality summary.

    Parameters
    ----------
    output : str or Path
        Folder for the outputs (created).
    seed : int
        Seed for sampling.

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    from stochgen.io import save, write_table
    from stochgen.metrics.report import evaluate
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    real, kinds = load_demo_table()
    print(f"real table: statsmodels 'fair', {real.shape[0]} rows x {real.shape[1]} columns")
    started = time.perf_counter()
    model = CopulaSynthesizer(kinds=kinds).fit(real)
    fitted = time.perf_counter()
    synthetic = model.sample(len(real), seed=seed)
    sampled = time.perf_counter()
    print(
        f"fit {fitted - started:.3f} s, sampled {len(synthetic)} rows in {sampled - fitted:.3f} s"
    )
    write_table(synthetic, folder / "synthetic.csv")
    save(model, folder / "model.json")
    report = evaluate(real, synthetic)
    print(report.summary())
    report.to_html(folder / "report.html")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib not installed: no comparison plot (pip install 'stochgen[plot]')")
    else:
        written = report.plot(folder)
        print("comparison plots: " + ", ".join(path.name for path in written))
    print(f"outputs written to {folder}/")
    return folder
