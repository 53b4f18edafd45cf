"""Evaluate a 50,000 x 10 table pair: stochgen vs SDMetrics' QualityReport, side by side.

Run: .venv/bin/python benchmarks/bench_evaluate.py [--rows 50000]
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from stochgen.metrics import column_pair_trends, column_shapes, infer_kinds, quality_scores
from stochgen.metrics.dependence import kendall_tau_distance, tail_dependence
from stochgen.metrics.detection import detection


def make_table(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 4))
    a = z[:, 0] + shift
    df = pd.DataFrame(
        {
            "a": a,
            "b": 0.7 * z[:, 0] + 0.7 * z[:, 1],
            "c": np.exp(z[:, 2]),
            "d": z[:, 3] * 10 + 50,
            "e": rng.poisson(4, n),
            "f": a + 0.1 * z[:, 3],
            "g": np.where(a > 0.5, "high", np.where(a < -0.5, "low", "mid")),
            "h": rng.choice(["u", "v", "w", "x", "y"], size=n),
            "flag": z[:, 1] + rng.standard_normal(n) > 0,
            "when": pd.Timestamp("2015-01-01") + pd.to_timedelta(np.round(400 * (a + 4)), unit="D"),
        }
    )
    df.loc[rng.random(n) < 0.05, "c"] = np.nan
    df.loc[rng.random(n) < 0.03, "h"] = None
    return df


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    rows = parser.parse_args().rows
    real, synthetic = make_table(rows, 0), make_table(rows, 1, shift=0.1)
    kinds = infer_kinds(real)

    def fidelity():
        shapes = column_shapes(real, synthetic, kinds)
        trends = column_pair_trends(real, synthetic, kinds)
        return quality_scores(shapes, trends)

    fidelity()  # warm imports
    scores, t_fidelity = timed(fidelity)
    det, t_detection = timed(lambda: detection(real, synthetic, kinds=kinds, seed=0))
    _, t_dependence = timed(
        lambda: (
            kendall_tau_distance(real, synthetic, kinds, seed=0),
            tail_dependence(real, synthetic, kinds, seed=0),
        )
    )

    from sdmetrics.reports import QualityReport

    sdtypes = {
        "continuous": "numerical",
        "integer": "numerical",
        "datetime": "datetime",
        "date": "datetime",
        "categorical": "categorical",
        "ordinal": "categorical",
        "constant": "categorical",
        "boolean": "boolean",
        "id": "id",
    }
    metadata = {"tables": {"t": {"columns": {c: {"sdtype": sdtypes[k]} for c, k in kinds.items()}}}}

    def sdmetrics_report():
        report = QualityReport()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report.generate({"t": real}, {"t": synthetic}, metadata, verbose=False)
        return report

    report, t_sdmetrics = timed(sdmetrics_report)
    props = report.get_properties().set_index("Property")["Score"]

    print(f"table pair: {rows:,} x {real.shape[1]} (real) and {len(synthetic):,} x {real.shape[1]}")
    print(f"{'step':44s} {'seconds':>8s}")
    print(f"{'stochgen fidelity (shapes + pair trends)':44s} {t_fidelity:8.2f}")
    print(f"{'stochgen detection (LR + HGB, 3-fold, 10k/10k)':44s} {t_detection:8.2f}")
    print(f"{'stochgen dependence (Kendall tau, tails; 10k)':44s} {t_dependence:8.2f}")
    print(f"{'stochgen fidelity + detection':44s} {t_fidelity + t_detection:8.2f}")
    print(f"{'SDMetrics QualityReport (fidelity only)':44s} {t_sdmetrics:8.2f}")
    print(f"speed-up, fidelity vs QualityReport: {t_sdmetrics / t_fidelity:.1f}x")
    print(f"{'score':22s} {'stochgen':>10s} {'SDMetrics':>10s} {'|diff|':>10s}")
    pairs = [
        ("overall", scores["score"], report.get_score()),
        ("Column Shapes", scores["column_shapes"], props["Column Shapes"]),
        ("Column Pair Trends", scores["column_pair_trends"], props["Column Pair Trends"]),
    ]
    for name, ours, theirs in pairs:
        print(f"{name:22s} {ours:10.6f} {theirs:10.6f} {abs(ours - theirs):10.2e}")
    print(det[["classifier", "auc", "score"]].to_string(index=False))


if __name__ == "__main__":
    main()
