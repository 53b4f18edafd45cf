"""What privacy="aggregate" costs in SDMetrics quality, on the benchmark tables of 2,000+ rows.

For each table, CopulaSynthesizer is fitted twice, with privacy="none" (the
default) and privacy="aggregate" (quantile knots, labels seen fewer than
min_count times suppressed), and each samples as many rows as the table with
the same seeds. The score is SDMetrics' QualityReport (overall, Column Shapes,
Column Pair Trends), averaged over the seeds; "cost" is none minus aggregate,
next to the spread of the "none" scores over the seeds (the noise of one
sample). Run: ``PYTHONPATH=. python benchmarks/bench_privacy.py [--seeds 5]``.
"""

from __future__ import annotations

import argparse
import logging
import warnings

import numpy as np
import pandas as pd
from _tables import load_tables, sdmetrics_metadata
from bench_tables import quality

from stochgen.tabular.synthesizer import CopulaSynthesizer

MIN_ROWS = 2_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--knots", type=int, default=100)
    parser.add_argument("--min-count", type=int, default=10)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    tables = {k: v for k, v in load_tables().items() if len(v[0]) >= MIN_ROWS}
    rows = []
    for name, (df, kinds) in tables.items():
        meta = sdmetrics_metadata(df, kinds)
        scores = {}
        for privacy in ("none", "aggregate"):
            model = CopulaSynthesizer(
                kinds=kinds,
                privacy=privacy,
                quantile_knots=args.knots,
                min_count=args.min_count,
                progress=False,
            ).fit(df)
            scores[privacy] = np.array(
                [quality(df, model.sample(len(df), seed=s), meta) for s in range(args.seeds)]
            )
        none, agg = scores["none"].mean(axis=0), scores["aggregate"].mean(axis=0)
        rows.append(
            {
                "table": f"{name} ({df.shape[0]}x{df.shape[1]})",
                "none": none[0],
                "aggregate": agg[0],
                "cost": none[0] - agg[0],
                "seed sd": scores["none"][:, 0].std(ddof=1),
                "shapes none": none[1],
                "shapes aggregate": agg[1],
                "trends none": none[2],
                "trends aggregate": agg[2],
            }
        )
        print(f"{name}: done", flush=True)
    table = pd.DataFrame(rows).set_index("table")
    pd.set_option("display.width", 250)
    print(table.round(4).to_string())
    print(
        f"\nlargest cost: {table['cost'].max():.4f} (goal: at most 0.01); "
        f"knots={args.knots}, min_count={args.min_count}, seeds={args.seeds}"
    )


if __name__ == "__main__":
    main()
