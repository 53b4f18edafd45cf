"""CopulaSynthesizer vs the torch bridge's VAE and WGAN-GP on real tables.

Fit time and stochgen.evaluate's fidelity (SDMetrics' Column Shapes and
Column Pair Trends) of a sample as large as the real table, default settings,
fit seed 0, sample seed 1. Run: ``python benchmarks/bench_torch.py``.
"""

from __future__ import annotations

import time
import warnings

import pandas as pd
from _tables import load_tables

import stochgen
from stochgen import CopulaSynthesizer
from stochgen.bridges.torch import GANSynthesizer, VAESynthesizer


def main() -> None:
    warnings.filterwarnings("ignore")
    tables = load_tables()
    rows = []
    for name in ("fair", "randhie"):
        df, kinds = tables[name]
        for cls in (CopulaSynthesizer, VAESynthesizer, GANSynthesizer):
            start = time.perf_counter()
            model = cls(kinds=kinds)
            model = model.fit(df) if cls is CopulaSynthesizer else model.fit(df, seed=0)
            seconds = time.perf_counter() - start
            report = stochgen.evaluate(df, model.sample(len(df), seed=1))
            rows.append(
                {
                    "table": f"{name} ({len(df)}x{df.shape[1]})",
                    "model": cls.__name__,
                    "fit s": seconds,
                    "fidelity": report.score,
                    "shapes": report.column_shapes,
                    "trends": report.column_pair_trends,
                }
            )
            print(f"{name} {cls.__name__}: done", flush=True)
    print(pd.DataFrame(rows).set_index(["table", "model"]).round(3).to_string())


if __name__ == "__main__":
    main()
