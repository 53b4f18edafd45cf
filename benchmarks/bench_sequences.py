"""SequenceSynthesizer vs SDV's PARSynthesizer on panels and a long series, side by side.

Tables: statsmodels' grunfeld (10 firms x 20 years) and macrodata (one
quarterly series of 203 steps), and two panels built here: ``firms`` (an
unbalanced yearly panel with sector and size context) and ``visits``
(patients seen at irregular dates). Both tools sample as many sequences as
the real table has, at least 50 (10 series for macrodata): PAR samples about
one sequence a second on a busy machine, so more would take most of an hour.

Scores (the goals of issue 14): SDMetrics' QualityReport of the rows (the
entity column as an id), next to the same score for whole real sequences
resampled; the largest gap, over number columns, between the real and the
synthetic mean per-entity lag-1 autocorrelation; the lowest KS complement of
within-entity changes; the total-variation distance between sequence-length
distributions; the share of sequences whose order column never decreases.

Speed: fit time (stochgen: best of three after a warm-up that compiles the
kernels; PAR: one fit at its default settings, 128 epochs, unless
``--par-epochs`` cuts them, which the output then says) and stochgen's time to
sample one million rows. Run from the repository root:
``PYTHONPATH=. /tmp/venv-bench/bin/python benchmarks/bench_sequences.py``.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd

from stochgen.metrics.sequences import autocorrelation, change_ks, sequence_lengths
from stochgen.sequences import SequenceSynthesizer


def grunfeld() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.grunfeld.load_pandas().data
    data["year"] = data["year"].astype(np.int64)
    data["firm"] = data["firm"].astype(str)
    return data


def macrodata() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.macrodata.load_pandas().data
    quarters = pd.PeriodIndex.from_fields(
        year=data["year"].astype(int), quarter=data["quarter"].astype(int), freq="Q"
    )
    data.insert(0, "date", quarters.to_timestamp())
    return data.drop(columns=["year", "quarter"])


def firms(seed: int = 0) -> pd.DataFrame:
    """Unbalanced yearly panel: sector and size shape lengths, levels and dynamics."""
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(300):
        sector = rng.choice(["retail", "energy", "tech"], p=[0.5, 0.3, 0.2])
        size = float(np.exp(rng.normal(3.0, 1.0)))
        length = int(np.clip(rng.geometric(0.12 if sector == "energy" else 0.2), 2, 25))
        start = int(rng.integers(1990, 2010))
        level = {"retail": 0.0, "energy": 1.0, "tech": -0.5}[sector] + 0.3 * np.log(size)
        margin, status = level + rng.normal(), rng.choice(["active", "watch"], p=[0.8, 0.2])
        for step in range(length):
            margin = 0.3 * level + 0.7 * margin + 0.5 * rng.normal()
            if rng.random() < 0.08:
                status = "watch" if status == "active" else "active"
            staff = int(size * np.exp(0.2 * margin + 0.1 * rng.normal()))
            rows.append(
                (f"F{firm:04d}", start + step, sector, round(size, 2), margin, staff, status)
            )
    columns = ["firm", "year", "sector", "size", "margin", "staff", "status"]
    return pd.DataFrame(rows, columns=columns)


def visits(seed: int = 1) -> pd.DataFrame:
    """Patients seen at irregular dates: weight drifts slowly, pressure is AR(1)."""
    rng = np.random.default_rng(seed)
    rows = []
    for patient in range(200):
        sex = rng.choice(["f", "m"])
        age = int(rng.integers(20, 85))
        n_visits = int(rng.integers(4, 20))
        day = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
        weight = rng.normal(70.0 if sex == "f" else 82.0, 10.0)
        pressure = 110.0 + 0.4 * age + rng.normal(0.0, 8.0)
        for _ in range(n_visits):
            weight += rng.normal(0.0, 0.8)
            pressure = 0.6 * pressure + 0.4 * (110.0 + 0.4 * age) + rng.normal(0.0, 6.0)
            rows.append((patient, day, sex, age, round(weight, 1), round(pressure)))
            day += pd.Timedelta(
                days=int(rng.choice([1, 7, 14, 30, 90], p=[0.1, 0.3, 0.3, 0.2, 0.1]))
            )
    columns = ["patient", "visit", "sex", "age", "weight", "pressure"]
    return pd.DataFrame(rows, columns=columns)


# name -> (loader, entity, order, context columns for PAR)
TABLES = {
    "grunfeld": (grunfeld, "firm", "year", []),
    "macrodata": (macrodata, None, "date", []),
    "firms": (firms, "firm", "year", ["sector", "size"]),
    "visits": (visits, "patient", "visit", ["sex", "age"]),
}
CRITERION = "bic"
#: Sequences drawn, as a multiple of the real count, to read a model's length distribution.
LENGTH_DRAWS = 20
_SERIES = "series"  # entity column given to the one-series table for PAR and the metrics


def timed(fn, repeats=1):
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def resample_sequences(real, entity, n, seed):
    """Whole real sequences drawn with replacement: the noise floor of every score."""
    rng = np.random.default_rng(seed)
    keys = real[entity].unique()
    groups = dict(tuple(real.groupby(entity, sort=False)))
    numeric = pd.api.types.is_numeric_dtype(real[entity].dtype)
    parts = [
        groups[key].assign(**{entity: i if numeric else f"r{i}"})
        for i, key in enumerate(rng.choice(keys, n))
    ]
    return pd.concat(parts, ignore_index=True).astype({entity: real[entity].dtype})


def quality(real, synthetic, entity, order):
    from sdmetrics.reports.single_table import QualityReport

    columns = {}
    for name in real.columns:
        dtype = real[name].dtype
        if name == entity:
            columns[name] = {"sdtype": "id"}
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            columns[name] = {"sdtype": "datetime"}
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            columns[name] = {"sdtype": "numerical"}
        else:
            columns[name] = {"sdtype": "categorical"}
    report = QualityReport()
    synthetic = synthetic.astype({entity: real[entity].dtype})
    report.generate(real, synthetic[real.columns], {"columns": columns}, verbose=False)
    return report.get_score()


def dynamics(real, synthetic, entity, order):
    lag1 = autocorrelation(real, synthetic, entity, order, lags=1)
    changes = change_ks(real, synthetic, entity, order)
    lengths = sequence_lengths(real, synthetic, entity)
    kept = synthetic.groupby(synthetic[entity].astype(str), sort=False)[order].apply(
        lambda s: s.is_monotonic_increasing
    )
    return {
        "acf1_gap": float(lag1["difference"].abs().max()),
        "change_ks": float(changes["score"].min()),
        "length_tv": 1.0 - lengths["tv_complement"],
        "order_kept": float(kept.mean()),
    }


def fit_par(real, entity, order, context, epochs):
    from sdv.metadata import Metadata
    from sdv.sequential import PARSynthesizer

    metadata = Metadata.detect_from_dataframes({"table": real})
    if metadata.tables["table"].primary_key is not None:
        metadata.remove_primary_key("table")
    metadata.update_column(entity, sdtype="id", table_name="table")
    metadata.set_sequence_key(entity, table_name="table")
    metadata.set_sequence_index(order, table_name="table")
    settings = {"context_columns": context}
    if epochs is not None:
        settings["epochs"] = epochs
    model = PARSynthesizer(metadata, **settings)
    _, seconds = timed(lambda: model.fit({"table": real}))
    return model, seconds


def score_all(name, real, entity, order, synthetic):
    row = {"table": name, **dynamics(real, synthetic, entity, order)}
    row["quality"] = quality(real, synthetic, entity, order)
    return row


def run_table(name, par_epochs, skip_par):
    loader, entity, order, context = TABLES[name]
    data = loader()
    single = entity is None
    n_real = 1 if single else data[entity].nunique()
    n_sequences = 10 if single else max(n_real, 50)
    steps = len(data)

    settings = {"entity": entity, "order": order, "criterion": CRITERION}
    model = SequenceSynthesizer(**settings)
    model.fit(data)  # warm-up: numba compilation, imports
    _, fit_seconds = timed(lambda: SequenceSynthesizer(**settings).fit(data), 3)
    synthetic, sample_seconds = timed(lambda: model.sample(n_sequences, seed=0))
    real = data
    if single:
        real = data.assign(**{_SERIES: "s0"})
        synthetic = synthetic.assign(**{_SERIES: [f"s{i // steps}" for i in range(len(synthetic))]})
        entity = _SERIES
    rows = [
        {
            **score_all(name, real, entity, order, synthetic),
            "tool": "stochgen",
            "fit_s": fit_seconds,
            "sample_s": sample_seconds,
            "order": model.dynamics_["order"],
            "integrated": len(model.integrated_columns_),
        },
    ]
    resampled = resample_sequences(real, entity, n_sequences, seed=0)
    rows.append({**score_all(name, real, entity, order, resampled), "tool": "resample"})
    if not single:
        # The length distribution of the model itself (and of resampling), read from
        # LENGTH_DRAWS times as many sequences, free of most of the noise of one draw of
        # n_sequences (TV between two equal samples of a few hundred is about 0.1).
        many = LENGTH_DRAWS * n_sequences
        for row, drawn in (
            (rows[0], model.sample(many, seed=1)),
            (rows[1], resample_sequences(real, entity, many, seed=1)),
        ):
            row["length_tv_many"] = 1.0 - sequence_lengths(real, drawn, entity)["tv_complement"]
    if not skip_par:
        par, par_fit = fit_par(real, entity, order, context, par_epochs)
        kwargs = {"num_sequences": n_sequences}
        if single:
            kwargs["sequence_length"] = steps
        sampled, par_sample = timed(lambda: par.sample_sequences(**kwargs))
        # SDV 2 returns {table name: DataFrame}; older releases a DataFrame.
        par_synthetic = next(iter(sampled.values())) if isinstance(sampled, dict) else sampled
        label = "PAR" if par_epochs is None else f"PAR ({par_epochs} epochs, cut)"
        rows.append(
            {
                **score_all(name, real, entity, order, par_synthetic),
                "tool": label,
                "fit_s": par_fit,
                "sample_s": par_sample,
            }
        )
    return rows


def million_rows():
    """Seconds to sample one million rows from the grunfeld model (50,000 firms x 20 years)."""
    model = SequenceSynthesizer(entity="firm", order="year").fit(grunfeld())
    model.sample(10, seed=0)
    out, seconds = timed(lambda: model.sample(50_000, seed=1), 3)
    return len(out), seconds


def markdown(table: pd.DataFrame) -> str:
    """Return a Markdown table (numbers to three decimals, blanks for missing)."""

    def cell(value):
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.3f}"
        return str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * table.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", nargs="*", default=list(TABLES))
    parser.add_argument(
        "--par-epochs",
        type=int,
        default=None,
        help="cut PAR's epochs (default: PAR's own default, 128)",
    )
    parser.add_argument("--no-par", action="store_true", help="stochgen and the baseline only")
    parser.add_argument("--criterion", default="bic", help="stochgen's lag-order criterion")
    args = parser.parse_args()
    global CRITERION  # noqa: PLW0603 - one setting for the whole run
    CRITERION = args.criterion
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    rows = []
    for name in args.tables:
        new = run_table(name, args.par_epochs, args.no_par)
        rows.extend(new)
        print(pd.DataFrame(new).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    table = pd.DataFrame(rows)
    columns = [
        "table",
        "tool",
        "quality",
        "acf1_gap",
        "change_ks",
        "length_tv",
        "length_tv_many",
        "order_kept",
        "fit_s",
        "sample_s",
        "order",
        "integrated",
    ]
    print()
    print(markdown(table[columns]))
    ours = table[table["tool"] == "stochgen"].set_index("table")["fit_s"]
    theirs = table[table["tool"].str.startswith("PAR")].set_index("table")["fit_s"]
    if len(theirs):
        print("\nfit speed-up (PAR fit / stochgen fit):")
        print((theirs / ours).round(0).to_string())
    n, seconds = million_rows()
    print(f"\nsampling {n:,} rows (grunfeld model, 50,000 sequences): {seconds:.2f} s")


if __name__ == "__main__":
    main()
