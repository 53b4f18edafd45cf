"""CopulaSynthesizer vs SDV's GaussianCopulaSynthesizer on real tables, side by side.

Timings are the best of three calls for both tools (first-call costs such as
imports and numba compilation excluded: they are one-off).

Quality: SDMetrics' QualityReport (overall, Column Shapes, Column Pair Trends) of
each synthesizer's sample (as many rows as the real table), next to two
baselines: every column resampled alone (no dependence) and real rows
resampled (the noise floor). Speed: fit time, and sampling rows/s on a
10-column table. Run: ``python benchmarks/bench_tables.py [--quick]``.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd
from _tables import (
    anes_strings,
    independent_bootstrap,
    load_tables,
    row_bootstrap,
    sdmetrics_metadata,
    sdv_metadata,
)

from stochgen.tabular.synthesizer import CopulaSynthesizer


def quality(real, synthetic, metadata):
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic, metadata, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    return report.get_score(), props["Column Shapes"], props["Column Pair Trends"]


def _one(sampled):
    # SDV 2 returns {table name: DataFrame}; older releases a DataFrame.
    return next(iter(sampled.values())) if isinstance(sampled, dict) else sampled


def timed(fn, repeats=1, clock=time.perf_counter):
    """Return fn's result and its least time by ``clock`` over ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        out = fn()
        best = min(best, clock() - start)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="three tables only")
    parser.add_argument("--tables", nargs="+", help="only these tables (names as printed)")
    parser.add_argument("--no-sampling", action="store_true", help="skip the sampling speed runs")
    parser.add_argument("--sampling-only", action="store_true", help="only the sampling runs")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from sdv.single_table import GaussianCopulaSynthesizer

    CopulaSynthesizer().fit(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))  # warm imports
    tables = load_tables()
    if args.quick:
        tables = {k: tables[k] for k in ("fair", "iris", "anes96")}
    if args.tables:
        tables = {k: tables[k] for k in args.tables}
    rows = []
    if args.sampling_only:
        tables = {}
    for name, (df, kinds) in tables.items():
        meta = sdmetrics_metadata(df, kinds)
        ours, fit_ours = timed(
            lambda df=df, kinds=kinds: CopulaSynthesizer(kinds=kinds).fit(df), repeats=3
        )
        synth_ours = ours.sample(len(df), seed=0)
        sdv = GaussianCopulaSynthesizer(sdv_metadata(df, kinds))
        _, fit_sdv = timed(lambda sdv=sdv, df=df: sdv.fit({"table": df}), repeats=3)
        synth_sdv = _one(sdv.sample(len(df)))
        q_ours = quality(df, synth_ours, meta)
        q_sdv = quality(df, synth_sdv, meta)
        q_ind = quality(df, independent_bootstrap(df, len(df), 0), meta)
        q_boot = quality(df, row_bootstrap(df, len(df), 0), meta)
        rows.append(
            {
                "table": f"{name} ({df.shape[0]}x{df.shape[1]})",
                "stochgen": q_ours[0],
                "SDV": q_sdv[0],
                "indep. bootstrap": q_ind[0],
                "shapes stochgen": q_ours[1],
                "shapes SDV": q_sdv[1],
                "shapes row-bootstrap": q_boot[1],
                "trends stochgen": q_ours[2],
                "trends SDV": q_sdv[2],
                "fit stochgen s": fit_ours,
                "fit SDV s": fit_sdv,
                "fit speed-up": fit_sdv / fit_ours,
            }
        )
        print(f"{name}: done", flush=True)
    if rows:
        table = pd.DataFrame(rows).set_index("table")
        pd.set_option("display.width", 250)
        print(table.round(3).to_markdown() if _has_tabulate() else table.round(3).to_string())
        print(
            f"\nmedian fit speed-up: {table['fit speed-up'].median():.1f}x "
            f"(min {table['fit speed-up'].min():.1f}x)"
        )

    if args.no_sampling:
        return
    sampled = {
        "randhie (10 numeric columns)": load_tables()["randhie"],
        "anes96 (10 columns, 3 string categorical)": anes_strings(),
    }
    for name, (df, kinds) in sampled.items():
        ours = CopulaSynthesizer(kinds=kinds).fit(df)
        sdv = GaussianCopulaSynthesizer(sdv_metadata(df, kinds))
        sdv.fit({"table": df})
        ours.sample(1_000, seed=0)  # kernels compiled outside the clock
        _, t_ours = timed(lambda ours=ours: ours.sample(1_000_000, seed=0), repeats=3)
        _, t_sdv = timed(lambda sdv=sdv: _one(sdv.sample(100_000)), repeats=3)
        r_ours, r_sdv = 1_000_000 / t_ours, 100_000 / t_sdv
        # CPU seconds per row too: on a busy machine wall time mostly measures the wait.
        cpu = time.process_time  # all threads of the process
        _, c_ours = timed(lambda ours=ours: ours.sample(1_000_000, seed=0), 3, cpu)
        _, c_sdv = timed(lambda sdv=sdv: _one(sdv.sample(100_000)), 3, cpu)
        c_ours, c_sdv = c_ours / 1_000_000, c_sdv / 100_000
        print(
            f"\nsampling, {name}: stochgen {r_ours / 1e6:.2f} M rows/s, "
            f"SDV {r_sdv / 1e6:.3f} M rows/s, ratio {r_ours / r_sdv:.0f}x; "
            f"CPU per row: stochgen {c_ours * 1e9:.0f} ns, SDV {c_sdv * 1e9:.0f} ns, "
            f"ratio {c_sdv / c_ours:.0f}x"
        )


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
