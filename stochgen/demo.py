"""The demo job: fit a real table that ships with statsmodels, sample, save, score."""

from __future__ import annotations

import contextlib
import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _numba_counts() -> tuple[int, int]:
    """Kernel signatures numba compiled, and loaded from its cache, so far in this process."""
    try:
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # pragma: no cover - numba is a dependency
        return 0, 0
    kernels = {
        id(obj): obj
        for name, module in list(sys.modules.items())
        if name.startswith("stochgen.") and module is not None
        for obj in list(vars(module).values())
        if isinstance(obj, Dispatcher)
    }
    compiled = sum(sum(k.stats.cache_misses.values()) for k in kernels.values())
    loaded = sum(sum(k.stats.cache_hits.values()) for k in kernels.values())
    return compiled, loaded


class _Steps:
    """Numbered progress lines, each saying how long its step took and what numba did."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        self.done += 1
        print(f"[{self.done}/{self.total}] {what} ...", flush=True)
        compiled, loaded = _numba_counts()
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        compiled_now, loaded_now = _numba_counts()
        note = ""
        if compiled_now > compiled:
            note = (
                f"; numba compiled {compiled_now - compiled} kernel(s) in this step (once per "
                "machine and version: numba caches them, so the next run skips this)"
            )
        elif loaded_now > loaded:
            note = f"; {loaded_now - loaded} numba kernel(s) loaded from the cache"
        print(f"      done in {seconds:.2f} s{note}", flush=True)


def _privacy_note(report: Any) -> str | None:
    """Say why exact matches and the privacy verdict agree (or not), from the report's numbers."""
    table = report.details.get("privacy")
    if table is None:
        return None
    rows = table.set_index("metric")
    synthetic = rows.loc["exact_match_rate", "synthetic"]
    baseline = rows.loc["exact_match_rate", "baseline"]
    flagged = bool(rows.loc["exact_match_rate", "flagged"])
    lead = (
        f"Why {synthetic:.1%} exact matches: this table's columns are coded answers and small "
        f"counts, so real rows already repeat each other ({baseline:.1%} of real rows equal "
        "another real row). "
    )
    if flagged:
        return lead + (
            "Synthetic rows match real ones more often than that, by more than one point: "
            "the verdict flags it."
        )
    return lead + (
        "A synthetic row that equals a real one is expected as often as that; privacy is "
        "flagged only above the real rows' own rate plus one point, or when synthetic rows "
        "sit closer to real rows than real rows sit to each other."
    )


def run_demo(output: str | Path = "demo-output", seed: int = 0) -> Path:
    """Fit a CopulaSynthesizer to the demo table and write its outputs.

    Writes ``real.csv``, ``kinds.json`` and ``metadata.json`` (the table, its
    kinds and the same as SDV metadata, for the README's command-line
    examples), ``synthetic.csv``, ``model.json`` (and ``model.npz``),
    ``report.html`` and, when matplotlib is installed, comparison plots
    (``columns.png``, ``correlation.png``, ``pairs.png``);
    prints each step with its time, says when numba compiles its kernels, and
    prints a quality summary.

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
    from stochgen.tabular.schema import Schema
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    steps = _Steps(7)
    with steps.step("loading the 'fair' survey table that ships with statsmodels"):
        real, kinds = load_demo_table()
        write_table(real, folder / "real.csv")
        (folder / "kinds.json").write_text(json.dumps(kinds, indent=2) + "\n", encoding="utf-8")
        # The same kinds as SDV metadata, for `stochgen fit --metadata` (docs/from-sdv.md).
        metadata = Schema(kinds=kinds).fit(real).to_sdv()
        (folder / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", "utf-8")
    print(f"      {real.shape[0]} rows x {real.shape[1]} columns; coded answers as categories")
    with steps.step("fitting a CopulaSynthesizer"):
        model = CopulaSynthesizer(kinds=kinds).fit(real)
    with steps.step("sampling 10 rows (the first sample compiles or loads the kernels)"):
        model.sample(10, seed=seed)
    with steps.step(f"sampling {len(real)} rows"):
        synthetic = model.sample(len(real), seed=seed)
    with steps.step("writing synthetic.csv and model.json"):
        write_table(synthetic, folder / "synthetic.csv")
        save(model, folder / "model.json")
    with steps.step("scoring: fidelity, detection (two classifiers), privacy"):
        report = evaluate(real, synthetic)
    print(report.summary())
    note = _privacy_note(report)
    if note:
        print(textwrap.fill(note, width=100, initial_indent="  ", subsequent_indent="  "))
    with steps.step("writing report.html and the comparison plots"):
        report.to_html(folder / "report.html")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("      matplotlib not installed: no plots (pip install 'stochgen[plot]')")
        else:
            written = report.plot(folder)
            print("      " + ", ".join(path.name for path in written))
    print(f"outputs written to {folder}/: try the README's command-line examples on them")
    return folder
