"""Stream a large synthetic table to Parquet and report time and peak memory.

Run: ``python benchmarks/bench_streaming.py [--rows 100000000] [--format parquet]``.
The model is a CopulaSynthesizer fitted to statsmodels' ``randhie`` table (20,190
rows x 10 columns). Peak RSS is the process's maximum resident set size
(``resource.getrusage``), which includes the Python interpreter and libraries.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from _tables import load_tables

from stochgen.tabular.synthesizer import CopulaSynthesizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--format", default="parquet", choices=("parquet", "csv"))
    parser.add_argument("--block-rows", type=int, default=1_048_576)
    args = parser.parse_args()
    table, kinds = load_tables()["randhie"]
    model = CopulaSynthesizer(kinds=kinds).fit(table)
    model.sample(1_000, seed=0)  # compile and warm
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory(dir=".") as folder:
        path = Path(folder) / f"synthetic.{args.format}"
        start = time.perf_counter()
        model.sample_to(path, args.rows, seed=0, block_rows=args.block_rows)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size / 2**30
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.rows:,} rows x {table.shape[1]} columns to {args.format}: {elapsed:.1f} s "
        f"({args.rows / elapsed / 1e6:.2f} M rows/s), file {size:.2f} GiB, "
        f"peak RSS {peak:.0f} MiB (before streaming {before:.0f} MiB)"
    )
    sys.exit(0 if peak < 1024 else 1)


if __name__ == "__main__":
    main()
