"""Lag-1 autocorrelation with and without SequenceSynthesizer's calibration, on seven tables.

The four tables of ``bench_sequences.py`` (grunfeld, macrodata, firms,
visits) and three more series statsmodels ships (danish_data: five quarterly
Danish macro series; nile: a century of the Nile's flow; sunspots: 309 years
of sunspot counts). For each table and ``calibrate`` setting (0: the least
squares VAR; 3: the default), three seeds each sample as many sequences as
the real table has, at least 50 (10 series for a single series), and the
script prints the largest gap over number columns between the real and the
synthetic mean per-entity lag-1 autocorrelation (the column), the lowest KS
complement of within-entity changes, the sequence-length TV distance and the
fit time. Run from the repository root:
``PYTHONPATH=. /tmp/venv-bench/bin/python benchmarks/bench_sequence_persistence.py``
(add ``--quality`` for SDMetrics' quality of the first seed's rows).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd
from bench_sequences import TABLES, quality

from stochgen.metrics.sequences import autocorrelation, change_ks, sequence_lengths
from stochgen.sequences import SequenceSynthesizer


def danish() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.danish_data.load_pandas().data.reset_index()
    # The quarter is the index; its name differs between statsmodels releases.
    return data.rename(columns={data.columns[0]: "date"})


def nile() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.nile.load_pandas().data
    data["year"] = data["year"].astype(np.int64)
    return data


def sunspots() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.sunspots.load_pandas().data
    data["YEAR"] = data["YEAR"].astype(np.int64)
    return data


# name -> (loader, entity, order)
ALL_TABLES = {name: (loader, entity, order) for name, (loader, entity, order, _) in TABLES.items()}
ALL_TABLES.update(
    {
        "danish": (danish, None, "date"),
        "nile": (nile, None, "year"),
        "sunspots": (sunspots, None, "YEAR"),
    }
)


def run(name: str, calibrate: int, seeds: int, with_quality: bool) -> dict:
    loader, entity, order = ALL_TABLES[name]
    data = loader()
    single = entity is None
    n_sequences = 10 if single else max(data[entity].nunique(), 50)
    settings = {"entity": entity, "order": order, "calibrate": calibrate}
    SequenceSynthesizer(**settings).fit(data)  # warm-up: numba compilation
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        model = SequenceSynthesizer(**settings).fit(data)
        seconds.append(time.perf_counter() - start)
    real = data.assign(series="s0") if single else data
    key = "series" if single else entity
    gaps, columns, changes, lengths = [], [], [], []
    score = float("nan")
    for seed in range(seeds):
        synthetic = model.sample(n_sequences, seed=seed)
        if single:
            synthetic = synthetic.assign(
                series=[f"s{i // len(data)}" for i in range(len(synthetic))]
            )
        lag1 = autocorrelation(real, synthetic, key, order, lags=1).set_index("column")
        gap = lag1["difference"].abs()
        gaps.append(round(float(gap.max()), 3))
        columns.append(gap.idxmax())
        changes.append(round(float(change_ks(real, synthetic, key, order)["score"].min()), 3))
        lengths.append(round(1.0 - sequence_lengths(real, synthetic, key)["tv_complement"], 3))
        if with_quality and seed == 0:
            score = quality(real, synthetic, key, order)
    return {
        "table": name,
        "calibrate": calibrate,
        "acf1_gap": gaps,
        "worst column": columns,
        "change_ks": changes,
        "length_tv": lengths,
        "quality (seed 0)": score,
        "fit_s": min(seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", nargs="*", default=list(ALL_TABLES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    rows = [
        run(name, calibrate, args.seeds, args.quality)
        for name in args.tables
        for calibrate in (0, 3)
    ]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
