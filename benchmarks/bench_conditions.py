"""Rows sampled for a rare class: do they follow that class's real distribution?

For each (table, column, label): draw 1,000 rows under ``{column: label}`` with
stochgen's CopulaSynthesizer and with SDV's GaussianCopulaSynthesizer
(``sample_from_conditions``), and report, per numeric column, the two-sample KS
statistic between the real rows of that label and the conditional samples.
"Noise" is the KS statistic two samples of these sizes from one distribution
exceed with probability 5% (1.36 * sqrt((n + m) / (n m))). Also the wall time
of the conditional sampling, and the exact-match rate: the share of conditional
rows equal, in every column, to a real row of the label, next to two
baselines: a column-wise bootstrap of the label's rows (no dependence), and the
share of the label's real rows that equal another real row (how often the
real law itself repeats a row: with coarse columns a faithful model must
reproduce common combinations). Run: ``python benchmarks/bench_conditions.py``.
"""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np
import pandas as pd
from _tables import load_tables, sdv_metadata
from scipy import stats

from stochgen.tabular.synthesizer import CopulaSynthesizer

ROWS = 1_000


def _synthetic_rare() -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(42)
    n = 6_000
    label = np.where(rng.random(n) < 0.03, "rare", np.where(rng.random(n) < 0.5, "a", "b"))
    rare = label == "rare"
    x = np.where(rare, rng.gamma(2.0, 2.0, n) + 8.0, rng.normal(0.0, 1.0, n))
    y = np.where(rare, rng.uniform(-1, 1, n), 0.8 * x + 0.6 * rng.normal(size=n))
    w = np.where(rare, rng.exponential(1.0, n), rng.lognormal(0.0, 0.5, n))
    frame = pd.DataFrame({"label": label, "x": x, "y": y, "w": w}).round(4)
    return frame, {"label": "categorical"}


def exact_match_rate(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    """Share of synthetic rows equal, in every column, to some real row."""
    keys = set(map(tuple, real.astype(str).itertuples(index=False)))
    rows = synthetic[real.columns].astype(str).itertuples(index=False)
    return float(np.mean([tuple(row) in keys for row in rows]))


def real_duplicate_rate(real: pd.DataFrame) -> float:
    """Share of real rows equal to another real row: how often the true law repeats a row."""
    return float(real.astype(str).duplicated(keep=False).mean())


def column_bootstrap(real: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """Every column resampled alone from the real rows (right marginals, no copies kept)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.choice(real[c].to_numpy(), size=n) for c in real.columns})


def main() -> None:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from sdv.sampling import Condition
    from sdv.single_table import GaussianCopulaSynthesizer

    tables = load_tables()
    cases = [
        ("synthetic 3% class", *_synthetic_rare(), "label", "rare"),
        ("fair", *tables["fair"], "rate_marriage", "2"),
        ("fair", *tables["fair"], "religious", "4"),
        ("anes96", *tables["anes96"], "vote", "1"),
    ]
    rows = []
    matches = []
    for name, df, kinds, column, label in cases:
        real = df[df[column] == label]
        ours = CopulaSynthesizer(kinds=kinds).fit(df)
        start = time.perf_counter()
        mine = ours.sample(ROWS, seed=0, conditions={column: label})
        t_ours = time.perf_counter() - start
        sdv = GaussianCopulaSynthesizer(sdv_metadata(df, kinds))
        sdv.fit({"table": df})
        start = time.perf_counter()
        theirs = sdv.sample_from_conditions([Condition({column: label}, num_rows=ROWS)])
        t_sdv = time.perf_counter() - start
        theirs = next(iter(theirs.values())) if isinstance(theirs, dict) else theirs
        numeric = [
            c
            for c in df.columns
            if c != column
            and (kinds.get(c) != "categorical")
            and pd.api.types.is_numeric_dtype(df[c])
        ]
        noise = 1.36 * np.sqrt((len(real) + ROWS) / (len(real) * ROWS))
        for c in numeric:
            rows.append(
                {
                    "case": f"{name}: {column}={label} ({len(real)} real rows, "
                    f"{len(real) / len(df):.1%})",
                    "column": c,
                    "KS stochgen": stats.ks_2samp(real[c], mine[c]).statistic,
                    "KS SDV": stats.ks_2samp(real[c], theirs[c]).statistic,
                    "noise (5%)": noise,
                    "time stochgen s": t_ours,
                    "time SDV s": t_sdv,
                }
            )
        matches.append(
            {
                "case": f"{name}: {column}={label}",
                "exact-match stochgen": exact_match_rate(real, mine),
                "exact-match column bootstrap": exact_match_rate(
                    real, column_bootstrap(real, ROWS)
                ),
                "real rows repeating another": real_duplicate_rate(real),
            }
        )
        print(f"{name} {column}={label}: done", flush=True)
    table = pd.DataFrame(rows).set_index(["case", "column"])
    pd.set_option("display.width", 200)
    print(table.round(3).to_string())
    summary = table.groupby(level=0)[["KS stochgen", "KS SDV", "noise (5%)"]].max()
    print("\nworst column per case:")
    print(summary.round(3).to_string())
    print("\nconditional rows equal to a real row of the label:")
    print(pd.DataFrame(matches).set_index("case").map("{:.1%}".format).to_string())


if __name__ == "__main__":
    main()
