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

__all__ = ["main"]


class UsageError(Exception):
    """Bad input given on the command line."""


def read_table(path: str | Path, kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet table; columns whose kind is ``datetime`` are parsed as dates.

    Parameters
    ----------
    path : str or Path
        ``.csv`` or ``.parquet`` file.
    kinds : dict, optional
        Column kinds; ``datetime`` columns are converted with `pandas.to_datetime`.

    Returns
    -------
    pandas.DataFrame
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if path.suffix == ".parquet":
        _need_pyarrow()
        data = pd.read_parquet(path)
    elif path.suffix in (".csv", ".txt", ".gz"):
        data = pd.read_csv(path)
    else:
        raise UsageError(f"{path}: unknown table format {path.suffix!r}; use .csv or .parquet")
    for column, kind in (kinds or {}).items():
        if kind == "datetime" and column in data and not pd.api.types.is_datetime64_any_dtype(
            data[column]
        ):
            try:
                data[column] = pd.to_datetime(data[column])
            except (ValueError, TypeError) as exc:
                raise UsageError(f"column {column!r} cannot be read as datetimes: {exc}") from exc
    return data


def write_table(data: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write a table as CSV or Parquet (by ``fmt`` or the file's suffix).

    Parameters
    ----------
    data : pandas.DataFrame
    path : str or Path
    fmt : {"csv", "parquet"}, optional

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    fmt = fmt or ("parquet" if path.suffix == ".parquet" else "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        _need_pyarrow()
        data.to_parquet(path, index=False)
    else:
        data.to_csv(path, index=False)
    return path


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise UsageError("Parquet needs pyarrow: pip install 'stochgen[parquet]'") from exc


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


def _cmd_sample(args: argparse.Namespace) -> int:
    from stochgen.io import load

    model = load(args.model)
    if not hasattr(model, "sample"):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, which cannot sample tables")
    data = model.sample(args.n, seed=args.seed)
    if not isinstance(data, pd.DataFrame):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, not a table synthesizer")
    path = write_table(data, args.output, args.format)
    print(f"wrote {len(data)} rows to {path}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from stochgen.evaluate.report import evaluate

    real = read_table(args.real)
    synthetic = read_table(args.synthetic)
    report = evaluate(real, synthetic, target=args.target)
    print(report.summary())
    if args.html:
        report.to_html(args.html)
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
    sample.set_defaults(run=_cmd_sample)

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
    except (UsageError, ValueError, TypeError, KeyError, FileNotFoundError, ImportError) as exc:
        message: Any = exc.args[0] if len(exc.args) == 1 else exc
        print(f"stochgen {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
