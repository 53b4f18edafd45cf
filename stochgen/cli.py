"""Command line: ``stochgen fit | sample | balance | evaluate | demo``.

Bad input ends with exit code 2 and a one-line message on stderr, never a
traceback. Every file is written under a temporary name and renamed when
complete; ``-o`` never replaces one of the command's inputs unless ``--force``
is given; ``sample -n`` is capped at `MAX_ROWS` rows (``--max-rows`` raises
the cap), and a CSV or Parquet output that would not fit on its disk is
refused before any row is drawn.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# Nothing heavy at import time: numpy, pandas and scipy load inside the command
# that needs them, so that `stochgen --help` answers at once.

from stochgen import __version__

__all__ = ["MAX_ROWS", "main"]

#: Default cap on ``stochgen sample -n``; ``--max-rows`` raises it.
MAX_ROWS = 100_000_000
# Rows drawn to estimate the size of one written row.
_PROBE_ROWS = 1_000
_MODEL_SUFFIXES = (".json", ".npz")


# The kinds (stochgen.kinds.KINDS; a test keeps this list in step).
_SCHEMA_HELP = (
    'JSON file of column kinds, e.g. {"age": "integer", "city": "categorical"} '
    '(or {"kinds": {...}}); unnamed columns are inferred. Kinds: continuous, integer, '
    "categorical, ordinal, boolean, datetime, date, constant, id"
)


class UsageError(Exception):
    """Bad input given on the command line."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_output(output: str, inputs: Sequence[str | Path | None], force: bool) -> Path:
    """Refuse an output in a missing folder, or one that would replace an input (unless forced)."""
    path = Path(output)
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"-o {output}: folder {folder} does not exist; create it first")
    for given in inputs:
        if given is not None and _same_file(path, Path(given)):
            if force:
                continue
            raise UsageError(
                f"-o {output} would overwrite the input {given}; choose another name or "
                "pass --force"
            )
    return path


def _check_table_output(output: str, fmt: str | None) -> str:
    from stochgen.io import table_format

    path = Path(output)
    if path.suffix.lower() in _MODEL_SUFFIXES:
        raise UsageError(f"-o {output}: a table is written as .csv or .parquet, not {path.suffix}")
    return table_format(path, fmt)


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


def _read_metadata(path: str | None, table: str | None) -> Any:
    """Read SDV metadata into a Schema, or None."""
    if path is None:
        if table is not None:
            raise UsageError("--table names a table of --metadata; give --metadata too")
        return None
    from stochgen.tabular.schema import Schema

    return Schema.from_sdv(path, table=table)


def _metadata_table(args: argparse.Namespace, schema: Any, kinds: dict[str, str] | None) -> Any:
    """Read the table as SDV metadata says (its datetime formats and orders); say what it maps."""
    from stochgen.io import read_table
    from stochgen.tabular.sdv import CORE_SDTYPES

    formatted = {
        name
        for name, entry in schema.metadata["columns"].items()
        if entry["sdtype"] == "datetime" and entry.get("datetime_format")
    }
    # Text with a datetime_format is parsed with it (by Schema.prepare), not guessed.
    guessed = {name: kind for name, kind in (kinds or {}).items() if name not in formatted}
    data = read_table(args.data, guessed, sep=args.sep)
    missing = [name for name in schema.metadata["columns"] if name not in data.columns]
    if missing:
        raise UsageError(
            f"--metadata {args.metadata} describes columns {missing} that {args.data} lacks"
        )
    pii = [
        name
        for name, entry in schema.metadata["columns"].items()
        if entry["sdtype"] not in CORE_SDTYPES and (kinds or {}).get(name) == "id"
    ]
    if pii:
        print(f"PII columns, generated anew (never a real value): {', '.join(pii)}")
    return schema.prepare(data)


def _read_constraints(path: str | None) -> list[str] | None:
    """Read a JSON rules file (rules, or SDV constraint dictionaries)."""
    if path is None:
        return None
    from stochgen.tabular.rule_files import read_rules

    return read_rules(path)


