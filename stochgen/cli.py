"""Command line: ``stochgen fit | sample | evaluate | demo``.

Bad input ends with exit code 2 and a one-line message on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from stochgen.tabular.files import read_table, write_table

__all__ = ["main"]


class UsageError(Exception):
    """Bad input given on the command line."""


def _read_kinds(path: str | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        kinds = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read schema file {path}: {exc}") from exc
    if isinstance(kinds, dict) and "kinds" in kinds:
        kinds = kinds["kinds"]
    if not isinstance(kinds, dict) or not all(isinstance(v, str) for v in kinds.values()):
        raise UsageError(f"{path}: expected a JSON object mapping column names to kinds")
    return kinds


def _cmd_fit(args: argparse.Namespace) -> int:
    from stochgen.io import save
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    kinds = _read_kinds(args.schema)
    data = read_table(args.data, kinds)
    model = CopulaSynthesizer(kinds=kinds).fit(data)
    path = save(model, args.output)
    print(f"fitted {len(model.columns_)} columns on {model.n_rows_} rows; model written to {path}")
    return 0


def _read_conditions(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--conditions must be a JSON object: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError("--conditions must be a JSON object, e.g. '{\"age\": [30, 40]}'")
    # JSON has no tuples: a two-element list is a (low, high) range.
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _cmd_sample(args: argparse.Namespace) -> int:
    from stochgen.io import load
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    model = load(args.model)
    if not isinstance(model, CopulaSynthesizer):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, not a table synthesizer")
    conditions = _read_conditions(args.conditions)
    if args.balance:
        data = _balanced_sample(model, args.n, args.balance, conditions, args.seed)
        path = write_table(data, args.output, args.format)
    else:
        path = model.sample_to(
            args.output, args.n, seed=args.seed, conditions=conditions, format=args.format
        )
    print(f"wrote {args.n} rows to {path}")
    return 0


def _balanced_sample(
    model: Any, n: int, column: str, conditions: dict[str, Any] | None, seed: int | None
) -> pd.DataFrame:
    """``n`` rows split evenly over the labels of ``column``, each drawn by conditioning."""
    from stochgen._rng import spawn_generators

    if column not in model.columns_ or not hasattr(model.columns_[column], "labels_"):
        raise UsageError(f"--balance: {column!r} is not a categorical column of the model")
    labels = list(model.columns_[column].labels_)
    share, extra = divmod(n, len(labels))
    parts = []
    for i, (label, rng) in enumerate(zip(labels, spawn_generators(seed, len(labels)), strict=True)):
        wanted = share + (1 if i < extra else 0)
        parts.append(
            model.sample(wanted, seed=rng, conditions={**(conditions or {}), column: label})
        )
    return pd.concat(parts, ignore_index=True)


def _cmd_balance(args: argparse.Namespace) -> int:
    from stochgen.tabular.balance import balance

    kinds = _read_kinds(args.schema)
    data = read_table(args.data, kinds)
    strategy: Any = "equalize"
    if args.strategy:
        try:
            strategy = json.loads(args.strategy)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--strategy must be JSON: {exc}") from exc
    out = balance(data, args.target, strategy, seed=args.seed)
    path = write_table(out, args.output, args.format)
    print(f"wrote {len(out)} rows ({len(out) - len(data)} synthetic) to {path}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from stochgen.metrics.report import evaluate_files

    report = evaluate_files(args.real, args.synthetic, target=args.target, html=args.html)
    print(report.summary())
    if args.html:
        print(f"report written to {args.html}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from stochgen.demo import run_demo

    run_demo(args.output, seed=args.seed)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stochgen", description="Fit, sample and evaluate synthetic tables."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="fit a CopulaSynthesizer to a CSV/Parquet table")
    fit.add_argument("data", help="real table (.csv or .parquet)")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.json)")
    fit.add_argument("--schema", help="JSON file mapping column names to kinds")
    fit.set_defaults(run=_cmd_fit)

    sample = sub.add_parser("sample", help="sample rows from a saved model")
    sample.add_argument("model", help="model file written by 'stochgen fit'")
    sample.add_argument("-n", type=int, required=True, help="number of rows")
    sample.add_argument("-o", "--output", required=True, help="table to write (.csv or .parquet)")
    sample.add_argument("--seed", type=int, default=None, help="seed for reproducible rows")
    sample.add_argument("--format", choices=("csv", "parquet"), help="output format")
    sample.add_argument(
        "--conditions",
        help="JSON object: column to a value, or to [low, high]; e.g. '{\"age\": [30, 40]}'",
    )
    sample.add_argument(
        "--balance", metavar="COLUMN", help="split the rows evenly over this column's labels"
    )
    sample.set_defaults(run=_cmd_sample)

    bal = sub.add_parser("balance", help="top up a table's minority labels with synthetic rows")
    bal.add_argument("data", help="real table")
    bal.add_argument("--target", required=True, help="label column")
    bal.add_argument("-o", "--output", required=True, help="table to write")
    bal.add_argument(
        "--strategy", help="JSON object of wanted totals per label (default: equalize)"
    )
    bal.add_argument("--schema", help="JSON file mapping column names to kinds")
    bal.add_argument("--seed", type=int, default=None, help="seed")
    bal.add_argument("--format", choices=("csv", "parquet"), help="output format")
    bal.set_defaults(run=_cmd_balance)

    evaluate = sub.add_parser("evaluate", help="score a synthetic table against the real one")
    evaluate.add_argument("real", help="real table")
    evaluate.add_argument("synthetic", help="synthetic table")
    evaluate.add_argument("--target", help="target column for the ML-utility score")
    evaluate.add_argument("--html", help="write a self-contained HTML report here")
    evaluate.set_defaults(run=_cmd_evaluate)

    demo = sub.add_parser("demo", help="fit, sample and score a real statsmodels table")
    demo.add_argument("--output", default="demo-output", help="folder for the outputs")
    demo.add_argument("--seed", type=int, default=0, help="seed")
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input.
    """
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (UsageError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        message: Any = exc.args[0] if len(exc.args) == 1 else exc
        print(f"stochgen {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