def _read_marginals(text: str) -> Any:
    """Return ``--marginals``: a setting for all columns, or a JSON object per column."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        marginals = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--marginals: not a setting name nor a JSON object: {exc}") from exc
    if not all(isinstance(v, str) for v in marginals.values()):
        raise UsageError("--marginals: a JSON object maps column names to setting names")
    return marginals


def _read_condition_columns(text: str) -> str | list[str] | None:
    """Return ``--conditions-columns``: "auto", "none" or comma-separated column names."""
    if text.strip().lower() in ("auto", "none"):
        return None if text.strip().lower() == "none" else "auto"
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise UsageError(f"--conditions-columns: an empty column name in {text!r}")
    return names


def _cmd_fit(args: argparse.Namespace) -> int:
    from stochgen.io import read_table, save
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    output = Path(args.output)
    if output.suffix != ".json":
        output = output.with_name(output.name + ".json")
    for written in (output, output.with_suffix(".npz")):
        _check_output(
            str(written), [args.data, args.schema, args.metadata, args.constraints], args.force
        )
    schema = _read_metadata(args.metadata, args.table)
    # --schema's kinds win over the metadata's.
    kinds = {**(schema.kinds if schema else {}), **(_read_kinds(args.schema) or {})} or None
    constraints = _read_constraints(args.constraints)
    if schema is None:
        data = read_table(args.data, kinds, sep=args.sep)
    else:
        data = _metadata_table(args, schema, kinds)
    if args.entity is not None or args.order is not None:
        if constraints is not None:
            raise UsageError("--constraints apply to tables, not to sequences (--entity/--order)")
        from stochgen.sequences.synthesizer import SequenceSynthesizer

        sequences = SequenceSynthesizer(
            entity=args.entity,
            order=args.order,
            kinds=kinds,
            marginals=_read_marginals(args.marginals),
        )
        path = save(sequences.fit(data), output)
        print(f"fitted sequences on {len(data)} rows; model written to {path}")
        return 0
    model = CopulaSynthesizer(
        kinds=kinds,
        copula=args.copula,
        marginals=_read_marginals(args.marginals),
        condition_columns=_read_condition_columns(args.conditions_columns),
        constraints=constraints,
    ).fit(data)
    path = save(model, output)
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


def _check_rows(n: int, max_rows: int) -> None:
    if n < 0:
        raise UsageError(f"-n must be a non-negative integer; got {n}")
    if n > max_rows:
        raise UsageError(
            f"-n {n:,} is above the limit of {max_rows:,} rows; pass --max-rows to raise it"
        )


def _check_disk(model: Any, n: int, output: Path, fmt: str, conditions: Any) -> None:
    """Refuse, before any work, a file that would not fit on its disk."""
    if n <= _PROBE_ROWS:
        return
    probe = model.sample(_PROBE_ROWS, seed=0, conditions=conditions)
    buffer = io.BytesIO()
    if fmt == "parquet":
        probe.to_parquet(buffer, index=False)
    else:
        probe.to_csv(buffer, index=False)
    need = buffer.tell() / _PROBE_ROWS * n
    folder = output.parent if str(output.parent) else Path(".")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # a missing folder is named by the writer
    if need > free:
        raise UsageError(
            f"-n {n:,} rows need about {need / 2**30:,.1f} GiB in {output}, more than the "
            f"{free / 2**30:,.1f} GiB free on its disk"
        )


def _cmd_sample(args: argparse.Namespace) -> int:
    from stochgen.io import load, write_table
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    _check_rows(args.n, args.max_rows)
    fmt = _check_table_output(args.output, args.format)
    model_path = Path(args.model)
    output = _check_output(args.output, [model_path, model_path.with_suffix(".npz")], args.force)
    model = load(model_path)
    conditions = _read_conditions(args.conditions)
    if type(model).__name__ == "SequenceSynthesizer":
        if args.balance:
            raise UsageError("--balance applies to tables, not to sequence models")
        _check_disk(model, args.n, output, fmt, conditions)
        path = model.sample_to(output, args.n, seed=args.seed, conditions=conditions, format=fmt)
        print(f"wrote {args.n} sequences to {path}")
        return 0
    if not isinstance(model, CopulaSynthesizer):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, not a table synthesizer")
    if args.balance and conditions and args.balance in conditions:
        raise UsageError(
            f"--balance {args.balance} and --conditions both set column {args.balance!r}; "
            "use one of them"
        )
    _check_disk(model, args.n, output, fmt, conditions)
    if args.balance:
        data = _balanced_sample(model, args.n, args.balance, conditions, args.seed)
        path = write_table(data, output, fmt)
    else:
        path = model.sample_to(output, args.n, seed=args.seed, conditions=conditions, format=fmt)
    print(f"wrote {args.n} rows to {path}")
    return 0


def _balanced_sample(
    model: Any, n: int, column: str, conditions: dict[str, Any] | None, seed: int | None
) -> pd.DataFrame:
    """``n`` rows split evenly over the labels of ``column``, each drawn by conditioning."""
    import pandas as pd

    from stochgen._rng import spawn_generators
    from stochgen._validation import check_memory

    if column not in model.columns_ or not hasattr(model.columns_[column], "labels_"):
        raise UsageError(f"--balance: {column!r} is not a categorical column of the model")
    probe = model.sample(min(n, _PROBE_ROWS), seed=0)
    # The rows, their parts and the concatenated copy are in memory together.
    per_row = 3 * probe.memory_usage(deep=True).sum() / max(len(probe), 1)
    check_memory(n, per_row, "-n")
    labels = list(model.columns_[column].labels_)
    share, extra = divmod(n, len(labels))
    parts = []
    for i, (label, rng) in enumerate(zip(labels, spawn_generators(seed, len(labels)), strict=True)):
        wanted = share + (1 if i < extra else 0)
        parts.append(
            model.sample(wanted, seed=rng, conditions={**(conditions or {}), column: label})
        )
    return pd.concat(parts, ignore_index=True)


def _match_labels(strategy: dict[str, Any], labels: Sequence[Any]) -> dict[Any, Any]:
    """Map JSON's string keys to the target's labels (``"1"`` to ``1``, ``"true"`` to True)."""
    out: dict[Any, Any] = {}
    for key, total in strategy.items():
        if key in labels:
            out[key] = total
            continue
        matches = [label for label in labels if _label_text(label) == key.strip().lower()]
        if len(matches) != 1:
            shown = [_label_text(label) for label in labels][:10]
            raise UsageError(f"--strategy: label {key!r} is not in the target; labels: {shown}")
        out[matches[0]] = total
    return out


def _label_text(label: Any) -> str:
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    return str(label).lower()


def _cmd_balance(args: argparse.Namespace) -> int:
    from stochgen.io import read_table, write_table
    from stochgen.tabular.balance import balance

    fmt = _check_table_output(args.output, args.format)
    output = _check_output(args.output, [args.data, args.schema], args.force)
    kinds = _read_kinds(args.schema)
    data = read_table(args.data, kinds, sep=args.sep)
    strategy: Any = "equalize"
    if args.strategy:
        try:
            strategy = json.loads(args.strategy)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--strategy must be JSON: {exc}") from exc
        if isinstance(strategy, dict) and args.target in data.columns:
            labels = data[args.target].dropna().unique().tolist()
            strategy = _match_labels(strategy, labels)
    out = balance(data, args.target, strategy, seed=args.seed)
    path = write_table(out, output, fmt)
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
    parser.add_argument("--version", action="version", version=f"stochgen {__version__}")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars (also STOCHGEN_PROGRESS=0)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="fit a CopulaSynthesizer to a CSV/Parquet table")
    fit.add_argument("data", help="real table (.csv or .parquet)")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.json)")
    fit.add_argument("--schema", metavar="KINDS.json", help=_SCHEMA_HELP)
    fit.add_argument(
        "--metadata",
        metavar="METADATA.json",
        help="SDV metadata (SINGLE_TABLE_V1/V2, or one table of V1/V2): sdtypes become kinds, "
        "datetime_format reads dates, PII columns are generated anew; --schema overrides it",
    )
    fit.add_argument("--table", help="which table of a --metadata file that describes several")
    fit.add_argument("--sep", default=",", help="CSV field separator (default ',')")
    fit.add_argument(
        "--constraints",
        metavar="RULES.json",
        help='JSON list of rules every row keeps, e.g. ["start <= end", "a + b == total", '
        "\"if plan == 'pro' then seats >= 5\"]",
    )
    fit.add_argument(
        "--copula",
        choices=("gaussian", "student_t", "vine"),
        default="gaussian",
        help="dependence of the columns (default gaussian)",
    )
    fit.add_argument(
        "--marginals",
        default="empirical",
        help="marginal of numeric columns: empirical (default), auto, a family name, or a "
        'JSON object per column, e.g. \'{"income": "lognormal"}\'',
    )
    fit.add_argument(
        "--conditions-columns",
        default="auto",
        metavar="COLUMNS",
        help="categorical columns whose labels get models of their own: auto (default), "
        "none, or names separated by commas",
    )
    fit.add_argument("--force", action="store_true", help="allow -o to replace an input file")
    fit.add_argument("--entity", help="column naming each sequence: fit a SequenceSynthesizer")
    fit.add_argument("--order", help="column ordering the steps of a sequence (time)")
    fit.set_defaults(run=_cmd_fit)

    sample = sub.add_parser("sample", help="sample rows from a saved model")
    sample.add_argument("model", help="model file written by 'stochgen fit'")
    sample.add_argument(
        "-n", type=int, required=True, help="number of rows (of sequences, for a sequence model)"
    )
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
    sample.add_argument(
        "--max-rows",
        type=int,
        default=MAX_ROWS,
        help=f"refuse -n above this many rows (default {MAX_ROWS:,})",
    )
    sample.add_argument("--force", action="store_true", help="allow -o to replace an input file")
    sample.set_defaults(run=_cmd_sample)

    bal = sub.add_parser("balance", help="top up a table's minority labels with synthetic rows")
    bal.add_argument("data", help="real table")
    bal.add_argument("--target", required=True, help="label column")
    bal.add_argument("-o", "--output", required=True, help="table to write")
    bal.add_argument(
        "--strategy", help="JSON object of wanted totals per label (default: equalize)"
    )
    bal.add_argument("--schema", metavar="KINDS.json", help=_SCHEMA_HELP)
    bal.add_argument("--seed", type=int, default=None, help="seed")
    bal.add_argument("--format", choices=("csv", "parquet"), help="output format")
    bal.add_argument("--sep", default=",", help="CSV field separator (default ',')")
    bal.add_argument("--force", action="store_true", help="allow -o to replace an input file")
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
        0 on success, 2 on bad input or a failed write (no output file is
        left that looks complete), 130 when interrupted.

    Examples
    --------
    >>> main(["sample", "no-such-model.json", "-n", "5", "-o", "rows.csv"])
    2
    """
    args = _parser().parse_args(argv)
    if not args.quiet:
        return _run(args)
    from stochgen._progress import set_progress

    set_progress(False)
    try:
        return _run(args)
    finally:
        set_progress(None)  # back to STOCHGEN_PROGRESS: main may be called again in-process


def _run(args: argparse.Namespace) -> int:
    """Run one parsed command; report bad input on stderr with exit code 2."""
    try:
        return int(args.run(args))
    except (UsageError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        message: Any = exc.args[0] if len(exc.args) == 1 else exc
        print(f"stochgen {args.command}: error: {message}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"stochgen {args.command}: error: out of memory; ask for fewer rows",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"stochgen {args.command}: interrupted; no output written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
